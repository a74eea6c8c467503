"""A headless Chromium driven through the DevTools protocol over a pipe (stdlib only).

``--remote-debugging-pipe`` makes Chromium read protocol messages from file descriptor 3 and
write its answers to 4, each a JSON object ended by a NUL byte: no websocket library, no port.
:func:`find_chromium` returns None where no browser is installed, so tests can skip saying why.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Browser", "Page", "browser", "find_chromium"]

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> str | None:
    """The path of a Chromium or Chrome, from ``$CHROMIUM`` or ``PATH``."""
    wanted = os.environ.get("CHROMIUM")
    if wanted:
        return shutil.which(wanted)
    return next((found for name in _NAMES if (found := shutil.which(name))), None)


class Browser:
    """One headless browser process; :meth:`open` gives a :class:`Page`."""

    def __init__(self, executable: str, profile: str) -> None:
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()

        def wire() -> None:  # in the child: its fd 3 reads our commands, fd 4 writes answers
            high_in, high_out = os.dup(to_browser), os.dup(from_browser)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self.process = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,
            pass_fds=(3, 4),
        )
        os.close(to_browser)
        os.close(from_browser)
        self._next = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self) -> None:
        buffer = b""
        while chunk := os.read(self._read, 1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    with self._arrived:
                        self._answers[message["id"]] = message
                        self._arrived.notify_all()

    def send(self, method: str, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        """Send one command and wait (10 s at most) for its result."""
        self._next += 1
        message_id = self._next
        message = {"id": message_id, "method": method, "params": params or {}, **extra}
        os.write(self._write, json.dumps(message).encode() + b"\0")
        with self._arrived:
            if not self._arrived.wait_for(lambda: message_id in self._answers, timeout=10):
                raise TimeoutError(f"the browser did not answer {method} within 10 s")
            answer = self._answers.pop(message_id)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def open(self, url: str) -> Page:
        """A new tab showing ``url``."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        page = Page(self, session["sessionId"])
        page.send("Page.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": 1400,
                "height": 900,
                "deviceScaleFactor": 1,
                "mobile": False,
            },
        )
        page.send("Page.navigate", {"url": url})
        return page

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, TimeoutError, RuntimeError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._write)
        os.close(self._read)


class Page:
    """One tab: evaluate script, wait for a condition, take a screenshot."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.browser.send(method, params, sessionId=self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (a promise is awaited)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} raised: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0) -> Any:
        """Poll ``expression`` until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"still false after {timeout} s: {expression}")
            time.sleep(0.05)

    def screenshot(self) -> bytes:
        """A PNG of the visible page."""
        return base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])


@contextmanager
def browser(executable: str) -> Iterator[Browser]:
    """A headless browser with a throwaway profile, closed on exit."""
    with tempfile.TemporaryDirectory(prefix="swfobjects-chromium-") as profile:
        instance = Browser(executable, profile)
        try:
            yield instance
        finally:
            instance.close()
