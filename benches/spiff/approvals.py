"""Completes N four-step approvals in SpiffWorkflow, in process, and prints approvals per second:
the baseline of scripts/bench_engine.sh. Two ways, as zhengwu's side: in memory only, and
persisted the way SpiffWorkflow applications persist — the workflow serialised to JSON and written
to a SQLite file (WAL, synchronous=NORMAL, one transaction per step) after every step."""
import os
import sqlite3
import sys
import tempfile
import time

from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
parser = BpmnParser()
parser.add_bpmn_file(os.path.join(os.path.dirname(__file__), "approval.bpmn"))
spec = parser.get_spec("approval")


serializer = BpmnWorkflowSerializer()
db = sqlite3.connect(os.path.join(tempfile.mkdtemp(), "spiff.db"), isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = NORMAL")
db.execute("CREATE TABLE workflows (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")


def one(i, persist):
    wf = BpmnWorkflow(spec)
    wf.do_engine_steps()
    if persist:
        db.execute("BEGIN")
        db.execute("INSERT INTO workflows (id, state) VALUES (?, ?)", (i, serializer.serialize_json(wf)))
        db.execute("COMMIT")
    steps = 0
    while not wf.is_completed():
        for t in wf.get_tasks(state=TaskState.READY, manual=True):
            t.run()
            steps += 1
            wf.do_engine_steps()
            if persist:
                db.execute("BEGIN")
                db.execute("UPDATE workflows SET state = ? WHERE id = ?", (serializer.serialize_json(wf), i))
                db.execute("COMMIT")
    assert steps == 4, steps


for persist, label, count in ((False, "memory", n), (True, "stored", max(n // 4, 1))):
    one(-1 if not persist else 0, persist)
    t0 = time.perf_counter()
    for i in range(count):
        one(i + 1, persist)
    secs = time.perf_counter() - t0
    print(f"spiff-{label} approvals={count} seconds={secs:.3f} approvals_per_s={count / secs:.0f}")
