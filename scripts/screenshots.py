#!/usr/bin/env python3
"""Takes the README's screenshots of a running demo (default http://127.0.0.1:8080) in headless
Chromium over WebDriver: signs in as the 民治街道 admin and captures a few pages to docs/img/.
Env: USER_NAME (who signs in), PAGES ("name=/path,..."), OUT (folder), HEIGHT (window, px)."""
import base64, json, os, socket, subprocess, sys, tempfile, time, urllib.request

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
out = os.environ.get("OUT") or os.path.join(os.path.dirname(__file__), "..", "docs", "img")
os.makedirs(out, exist_ok=True)
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
drv = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wd = f"http://127.0.0.1:{port}"

def call(method, path, body=None):
    req = urllib.request.Request(wd + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    return json.load(urllib.request.urlopen(req))["value"]

for _ in range(200):
    try:
        if call("GET", "/status")["ready"]: break
    except Exception: time.sleep(0.05)
caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
    "binary": "/usr/bin/chromium", "prefs": {"intl.accept_languages": "zh-CN,zh"},
    "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--window-size=1366,{os.environ.get('HEIGHT', '768')}",
             f"--user-data-dir={tempfile.mkdtemp()}"]}}}}
sid = call("POST", "/session", caps)["sessionId"]
S = f"/session/{sid}"
def el(css): return list(call("POST", S + "/element", {"using": "css selector", "value": css}).values())[0]
def shot(name):
    with open(os.path.join(out, name + ".png"), "wb") as f:
        f.write(base64.b64decode(call("GET", S + "/screenshot")))
try:
    call("POST", S + "/url", {"url": base + "/login"})
    shot("login")
    call("POST", S + f"/element/{el('#username')}/value", {"text": os.environ.get("USER_NAME", "minzhi.admin")})
    call("POST", S + f"/element/{el('#password')}/value", {"text": os.environ.get("PW", "zhengwu2026")})
    call("POST", S + f"/element/{el('#login-submit')}/click", {})
    time.sleep(0.5)
    pages = [p.split("=", 1) for p in os.environ["PAGES"].split(",")] if os.environ.get("PAGES") else [("home", "/"), ("org", "/org"), ("accounts", "/accounts"), ("audit", "/audit"),
                       ("calendar", "/calendar?year=2026"), ("catalog", "/catalog"), ("hall", "/hall"),
                       ("guide", "/hall/matters/440309002004000")]
    for name, path in pages:
        call("POST", S + "/url", {"url": base + path}); time.sleep(0.3); shot(name)
finally:
    call("DELETE", S); drv.terminate()
