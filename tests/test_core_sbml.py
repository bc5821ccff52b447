"""The SBML export of the core model: valid, faithful and reproducible."""
from __future__ import annotations

import html

import cobra
import pytest

from fluxasn.core.coremodel import EXPORT_MEDIUM, build_core_model, export_core_sbml
from fluxasn.core.media import apply_medium
from fluxasn.core.paths import bundled_model_path


@pytest.fixture(scope="module")
def built():
    """The tables' model with the export's medium applied (what the file must hold)."""
    model = build_core_model()
    apply_medium(model, EXPORT_MEDIUM)
    return model


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    path = tmp_path_factory.mktemp("sbml") / "fluxasn_core.xml"
    assert export_core_sbml(path) == path
    return path


@pytest.fixture(scope="module")
def validated(exported):
    return cobra.io.validate_sbml_model(str(exported))


def _norm(annotation):
    return {k: sorted([v] if isinstance(v, str) else list(v)) for k, v in annotation.items()}


def _notes(notes):
    # cobra writes notes as XHTML and reads them back without unescaping '>'
    return {k: html.unescape(v) for k, v in notes.items()}


def test_export_validates_without_errors(validated):
    model, errors = validated
    assert model is not None
    assert {k: v for k, v in errors.items() if v} == {}


def test_committed_sbml_equals_fresh_export(exported):
    committed = bundled_model_path("fluxasn_core.xml")
    assert committed.read_bytes() == exported.read_bytes(), (
        "models/fluxasn_core.xml is stale: run scripts/export_core_sbml.py"
    )


def test_export_is_deterministic(exported, tmp_path):
    again = export_core_sbml(tmp_path / "again.xml")
    assert again.read_bytes() == exported.read_bytes()
    text = exported.read_text()
    assert "<dcterms:created" not in text and "<dcterms:modified" not in text
    assert 'level="3"' in text and "fbc/version2" in text


def test_round_trip_reactions(built, validated):
    model, _ = validated
    assert sorted(r.id for r in model.reactions) == sorted(r.id for r in built.reactions)
    for rxn in built.reactions:
        other = model.reactions.get_by_id(rxn.id)
        assert other.bounds == pytest.approx(rxn.bounds, rel=1e-12), rxn.id
        assert other.gene_reaction_rule == rxn.gene_reaction_rule, rxn.id
        assert {m.id: c for m, c in other.metabolites.items()} == {
            m.id: c for m, c in rxn.metabolites.items()
        }, rxn.id
        assert _norm(other.annotation) == _norm(rxn.annotation), rxn.id
        assert _notes(other.notes) == rxn.notes, rxn.id
        assert other.name == rxn.name, rxn.id
    assert str(model.objective.expression) == str(built.objective.expression)


def test_round_trip_metabolites_genes_groups(built, validated):
    model, _ = validated
    for met in built.metabolites:
        other = model.metabolites.get_by_id(met.id)
        assert (other.formula, other.charge, other.compartment, other.name) == (
            met.formula, met.charge, met.compartment, met.name
        ), met.id
        assert _norm(other.annotation) == _norm(met.annotation), met.id
        assert _notes(other.notes) == met.notes, met.id
    assert sorted(g.id for g in model.genes) == sorted(g.id for g in built.genes)
    for gene in built.genes:
        assert _norm(model.genes.get_by_id(gene.id).annotation) == _norm(gene.annotation)
    # subsystems travel as SBML groups
    groups = {g.name: sorted(r.id for r in g.members) for g in model.groups}
    expected = {}
    for rxn in built.reactions:
        expected.setdefault(rxn.subsystem, []).append(rxn.id)
    assert groups == {k: sorted(v) for k, v in expected.items()}
    assert model.compartments == built.compartments


def test_exported_model_has_the_same_optimum(built, validated):
    model, _ = validated
    model, built = model.copy(), built.copy()
    for m in (built, model):
        m.reactions.EX_glc__D_e.lower_bound = -1.0
        m.reactions.EX_gln__L_e.lower_bound = -0.2
        for base in ("leu__L", "ile__L", "val__L", "phe__L", "tyr__L", "trp__L", "met__L",
                     "his__L", "lys__L", "arg__L", "thr__L", "pro__L", "cysi__L", "chol", "inost"):
            m.reactions.get_by_id(f"EX_{base}_e").lower_bound = -0.05
    assert model.slim_optimize() == pytest.approx(built.slim_optimize(), rel=1e-9)
    assert built.slim_optimize() > 0


def test_cobra_alone_grows_on_the_default_medium(validated):
    """The file carries the default medium's bounds: cobra alone gives load_model('core')'s growth."""
    import fluxasn

    model, _ = validated
    reference = fluxasn.load_model("core")
    assert model.slim_optimize() > 0
    assert model.slim_optimize() == pytest.approx(reference.slim_optimize(), rel=1e-9)
    for exchange in reference.exchanges:
        assert model.reactions.get_by_id(exchange.id).bounds == pytest.approx(exchange.bounds)
    assert "RPMI-1640" in model.notes["fluxasn medium"]
