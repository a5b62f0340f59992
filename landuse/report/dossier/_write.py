"""Writing the report folder (atomically) and printing its pages to PDF with headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from landuse._atomic import atomic_path
from landuse.errors import LanduseError

__all__ = [
    "ChromiumError",
    "find_chromium",
    "pages_progress",
    "print_pdf",
    "print_pdfs",
    "write_page",
]

#: Seconds one page may take to print; Chromium processes printing at once.
PDF_TIMEOUT_S = 120
PDF_WORKERS = 4


class ChromiumError(LanduseError, RuntimeError):
    """Headless Chromium is not installed (or failed) when a PDF was asked for."""


def find_chromium() -> str:
    """Return the Chromium executable: ``LANDUSE_CHROMIUM``, else ``chromium`` on the PATH.

    Raises
    ------
    ChromiumError
        Not found; the message says how to install it.
    """
    named = os.environ.get("LANDUSE_CHROMIUM")
    candidates = [named] if named else ["chromium", "chromium-browser", "google-chrome"]
    for name in candidates:
        found = shutil.which(name) or (name if Path(name).is_file() else None)
        if found:
            return found
    where = f"LANDUSE_CHROMIUM={named!r}" if named else "`chromium` on the PATH"
    msg = (
        f"cannot print the report to PDF: headless Chromium was not found ({where}). "
        "PDF printing runs `chromium --headless --print-to-pdf`. Install it (Debian/Ubuntu: "
        "`apt-get install chromium`) or set LANDUSE_CHROMIUM to its path, or leave out the PDF "
        "(pdf=False, no --pdf) to write the HTML pages only."
    )
    raise ChromiumError(msg)


def write_page(path: Path, html: str) -> Path:
    """Write one page atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


def print_pdf(page: Path, *, chromium: str) -> Path:
    """Print ``page`` to ``<page>.pdf`` beside it with headless Chromium, atomically."""
    target = page.with_suffix(".pdf")
    with atomic_path(target) as tmp:
        args = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-pdf-header-footer",
            "--virtual-time-budget=5000",
            f"--print-to-pdf={tmp}",
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                args, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired:
            msg = f"Chromium did not print {page.name} within {PDF_TIMEOUT_S} s."
            raise ChromiumError(msg) from None
        if done.returncode != 0 or not tmp.exists():
            tail = " ".join((done.stderr or "").split())[-300:]
            msg = f"Chromium failed to print {page.name} (exit {done.returncode}): {tail}"
            raise ChromiumError(msg)
    return target


def print_pdfs(pages: list[Path], *, chromium: str, progress: bool) -> list[Path]:
    """Print every page (a few Chromium processes at once: ~4 s each); PDFs in page order."""
    workers = max(1, min(PDF_WORKERS, os.cpu_count() or 1, len(pages)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = pool.map(lambda page: print_pdf(page, chromium=chromium), pages)
        return list(pages_progress(done, progress=progress, desc="PDF"))  # type: ignore[arg-type]


def pages_progress(items: Iterable[object], *, progress: bool, desc: str) -> Iterable[object]:
    """``items``, with a tqdm bar when asked."""
    if not progress:
        return items
    from tqdm.auto import tqdm  # optional, and slow to import: only when asked

    return tqdm(items, desc=desc, unit="page")
