"""apply_medium: matching, uptake rule, closing, undo, errors (tiny networks with known answers)."""
from __future__ import annotations

import cobra
import pytest

from fluxasn.core.media import UptakeRule, apply_medium, get_medium, list_media
from fluxasn.exceptions import FluxasnInputError


def _tiny(annotate: bool = True, ids=None) -> cobra.Model:
    """glc + asn + gln + o2 + a dipeptide, each with an exchange; biomass needs glc and asn."""
    ids = ids or {}
    model = cobra.Model("tiny")
    mets = {}
    for key, name, ann in [
        ("glc__D", "D-Glucose", {"chebi": "CHEBI:17634", "kegg.compound": "C00031"}),
        ("asn__L", "L-Asparagine", {"chebi": "CHEBI:17196", "kegg.compound": "C00152"}),
        ("gln__L", "L-Glutamine", {"kegg.compound": "C00064"}),
        ("o2", "O2", {"kegg.compound": "C00007"}),
        ("alaasn", "Alanyl-asparagine", {}),
    ]:
        met = cobra.Metabolite(ids.get(key, f"{key}_e"), name=name, compartment="e")
        if annotate:
            met.annotation = dict(ann)
        mets[key] = met
    reactions = []
    for key, met in mets.items():
        reaction = cobra.Reaction(ids.get("EX_" + key, f"EX_{key}_e"), lower_bound=-1000, upper_bound=1000)
        reaction.add_metabolites({met: -1})
        reactions.append(reaction)
    pep = cobra.Reaction("PEPT", lower_bound=0, upper_bound=1000)
    pep.add_metabolites({mets["alaasn"]: -1, mets["asn__L"]: 1})
    biomass = cobra.Reaction("BIOMASS", lower_bound=0, upper_bound=1000)
    biomass.add_metabolites({mets["glc__D"]: -1, mets["asn__L"]: -0.1})
    model.add_reactions(reactions + [pep, biomass])
    model.objective = "BIOMASS"
    return model


def _bounds(model):
    return {r.id: r.bounds for r in model.reactions}


def test_rule_and_closing_on_tiny_network():
    model = _tiny()
    result = apply_medium(model, {"glucose": 10.0, "L-asparagine": 0.5}, serum=None)
    assert model.reactions.EX_glc__D_e.bounds == (-1.0, 1000.0)
    assert model.reactions.EX_asn__L_e.bounds == pytest.approx((-0.05, 1000.0))
    # not in the medium: uptake closed, secretion open; the peptide closed too
    assert model.reactions.EX_gln__L_e.bounds == (0.0, 1000.0)
    assert model.reactions.EX_alaasn_e.bounds == (0.0, 1000.0)
    assert model.reactions.EX_o2_e.bounds == (-1000.0, 1000.0)  # inorganic default
    # growth limited by glucose (1.0) and Asn (0.05 / 0.1 = 0.5): 0.5
    assert model.slim_optimize() == pytest.approx(0.5)
    assert result.matched["glucose"] == "EX_glc__D_e"
    assert set(result.to_frame().columns) >= {"component", "exchange", "uptake_limit", "status"}
    assert "EX_glc__D_e" in str(result) and "<table" in result._repr_html_()


def test_names_only_model_matches_by_name():
    model = _tiny(annotate=False, ids={"glc__D": "M1", "asn__L": "M2", "EX_glc__D": "R1", "EX_asn__L": "R2"})
    result = apply_medium(model, {"glc__D": 10.0, "asn__L": 0.5}, serum=None)
    assert result.matched == {"glc__D": "R1", "asn__L": "R2", "o2": "EX_o2_e", **{}} or result.matched["glc__D"] == "R1"
    assert result.table.set_index("component").loc["glc__D", "match"] == "name"
    assert model.reactions.R2.bounds == pytest.approx((-0.05, 1000.0))


def test_with_block_undoes_everything():
    model = _tiny()
    before = _bounds(model)
    with model:
        apply_medium(model, "RPMI-1640")
        assert _bounds(model) != before
    assert _bounds(model) == before


def test_unmatched_components_are_reported_and_strict_raises():
    model = _tiny()
    result = apply_medium(model, "RPMI-1640", serum=None)
    assert "ser__L" in result.unmatched and "na1" in result.unmatched
    before = _bounds(model)
    with pytest.raises(FluxasnInputError, match="ser__L|no exchange"):
        apply_medium(model, "RPMI-1640", serum=None, strict=True)
    assert _bounds(model) == before


def test_component_matching_two_exchanges_raises_and_changes_nothing():
    model = _tiny()
    twin = cobra.Metabolite("glc_twin_e", name="D-Glucose", compartment="e")
    twin.annotation = {"bigg.metabolite": "glc__D", "chebi": "CHEBI:17634"}
    reaction = cobra.Reaction("EX_twin", lower_bound=-1000, upper_bound=1000)
    reaction.add_metabolites({twin: -1})
    model.add_reactions([reaction])
    before = _bounds(model)
    with pytest.raises(FluxasnInputError) as info:
        apply_medium(model, {"glc__D": 5.0}, serum=None)
    message = str(info.value)
    assert "glc__D" in message and "EX_glc__D_e" in message and "EX_twin" in message
    assert _bounds(model) == before
    # the user disambiguates
    result = apply_medium(model, {"glc__D": 5.0}, serum=None, exchanges={"glc__D": "EX_twin"})
    assert result.matched["glc__D"] == "EX_twin"
    assert model.reactions.EX_twin.bounds == (-0.5, 1000.0)
    assert model.reactions.EX_glc__D_e.bounds == (0.0, 1000.0)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), "abc"])
def test_bad_concentration_raises_and_changes_nothing(bad):
    model = _tiny()
    before = _bounds(model)
    with pytest.raises(FluxasnInputError, match="glc__D"):
        apply_medium(model, {"asn__L": 1.0, "glc__D": bad}, serum=None)
    assert _bounds(model) == before


def test_unknown_medium_and_serum():
    model = _tiny()
    with pytest.raises(FluxasnInputError, match="RPMI-1640"):
        apply_medium(model, "RPMI-9999")
    with pytest.raises(FluxasnInputError, match="FBS"):
        apply_medium(model, "RPMI-1640", serum="horse")


def test_library_and_variants():
    names = set(list_media()["medium"])
    for base in ["RPMI-1640", "DMEM (high glucose)", "DMEM/F-12", "HPLM"]:
        assert base in names and base + " -Asn" in names
        full = get_medium(base).concentrations
        free = get_medium(base + " -Asn").concentrations
        assert "asn__L" not in free
        assert {k: v for k, v in full.items() if k != "asn__L"} == free
    rpmi = get_medium("rpmi 1640").concentrations
    # verified rows (shared/bio/media): mg/L / MW
    assert rpmi["asn__L"] == pytest.approx(50 / 132.12, rel=1e-3)
    assert rpmi["gln__L"] == pytest.approx(300 / 146.15, rel=1e-3)
    assert rpmi["glc__D"] == pytest.approx(2000 / 180.16, rel=1e-3)
    assert "asn__L" not in get_medium("DMEM").concentrations


def test_uptake_rule():
    rule = UptakeRule()
    assert rule.limit(2.05) == pytest.approx(0.205)
    assert rule.limit(0.378) == pytest.approx(0.0378)
    assert rule.limit(0.0) == 0.0
    assert rule.limit(1e-5, "vitamin") == 0.01  # floor for trace classes
    assert rule.limit(1e-5, "amino_acid") == pytest.approx(1e-6)
    assert UptakeRule(minimum=0).limit(1e-5, "vitamin") == pytest.approx(1e-6)
    with pytest.raises(FluxasnInputError):
        UptakeRule(factor=-1)


def test_serum_adds_to_medium():
    model = _tiny()
    with_serum = apply_medium(model, {"glc__D": 10.0}, serum="FBS", serum_fraction=0.1).table.set_index("component")
    # FBS glucose (7 mM) x 10% adds 0.7 mM
    assert with_serum.loc["glc__D", "concentration_mM"] == pytest.approx(10.7)
    assert model.reactions.EX_glc__D_e.bounds == pytest.approx((-1.07, 1000.0))
    dialysed = apply_medium(model, {"glc__D": 10.0}, serum="dFBS").table.set_index("component")
    assert dialysed.loc["glc__D", "concentration_mM"] == pytest.approx(10.0)


def test_core_model_rpmi_and_asn_free(core_model):
    with core_model:
        apply_medium(core_model, "RPMI-1640")
        assert core_model.slim_optimize() > 1e-3
        core_model.reactions.ASNS1.knock_out()
        assert core_model.slim_optimize() > 1e-3
    with core_model:
        apply_medium(core_model, "RPMI-1640 -Asn")
        assert core_model.slim_optimize() > 1e-3
        core_model.reactions.ASNS1.knock_out()
        assert core_model.slim_optimize(error_value=0.0) == pytest.approx(0.0, abs=1e-9)


def test_annotation_tie_is_ambiguous_and_names_keep_charges():
    model = _tiny(annotate=False)
    for mid in ("x1", "x2"):  # two exchanges carrying the same cross-references, no BiGG id
        met = cobra.Metabolite(mid, name="something", compartment="e")
        met.annotation = {"kegg.compound": "C00064", "chebi": "CHEBI:58359"}
        reaction = cobra.Reaction("EX_" + mid, lower_bound=-1000, upper_bound=1000)
        reaction.add_metabolites({met: -1})
        model.add_reactions([reaction])
    model.reactions.EX_gln__L_e.remove_from_model()
    with pytest.raises(FluxasnInputError, match="EX_x1.*EX_x2|EX_x2.*EX_x1"):
        apply_medium(model, {"L-glutamine": 2.0}, serum=None)
    # superoxide "O2-" is not oxygen "O2"
    superoxide = cobra.Metabolite("sox", name="O2-", compartment="e")
    reaction = cobra.Reaction("EX_sox", lower_bound=-1000, upper_bound=1000)
    reaction.add_metabolites({superoxide: -1})
    model.add_reactions([reaction])
    result = apply_medium(model, {"glucose": 1.0}, serum=None)
    assert result.matched["o2"] == "EX_o2_e"
    assert model.reactions.EX_sox.bounds == (0.0, 1000.0)


def test_dictionary_and_tables_are_consistent():
    from fluxasn.core.matching import lookup_entry, metabolite_dictionary
    from fluxasn.core.media import list_sera, _media_table, _defaults

    entries = metabolite_dictionary()
    for entry in entries.values():
        for name in entry.names:  # every name and synonym leads back to its own entry
            assert lookup_entry(name).id == entry.id, name
    components = set(_media_table()["component"]) | set(list_sera()["component"]) | set(_defaults())
    assert components <= set(entries)
    assert (_media_table()["concentration_mM"] >= 0).all()
