"""The deletion engine of knockout screens: warm LPs and the exact rules that skip LPs.

:func:`knockout_screen` gives the answers of
:func:`cobra.flux_analysis.single_gene_deletion`,
:func:`~cobra.flux_analysis.single_reaction_deletion`,
:func:`~cobra.flux_analysis.double_gene_deletion` and
:func:`~cobra.flux_analysis.double_reaction_deletion` (growth within the
solver's tolerance, identical statuses) while solving far fewer LPs, each on
one warm LP (:class:`fluxasn.lp.problem.LinearProblem`).

Rules that skip an LP (each exact)
----------------------------------
A knockout sets a reaction's bounds to (0, 0). That *restricts* the LP only
when 0 lies within the reaction's bounds; a reaction forced to carry flux
(e.g. ATP maintenance, lower bound > 0) is *moved*, and knocking it out can
make an infeasible problem feasible again. R2 and R3 below use restriction,
so they apply only when every reaction they add has 0 within its bounds.

Let ``P`` be the model's LP, ``K(d)`` the set of reactions a deletion ``d``
knocks out (for genes: every reaction whose GPR is false with *all* genes of
``d`` off, evaluated on the whole combination, so two isozymes knocked out
together are caught) and ``P_K`` the LP with the bounds of ``K`` set to 0.

R1. *Same knocked-out set, same answer.* ``P_K`` depends on ``d`` only through
    ``K(d)``: deletions with equal sets (genes with identical reaction effects,
    a pair whose second gene adds nothing) share one LP. An empty ``K`` is the
    reference problem itself. ``K`` is first closed under full coupling: a
    homogeneous equality row with two entries, ``a_i v_i + a_j v_j = 0``,
    ties ``v_j`` to ``v_i`` whatever the bounds (:func:`fluxasn.lp.compress.
    coupled_groups`, merged until nothing changes), so in a group of such
    reactions, each with 0 within its bounds, knocking out one forces the
    others to 0: ``P_K`` equals ``P_K'`` with ``K'`` holding the whole group,
    and deletions anywhere along one linear pathway share one LP.
R2. *Zero flux in a relaxation's optimum.* If ``S`` is a subset of ``K`` whose
    problem ``P_S`` was solved to optimality with solution ``x_S``, and every
    reaction of ``K \\ S`` carries zero flux in ``x_S``, then ``x_S`` is
    feasible for ``P_K`` (a subset of ``P_S``) and so optimal there: growth
    is that of ``P_S``. Used with ``S`` = nothing (the reference optimum,
    single deletions) and ``S = K(a)``, ``K(b)`` (the single deletions of a
    pair). "Zero" means ``|x_j| <= 1e-9``, a perturbation far inside the
    solver's feasibility tolerance (1e-7).
R3. *Infeasible relaxation.* If ``P_S`` is infeasible for ``S`` a subset of
    ``K``, ``P_K`` is infeasible too (growth NaN, status ``infeasible``).
R4. *Alternative optima of the reference.* A solved deletion whose optimum
    equals the reference growth (relative difference <= 1e-9) gives a flux
    vector that lies in ``P`` and reaches ``P``'s maximum: it is another
    optimum of the reference, and R2 applies to it as to the reference
    optimum (up to 64 such vectors are kept per chunk; FBA only).
R5. *Searched alternative optima.* Before a chunk of deletions is solved,
    the knocked-out sets that R1, R2 and R4 leave open are gathered and a few
    LPs look for optima of ``P`` that avoid them: on a copy of the LP started
    from the reference optimum's basis, the
    objective is held at the reference growth (within 1e-9, the tolerance of
    R4), each reversible reaction of those sets is held on the side of its
    reference flux (which keeps the reference optimum feasible), and the sum
    of their absolute fluxes is minimised. Every set with zero flux in the
    optimum found is answered by R2 with that vector, which is checked to meet
    every bound and balance within 1e-7 and to reach the reference growth; the
    rest are tried again (at most 8 such LPs). The search decides only which
    LPs are skipped: an answered set gets the reference growth, exactly as a
    solved one would (FBA only; each chunk searches afresh, so results do not
    depend on chunking).

R6. *Lethal relaxation bound.* If the zero flux vector is feasible for ``P``
    (0 within every column's and row's bounds, so within every ``P_K``) and
    the objective is maximised, a deletion ``K`` containing ``S`` with ``P_S``
    optimal at growth ``g_S <= 1e-9`` has growth in ``[0, g_S]`` (``P_K`` is
    feasible, bounded by ``P_S`` and reaches ``c'0 = 0``): it is reported as
    ``g_S``, within 1e-9 of its optimum, status ``optimal`` (FBA only). On
    Human-GEM + RPMI-1640 the pairs of NADK (ENSG00000008130, growth 0) took
    0.6 s per LP without it.

Reported values: an FBA optimum within 1e-9 (relative) of the reference
growth is reported as the reference growth, the value R2 with a witness
gives, so an answer does not depend on whether a witness was found (which
depends on what else a chunk holds). Pairs: :mod:`.pairs` (combined sets from
minimal cut pairs, batches, answers kept across chunks).

For MOMA and linear MOMA, R2 with the reference flux distribution also holds:
when the reference stays feasible the distance minimum is 0, reached only at
the reference itself, so growth equals the reference growth. For ROOM, cobra's
``growth`` column holds the ROOM objective (the number, or relaxed sum, of
significantly changed fluxes) and its optimum is not unique in fluxes, so ROOM
solves every deletion, as cobra does.

Warm start and determinism
--------------------------
Every deletion LP starts from the reference optimum's basis (an advanced,
nearly optimal start: a knockout moves the optimum little), with GLPK's
primal simplex on models under 5,000 reactions and HiGHS' dual simplex from
there on (measured: iJO1366, 150 knockout LPs, GLPK primal 1.7 s vs HiGHS
3.4 s; Human-GEM + RPMI, 40 LPs, HiGHS 7.4 s vs GLPK 26 s). A pair LP starts
instead from the optimal basis of the solved single deletion inside its set
with the lowest growth (:func:`.pairs.start_basis`), which moves little: on
Human-GEM the pairs of a gene whose single deletion changed the optimum took
hundreds to thousands of dual iterations from the reference basis. A warm
solve that passes as many simplex iterations as the reference took from
scratch (at least :data:`GUARD_MIN_ITERATIONS`) is stopped and solved from
scratch (the *guard*; a deterministic count, not a time). Starting each LP
from a basis chosen by its knocked set alone, with the solver's factors and
pricing weights dropped (``set_basis_fresh``), also makes every answer
independent of what was solved before it, and each chunk of a screen starts
with an empty cache and pool, so a screen gives byte-identical results however
it is chunked, resumed or spread over processes (tested with GLPK).
"""
from __future__ import annotations

import math
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from fluxasn.config import ZERO
from fluxasn.lp.problem import LinearProblem, UnsupportedProblem, default_solver
from fluxasn.exceptions import FluxasnInputError
from fluxasn.analysis.knockouts.witness import search_witnesses
from fluxasn.analysis.knockouts.pairs import cut_pairs, run_pairs, start_basis
from fluxasn.analysis.knockouts.sets import FluxRows, SingleTable, coupling_closure

__all__ = ["DeletionEngine", "SingleTable", "METHODS", "pair_count", "iter_pairs"]

#: Methods accepted by :func:`knockout_screen`.
METHODS = ("fba", "moma", "linear_moma", "room", "linear_room")

#: |flux| at or below this counts as zero for the skip rule R2.
ZERO_FLUX = ZERO

#: Relative difference below which an optimum equals the reference optimum (R4).
SAME_OPTIMUM = ZERO

#: Alternative optima of the reference kept for rule R4 (per chunk).
POOL_SIZE = 64

#: A warm deletion LP may take at least this many simplex iterations before
#: the guard (see "Warm start") solves it from scratch.
GUARD_MIN_ITERATIONS = 1000


def pair_count(n: int) -> int:
    """Number of unordered pairs of ``n`` distinct items."""
    return n * (n - 1) // 2


def iter_pairs(n: int, start: int = 0, stop: Optional[int] = None) -> Iterator[Tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j < n``, in lexicographic order, from pair index ``start``.

    Generated lazily: a range of a million pairs never exists as a list.
    """
    total = pair_count(n)
    stop = total if stop is None else min(stop, total)
    if start >= stop:
        return
    i = 0
    before = 0
    while before + (n - 1 - i) <= start:
        before += n - 1 - i
        i += 1
    j = i + 1 + (start - before)
    k = start
    while k < stop:
        yield i, j
        k += 1
        j += 1
        if j >= n:
            i += 1
            j = i + 1


# ----------------------------------------------------------------------------
# engine
# ----------------------------------------------------------------------------


class DeletionEngine:
    """Solves deletions of one model, with the skip rules R1-R3.

    Parameters
    ----------
    model
        A cobra model; not changed (for ``method="fba"`` nothing is written to
        it; other methods work inside ``with model:``).
    kind
        ``"gene"`` or ``"reaction"``.
    method
        One of :data:`METHODS`.
    solution
        Reference solution for MOMA/ROOM (default: pFBA, as cobra).
    room_kwargs
        Passed to :func:`cobra.flux_analysis.room.add_room`.
    """

    def __init__(self, model, *, kind: str = "gene", method: str = "fba",
                 solution=None, solver: Optional[str] = None, reset: str = "solve",
                 **room_kwargs) -> None:
        if kind not in ("gene", "reaction"):
            raise FluxasnInputError(f"kind must be 'gene' or 'reaction', not {kind!r}",
                                    identifier=str(kind))
        if method not in METHODS:
            raise FluxasnInputError(
                f"unknown method {method!r}; expected one of {', '.join(METHODS)}",
                identifier=str(method))
        self.model = model
        self.reset = reset
        self.kind = kind
        self.method = method
        self.rxn_index = {r.id: i for i, r in enumerate(model.reactions)}
        # A knockout (bounds 0, 0) restricts a reaction only if 0 is within
        # its bounds; R2 and R3 rely on restriction, so they skip others.
        self._zero_ok = np.array([r.lower_bound <= 0 <= r.upper_bound
                                  for r in model.reactions], dtype=bool)
        self.zero_feasible = False  # set from the LP: is x = 0 feasible (R6)?
        self.n_lp = 0
        self.n_skipped = 0
        self._gene_rxns: Dict[str, Tuple[int, ...]] = {}
        if kind == "gene":
            for gene in model.genes:
                self._gene_rxns[gene.id] = tuple(
                    sorted(self.rxn_index[r.id] for r in gene.reactions))
            self._rxn_gpr = [r.gpr for r in model.reactions]
            self._rxn_genes = [frozenset(g.id for g in r.genes) for r in model.reactions]
        self._room_kwargs = room_kwargs
        self._cache: Dict[FrozenSet[int], Tuple[float, str]] = {}
        self._pool: List[np.ndarray] = []
        self._witnesses: List[np.ndarray] = []
        self.n_search = 0
        self.n_guarded = 0
        #: Pairs answered by each single-deletion rule (R1, R2, R3, R6).
        self.rules: Dict[str, int] = {"R1": 0, "R2": 0, "R3": 0, "R6": 0}
        self.last_basis = None
        self._table: Optional["SingleTable"] = None
        self.lp: Optional[LinearProblem] = None
        if method == "fba":
            try:
                self.lp = LinearProblem(model, solver=solver or default_solver(model, "auto"))
            except UnsupportedProblem:
                self.lp = None
        self._closure: Dict[int, Tuple[int, ...]] = (
            coupling_closure(self.lp, len(model.reactions), self._zero_ok)
            if self.lp is not None else {})
        self._setup_reference(solution)

    # ----------------------------------------------------------- reference
    def _setup_reference(self, solution) -> None:
        if self.lp is not None:
            status, value = self.lp.solve_fresh()
            self.ref_iterations = self.lp.iterations()
            self.n_lp += 1
            self.ref_status, self.ref_growth = status, value
            self.ref_flux = self.lp.primal() if status == "optimal" else None
            self.ref_basis = self.lp.get_basis() if status == "optimal" else None
            self.zero_feasible = _zero_feasible(self.lp)
            return
        model = self.model
        if self.method == "fba":
            value = model.slim_optimize()
            self.n_lp += 1
            self.ref_status = model.solver.status
            self.ref_growth = value if self.ref_status == "optimal" else math.nan
            self.ref_flux = (np.array([r.flux for r in model.reactions])
                             if self.ref_status == "optimal" else None)
            self._reference_solution = None
            return
        from cobra.flux_analysis import pfba
        from cobra.util import solver as sutil

        solver = sutil.interface_to_str(model.problem.__name__)
        if self.method == "moma" and solver not in sutil.qp_solvers:
            raise FluxasnInputError(
                f"method 'moma' is a quadratic program and the model's solver {solver!r} "
                "cannot solve it; use a QP-capable solver (e.g. model.solver = 'hybrid' "
                "with osqp installed) or method='linear_moma'",
                identifier="moma")
        if solution is None:
            solution = pfba(model)
        self._reference_solution = solution
        self.ref_status = solution.status
        self.ref_flux = (solution.fluxes.reindex([r.id for r in model.reactions]).to_numpy()
                         if solution.status == "optimal" else None)
        with model:
            self.ref_growth = model.slim_optimize()

    @property
    def reference_growth(self) -> float:
        return self.ref_growth

    # ------------------------------------------------------- knocked sets
    def knocked(self, ids: Iterable[str]) -> FrozenSet[int]:
        """Column indices of the reactions the deletion ``ids`` knocks out.

        For genes, the GPR of every reaction touching any of the genes is
        evaluated with *all* of ``ids`` off at once.
        """
        ids = set(ids)
        if self.kind == "reaction":
            return self.close(self.rxn_index[i] for i in ids)
        touched = set()
        for gid in ids:
            touched.update(self._gene_rxns[gid])
        out = []
        for j in touched:
            off = ids & self._rxn_genes[j]
            if not self._rxn_gpr[j].eval(off):
                out.append(j)
        return self.close(out)

    def close(self, cols: Iterable[int]) -> FrozenSet[int]:
        """``cols`` with every reaction fully coupled to one of them (rule R1's closure)."""
        out = set(cols)
        closure = self._closure
        if closure:
            for j in list(out):
                out.update(closure.get(j, ()))
        return frozenset(out)

    def check_ids(self, ids: Iterable[str]) -> List[str]:
        """Return ``ids`` as a list, raising for any the model lacks."""
        table = self._gene_rxns if self.kind == "gene" else self.rxn_index
        out = []
        for i in ids:
            i = getattr(i, "id", i)
            if i not in table:
                raise FluxasnInputError(f"the model has no {self.kind} with this id",
                                        identifier=str(i))
            out.append(i)
        return out

    # -------------------------------------------------------------- solves
    def start_chunk(self, table: Optional["SingleTable"] = None) -> None:
        """Return to the reference state, so results do not depend on history.

        Only what is computed the same way in every run survives: the
        reference and, for pairs, the single-deletion ``table`` (its answers
        and the alternative optima found while computing it).
        """
        if self.lp is not None and self.ref_basis is not None:
            self.lp.set_basis(self.ref_basis)
        self._table = table
        self._cache = dict(table.cache) if table is not None else {}
        self._pool = list(table.pool) if table is not None else []
        self._witnesses = list(table.witnesses) if table is not None else []

    def _solve(self, knocked: FrozenSet[int], *, want_flux: Optional[Sequence[int]] = None,
               start=None, keep_basis: bool = False):
        """Growth and status of ``P_knocked`` (and fluxes of ``want_flux``).

        ``start``: the basis to start from (default: the reference optimum's).
        With ``keep_basis`` the optimal basis is kept in :attr:`last_basis`.
        """
        if self.lp is not None:
            cols = sorted(knocked)
            if start is not None:
                self.lp.set_basis_fresh(start)
            elif self.reset == "solve" and self.ref_basis is not None:
                self.lp.set_basis_fresh(self.ref_basis)
            self.lp.knock_out(cols)
            try:
                status, value = self._guarded_solve()
                flux = (self.lp.primal(want_flux)
                        if want_flux is not None and status == "optimal" else None)
                self.last_basis = (self.lp.get_basis()
                                   if keep_basis and status == "optimal" else None)
                if status == "optimal" and self._is_reference_optimum(value):
                    # R4: an optimum of P_K with the reference's value is an
                    # optimum of P itself; keep it for later deletions. It is
                    # reported as the reference growth, as R2 would report it.
                    value = self.ref_growth
                    self._pool.append(self.lp.primal())
                    if len(self._pool) > POOL_SIZE:
                        del self._pool[0]
            finally:
                self.lp.restore(cols)
            self.n_lp += 1
            return value, status, flux
        return self._solve_cobra(knocked, want_flux)

    def _guarded_solve(self) -> Tuple[str, float]:
        """Warm solve, stopped after as many simplex iterations as the reference
        took from scratch and then solved from scratch (see "Warm start")."""
        lp = self.lp
        limit = self.ref_iterations
        if not lp.can_limit or limit is None or limit <= 0:
            return lp.solve()
        status, value = lp.solve_limited(max(limit, GUARD_MIN_ITERATIONS))
        if status == "optimal":
            return status, value
        self.n_guarded += 1
        return lp.solve_fresh()

    def _solve_cobra(self, knocked, want_flux):
        from optlang.exceptions import SolverError

        model = self.model
        rxns = model.reactions
        with model:
            for j in knocked:
                rxns[j].bounds = (0, 0)
            try:
                if "moma_old_objective" in model.solver.variables:
                    model.slim_optimize()
                    value = model.solver.variables.moma_old_objective.primal
                else:
                    value = model.slim_optimize()
            except SolverError:
                value = math.nan
            status = model.solver.status
            flux = None
            if want_flux is not None and status == "optimal" and self.method == "fba":
                flux = np.array([rxns[j].flux for j in want_flux])
        self.n_lp += 1
        if status != "optimal":
            value = math.nan
        return value, status, flux

    def _is_reference_optimum(self, value: float) -> bool:
        ref = self.ref_growth
        return abs(value - ref) <= SAME_OPTIMUM * max(1.0, abs(ref))

    def reference_skip(self, knocked: FrozenSet[int]) -> bool:
        """Rules R1/R2/R4 against the reference: is ``P_knocked`` answered by it?"""
        if self.method in ("room", "linear_room"):
            return False  # cobra reports ROOM's objective, solved for every row
        if not knocked:
            return True
        return self._witness(knocked) is not None

    def _witness(self, knocked: FrozenSet[int]) -> Optional[np.ndarray]:
        """An optimum of the reference with zero flux on ``knocked``, if known."""
        if self.method in ("room", "linear_room") or self.ref_flux is None:
            return None
        if self.ref_status != "optimal":
            return None
        cols = np.fromiter(knocked, dtype=np.int64, count=len(knocked))
        if not np.all(self._zero_ok[cols]):
            return None
        if np.all(np.abs(self.ref_flux[cols]) <= ZERO_FLUX):
            return self.ref_flux
        if self.method != "fba":
            return None
        for x in self._witnesses + self._pool:
            if np.all(np.abs(x[cols]) <= ZERO_FLUX):
                return x
        return None

    def search_witnesses(self, sets: Iterable[FrozenSet[int]]) -> int:
        """Rule R5: look for reference optima with zero flux on the open ``sets``.

        Returns the number of sets answered (:func:`.witness.search_witnesses`).
        Found vectors are kept for this chunk (:meth:`start_chunk` resets them).
        """
        return search_witnesses(self, sets)

    def solve_set(self, knocked: FrozenSet[int], *, start=None) -> Tuple[float, str]:
        """Growth and status of the deletion knocking out ``knocked`` (rules R1, R2).

        ``start``: basis the LP starts from (default: the reference optimum's).
        """
        if self.reference_skip(knocked):
            self.n_skipped += 1
            return self.ref_growth, self.ref_status
        cached = self._cache.get(knocked) if self.method in ("fba", "moma") else None
        if cached is not None:
            self.n_skipped += 1
            return cached
        if start is None and self._table is not None and self.lp is not None:
            start = start_basis(self._table, knocked)
        value, status, _ = self._solve(knocked, start=start)
        if self.method in ("fba", "moma"):
            self._cache[knocked] = (value, status)
        return value, status

    # -------------------------------------------------------------- singles
    def singles(self, ids: Sequence[str]) -> List[Tuple[str, float, str]]:
        """``(id, growth, status)`` of each single deletion, in order."""
        with self._method_context():
            self.start_chunk()
            sets = [self.knocked([i]) for i in ids]
            self.search_witnesses(sets)
            out = []
            for i, K in zip(ids, sets):
                growth, status = self.solve_set(K)
                out.append((i, growth, status))
            return out

    def single_table(self, ids: Sequence[str]) -> "SingleTable":
        """Single deletions with what pairs need: knocked sets, growth, status, fluxes."""
        with self._method_context():
            self.start_chunk()
            sets = [self.knocked([i]) for i in ids]
            self.search_witnesses(sets)
            watch = sorted(set().union(*[self._touch(i) for i in ids])) if ids else []
            pos = {j: k for k, j in enumerate(watch)}
            growth = np.full(len(ids), math.nan)
            status: List[str] = []
            rows: List[np.ndarray] = []  # each distinct flux vector once (witnesses are shared)
            row_of = np.full(len(ids), -1, dtype=np.int64)
            row_of_vector: Dict[int, int] = {}
            done: Dict[FrozenSet[int], int] = {}
            bases: Dict[FrozenSet[int], object] = {}
            for k, K in enumerate(sets):
                if K in done:  # R1: identical knocked set
                    m = done[K]
                    growth[k] = growth[m]
                    status.append(status[m])
                    row_of[k] = row_of[m]
                    self.n_skipped += 1
                    continue
                done[K] = k
                witness = self._witness(K) if K else self.ref_flux
                if self.reference_skip(K):
                    self.n_skipped += 1
                    growth[k] = self.ref_growth
                    status.append(self.ref_status)
                    if witness is not None:
                        if id(witness) not in row_of_vector:
                            row_of_vector[id(witness)] = len(rows)
                            rows.append(witness[watch])
                        row_of[k] = row_of_vector[id(witness)]
                    continue
                want = watch if self.method == "fba" else None
                value, st, fx = self._solve(K, want_flux=want, keep_basis=True)
                growth[k] = value
                status.append(st)
                if fx is not None:
                    row_of[k] = len(rows)
                    rows.append(np.asarray(fx, dtype=float))
                if self.last_basis is not None:
                    bases[K] = self.last_basis
                self._cache[K] = (value, st)
            flux = FluxRows(np.array(rows) if rows else np.zeros((0, len(watch))), row_of)
            return SingleTable(list(ids), sets, growth, status, flux, pos,
                               dict(self._cache), list(self._pool), list(self._witnesses),
                               bases, cut_pairs(self, list(ids)))

    def _touch(self, i: str) -> Tuple[int, ...]:
        """Reactions whose flux can decide rule R2 for a set holding ``i``'s knockout."""
        own = self._gene_rxns[i] if self.kind == "gene" else (self.rxn_index[i],)
        return tuple(sorted(self.close(own)))

    # ---------------------------------------------------------------- pairs
    def pairs(self, table: "SingleTable", pairs: Iterable[Tuple[int, int]]
              ) -> Iterator[Tuple[str, str, float, str]]:
        """``(id_a, id_b, growth, status)`` for pairs of positions in ``table``
        (:func:`fluxasn.analysis.knockouts.pairs.run_pairs`)."""
        with self._method_context():
            self.start_chunk(table)
            yield from run_pairs(self, table, pairs)

    # ------------------------------------------------------- method context
    def _method_context(self):
        """For MOMA/ROOM: add cobra's formulation inside ``with model:``."""
        import contextlib

        if self.method == "fba":
            return contextlib.nullcontext()
        return _CobraMethod(self)


def _zero_feasible(lp: LinearProblem) -> bool:
    """Whether the zero vector meets every bound and row of ``lp`` and the objective is maximised."""
    rows_ok = all(lo <= 0 <= hi for lo, hi in lp.row_bounds)
    return bool(lp.maximize and rows_ok and np.all(lp.lb <= 0) and np.all(lp.ub >= 0))


class _CobraMethod:
    def __init__(self, engine: DeletionEngine) -> None:
        self.engine = engine

    def __enter__(self):
        engine = self.engine
        model = engine.model
        self._ctx = model.__enter__()
        try:
            if "moma" in engine.method:
                from cobra.flux_analysis.moma import add_moma

                add_moma(model, solution=engine._reference_solution,
                         linear=engine.method == "linear_moma")
            else:
                from cobra.flux_analysis.room import add_room

                add_room(model, solution=engine._reference_solution,
                         linear=engine.method == "linear_room", **engine._room_kwargs)
        except BaseException:
            model.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        self.engine.model.__exit__(*exc)
        return False
