"""Batch knockout screens: plan, compute chunk by chunk, resume, on a process pool or Dask.

A screen spec (TOML or YAML; its format, and the output folder's manifest,
Parquet parts and result file, are described and read by
:mod:`fluxasn.io.screen`) names models x conditions x knockout sets. Every
combination is a *task*; each task's deletions (singles in list order, pairs
``(i, j)``, ``i < j``, lexicographic) are cut into chunks of ``chunk_size``
with deterministic ids. The spec is validated before any work (unknown model
file, medium, gene or reaction: :class:`FluxasnInputError` naming the spec,
its line and the entry; a model infeasible before any knockout:
:class:`InfeasibleError` naming model and condition).

A run that finds its output folder resumes: finished chunks are skipped. Each
chunk is computed from a fixed starting point (the reference basis, a
per-task single-deletion table computed the same way everywhere), so its rows
do not depend on which process computed it, in which order or after which
restart: a resumed run, a pool run and a Dask run give a byte-identical
``result.parquet``.

Backends: ``processes=1`` runs in this process; more use a local process
pool (:mod:`fluxasn._parallel`, "spawn"; each worker loads each model once);
``backend="dask"`` sends the same chunks to a ``distributed`` cluster (a
scheduler address, or a ``LocalCluster`` started for the run).
"""
from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Literal, Optional, Sequence, Tuple, Union

import pandas as pd

from fluxasn.config import NO_GROWTH
from fluxasn._parallel import new_pool, release_memory, resolve_processes
from fluxasn.analysis.knockouts import DeletionEngine, iter_pairs, pair_count
from fluxasn.core.media import apply_medium, get_medium
from fluxasn.core.model import BUNDLED_MODELS, load_model
from fluxasn.exceptions import FluxasnInputError, InfeasibleError
from fluxasn.io.models import read_model_file
from fluxasn.io.screen import (
    COBRA_BUNDLED,
    RESULT_COLUMNS,
    ScreenSpec,
    assemble,
    atomic_write_bytes,
    check_part,
    line_of,
    read_result,
    read_spec,
    write_part,
)
from fluxasn.progress import progress_bar
from fluxasn.views import ResultView

__all__ = ["run_screen", "read_spec", "ScreenSpec", "ScreenResult", "RESULT_COLUMNS",
           "COBRA_BUNDLED", "compute_chunk"]

# ----------------------------------------------------------------------------
# tasks and chunks
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One model x condition x knockout set."""

    index: int
    model: str
    condition: str
    knockouts: str
    kind: str
    order: int
    method: str
    ids: Tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.ids) if self.order == 1 else pair_count(len(self.ids))


def _chunks(tasks: Sequence[Task], chunk_size: int) -> List[Tuple[str, int, int, int]]:
    out = []
    for task in tasks:
        for c, start in enumerate(range(0, task.size, chunk_size)):
            out.append((f"t{task.index:04d}-c{c:07d}", task.index, start,
                        min(start + chunk_size, task.size)))
    return out


def _load_source(source: str, base: Path):
    """A model from a spec's ``source`` (no medium applied)."""
    if source in COBRA_BUNDLED:
        from cobra.io import load_model as cobra_load

        return cobra_load(source)
    if source in BUNDLED_MODELS:
        return load_model(source, medium=None)
    path = Path(source)
    if not path.is_absolute():
        path = base / path
    return read_model_file(path)


def _apply_condition(model, condition: Dict[str, Any]) -> None:
    """Apply a condition (medium, then bounds) to ``model`` in place."""
    if condition.get("medium"):
        serum = condition.get("serum")
        serum = None if serum in (None, "none", "None") else serum
        apply_medium(model, condition["medium"], serum=serum)
    for rid, (lo, hi) in condition.get("bounds", {}).items():
        model.reactions.get_by_id(rid).bounds = (lo, hi)


def _validate(spec: ScreenSpec, text: str, spec_path: Path, *,
              check_feasible: bool = True) -> Tuple[List[Task], Dict[str, Any]]:
    """Check every entry against the models; build the tasks. No work is done."""
    base = spec_path.parent
    models: Dict[str, Any] = {}
    sources: Dict[str, str] = {}
    for entry in spec.model:
        line = line_of(text, entry.source)
        if entry.source not in COBRA_BUNDLED and entry.source != "core":
            path = Path(entry.source)
            path = path if path.is_absolute() else base / path
            if not path.is_file():
                raise FluxasnInputError(f"model {entry.name!r}: model file not found: {path}",
                                        source=spec_path, line=line, identifier=entry.source)
            sources[entry.name] = str(path.resolve())
        else:
            sources[entry.name] = entry.source
        try:
            models[entry.name] = _load_source(entry.source, base)
        except FluxasnInputError as error:
            raise FluxasnInputError(f"model {entry.name!r}: {error}", source=spec_path,
                                    line=line, identifier=entry.source) from error
    model_names = set(models)
    for cond in spec.condition:
        for name in cond.models or []:
            if name not in model_names:
                raise FluxasnInputError(f"condition {cond.name!r} names an unknown model",
                                        source=spec_path, line=line_of(text, name),
                                        identifier=name)
        if cond.medium:
            try:
                get_medium(cond.medium)
            except FluxasnInputError as error:
                raise FluxasnInputError(f"condition {cond.name!r}: {error.reason}",
                                        source=spec_path, line=line_of(text, cond.medium),
                                        identifier=cond.medium) from error
        for name, model in models.items():
            if cond.models and name not in cond.models:
                continue
            for rid, (lo, hi) in cond.bounds.items():
                if rid not in model.reactions:
                    raise FluxasnInputError(
                        f"condition {cond.name!r}: model {name!r} has no reaction with this id",
                        source=spec_path, line=line_of(text, rid), identifier=rid)
                if lo > hi:
                    raise FluxasnInputError(
                        f"condition {cond.name!r}: lower bound {lo} > upper bound {hi}",
                        source=spec_path, line=line_of(text, rid), identifier=rid)
    tasks: List[Task] = []
    for name, model in models.items():
        for ko in spec.knockouts:
            table = model.genes if ko.kind == "gene" else model.reactions
            if ko.ids == "all":
                ids = tuple(x.id for x in table)
            else:
                for i in ko.ids:
                    if i not in table:
                        raise FluxasnInputError(
                            f"knockouts {ko.name!r}: model {name!r} has no {ko.kind} "
                            "with this id", source=spec_path, line=line_of(text, i),
                            identifier=i)
                ids = tuple(ko.ids)
    for name, model in models.items():
        for cond in spec.condition:
            if cond.models and name not in cond.models:
                continue
            if check_feasible:
                with model:
                    try:
                        _apply_condition(model, cond.model_dump())
                    except FluxasnInputError as error:
                        raise FluxasnInputError(
                            f"condition {cond.name!r} on model {name!r}: {error.reason}",
                            source=spec_path, line=line_of(text, cond.name),
                            identifier=error.identifier or cond.name) from error
                    model.slim_optimize()
                    status = model.solver.status
                if status != "optimal":
                    raise InfeasibleError(
                        f"{spec_path}: model {name!r} under condition {cond.name!r} has no "
                        f"optimal solution before any knockout (status {status!r})")
            for ko in spec.knockouts:
                table = models[name].genes if ko.kind == "gene" else models[name].reactions
                ids = tuple(x.id for x in table) if ko.ids == "all" else tuple(ko.ids)
                tasks.append(Task(len(tasks), name, cond.name, ko.name, ko.kind, ko.order,
                                  ko.method or spec.screen.method, ids))
    plan = {
        "spec": spec.model_dump(),
        "sources": sources,
        "conditions": {c.name: c.model_dump() for c in spec.condition},
        "tasks": [t.__dict__ | {"ids": list(t.ids)} for t in tasks],
        "chunk_size": spec.screen.chunk_size,
    }
    return tasks, plan


def _digest(plan: Dict[str, Any]) -> str:
    blob = json.dumps({k: plan[k] for k in ("spec", "tasks", "chunk_size")},
                      sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


# ----------------------------------------------------------------------------
# workers: one cache per process
# ----------------------------------------------------------------------------

_CACHE: Dict[str, Any] = {}


def _worker_init(plan: Dict[str, Any]) -> None:
    """Pool initializer: remember the plan; models load once, on first use."""
    _CACHE.clear()
    _CACHE["plan"] = plan


def _engine_for(plan: Dict[str, Any], task: Dict[str, Any]):
    key = ("engine", task["model"], task["condition"], task["kind"], task["method"])
    if key not in _CACHE:
        mkey = ("model", task["model"], task["condition"])
        if mkey not in _CACHE:
            conditions = {t["condition"] for t in plan["tasks"] if t["model"] == task["model"]}
            base = ("source", task["model"])
            if len(conditions) == 1:  # the model as read is needed once: no pristine copy kept
                model = _load_source(plan["sources"][task["model"]], Path("."))
            else:
                if base not in _CACHE:
                    _CACHE[base] = _load_source(plan["sources"][task["model"]], Path("."))
                model = _CACHE[base].copy()
            _apply_condition(model, plan["conditions"][task["condition"]])
            _CACHE[mkey] = model
        _CACHE[key] = DeletionEngine(_CACHE[mkey], kind=task["kind"], method=task["method"])
    return _CACHE[key]


def compute_chunk(plan: Dict[str, Any], chunk: Tuple[str, int, int, int]) -> Tuple[str, Dict[str, list]]:
    """Rows of one chunk (a pure function of the plan and the chunk)."""
    chunk_id, t, start, stop = chunk
    task = plan["tasks"][t]
    engine = _engine_for(plan, task)
    ids = task["ids"]
    if task["order"] == 1:
        rows = engine.singles(ids[start:stop])
        id1 = [r[0] for r in rows]
        id2 = [None] * len(rows)
        growth = [r[1] for r in rows]
        status = [r[2] for r in rows]
    else:
        tkey = ("table", t)
        if tkey not in _CACHE:
            _CACHE[tkey] = engine.single_table(list(ids))
        rows = list(engine.pairs(_CACHE[tkey], iter_pairs(len(ids), start, stop)))
        id1 = [r[0] for r in rows]
        id2 = [r[1] for r in rows]
        growth = [r[2] for r in rows]
        status = [r[3] for r in rows]
    n = len(rows)
    return chunk_id, {
        "model": [task["model"]] * n, "condition": [task["condition"]] * n,
        "knockouts": [task["knockouts"]] * n, "method": [task["method"]] * n,
        "kind": [task["kind"]] * n, "id1": id1, "id2": id2,
        "growth": [float(g) for g in growth], "status": list(status),
    }


def _compute_in_worker(chunk):
    return compute_chunk(_CACHE["plan"], chunk)


def _compute_dask(plan_json: str, chunk):
    """Dask task: the plan travels as text; each worker process caches models."""
    if _CACHE.get("plan_json") != plan_json:
        _CACHE.clear()
        _CACHE["plan_json"] = plan_json
        _CACHE["plan"] = json.loads(plan_json)
    return compute_chunk(_CACHE["plan"], chunk)


# ----------------------------------------------------------------------------
# result
# ----------------------------------------------------------------------------


class ScreenResult(ResultView):
    """A finished screen: its folder, counts and views of ``result.parquet``.

    Views: ``str()`` (terminal summary), ``_repr_html_()`` (notebook),
    :meth:`to_frame` (all rows; for very large screens read the Parquet file
    in batches with pyarrow instead).
    """

    def __init__(self, path: Path, *, n_rows: int, n_chunks: int, computed: int,
                 tasks: Sequence[Task], repaired: Sequence[str] = ()) -> None:
        self.path = path
        #: Part files that failed their checksum on resume and were computed again.
        self.repaired = list(repaired)
        self.n_rows = n_rows
        self.n_chunks = n_chunks
        self.computed = computed
        self.tasks = list(tasks)

    def to_frame(self) -> pd.DataFrame:
        """Every row (columns :data:`RESULT_COLUMNS`)."""
        return read_result(self.path)

    def _summary(self) -> pd.DataFrame:
        table = read_result(self.path, ["model", "condition", "knockouts", "status", "growth"])
        table["optimal"] = table["status"] == "optimal"
        table["lethal"] = table["optimal"] & (table["growth"].abs() < NO_GROWTH)
        return (table.groupby(["model", "condition", "knockouts"], sort=False)
                .agg(deletions=("status", "size"), optimal=("optimal", "sum"),
                     lethal=("lethal", "sum"))
                .reset_index())

    def _title(self) -> str:
        repaired = (f"; {len(self.repaired)} damaged part(s) found by checksum and "
                    "computed again" if self.repaired else "")
        return (f"screen: {self.n_rows} rows in {self.path} ({self.n_chunks} chunks, "
                f"{self.computed} computed in this run{repaired})")

    def _display(self) -> pd.DataFrame:
        return self._summary()


# ----------------------------------------------------------------------------
# runner
# ----------------------------------------------------------------------------


def run_screen(
    spec: Union[str, os.PathLike],
    *,
    out: Optional[Union[str, os.PathLike]] = None,
    processes: Optional[int] = None,
    progress: Union[None, bool, Callable[[int, int], None]] = None,
    backend: Literal["local", "dask"] = "local",
    scheduler: Optional[str] = None,
    stop_after: Optional[int] = None,
) -> ScreenResult:
    """Run (or resume) the screen described by the spec file ``spec``.

    Parameters
    ----------
    spec
        TOML or YAML screen spec (module docstring).
    out
        Output folder (default: ``<spec stem>.screen`` beside the spec). If
        it holds a run of the same spec, finished chunks are kept (resume);
        a folder of a different spec is refused.
    processes
        1: in this process; more: a local process pool ("spawn",
        :mod:`fluxasn._parallel`); default :data:`fluxasn.config.config`
        (the number of cores). With ``backend="dask"``: workers of the
        LocalCluster started when no ``scheduler`` is given (default 2).
    progress
        ``True``/``False`` to force a progress bar on standard error, None
        to show one only on a terminal, or a ``progress(done, total)``
        callback.
    backend
        ``"local"`` or ``"dask"`` (needs the ``dask`` extra).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``).
    stop_after
        Stop after this many chunks (for tests and for splitting a run).

    Returns
    -------
    ScreenResult

    Raises
    ------
    FluxasnInputError
        Bad spec (unknown model file, medium, gene or reaction, malformed
        file), raised before any work starts.
    InfeasibleError
        A model is infeasible under a condition before any knockout.
    """
    spec_path = Path(spec)
    parsed, text = read_spec(spec_path)
    tasks, plan = _validate(parsed, text, spec_path)
    release_memory()  # the models read to check the spec; workers read their own
    digest = _digest(plan)
    out = Path(out) if out is not None else spec_path.with_suffix(".screen")
    parts = out / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    chunks = _chunks(tasks, parsed.screen.chunk_size)
    manifest_path = out / "manifest.json"
    manifest = {
        "fluxasn_screen": 1, "spec": str(spec_path), "digest": digest,
        "chunks": len(chunks), "rows": sum(t.size for t in tasks),
        "tasks": [{"index": t.index, "model": t.model, "condition": t.condition,
                   "knockouts": t.knockouts, "kind": t.kind, "order": t.order,
                   "method": t.method, "items": len(t.ids), "deletions": t.size}
                  for t in tasks],
    }
    if manifest_path.exists():
        old = json.loads(manifest_path.read_text())
        if old.get("digest") != digest:
            raise FluxasnInputError(
                "the output folder holds a screen of a different spec; choose another folder "
                "or delete it", source=out, identifier=str(out))
        manifest["parts"] = dict(old.get("parts", {}))
    else:
        manifest["parts"] = {}
        atomic_write_bytes(manifest_path, json.dumps(manifest, indent=1).encode())
    for stale in parts.glob(".*.tmp-*"):
        stale.unlink()  # half-written parts of a killed run
    done_ids, repaired = _verified_parts(parts, chunks, manifest)
    if repaired:
        warnings.warn(f"screen {out}: {len(repaired)} part file(s) failed their check and are "
                      "computed again: " + "; ".join(repaired), stacklevel=2)
    pending = [c for c in chunks if c[0] not in done_ids]
    if stop_after is not None:
        pending = pending[: max(0, int(stop_after))]
    total = len(chunks)
    finished = len(done_ids)

    computed = 0
    with _progress(progress, total) as report:
        report(finished, total)
        for chunk_id, columns in _execute(plan, pending, processes=processes,
                                          backend=backend, scheduler=scheduler):
            manifest["parts"][chunk_id] = write_part(parts, chunk_id, columns)
            atomic_write_bytes(manifest_path, json.dumps(manifest, indent=1).encode())
            computed += 1
            finished += 1
            report(finished, total)
    remaining = [c for c in chunks if c[0] not in manifest["parts"]]
    if remaining:
        return ScreenResult(out / "result.parquet", n_rows=0, n_chunks=total,
                            computed=computed, tasks=tasks, repaired=repaired)
    final = assemble(out, [c[0] for c in chunks])
    return ScreenResult(final, n_rows=manifest["rows"], n_chunks=total, computed=computed,
                        tasks=tasks, repaired=repaired)


def _verified_parts(parts: Path, chunks, manifest: Dict[str, Any]) -> Tuple[set, List[str]]:
    """Chunks whose part file passes its check; the others' files removed and named.

    Updates ``manifest["parts"]``: entries of missing or failed parts are
    dropped; a complete part without an entry gets one.
    """
    records = manifest["parts"]
    done, repaired = set(), []
    for chunk_id, _, start, stop in chunks:
        path = parts / f"{chunk_id}.parquet"
        if not path.exists():
            records.pop(chunk_id, None)
            continue
        entry, reason = check_part(path, records.get(chunk_id), stop - start)
        if entry is not None:
            records[chunk_id] = entry
            done.add(chunk_id)
        else:
            repaired.append(f"{path.name}: {reason}")
            records.pop(chunk_id, None)
            path.unlink()
    return done, repaired


def _progress(progress, total):
    import contextlib

    if callable(progress):
        return contextlib.nullcontext(progress)
    return progress_bar("screen", total=total, enabled=progress)


def _execute(plan, pending, *, processes, backend, scheduler) -> Iterator[Tuple[str, Dict[str, list]]]:
    if not pending:
        return
    if backend == "dask":
        yield from _execute_dask(plan, pending, processes=processes, scheduler=scheduler)
        return
    if backend != "local":
        raise FluxasnInputError(f"unknown backend {backend!r}; expected 'local' or 'dask'",
                                identifier=str(backend))
    processes = resolve_processes(processes, len(pending))
    if processes == 1:
        _worker_init(plan)
        for chunk in pending:
            yield compute_chunk(plan, chunk)
        return
    from concurrent.futures import FIRST_COMPLETED, wait

    with new_pool(processes, initializer=_worker_init, initargs=(plan,)) as pool:
        queue = iter(pending)
        running = set()
        for chunk in queue:  # keep at most 2 chunks per worker in flight
            running.add(pool.submit(_compute_in_worker, chunk))
            if len(running) >= 2 * processes:
                break
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
                nxt = next(queue, None)
                if nxt is not None:
                    running.add(pool.submit(_compute_in_worker, nxt))


def _execute_dask(plan, pending, *, processes, scheduler):
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as error:  # pragma: no cover - the extra is installed in CI
        raise FluxasnInputError("backend 'dask' needs the dask extra: pip install "
                                "'fluxasn[dask]'", identifier="dask") from error
    plan_json = json.dumps(plan, sort_keys=True)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=processes or 2, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = [client.submit(_compute_dask, plan_json, chunk, pure=False) for chunk in pending]
        for future in as_completed(futures):
            yield future.result()
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
