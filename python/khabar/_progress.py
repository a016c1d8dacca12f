"""Progress bars for long fits and predictions (tqdm when installed).

``progress=None`` (the estimators' default) shows a bar only for large
inputs (at least :data:`AUTO_MIN` documents or pairs, or
:data:`LINEAR_AUTO_MIN` units of linear-model work) and only when tqdm is
installed; ``True`` always shows one (and raises if tqdm is missing);
``False`` never does. Bars go to stderr (``tqdm.auto`` picks the notebook
widget in Jupyter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

#: inputs at least this large get a bar under ``progress=None``
AUTO_MIN = 20_000
#: linear fits at least this large (stored non-zeros x outputs) get a bar
#: under ``progress=None``: about a second of DCD (the TopicClassifier
#: default, calibrated) on two cores, several of L-BFGS
LINEAR_AUTO_MIN = 25_000_000
#: documents per predicted chunk when a bar is shown
CHUNK = 5_000

T = TypeVar("T")


def _tqdm() -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def enabled(progress: bool | None, n: int, auto_min: int = AUTO_MIN) -> bool:
    """Whether to show a bar for ``n`` items (``auto_min`` or more under
    ``progress=None``)."""
    if progress is None:
        return n >= auto_min and _tqdm() is not None
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None, got {progress!r}")
    if progress and _tqdm() is None:
        raise ImportError("progress=True needs tqdm: pip install 'khabar[progress]'")
    return progress


class _Stages:
    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def __call__(self, name: str) -> None:
        """Finish the previous stage and name the next."""
        if self.bar is not None:
            if self.bar.n or self.bar.desc:
                self.bar.update(1)
            self.bar.set_description(name)


@contextmanager
def stages(progress: bool | None, n: int, total: int, what: str) -> Iterator[_Stages]:
    """A bar over the ``total`` stages of a fit on ``n`` items."""
    bar = _tqdm()(total=total, desc="", unit="stage", leave=False) if enabled(progress, n) else None
    try:
        yield _Stages(bar)
        if bar is not None:
            bar.update(total - bar.n)
    finally:
        if bar is not None:
            bar.set_description(f"{what} done")
            bar.close()


@contextmanager
def epoch_bar(
    progress: bool | None, n: int, epochs: int, what: str
) -> Iterator[Callable[[int], None] | None]:
    """A bar over the passes of a fit on ``n`` items (tokens, rows): yields
    the hook the Rust core calls after each pass, or ``None`` for no bar."""
    if not enabled(progress, n):
        yield None
        return
    bar = _tqdm()(total=epochs, desc=what, unit="pass", leave=False)
    try:
        yield lambda k: bar.update(k - bar.n)
    finally:
        bar.close()


@contextmanager
def pass_bar(
    progress: bool | None, work: int, what: str
) -> Iterator[Callable[[int, int], None] | None]:
    """A bar over the solver passes of a linear fit of size ``work``
    (non-zeros x outputs): yields the hook ``on_step(done, total)`` that the
    Rust core calls on this thread, or ``None`` for no bar. ``total`` is the
    most passes the fit may take; it shrinks when a solver converges early,
    so a finished fit ends with a full bar."""
    if not enabled(progress, work, LINEAR_AUTO_MIN):
        yield None
        return
    bars: list[Any] = []  # made at the first count, which brings the total

    def on_step(done: int, total: int) -> None:
        if not bars:
            # The total is a ceiling (max_iter per solver run) that solvers
            # usually stop far below, so a percentage or a time estimate
            # from it would mislead: show passes done, the ceiling, the rate.
            bar = _tqdm()(
                total=total,
                desc=what,
                unit="pass",
                leave=False,
                bar_format="{desc}: {n_fmt} passes (at most {total_fmt}) [{elapsed}, {rate_fmt}]",
            )
            bars.append(bar)
        bar = bars[0]
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    try:
        yield on_step
    finally:
        for bar in bars:
            bar.close()


def chunked(
    progress: bool | None, items: Sequence[T], fn: Callable[[Sequence[T]], Any], what: str
) -> list[Any]:
    """``[fn(items)]``, or ``fn`` over chunks of :data:`CHUNK` with a bar."""
    n = len(items)
    if not enabled(progress, n):
        return [fn(items)]
    out = []
    with _tqdm()(total=n, desc=what, unit="doc", leave=False) as bar:
        for i in range(0, n, CHUNK):
            part = items[i : i + CHUNK]
            out.append(fn(part))
            bar.update(len(part))
    return out
