"""Briefing export: a page (a network of graph.drawing, a brief of graph.brief) as a PNG or a PDF, by
headless Chromium.

The page needs no network (everything is inlined) and draws without animation (positions precomputed,
physics off), so with a fixed window size, device scale 1 and a fresh profile each time, the same page
gives the same PNG bytes on every run. A PDF holds the time it was printed; those two dates are set to
a date the caller gives (same length, so the file's offsets stay right), and the same page then gives
the same PDF bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

from graph.errors import SupplyGraphError

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1600, 1000
# Virtual time the page may use before the shot: enough for 5,000 nodes to draw.
VIRTUAL_TIME_BUDGET_MS = 10_000
TIMEOUT_S = 120.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PDF_SIGNATURE = b"%PDF-"
PDF_DATES = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)(\d{14})")


class SnapshotError(SupplyGraphError):
    """Chromium is missing or could not take the picture."""


def chromium_path() -> str:
    """The Chromium binary: $SUPPLYGRAPH_CHROMIUM, else Debian's /usr/bin/chromium, else `chromium` on PATH."""
    for candidate in (os.environ.get("SUPPLYGRAPH_CHROMIUM"), CHROMIUM, shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise SnapshotError("Chromium is not installed: run ./scripts/setup.sh (it installs Debian's chromium), "
                        "or set SUPPLYGRAPH_CHROMIUM to a Chromium binary")


def chromium_flags(profile: Path, budget_ms: int = VIRTUAL_TIME_BUDGET_MS) -> list[str]:
    """Chromium headless, offline, alike on every run, with its own throwaway profile."""
    return [
        chromium_path(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        "--disable-extensions", "--disable-default-apps", "--mute-audio", "--force-color-profile=srgb",
        "--font-render-hinting=none", "--force-device-scale-factor=1", f"--user-data-dir={profile}",
        f"--virtual-time-budget={budget_ms}",
    ]


def chromium_command(page: Path, out: Path, profile: Path, width: int, height: int,
                     budget_ms: int = VIRTUAL_TIME_BUDGET_MS) -> list[str]:
    return [*chromium_flags(profile, budget_ms), f"--screenshot={out}", f"--window-size={width},{height}",
            page.as_uri()]


def pdf_command(page: Path, out: Path, profile: Path) -> list[str]:
    """Prints the page as the page's own CSS (@page) says, without the browser's header and footer."""
    return [*chromium_flags(profile), "--no-pdf-header-footer", f"--print-to-pdf={out}", page.as_uri()]


def _run(page_html: str, name: str, command: Callable[[Path, Path, Path], list[str]], signature: bytes,
         timeout: float, what: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="supplygraph-snapshot-") as folder:
        work = Path(folder)
        page, out, profile = work / "view.html", work / name, work / "profile"
        page.write_text(page_html, encoding="utf-8")
        try:
            done = subprocess.run(command(page, out, profile), capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, cwd=work)
        except subprocess.TimeoutExpired:
            raise SnapshotError(f"Chromium took longer than {timeout:.0f} s to draw the {what}") from None
        data = out.read_bytes() if out.exists() else b""
        if done.returncode != 0 or not data.startswith(signature):
            tail = "\n".join((done.stderr or "").strip().splitlines()[-5:])
            raise SnapshotError(f"Chromium could not draw the {what} (exit {done.returncode}): {tail}")
        return data


def html_to_png(page_html: str, width: int = WIDTH, height: int = HEIGHT, timeout: float = TIMEOUT_S) -> bytes:
    """Draws an HTML page in headless Chromium and returns the screenshot as PNG bytes."""
    return _run(page_html, "view.png", lambda page, out, profile: chromium_command(page, out, profile, width, height),
                PNG_SIGNATURE, timeout, "picture")


def html_to_pdf(page_html: str, dated: dt.date, timeout: float = TIMEOUT_S) -> bytes:
    """Prints an HTML page to PDF in headless Chromium; the PDF's creation and change dates say `dated`."""
    data = _run(page_html, "view.pdf", pdf_command, PDF_SIGNATURE, timeout, "PDF")
    stamp = dated.strftime("%Y%m%d").encode("ascii") + b"000000"
    return PDF_DATES.sub(lambda m: m.group(1) + stamp, data)
