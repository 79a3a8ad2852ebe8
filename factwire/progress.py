"""Progress of long commands: a bar on a terminal, plain log lines otherwise.

``track(label, total, logger)`` returns a callable that advances by n; it
draws a rich progress bar with counts and rate when stderr is a terminal,
and otherwise logs a line every ``every`` seconds (and at the end), so CI
logs and Prefect's run logs get a readable trace.
"""
from __future__ import annotations

import contextlib
import logging
import sys
import time
from typing import Callable, Iterator


@contextlib.contextmanager
def track(label: str, total: int, logger: logging.Logger | logging.LoggerAdapter | None = None,
          every: float = 10.0) -> Iterator[Callable[[int], None]]:
    logger = logger or logging.getLogger("factwire")
    started = time.monotonic()
    done = 0
    if sys.stderr.isatty():
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeRemainingColumn)

        class RateColumn(TextColumn):
            def render(self, task):
                rate = task.completed / max(1e-9, time.monotonic() - started)
                return f"{rate:.1f}/s"

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   RateColumn(""), TimeRemainingColumn())
        with Progress(*columns, transient=False) as bar:
            task = bar.add_task(label, total=total)
            yield lambda n=1: bar.advance(task, n)
        return

    last = started

    def advance(n: int = 1) -> None:
        nonlocal done, last
        done += n
        now = time.monotonic()
        if now - last >= every or done >= total:
            last = now
            rate = done / max(1e-9, now - started)
            logger.info("%s: %d/%d (%.1f/s)", label, done, total, rate)

    yield advance
