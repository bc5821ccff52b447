"""The one process-pool helper: how many workers, one start method, one initialiser.

Every parallel computation of fluxasn (knockout and FVA blocks, screen chunks,
scenario rows, 13C fit starts) goes through :func:`map_in_pool`:

* ``processes=1`` runs the work in the calling process (no pool, no pickling);
* ``processes=None`` takes :data:`fluxasn.config.config` ``.processes``, whose
  default is cobra's ``Configuration().processes`` (the number of cores);
* pools use the :data:`START_METHOD` ``"spawn"``: clean interpreters with no
  inherited locks, BLAS threads or solver state, the same on Linux, macOS and
  Windows, at the price of importing cobra once per worker. Each worker runs
  the initialiser once (e.g. to build its warm LP from the model it is given).

Context variables registered with :func:`carry_to_workers` (the medium options
of :func:`fluxasn.medium_options`, set by the command line's --serum,
--exchange and --keep-sinks) are copied into every worker before its
initialiser runs, so a worker applies a medium as the calling process would.
Results never depend on the number of processes. Dask clusters are reached
through :func:`fluxasn.analysis.screen.run_screen` (``backend="dask"``).
"""
from __future__ import annotations

import contextvars
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple

from fluxasn.config import config

__all__ = ["START_METHOD", "resolve_processes", "map_in_pool", "new_pool", "carry_to_workers",
           "release_memory"]

#: (module, attribute) of context variables whose values workers take from the calling process.
_CARRIED: List[Tuple[str, str]] = [("fluxasn.core.medium_rules", "_OPTIONS")]


def carry_to_workers(variable: contextvars.ContextVar, *, module: str, attribute: str) -> contextvars.ContextVar:
    """Register the context variable ``module.attribute``: every pool worker takes its value
    from the process that starts the pool (workers import ``module`` to find it)."""
    if (module, attribute) not in _CARRIED:
        _CARRIED.append((module, attribute))
    return variable


def _carried_values() -> Tuple[Tuple[str, str, Any], ...]:
    import importlib

    return tuple((m, a, getattr(importlib.import_module(m), a).get()) for m, a in _CARRIED)


def _start_worker(values: Tuple[Tuple[str, str, Any], ...], initializer, initargs) -> None:
    import importlib

    for module, attribute, value in values:
        getattr(importlib.import_module(module), attribute).set(value)
    if initializer is not None:
        initializer(*initargs)

def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system (glibc ``malloc_trim``).

    For a process that coordinates workers after it has dropped a model it
    only read to check a spec: without the trim, glibc keeps the freed arenas
    (measured: Human-GEM loaded and dropped, 492 MB resident, 385 MB after
    ``gc.collect()``, 371 MB after the trim, 344 MB before the model).
    Elsewhere than glibc only the collection runs.
    """
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (macOS, musl, Windows)
        trim = None
    if trim is not None:
        trim(0)


#: Start method of every process pool fluxasn makes.
START_METHOD = "spawn"


def resolve_processes(processes: Optional[int], n_items: Optional[int] = None) -> int:
    """Number of workers: ``processes`` or the configured default, at most ``n_items``, at least 1."""
    if processes is None:
        processes = config.processes
    if processes is None:
        from cobra import Configuration

        processes = int(Configuration().processes or 1)
    processes = max(1, int(processes))
    if n_items is not None:
        processes = max(1, min(processes, int(n_items)))
    return processes


def new_pool(processes: int, *, initializer: Optional[Callable] = None,
             initargs: Sequence[Any] = ()) -> ProcessPoolExecutor:
    """A process pool with the one start method (callers use it as a context manager)."""
    context = multiprocessing.get_context(START_METHOD)
    values = _carried_values()
    return ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=_start_worker,
                               initargs=(values, initializer, tuple(initargs)))


def map_in_pool(function: Callable, items: Iterable, *, processes: Optional[int] = None,
                initializer: Optional[Callable] = None, initargs: Sequence[Any] = ()) -> List[Any]:
    """``[function(item) for item in items]``, in a pool when more than one process is asked for.

    In the calling process (``processes`` resolving to 1, or one item) the
    initialiser runs first, as a worker would run it, so that ``function``
    sees the same state either way.
    """
    items = list(items)
    n = resolve_processes(processes, len(items) or 1)
    if n == 1:
        if initializer is not None:
            initializer(*initargs)
        return [function(item) for item in items]
    with new_pool(n, initializer=initializer, initargs=initargs) as pool:
        return list(pool.map(function, items))
