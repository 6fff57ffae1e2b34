// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so keyboard and screen-reader users land on it.
  const summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();
  // Instant filter over a list (the org tree).
  document.querySelectorAll("input[data-filter]").forEach((box) => {
    const items = document.querySelectorAll(box.dataset.filter);
    box.addEventListener("input", () => {
      const q = box.value.trim().toLowerCase();
      items.forEach((li) => {
        li.hidden = q !== "" && !(li.dataset.text || "").toLowerCase().includes(q);
      });
    });
  });
  // Confirm destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach((f) => {
    f.addEventListener("submit", (e) => { if (!confirm(f.dataset.confirm)) e.preventDefault(); });
  });
  // Show that a long upload is in progress.
  document.querySelectorAll("button[data-busy]").forEach((b) => {
    b.form.addEventListener("submit", () => { b.disabled = true; b.textContent = b.dataset.busy; });
  });
  document.querySelectorAll("[data-back]").forEach((a) => {
    a.addEventListener("click", (e) => { e.preventDefault(); history.back(); });
  });
});

// Show-if rules in form previews and forms: a field shows when the field it depends on has the
// given value (for checkboxes: includes it). Mirrors the server's rule; the server decides.
document.addEventListener("DOMContentLoaded", () => {
  const deps = document.querySelectorAll("[data-show-if]");
  if (!deps.length) return;
  const valueOf = (form, name) => {
    const els = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    const vals = [];
    els.forEach((el) => {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      let v = el.value;
      try { v = JSON.parse(v); } catch (_) { /* plain text */ }
      vals.push(v);
    });
    return vals;
  };
  const update = () => deps.forEach((d) => {
    const form = d.closest("form");
    const want = JSON.stringify(JSON.parse(d.dataset.showValue));
    d.hidden = !valueOf(form, d.dataset.showIf).some((v) => JSON.stringify(v) === want);
  });
  document.addEventListener("change", update);
  update();
});
document.addEventListener("click", (e) => {
  if (e.target.closest("[data-print]")) window.print();
});

// Forms with data-validate: collect the values by field kind, ask the server (the same check it
// makes on submission), and show each problem beside its field. The server's messages are the
// ones shown, so browser and server can never disagree.
document.addEventListener("submit", async (e) => {
  const form = e.target.closest("form[data-validate]");
  if (!form) return;
  e.preventDefault();
  const values = {};
  form.querySelectorAll(":scope > .ff, :scope .ff[data-key]").forEach((ff) => {
    if (ff.hidden) return;
    const key = ff.dataset.key, kind = ff.dataset.kind;
    const one = (sel) => ff.querySelector(sel);
    let v;
    if (kind === "yes_no") {
      const c = ff.querySelector("input:checked");
      v = c ? JSON.parse(c.value) : undefined;
    } else if (kind === "multi_select") {
      v = [...ff.querySelectorAll("input:checked")].map((c) => c.value);
    } else if (kind === "date_range") {
      const [a, b] = ff.querySelectorAll("input");
      v = a.value || b.value ? { from: a.value, to: b.value } : undefined;
    } else if (kind === "address") {
      const u = one("select").value, d = one("input").value;
      v = u || d ? { unit: u, detail: d } : undefined;
    } else if (kind === "table") {
      v = [...ff.querySelectorAll("tbody tr")].map((tr) => {
        const row = {};
        tr.querySelectorAll("[data-col]").forEach((i) => { if (i.value) row[i.dataset.col] = i.value; });
        return row;
      }).filter((r) => Object.keys(r).length);
    } else {
      const el = one("input, select, textarea");
      v = el && el.type === "file" ? (el.files[0] ? el.files[0].name : "") : el ? el.value : "";
    }
    if (v !== undefined && v !== "" && !(Array.isArray(v) && !v.length)) values[key] = v;
  });
  form.querySelectorAll(".field-error[data-error-for]").forEach((p) => p.remove());
  const ok = form.querySelector("[data-valid-notice]");
  if (ok) ok.hidden = true;
  const headers = { "content-type": "application/json" };
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) headers["x-csrf-token"] = token.content;
  const r = await fetch(form.dataset.validate, {
    method: "POST", headers, body: JSON.stringify({ version: Number(form.dataset.version), values }),
  });
  if (r.ok) { if (ok) ok.hidden = false; return; }
  const body = await r.json();
  for (const f of (body.error && body.error.fields) || []) {
    const key = f.field.split(/[.[]/)[0];
    const ff = form.querySelector(`.ff[data-key="${CSS.escape(key)}"]`);
    if (!ff) continue;
    const p = document.createElement("p");
    p.className = "field-error";
    p.dataset.errorFor = f.field;
    p.textContent = f.message;
    const anchor = [...ff.children].find((c) => c.matches("input, select, textarea, fieldset, span, label.check"));
    if (anchor) ff.insertBefore(p, anchor); else ff.appendChild(p);
  }
  const first = form.querySelector(".field-error");
  if (first) first.scrollIntoView({ block: "center" });
});

// The hall display: reads the latest calls every three seconds; a new call flashes and is
// spoken (where the browser has a Chinese voice).
(() => {
  const src = document.body.dataset.display;
  if (!src) return;
  const win = document.body.dataset.windowLabel || "{n}";
  let last = (document.querySelector("#display-now .num") || {}).textContent || "";
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const tick = async () => {
    let d;
    try {
      const r = await fetch(src, { cache: "no-store" });
      if (!r.ok) return;
      d = await r.json();
    } catch (_) { return; }
    document.getElementById("display-waiting").textContent = d.waiting;
    const rows = d.calls.map((c) => `<tr><td>${esc(c.number)}</td><td>${esc(win.replace("{n}", c.window_number))} ${esc(c.window_name)}</td></tr>`);
    document.querySelector("#display-recent tbody").innerHTML = rows.join("");
    const top = d.calls[0];
    if (!top) return;
    const key = top.number + "@" + top.called_at;
    if (key === last) return;
    last = key;
    const now = document.getElementById("display-now");
    now.querySelector(".label").textContent = document.body.dataset.nowLabel;
    now.querySelector(".now-line").hidden = false;
    now.querySelector(".num").textContent = top.number;
    now.querySelector(".win").textContent = win.replace("{n}", top.window_number);
    now.classList.remove("flash"); void now.offsetWidth; now.classList.add("flash");
    if (window.speechSynthesis && document.body.dataset.say) {
      const u = new SpeechSynthesisUtterance(document.body.dataset.say.replace("{n}", top.number).replace("{w}", top.window_number));
      u.lang = "zh-CN";
      speechSynthesis.speak(u);
    }
  };
  last = (document.querySelector("#display-now") || {}).dataset?.key || last;
  setInterval(tick, 3000);
})();

// The clerk's window: the called ticket and the waiting count follow the hall every ten seconds.
(() => {
  const card = document.querySelector("[data-window-state]");
  if (!card) return;
  setInterval(async () => {
    try {
      const r = await fetch(card.dataset.windowState, { cache: "no-store" });
      if (!r.ok) return;
      const s = await r.json();
      document.getElementById("current-ticket").textContent = s.current ? s.current.number : "—";
      document.getElementById("waiting").textContent = card.dataset.waitingLabel.replace("{n}", s.waiting);
    } catch (_) { /* the next tick tries again */ }
  }, 10000);
})();

// The kiosk: a printed ticket goes back to the start after twenty seconds for the next person.
(() => {
  const t = document.querySelector("[data-return]");
  if (t) setTimeout(() => { location.href = t.dataset.return; }, 20000);
})();
