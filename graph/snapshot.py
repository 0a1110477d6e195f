"""Briefing export: a network page (graph.drawing.render_html) as a PNG, drawn by headless Chromium.

The page needs no network (everything is inlined) and draws without animation (positions precomputed,
physics off), so with a fixed window size, device scale 1 and a fresh profile each time, the same page
gives the same PNG bytes on every run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from graph.errors import SupplyGraphError

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1600, 1000
# Virtual time the page may use before the shot: enough for 5,000 nodes to draw.
VIRTUAL_TIME_BUDGET_MS = 10_000
TIMEOUT_S = 120.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class SnapshotError(SupplyGraphError):
    """Chromium is missing or could not take the picture."""


def chromium_path() -> str:
    """The Chromium binary: $SUPPLYGRAPH_CHROMIUM, else Debian's /usr/bin/chromium, else `chromium` on PATH."""
    for candidate in (os.environ.get("SUPPLYGRAPH_CHROMIUM"), CHROMIUM, shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise SnapshotError("Chromium is not installed: run ./scripts/setup.sh (it installs Debian's chromium), "
                        "or set SUPPLYGRAPH_CHROMIUM to a Chromium binary")


def chromium_command(page: Path, out: Path, profile: Path, width: int, height: int,
                     budget_ms: int = VIRTUAL_TIME_BUDGET_MS) -> list[str]:
    return [
        chromium_path(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        "--disable-extensions", "--disable-default-apps", "--mute-audio", "--force-color-profile=srgb",
        "--font-render-hinting=none", "--force-device-scale-factor=1", f"--user-data-dir={profile}",
        f"--virtual-time-budget={budget_ms}", f"--screenshot={out}", f"--window-size={width},{height}",
        page.as_uri(),
    ]


def html_to_png(page_html: str, width: int = WIDTH, height: int = HEIGHT, timeout: float = TIMEOUT_S) -> bytes:
    """Draws an HTML page in headless Chromium and returns the screenshot as PNG bytes."""
    with tempfile.TemporaryDirectory(prefix="supplygraph-snapshot-") as folder:
        work = Path(folder)
        page, out, profile = work / "view.html", work / "view.png", work / "profile"
        page.write_text(page_html, encoding="utf-8")
        command = chromium_command(page, out, profile, width, height)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, cwd=work)
        except subprocess.TimeoutExpired:
            raise SnapshotError(f"Chromium took longer than {timeout:.0f} s to draw the picture") from None
        data = out.read_bytes() if out.exists() else b""
        if done.returncode != 0 or not data.startswith(PNG_SIGNATURE):
            tail = "\n".join((done.stderr or "").strip().splitlines()[-5:])
            raise SnapshotError(f"Chromium could not take the picture (exit {done.returncode}): {tail}")
        return data
