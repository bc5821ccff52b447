"""Knockout screens (single and pairs) that agree with COBRApy: :func:`knockout_screen`.

The LP rules are those of :mod:`fluxasn.analysis.knockouts.engine`; work is
spread over processes by :mod:`fluxasn._parallel` (``processes=1``: in this
process).
"""
from __future__ import annotations

import math
import warnings
from typing import List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from fluxasn._parallel import new_pool, resolve_processes
from fluxasn.analysis.knockouts.engine import METHODS, DeletionEngine, SingleTable, iter_pairs, pair_count
from fluxasn.analysis.knockouts.result import KnockoutResult
from fluxasn.core.genes import GeneIndex, GeneMatch
from fluxasn.exceptions import FluxasnInputError

__all__ = ["knockout_screen", "resolve_gene_items", "run_span"]


def knockout_screen(
    model,
    *,
    genes: Optional[Sequence] = None,
    reactions: Optional[Sequence] = None,
    order: int = 1,
    method: str = "fba",
    processes: Optional[int] = None,
    solution=None,
    chunk_size: Optional[int] = None,
    **kwargs,
) -> KnockoutResult:
    """Knock out every gene or reaction (``order=1``) or every pair (``order=2``).

    Parameters
    ----------
    model : cobra.Model
        The model; it is not changed.
    genes, reactions
        Genes or reactions to knock out; give at most one. Default: every
        gene of the model. Genes are objects, model gene ids or queries in
        any id scheme of :func:`fluxasn.resolve_genes` (HGNC symbols, HGNC
        ids, Entrez, Ensembl, UniProt, mouse/rat ortholog symbols ...), so
        ``genes=["ASNS"]`` works on Human-GEM (Ensembl gene ids). A query
        that denotes several model genes (e.g. the transcripts ``440.1``,
        ``440.2``, ``440.3`` of Recon 2.04) is screened one model gene per
        row, as cobra would, with a warning: knocking out one transcript
        leaves the others' reactions open. ``reactions=model.reactions``
        (or ids) screens reactions.
    order
        1 for single deletions, 2 for every unordered pair of distinct items
        of the list (cobra's ``double_*_deletion`` with one list also returns
        the singles; here they are in :attr:`KnockoutResult.singles` and on
        the diagonal of :meth:`KnockoutResult.matrix`).
    method
        ``"fba"``, ``"moma"`` (a quadratic program: set a QP-capable solver
        first, e.g. ``model.solver = "hybrid"`` with the ``qp`` extra,
        osqp, installed), ``"linear_moma"``, ``"room"`` or ``"linear_room"``
        (cobra's formulations).
    processes
        Worker processes; 1 runs in this process. Default:
        :data:`fluxasn.config.config` (the number of cores). Pools
        (:mod:`fluxasn._parallel`, ``"spawn"``) load the model once per
        worker. Results do not depend on ``processes``.
    solution
        Reference flux distribution for MOMA/ROOM (default: pFBA, as cobra).
    chunk_size
        Deletions per work unit (default: chosen from the size).
    **kwargs
        Passed to cobra's ``add_room`` (``delta``, ``epsilon``).

    Returns
    -------
    KnockoutResult
        ``to_frame()`` has columns ``ids`` (frozenset), ``growth`` and
        ``status`` in the order of the input list (pairs: ``(i, j)``,
        ``i < j``, lexicographic). ``genes_resolved`` lists the queries
        that were not model gene ids with the genes they denote and the id
        scheme that matched.

    Raises
    ------
    GeneError
        A gene query matches no model gene or is ambiguous (before any LP).

    Notes
    -----
    Growth agrees with cobra's within the solver tolerance and statuses are
    identical; the LP optimum value is unique, so the rules that skip LPs
    (module docstring, R1-R3) and the warm starts change how many LPs are
    solved, never the answer. Non-optimal rows keep growth NaN, as cobra.

    References
    ----------
    - Ebrahim A, Lerman JA, Palsson BO, Hyduke DR. COBRApy: COnstraints-
       Based Reconstruction and Analysis for Python. BMC Syst Biol 7:74 (2013).
    - Segre D, Vitkup D, Church GM. Analysis of optimality in natural and
       perturbed metabolic networks. PNAS 99:15112 (2002) (MOMA).
    - Shlomi T, Berkman O, Ruppin E. Regulatory on/off minimization of
       metabolic flux changes after genetic perturbations. PNAS 102:7695
       (2005) (ROOM).
    """
    if genes is not None and reactions is not None:
        raise FluxasnInputError("give genes or reactions, not both", identifier="genes/reactions")
    if order not in (1, 2):
        raise FluxasnInputError(f"order must be 1 or 2, not {order!r}", identifier="order")
    method = {"linear moma": "linear_moma", "linear room": "linear_room"}.get(method, method)
    if method not in METHODS:
        raise FluxasnInputError(
            f"unknown method {method!r}; expected one of {', '.join(METHODS)}",
            identifier=str(method))
    kind = "reaction" if reactions is not None else "gene"
    items = reactions if reactions is not None else (genes if genes is not None else model.genes)
    resolved: List[GeneMatch] = []
    if kind == "gene":
        ids, resolved = resolve_gene_items(model, items)
    else:
        ids = list(dict.fromkeys(getattr(i, "id", i) for i in items))
        for i in ids:
            if i not in model.reactions:
                raise FluxasnInputError("the model has no reaction with this id", identifier=str(i))
    n_items = len(ids) if order == 1 else pair_count(len(ids))
    processes = resolve_processes(processes, n_items) if n_items else 1
    if chunk_size is None:
        chunk_size = max(1, math.ceil(n_items / (4 * processes))) if processes > 1 else max(1, n_items)
    spans = [(s, min(s + chunk_size, n_items)) for s in range(0, n_items, chunk_size)]

    if processes == 1:
        engine = DeletionEngine(model, kind=kind, method=method, solution=solution, **kwargs)
        if order == 1:
            rows = engine.singles(ids)
            singles = None
        else:
            st = engine.single_table(ids)
            rows = list(engine.pairs(st, iter_pairs(len(ids))))
            singles = pd.DataFrame({"id": st.ids, "growth": st.growth, "status": st.status})
        lps = engine.n_lp
        ref = engine.ref_growth
    else:
        rows, singles, lps, ref = _run_in_pool(
            model, kind=kind, method=method, ids=ids, order=order, spans=spans,
            processes=processes, solution=solution, kwargs=kwargs)
    frame = _rows_to_frame(rows, order)
    return KnockoutResult(frame, kind=kind, order=order, method=method,
                          reference_growth=ref, lps_solved=lps, singles=singles,
                          genes_resolved=_resolved_frame(resolved) if resolved else None)


def resolve_gene_items(model, items) -> Tuple[List[str], List[GeneMatch]]:
    """Model gene ids of screen items (gene objects, ids or queries in any scheme), in order, each once.

    Model gene ids are taken as they are; other strings go through
    :class:`fluxasn.core.genes.GeneIndex` (returned as matches). A query
    denoting several model genes is expanded with a warning.

    Raises
    ------
    GeneError
        A query that matches nothing or is ambiguous.
    """
    ids: List[str] = []
    matches: List[GeneMatch] = []
    index: Optional[GeneIndex] = None
    for item in items:
        gid = getattr(item, "id", item)
        if isinstance(gid, str) and gid in model.genes:
            ids.append(gid)
            continue
        if index is None:
            index = GeneIndex(model)
        match = index.resolve(gid)
        matches.append(match)
        if len(match.genes) > 1:
            warnings.warn(
                f"gene {match.query!r} ({match.symbol or 'no symbol'}, matched by {match.scheme}) denotes "
                f"{len(match.genes)} genes of model {model.id!r} ({', '.join(match.genes)}); each is knocked out "
                "on its own row, which leaves reactions the others catalyse open", stacklevel=3)
        ids.extend(match.genes)
    return list(dict.fromkeys(ids)), matches


def _resolved_frame(matches: Sequence[GeneMatch]) -> pd.DataFrame:
    return pd.DataFrame({
        "query": [m.query for m in matches],
        "genes": [tuple(m.genes) for m in matches],
        "symbol": [m.symbol for m in matches],
        "scheme": [m.scheme for m in matches],
    })


def _rows_to_frame(rows, order: int) -> pd.DataFrame:
    if order == 1:
        ids = [frozenset([r[0]]) for r in rows]
        growth = [r[1] for r in rows]
        status = [r[2] for r in rows]
    else:
        ids = [frozenset([r[0], r[1]]) for r in rows]
        growth = [r[2] for r in rows]
        status = [r[3] for r in rows]
    return pd.DataFrame({"ids": ids, "growth": np.asarray(growth, dtype=float),
                         "status": status})


def run_span(engine: DeletionEngine, ids: Sequence[str], order: int, start: int, stop: int,
             table: Optional[SingleTable] = None):
    """Rows of deletions ``start:stop`` (singles: ids; pairs: pair indices)."""
    if order == 1:
        return engine.singles(list(ids[start:stop]))
    if table is None:
        table = engine.single_table(list(ids))
    return list(engine.pairs(table, iter_pairs(len(ids), start, stop)))


_WORKER: dict = {}


def _init_worker(model, kind, method, solution, kwargs, ids, order) -> None:
    """Pool initializer: build the engine (and singles for pairs) once per worker."""
    engine = DeletionEngine(model, kind=kind, method=method, solution=solution, **kwargs)
    _WORKER.clear()
    _WORKER.update(engine=engine, ids=ids, order=order, table=None, counted=0)


def _worker_task(span):
    engine: DeletionEngine = _WORKER["engine"]
    ids, order = _WORKER["ids"], _WORKER["order"]
    if order == 2 and _WORKER["table"] is None:
        _WORKER["table"] = engine.single_table(list(ids))
    if span == "singles":
        t = _WORKER["table"]
        rows = (list(t.ids), list(map(float, t.growth)), list(t.status))
    else:
        rows = run_span(engine, ids, order, span[0], span[1], _WORKER["table"])
    delta = engine.n_lp - _WORKER["counted"]
    _WORKER["counted"] = engine.n_lp
    return rows, delta, engine.ref_growth


def _run_in_pool(model, *, kind, method, ids, order, spans, processes, solution, kwargs):
    with new_pool(processes, initializer=_init_worker,
                  initargs=(model, kind, method, solution, kwargs, ids, order)) as pool:
        tasks = list(spans) + (["singles"] if order == 2 else [])
        results = list(pool.map(_worker_task, tasks))
    rows = []
    lps = 0
    ref = math.nan
    singles = None
    for task, (part, delta, ref) in zip(tasks, results):
        lps += delta
        if task == "singles":
            singles = pd.DataFrame({"id": part[0], "growth": part[1], "status": part[2]})
        else:
            rows.extend(part)
    return rows, singles, lps, ref
