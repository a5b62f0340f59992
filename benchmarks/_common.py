"""What the benchmarks share: the peak memory of a run (sampled RSS) and how it is shown.

Imported as ``from _common import PeakRSS, gb`` by the scripts in this folder (run as
``python benchmarks/bench_<name>.py``, which puts the folder on ``sys.path``).
"""

from __future__ import annotations

import os
import threading
import time

__all__ = ["PeakRSS", "gb"]


class PeakRSS:
    """Sample the process's resident set size every few milliseconds; keep the peak."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * self._page

    def __enter__(self) -> PeakRSS:
        self.start = self._rss()
        self.peak = self.start
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def gb(n: float) -> str:
    """Bytes as gigabytes, two decimals."""
    return f"{n / 1e9:.2f} GB"
