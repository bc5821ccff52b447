"""Progress bars for long computations: shown on a terminal, silent when piped.

Analyses that take a while accept a ``progress`` callback ``progress(done,
total)``; :func:`progress_bar` gives one that draws a rich progress bar on
standard error when (and only when) standard error is a terminal.
"""
from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator, Optional, TextIO

__all__ = ["progress_bar", "ProgressCallback", "is_terminal"]

#: ``progress(done, total)``: ``done`` of ``total`` steps are finished.
ProgressCallback = Callable[[int, int], None]


def is_terminal(stream: Optional[TextIO] = None) -> bool:
    """Whether ``stream`` (default: standard error) is an interactive terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def progress_bar(
    description: str,
    *,
    total: Optional[int] = None,
    enabled: Optional[bool] = None,
    stream: Optional[TextIO] = None,
) -> Iterator[ProgressCallback]:
    """Context manager yielding a ``progress(done, total)`` callback.

    Parameters
    ----------
    description
        Text shown left of the bar.
    total
        Number of steps, if known in advance (the callback may set it later).
    enabled
        Force the bar on or off; by default it is shown only when ``stream``
        is a terminal, so piped or redirected output stays free of control
        characters.
    stream
        Where to draw (default: standard error).
    """
    stream = sys.stderr if stream is None else stream
    if enabled is None:
        enabled = is_terminal(stream)
    if not enabled:
        yield lambda done, total=None: None
        return

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(file=stream, force_terminal=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int, total: Optional[int] = None) -> None:
            if total is not None:
                bar.update(task, completed=done, total=total)
            else:
                bar.update(task, completed=done)

        yield update
