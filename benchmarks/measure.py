"""Measuring for the benchmarks: wall time with a timeout, interleaved repeats, peak RSS, disk use."""

from __future__ import annotations

import contextlib
import math
import signal
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

#: Stop repeating a task once it has run this long (after at least ``MIN_RUNS`` runs).
TASK_BUDGET_S = 60.0
MIN_RUNS = 3


def reset_peak_rss() -> None:
    """Reset this process's peak RSS (Linux: writing 5 to clear_refs), so the next reading is one task's."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB since start or the last :func:`reset_peak_rss`."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def disk_mb(path: Path) -> float:
    """Bytes on disk under ``path``, in MiB (like ``du``)."""
    total = sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file())
    return round(total / 2**20, 1)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5), percentile([5.0], 0.95)
    (2.5, 5.0)
    """
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


class Timeout(Exception):
    """A timed run took longer than allowed."""


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout


def time_call(fn: Callable[[], Any], timeout: float | None = None) -> tuple[float, Any]:
    """Seconds one call takes, and its result; raises :class:`Timeout` past ``timeout`` seconds.

    The timeout interrupts Python code (rdflib); a long step inside Rust ends before it is noticed.
    """
    if timeout is not None:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        start = time.perf_counter()
        result = fn()
        return time.perf_counter() - start, result
    finally:
        if timeout is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)


def interleaved(
    calls: Mapping[str, Callable[[], Any]],
    repeat: int,
    budget: float = TASK_BUDGET_S,
    *,
    warm_up: bool = True,
    min_runs: int = MIN_RUNS,
) -> dict[str, list[float]]:
    """Time each call ``repeat`` times, round-robin, after one warm-up run each (unless done already).

    Interleaving makes load from other processes fall on every contender alike; the order turns round
    every round, and each result is dropped before the next call, so that no contender runs while
    another's rows are alive (a large live result slows Python's garbage collector: measured 1.2× on
    the 55k rows of ``hedges`` at 100k claims). Stops early once the timed runs took ``budget`` seconds
    and each contender ran at least ``min_runs`` times.
    """
    if warm_up:
        for fn in calls.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in calls}
    spent = 0.0
    order = list(calls.items())
    for i in range(repeat):
        for name, fn in order if i % 2 == 0 else order[::-1]:
            seconds = time_call(fn)[0]  # the result is dropped here, before the next call
            times[name].append(seconds)
            spent += seconds
        if spent > budget and i + 1 >= min_runs:
            break
    return times


def summary(times: Sequence[float]) -> dict[str, float]:
    return {"median": round(statistics.median(times), 6), "p95": round(percentile(times, 0.95), 6)}
