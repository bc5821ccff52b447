"""Pair deletions of the deletion engine: combined knocked-out sets, the pair rules, batches.

:meth:`DeletionEngine.pairs <fluxasn.analysis.knockouts.engine.DeletionEngine.pairs>`
runs here. The rules are those of the engine's module docstring (R1-R6);
this module adds how a pair's knocked-out set is found without evaluating
every GPR again, and how pairs are decided in batches.

Combined sets from minimal cut pairs (exact)
--------------------------------------------
A GPR is a monotone Boolean function of its genes (``and``/``or`` only), so a
reaction is knocked out by a gene set ``D`` exactly when ``D`` contains a
*minimal cut* of its GPR (a minimal set of genes whose loss makes it false).
For a pair ``{a, b}`` the minimal cuts that fit are ``{a}``, ``{b}`` (already
in ``K(a)`` and ``K(b)``) and ``{a, b}`` itself. Hence
``K(a, b) = K(a) | K(b) | X(a, b)``, where ``X(a, b)`` holds the reactions
whose GPR has ``{a, b}`` as a minimal cut: two isozymes, neither essential
alone. :func:`cut_pairs` finds every such pair once per single table, by
evaluating each reaction's GPR on the pairs of its genes that do not knock it
out alone (on Human-GEM 1.19.0: 100,586 evaluations in 0.8 s, 363 gene pairs
with a non-empty ``X``). Every other pair's set is the union of its singles,
so a pair whose one single set contains the other's is its single (R1)
without any GPR evaluation.

Batches and witnesses
---------------------
Pairs are decided in batches of :data:`PAIR_BATCH`: first every rule that
needs no LP, then one witness search (R5) over the batch's open sets, then
an LP for each set still open, started from the optimal basis of the
solved single deletion inside it with the lowest growth (:func:`start_basis`) (a pair moves little from it; from the
reference basis, pairs with a gene whose single deletion changed the optimum
took hundreds to thousands of dual simplex iterations on Human-GEM). Which
batch or chunk a pair falls in changes which LPs are solved, never its row:
an optimum equal to the reference growth within 1e-9 (relative) is reported
as the reference growth, exactly what a witness gives. An LP's answer is a
function of its knocked set alone (same bounds, same start basis, same
iteration guard), so answers are kept with the single table
(``SingleTable.solved``) and reused by later chunks of the same process:
two genes with the same knocked set (the subunits of one complex) pair with
a third in one LP, wherever their pairs fall.

Measured (Human-GEM 1.19.0 + RPMI-1640, HiGHS, ``scripts/bench_screens.py
--tasks allpairs --allpairs-genes all``, 2026-12-07): every pair of the 2,887
genes (4,165,941) in 562.5 s wall on 2 processes through ``run_screen``
(Parquet), peak memory of all processes together 1,402 MB PSS (1,689 MB RSS)
once the single table kept each distinct flux vector once (1,982 / 2,211 MB
before); 3 of the 42 chunks recomputed on a Dask LocalCluster byte-identical.
Agreement with COBRApy's ``double_gene_deletion`` on 20,000 sampled pairs
(half among the 476,685 that grow less than the reference): 19,997 within
6.3e-8, identical statuses; in the other 3 cobra's warm GLPK answer was off
(up to 2.6e-5 where fluxasn gives 0) and cobra on a fresh copy, with GLPK and
with HiGHS, agrees with fluxasn.
"""
from __future__ import annotations

import itertools
import math
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Tuple

from fluxasn.config import ZERO

__all__ = ["cut_pairs", "run_pairs", "start_basis", "PAIR_BATCH"]

#: Pairs decided together (one witness search per batch).
PAIR_BATCH = 20000

ZERO_FLUX = ZERO


def cut_pairs(engine, ids: List[str]) -> Dict[Tuple[int, int], FrozenSet[int]]:
    """Positions ``(a, b)``, ``a < b`` in ``ids``, whose pair knocks out reactions neither gene does alone.

    Returns the extra reaction columns ``X(a, b)`` by pair (module docstring).
    """
    if engine.kind != "gene":
        return {}
    pos = {g: k for k, g in enumerate(ids)}
    extra: Dict[Tuple[int, int], set] = {}
    touched = sorted(set().union(*[engine._gene_rxns[g] for g in ids])) if ids else []
    for j in touched:
        gpr = engine._rxn_gpr[j]
        live = sorted((pos[g] for g in engine._rxn_genes[j] if g in pos and gpr.eval({g})))
        for a, b in itertools.combinations(live, 2):
            if not gpr.eval({ids[a], ids[b]}):
                extra.setdefault((a, b), set()).add(j)
    return {k: engine.close(v) for k, v in extra.items()}


def _batches(pairs: Iterable[Tuple[int, int]], size: int) -> Iterator[List[Tuple[int, int]]]:
    it = iter(pairs)
    while True:
        batch = list(itertools.islice(it, size))
        if not batch:
            return
        yield batch


def run_pairs(engine, table, pairs: Iterable[Tuple[int, int]]
              ) -> Iterator[Tuple[str, str, float, str]]:
    """``(id_a, id_b, growth, status)`` for pairs of positions in ``table`` (see the module docstring)."""
    ids = table.ids
    sets = table.sets
    extra = table.extra
    for batch in _batches(pairs, PAIR_BATCH):
        decided: List[Tuple[int, int, FrozenSet[int], Optional[Tuple[float, str]]]] = []
        open_sets = []
        for a, b in batch:
            Sa, Sb = sets[a], sets[b]
            X = extra.get((a, b)) if extra is not None else None
            if extra is None:
                K = engine.knocked([ids[a], ids[b]]) if engine.kind == "gene" else Sa | Sb
            elif X is None and (Sb <= Sa or Sa <= Sb):  # R1 without evaluating a GPR
                s = a if Sb <= Sa else b
                engine.n_skipped += 1
                engine.rules["R1"] += 1
                decided.append((a, b, sets[s], (table.growth[s], table.status[s])))
                continue
            else:
                K = Sa | Sb | X if X else Sa | Sb
            answer = pair_rules(engine, table, a, b, K)
            if answer is None:
                answer = table.solved.get(K)
            if answer is None and not engine.reference_skip(K) and K not in engine._cache:
                open_sets.append(K)
            decided.append((a, b, K, answer))
        if len(open_sets) and engine.method == "fba":
            engine.search_witnesses(open_sets)
        for a, b, K, answer in decided:
            if answer is None:
                answer = engine.solve_set(K)
                if engine.method in ("fba", "moma"):
                    table.solved[K] = answer
            yield ids[a], ids[b], answer[0], answer[1]


def pair_rules(engine, table, a: int, b: int, K: FrozenSet[int]) -> Optional[Tuple[float, str]]:
    """The pair's answer from its single deletions (R1, R2, R3, R6), or None."""
    method = engine.method
    for s in (a, b):
        if K == table.sets[s]:  # R1
            engine.n_skipped += 1
            engine.rules["R1"] += 1
            return table.growth[s], table.status[s]
    for s in (a, b):
        S = table.sets[s]
        if not S <= K:
            continue
        rest = K - S
        if not all(engine._zero_ok[j] for j in rest):
            continue
        if table.status[s] == "infeasible" and method in ("fba", "moma"):  # R3
            engine.n_skipped += 1
            engine.rules["R3"] += 1
            return math.nan, "infeasible"
        if (table.status[s] == "optimal" and table.flux.has(s)
                and method in ("fba", "moma", "linear_moma")):
            row = table.flux[s]
            pos = table.pos
            if all(abs(row[pos[j]]) <= ZERO_FLUX for j in rest):  # R2
                engine.n_skipped += 1
                engine.rules["R2"] += 1
                return table.growth[s], table.status[s]
        if lethal_bound(engine, table, s):  # R6
            engine.n_skipped += 1
            engine.rules["R6"] += 1
            return table.growth[s], table.status[s]
    return None


def lethal_bound(engine, table, s: int) -> bool:
    """Rule R6: single deletion ``s`` (a subset of the pair's set) grows at most 1e-9."""
    return bool(engine.zero_feasible and engine.method == "fba" and table.status[s] == "optimal"
                and table.growth[s] <= ZERO_FLUX)


def start_basis(table, K: FrozenSet[int]):
    """Basis the LP of ``K`` starts from: that of the solved single deletion inside ``K``
    with the lowest growth (ties: the smaller sorted set), None for the reference's.

    A function of ``K`` and the table only, so a set gets the same LP (and the
    same last digits) whichever pair, batch or chunk asks for it first.
    """
    best = None
    for S, basis in table.bases.items():
        if S <= K:
            key = (_key(table.cache[S][0]), sorted(S))
            if best is None or key < best[0]:
                best = (key, basis)
    return None if best is None else best[1]


def _key(value: float) -> float:
    return math.inf if math.isnan(value) else float(value)
