"""The app as a user runs it (`python app.py` in its own process): second start to a ready UI, peak RSS,
and in headless Chromium the time from pressing Enter to the sources and to the first answer token."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.latency import percentiles
from config.settings import ROOT

CHROMIUM = Path("/usr/bin/chromium")

# Records, inside the page, when the sources panel and the first answer token appear after Enter.
_OBSERVE = """() => {
  const m = window.__bench = {};
  const t0 = performance.now();
  new MutationObserver(() => {
    const now = performance.now() - t0;
    if (m.sources === undefined && document.querySelector('#sources details.source')) m.sources = now;
    const bots = document.querySelectorAll('#chat .message.bot');
    const text = bots.length ? bots[bots.length - 1].innerText.trim() : '';
    if (m.token === undefined && text && !/^(…|Loading content)$/.test(text)) m.token = now;  // not a placeholder
    if (m.done === undefined && /total/.test(document.querySelector('#sources .meta')?.innerText || '')) m.done = now;
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


@contextmanager
def started(port: int) -> Iterator[tuple[subprocess.Popen, float]]:
    """`python app.py` until its UI page answers; yields the process and the seconds it took."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "TQDM_DISABLE": "1"})
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app.py exited with code {proc.returncode} before it was ready")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        yield proc, time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def _ask_api(port: int, question: str) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=30) as reply:
        model = json.load(reply)["data"][0]["id"]
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": question}]}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as reply:
        reply.read()


def _ui_timings(url: str, questions: list[str]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    sources, tokens = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        for question in questions:
            page = browser.new_page()
            page.goto(url)
            box = page.locator("#question textarea")
            box.fill(question)
            page.evaluate(_OBSERVE)
            box.press("Enter")
            page.wait_for_function("() => window.__bench.done !== undefined", timeout=180_000)
            marks = page.evaluate("() => window.__bench")
            sources.append(marks["sources"])
            if marks.get("token") is not None:
                tokens.append(marks["token"])
            page.close()
        browser.close()
    return {"sources_ms": percentiles(sources), "first_token_ms": percentiles(tokens)}


def run(questions: list[str], starts: int = 3) -> dict[str, Any]:
    port = _free_port()
    times = []
    for _ in range(starts):  # the first start also warms the OS file cache: "second start" is the rest
        with started(port) as (_, seconds):
            times.append(seconds)
    out: dict[str, Any] = {"first_start_s": round(times[0], 2),
                           "second_start_s": round(sorted(times[1:])[len(times[1:]) // 2], 2),
                           "starts_s": [round(t, 2) for t in times]}
    with started(port) as (proc, _):
        _ask_api(port, questions[0])
        if CHROMIUM.exists():
            out["ui"] = _ui_timings(f"http://127.0.0.1:{port}/", questions)
        else:
            out["ui"] = {"skipped": "Debian chromium is missing: `make browser`"}
        out["peak_rss_mb"] = _peak_rss_mb(proc.pid)
    return out
