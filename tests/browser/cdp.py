#!/usr/bin/env python3
"""Load one page in headless Chromium over the DevTools protocol (through
--remote-debugging-pipe, so no package is needed), save a PNG screenshot of
the whole page and an A4 PDF print, and fail on any console error, uncaught
exception, error log entry, or request other than the page itself.

Usage: cdp.py CHROMIUM PAGE.html OUT.png OUT.pdf
"""
import base64
import json
import os
import subprocess
import sys
import time

browser, page, png, pdf = sys.argv[1:5]
url = "file://" + os.path.abspath(page)

to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()
process = subprocess.Popen(
    [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
     "--no-first-run", "--disable-extensions", "--disable-background-networking",
     "--disable-sync", "--remote-debugging-pipe", "about:blank"],
    # Chromium reads commands on fd 3 and writes answers on fd 4.
    pass_fds=(3, 4, to_chrome_r, from_chrome_w),
    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    preexec_fn=lambda: (os.dup2(to_chrome_r, 3), os.dup2(from_chrome_w, 4)),
)
os.close(to_chrome_r)
os.close(from_chrome_w)
writer = os.fdopen(to_chrome_w, "wb", buffering=0)
reader = os.fdopen(from_chrome_r, "rb", buffering=0)
buffer = b""
events = []
next_id = 0


def send(method, params=None, session=None):
    global next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    writer.write(json.dumps(message).encode() + b"\0")
    return next_id


def receive():
    global buffer
    while b"\0" not in buffer:
        chunk = reader.read(1 << 16)
        if not chunk:
            raise SystemExit("chromium closed the pipe")
        buffer += chunk
    message, buffer = buffer.split(b"\0", 1)
    return json.loads(message)


def call(method, params=None, session=None, timeout=60):
    wanted = send(method, params, session)
    deadline = time.time() + timeout
    while time.time() < deadline:
        message = receive()
        if message.get("id") == wanted:
            if "error" in message:
                raise SystemExit(f"{method}: {message['error']}")
            return message.get("result", {})
        events.append(message)
    raise SystemExit(f"{method}: no answer in {timeout} s")


def wait_for(method, timeout=60):
    deadline = time.time() + timeout
    for index, event in enumerate(events):
        if event.get("method") == method:
            return events.pop(index)
    while time.time() < deadline:
        message = receive()
        if message.get("method") == method:
            return message
        events.append(message)
    raise SystemExit(f"no {method} in {timeout} s")


problems = []
try:
    target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        call(f"{domain}.enable", session=session)
    call("Emulation.setDeviceMetricsOverride",
         {"width": 1100, "height": 1400, "deviceScaleFactor": 1, "mobile": False}, session=session)
    call("Page.navigate", {"url": url}, session=session)
    wait_for("Page.loadEventFired")
    time.sleep(0.3)
    shot = call("Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True}, session=session)
    with open(png, "wb") as out:
        out.write(base64.b64decode(shot["data"]))
    printed = call("Page.printToPDF",
                   {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": False,
                    "displayHeaderFooter": False}, session=session)
    with open(pdf, "wb") as out:
        out.write(base64.b64decode(printed["data"]))
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            problems.append(f"console {params['type']}: {params.get('args')}")
        elif method == "Runtime.exceptionThrown":
            problems.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            problems.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        elif method == "Network.requestWillBeSent":
            requested = params.get("request", {}).get("url", "")
            if requested != url and not requested.startswith("data:"):
                problems.append(f"request: {requested}")
finally:
    try:
        call("Browser.close", timeout=5)
    except BaseException:
        pass
    process.kill()
    process.wait()

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
