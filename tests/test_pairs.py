"""Pair-screen rules of the deletion engine against COBRApy (growth within 1e-6, same statuses).

Each test makes one of the newer rules fire and checks the answers against
cobra's own deletion code: the combined knocked-out set of an isozyme pair
(minimal cut pairs), R6 (a lethal single bounds its pairs), the start from a
single deletion's basis with the iteration guard (HiGHS), and the rows not
depending on how pairs are batched.
"""
from __future__ import annotations

import itertools

import cobra
import pytest
from cobra.flux_analysis import double_gene_deletion

from fluxasn.analysis.knockouts import DeletionEngine, iter_pairs
from fluxasn.analysis.knockouts import engine as engine_module
from fluxasn.analysis.knockouts import pairs as pairs_module

TOL = 1e-6


@pytest.fixture(scope="module")
def textbook():
    return cobra.io.load_model("textbook")


def _cobra_raw(model, genes):
    """Reactions cobra closes when it knocks out ``genes`` (its own GPR evaluation)."""
    with model:
        for g in genes:
            model.genes.get_by_id(g).knock_out()
        return {r.id for r in model.reactions if r.bounds == (0, 0)}


def _compare(rows, frame):
    theirs = {frozenset(ids): (g, s) for ids, g, s in
              zip(frame["ids"], frame["growth"], frame["status"]) if len(ids) == 2}
    assert len(rows) == len(theirs)
    for a, b, growth, status in rows:
        g, s = theirs[frozenset((a, b))]
        assert status == s, (a, b)
        if status == "optimal":
            assert growth == pytest.approx(g, abs=TOL), (a, b)


def test_cut_pairs_give_cobras_combined_sets(textbook):
    """K(a, b) = K(a) | K(b) | X(a, b) for every gene pair of textbook, against cobra's knock_out
    (both sides closed under full coupling, rule R1)."""
    model = textbook
    engine = DeletionEngine(model, kind="gene")
    ids = sorted(g.id for g in model.genes)
    extra = pairs_module.cut_pairs(engine, ids)
    closed = {r.id for r in model.reactions if r.bounds == (0, 0)}
    names = [r.id for r in model.reactions]
    position = {rid: j for j, rid in enumerate(names)}

    def _cobra_knocked(model, genes):
        knocked = _cobra_raw(model, genes) - closed
        return {names[j] for j in engine.close(position[r] for r in knocked)}
    singles = {g: engine.knocked([g]) for g in ids}
    larger = 0
    for a, b in itertools.combinations(range(len(ids)), 2):
        K = singles[ids[a]] | singles[ids[b]] | extra.get((a, b), frozenset())
        if (a, b) in extra:
            larger += 1
            assert _cobra_knocked(model, [ids[a], ids[b]]) - closed == {names[j] for j in K}
    # isozyme pairs whose combined set is larger than the union of their singles
    assert larger >= 3
    assert (ids.index("b0351"), ids.index("b1241")) in extra  # ACALD: mhpF or adhE
    # pairs outside ``extra`` knock out exactly their singles' union (a sample, cobra's view)
    for a, b in list(itertools.combinations(range(len(ids)), 2))[::97]:
        if (a, b) not in extra:
            want = {names[j] for j in singles[ids[a]] | singles[ids[b]]}
            assert _cobra_knocked(model, [ids[a], ids[b]]) - closed == want


def test_isozyme_pair_screen_equals_cobra(textbook):
    """A pair screen over genes with isozyme pairs (combined set > union of singles) is cobra's."""
    model = textbook
    genes = ["b0351", "b1241", "b2297", "b2458", "b1849", "b3115", "b1478", "b0356"]
    engine = DeletionEngine(model, kind="gene")
    table = engine.single_table(genes)
    assert any(table.extra.values())
    rows = list(engine.pairs(table, iter_pairs(len(genes))))
    _compare(rows, double_gene_deletion(model, genes, processes=1))


def test_lethal_single_bounds_pairs(textbook):
    """R6: with x = 0 feasible (ATPM's lower bound 0), pairs of a lethal gene grow 0 without an LP."""
    model = textbook.copy()
    model.reactions.ATPM.lower_bound = 0.0
    genes = [g.id for g in model.genes][:45]
    engine = DeletionEngine(model, kind="gene")
    assert engine.zero_feasible
    table = engine.single_table(genes)
    assert (table.growth <= 1e-9).any()  # lethal singles among them
    rows = list(engine.pairs(table, iter_pairs(len(genes))))
    assert engine.rules["R6"] > 0
    _compare(rows, double_gene_deletion(model, genes, processes=1))
    # with the forced ATP maintenance x = 0 is infeasible: R6 must not fire
    engine = DeletionEngine(textbook, kind="gene")
    assert not engine.zero_feasible


def test_guard_and_single_bases_on_highs(textbook, monkeypatch):
    """HiGHS pair LPs from single-deletion bases, every one sent through the iteration guard, are cobra's."""
    model = textbook
    genes = [g.id for g in model.genes][::3]
    engine = DeletionEngine(model, kind="gene", solver="highs")
    table = engine.single_table(genes)
    assert table.bases  # solved singles kept their optimal bases
    monkeypatch.setattr(engine_module, "GUARD_MIN_ITERATIONS", 0)
    engine.ref_iterations = 1  # any pair LP needing more than 1 iteration is solved from scratch
    rows = list(engine.pairs(table, iter_pairs(len(genes))))
    assert engine.n_guarded > 0
    _compare(rows, double_gene_deletion(model, genes, processes=1))


def test_rows_do_not_depend_on_batches(textbook, monkeypatch):
    """Batches of 7 pairs (a witness search each), chunks of 101 pairs, with and without
    the answers kept from earlier chunks, give the rows of one batch, bit for bit."""
    model = textbook
    genes = [g.id for g in model.genes][:40]
    engine = DeletionEngine(model, kind="gene", solver="highs")
    whole = list(engine.pairs(engine.single_table(genes), iter_pairs(len(genes))))
    monkeypatch.setattr(pairs_module, "PAIR_BATCH", 7)
    n = len(whole)
    kept = DeletionEngine(model, kind="gene", solver="highs")
    kept_table = kept.single_table(genes)  # answers kept across its chunks
    for reuse in (True, False):
        parts = []
        for start in range(0, n, 101):
            span = iter_pairs(len(genes), start, min(start + 101, n))
            if reuse:
                parts.extend(kept.pairs(kept_table, span))
            else:  # a fresh engine and table per chunk, as a new worker would have
                fresh = DeletionEngine(model, kind="gene", solver="highs")
                parts.extend(fresh.pairs(fresh.single_table(genes), span))
        assert [(a, b, s) for a, b, _, s in parts] == [(a, b, s) for a, b, _, s in whole]
        assert [repr(g) for _, _, g, _ in parts] == [repr(g) for _, _, g, _ in whole]
    assert kept_table.solved
