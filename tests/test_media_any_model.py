"""Media on any model: duplicate exchanges, sinks growth needs, other compartment names, serum merging, CLI.

Tiny hand-built models with known answers for each rule of
:func:`fluxasn.core.media.apply_medium` (see :mod:`fluxasn.core.medium_rules`),
then the genome-scale models of ``shared/models/extra`` (loaded once per module).
"""
from __future__ import annotations

import json
import logging
import os

import cobra
import pytest

from _cli_runner import run_cli
from fluxasn.core.matching import shared_affixes
from fluxasn.core.media import apply_medium, get_medium
from fluxasn.core.medium_rules import choose_exchange, medium_options, parse_exchange_bound, parse_serum
from fluxasn.exceptions import FluxasnInputError


def _exchange(model, met, rid, bounds=(-1000.0, 1000.0)):
    reaction = cobra.Reaction(rid, lower_bound=bounds[0], upper_bound=bounds[1])
    reaction.add_metabolites({met: -1})
    model.add_reactions([reaction])
    return reaction


def _growth_model(extra_exchanges=()) -> cobra.Model:
    """glc_e and lnlc_e each transported to the cytosol; biomass needs both."""
    model = cobra.Model("grow")
    model.compartments = {"c": "cytosol", "e": "extracellular space"}
    mets = {}
    for key, name in (("glc__D", "D-glucose"), ("lnlc", "linoleate"), ("o2", "O2")):
        mets[key + "_e"] = cobra.Metabolite(key + "_e", name=name, compartment="e")
        mets[key + "_c"] = cobra.Metabolite(key + "_c", name=name, compartment="c")
        transport = cobra.Reaction("T_" + key, lower_bound=-1000, upper_bound=1000)
        transport.add_metabolites({mets[key + "_e"]: -1, mets[key + "_c"]: 1})
        model.add_reactions([transport])
    biomass = cobra.Reaction("BIOMASS", name="biomass", lower_bound=0, upper_bound=1000)
    biomass.add_metabolites({mets["glc__D_c"]: -1, mets["lnlc_c"]: -0.01})
    model.add_reactions([biomass])
    model.objective = "BIOMASS"
    _exchange(model, mets["glc__D_e"], "EX_glc__D_e")
    _exchange(model, mets["o2_e"], "EX_o2_e")
    for rid, bounds in extra_exchanges:
        _exchange(model, mets["lnlc_e"], rid, bounds)
    return model


# --- 1. duplicate exchanges of one metabolite -------------------------------------------


def test_duplicate_exchanges_bound_on_the_one_open_for_uptake(caplog):
    model = _growth_model([("EX_lnlc_e_copy1", (0.0, 1000.0)), ("EX_lnlc_e_copy2", (-1000.0, 1000.0))])
    with caplog.at_level(logging.WARNING, logger="fluxasn.media"):
        result = apply_medium(model, {"glucose": 10.0, "linoleate": 0.1}, serum=None)
    assert result.matched["linoleate"] == "EX_lnlc_e_copy2"  # the one that allows uptake as shipped
    assert result.duplicates == {"EX_lnlc_e_copy2": ["EX_lnlc_e_copy1"]}
    assert model.reactions.EX_lnlc_e_copy2.bounds == pytest.approx((-0.01, 1000.0))
    assert model.reactions.EX_lnlc_e_copy1.bounds == (0.0, 1000.0)  # closed for uptake, secretion open
    assert "EX_lnlc_e_copy1" in result.closed
    assert any("EX_lnlc_e_copy1" in m for m in result.messages())
    assert "EX_lnlc_e_copy1" in caplog.text and "duplicate" in caplog.text
    assert model.slim_optimize() > 0


def test_duplicate_choice_order():
    model = _growth_model([("EX_lnlc_e_copy2", (-1000.0, 1000.0)), ("EX_lnlc_e_copy1", (-1000.0, 1000.0)),
                           ("R_lnlc", (-1000.0, 1000.0)), ("EX_lnlc_e_b", (-1000.0, 1000.0)),
                           ("EX_lnlc", (0.0, 1000.0))])
    # uptake allowed as shipped beats EX_ and length
    assert choose_exchange(model, ["EX_lnlc", "EX_lnlc_e_copy1"]) == "EX_lnlc_e_copy1"
    assert choose_exchange(model, ["R_lnlc", "EX_lnlc_e_copy1"]) == "EX_lnlc_e_copy1"  # EX_ prefix
    assert choose_exchange(model, ["EX_lnlc_e_copy1", "EX_lnlc_e_b"]) == "EX_lnlc_e_b"  # shortest
    assert choose_exchange(model, ["EX_lnlc_e_copy2", "EX_lnlc_e_copy1"]) == "EX_lnlc_e_copy1"  # alphabetical


def test_duplicate_across_compartment_tags_and_inorganic_duplicates():
    model = _growth_model([("EX_lnlc_e", (-1000.0, 1000.0))])
    other = cobra.Metabolite("lnlc[e]", name="linoleate", compartment="e")
    _exchange(model, other, "EX_lnlc(e)")
    o2 = model.metabolites.get_by_id("o2_e")
    _exchange(model, o2, "R_O2_uptake")
    result = apply_medium(model, {"glucose": 10.0, "linoleate": 0.1}, serum=None)
    assert result.duplicates["EX_lnlc_e"] == ["EX_lnlc(e)"]
    assert result.duplicates["EX_o2_e"] == ["R_O2_uptake"]  # an inorganic default, same rule
    assert model.reactions.EX_o2_e.lower_bound == -1000.0
    assert model.reactions.R_O2_uptake.lower_bound == 0.0


# --- 2. sinks the biomass needs ------------------------------------------------------------


def _sink_model() -> cobra.Model:
    """Biomass needs coa_c (only sink SK_coa_c) and amp_c (either SK_amp_c or SK_amp2_c); SK_pyr_c is useless."""
    model = _growth_model([("EX_lnlc_e", (-1000.0, 1000.0))])
    biomass = model.reactions.BIOMASS
    for mid in ("coa_c", "amp_c", "pyr_c"):
        met = cobra.Metabolite(mid, name=mid, compartment="c")
        if mid != "pyr_c":
            biomass.add_metabolites({met: -0.01})
        sink = cobra.Reaction("SK_" + mid, lower_bound=-1000, upper_bound=1000)
        sink.add_metabolites({met: -1})
        model.add_reactions([sink])
    amp2 = cobra.Reaction("SK_amp2_c", lower_bound=-1000, upper_bound=1000)
    amp2.add_metabolites({model.metabolites.amp_c: -1})
    model.add_reactions([amp2])
    assert {r.id for r in model.sinks} >= {"SK_coa_c", "SK_amp_c", "SK_amp2_c", "SK_pyr_c"}
    return model


def test_sinks_growth_needs_stay_open_with_a_warning(caplog):
    model = _sink_model()
    with caplog.at_level(logging.WARNING, logger="fluxasn.media"):
        result = apply_medium(model, {"glucose": 10.0, "linoleate": 0.1}, serum=None)
    assert "SK_coa_c" in result.sinks_needed
    assert len(result.sinks_needed) == 2  # coa and one of the two amp sinks: a minimal set
    assert len({"SK_amp_c", "SK_amp2_c"} & set(result.sinks_needed)) == 1
    assert "SK_pyr_c" in result.sinks_closed
    assert model.reactions.SK_pyr_c.bounds == (0.0, 1000.0)
    assert model.reactions.SK_coa_c.bounds == (-1000.0, 1000.0)
    assert model.slim_optimize() > 1e-3
    assert "SK_coa_c" in caplog.text and "growth needs" in caplog.text


def test_keep_sinks_and_no_test_when_growth_survives():
    model = _sink_model()
    result = apply_medium(model, {"glucose": 10.0, "linoleate": 0.1}, serum=None, keep_sinks=["SK_pyr_c"])
    assert model.reactions.SK_pyr_c.bounds == (-1000.0, 1000.0)
    assert "SK_pyr_c" in result.sinks_kept and "SK_pyr_c" not in result.sinks_needed
    with pytest.raises(FluxasnInputError, match="not a sink"):
        apply_medium(model, {"glucose": 10.0}, serum=None, keep_sinks=["EX_glc__D_e"])
    plain = _growth_model([("EX_lnlc_e", (-1000.0, 1000.0))])
    sink = cobra.Reaction("SK_glc__D_c", lower_bound=-1000, upper_bound=1000)
    sink.add_metabolites({plain.metabolites.glc__D_c: -1})
    plain.add_reactions([sink])
    result = apply_medium(plain, {"glucose": 10.0, "linoleate": 0.1}, serum=None)
    assert result.sinks_closed == ["SK_glc__D_c"] and result.sinks_needed == []


# --- 3. an "External" compartment with non-BiGG ids ----------------------------------------


def _external_model(ids: str) -> cobra.Model:
    model = cobra.Model("external")
    model.compartments = {"Int": "Internal", "Ext": "External"}
    if ids == "names":  # opaque ids, names with the compartment in brackets
        specs = [("m1", "H+ [External]"), ("m2", "palmitate [External]"), ("m3", "D-glucose [External]"),
                 ("m4", "oxygen [External]")]
        ext = [(f"{mid}_Ext", name) for mid, name in specs]
    else:  # KEGG ids with a shared suffix, names with the same suffix
        ext = [("C00080_ext", "Hplus_ext"), ("C00249_ext", "hexadecanoic_ext"), ("C00031_ext", "Glc_ext"),
               ("C00007_ext", "Oxy_ext")]
    biomass = cobra.Reaction("BIOMASS", lower_bound=0, upper_bound=1000)
    for i, (mid, name) in enumerate(ext):
        met = cobra.Metabolite(mid, name=name, compartment="Ext")
        inner = cobra.Metabolite(f"int{i}", name=f"inner {i}", compartment="Int")
        transport = cobra.Reaction(f"T{i}", lower_bound=-1000, upper_bound=1000)
        transport.add_metabolites({met: -1, inner: 1})
        model.add_reactions([transport])
        _exchange(model, met, f"R_boundary_{i}")
        biomass.add_metabolites({inner: -0.01})
    model.add_reactions([biomass])
    model.objective = "BIOMASS"
    return model


@pytest.mark.parametrize("ids", ["names", "kegg_suffix"])
def test_external_compartment_matches_protons_and_palmitate(ids):
    model = _external_model(ids)
    result = apply_medium(model, {"glucose": 10.0, "palmitate": 0.07}, serum=None)
    assert result.matched["glucose"] == "R_boundary_2"
    assert result.matched["palmitate"] == "R_boundary_1"
    assert result.matched["h"] == "R_boundary_0"  # H+, an inorganic default
    assert result.matched["o2"] == "R_boundary_3"
    assert model.slim_optimize() > 0


def test_shared_affixes():
    assert shared_affixes(["C00001_ext", "C00002_ext", "C00003_ext", "C00004"]) == ("", "_ext")
    assert shared_affixes(["M_glc", "M_gln", "M_h2o"]) == ("M_", "")
    assert shared_affixes(["glc__D", "gln__L", "h2o", "o2", "pyr"]) == ("", "")


# --- 4. a custom medium and the serum ------------------------------------------------------


def test_custom_medium_glucose_merges_with_the_serum():
    model = _growth_model([("EX_lnlc_e", (-1000.0, 1000.0))])
    result = apply_medium(model, {"glucose": 10.0})  # FBS has glc__D 7 mM: + 0.7 mM
    row = result.table.set_index("component").loc["glucose"]
    assert row["concentration_mM"] == pytest.approx(10.7)
    assert row["serum_mM"] == pytest.approx(0.7)
    assert "glc__D" not in set(result.table["component"])
    # the same exchange named by its reaction id (no dictionary entry): the serum adds too
    result = apply_medium(model, {"EX_glc__D_e": 10.0})
    assert result.table.set_index("component").loc["EX_glc__D_e", "concentration_mM"] == pytest.approx(10.7)
    # two entries of the user's own table on one exchange: an error
    with pytest.raises(FluxasnInputError, match="both match exchange 'EX_glc__D_e'"):
        apply_medium(model, {"glucose": 10.0, "glc__D": 5.0})


# --- session options (the command line's --serum, --exchange, --keep-sinks) ----------------


def test_medium_options_and_parsers():
    assert parse_serum("none", sera=["FBS", "dFBS"], default_fraction=0.1) == (None, 0.0)
    assert parse_serum("fbs-5%", sera=["FBS", "dFBS"], default_fraction=0.1) == ("FBS", 0.05)
    assert parse_serum("dFBS", sera=["FBS", "dFBS"], default_fraction=0.1) == ("dFBS", 0.1)
    with pytest.raises(FluxasnInputError, match="unknown serum"):
        parse_serum("horse", sera=["FBS", "dFBS"], default_fraction=0.1)
    assert parse_exchange_bound("EX_o2_e=-2") == ("EX_o2_e", (-2.0, None))
    assert parse_exchange_bound("EX_o2_e=-2,5") == ("EX_o2_e", (-2.0, 5.0))
    for bad in ("EX_o2_e", "EX_o2_e=a", "EX_o2_e=3,1"):
        with pytest.raises(FluxasnInputError):
            parse_exchange_bound(bad)
    model = _sink_model()
    with medium_options(serum=(None, 0.0), keep_sinks=["SK_pyr_c"], bounds={"EX_o2_e": (-2.0, None)}):
        result = apply_medium(model, {"glucose": 10.0}, serum="FBS")
    assert result.serum is None
    assert result.table.set_index("component").loc["glucose", "concentration_mM"] == 10.0
    assert model.reactions.EX_o2_e.bounds == (-2.0, 1000.0)
    assert model.reactions.SK_pyr_c.bounds == (-1000.0, 1000.0)
    with pytest.raises(FluxasnInputError, match="not an exchange"):
        apply_medium(model, {"glucose": 10.0}, bounds={"BIOMASS": (0.0, 1.0)})


# --- 5. the command line -------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_model(tmp_path_factory):
    model = _sink_model()
    _exchange(model, model.metabolites.lnlc_e, "EX_lnlc_e_copy1", (0.0, 1000.0))
    path = tmp_path_factory.mktemp("cli") / "tiny.json"
    cobra.io.save_json_model(model, str(path))
    return path


def _env():
    return {"PYTHONPATH": str(__import__("_shared").REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_cli_serum_exchange_keep_sinks(cli_model):
    run = run_cli(["fva", "--model", cli_model, "--reactions", "EX_o2_e,SK_pyr_c,SK_coa_c", "--serum", "FBS-10%",
                   "--exchange", "EX_o2_e=-2,3", "--keep-sinks", "SK_pyr_c", "--json"], env=_env())
    assert run.returncode == 0, run.stderr
    assert "duplicate exchanges" in run.stderr and "EX_lnlc_e_copy1" in run.stderr
    assert "SK_coa_c" in run.stderr and "growth needs" in run.stderr
    rows = {r["reaction"]: r for r in json.loads(run.stdout)["rows"]} if "rows" in run.stdout else None
    text = run.stdout
    assert "EX_o2_e" in text and "SK_pyr_c" in text
    if rows:
        assert rows["EX_o2_e"]["minimum"] >= -2 - 1e-6 and rows["EX_o2_e"]["maximum"] <= 3 + 1e-6


@pytest.mark.parametrize("args, message", [
    (["--serum", "horse"], "unknown serum"),
    (["--exchange", "EX_o2_e"], "ID=LB"),
    (["--keep-sinks", "NOPE"], "not a sink"),
    (["--medium", "none", "--serum", "FBS"], "--medium none"),
])
def test_cli_medium_option_errors(cli_model, args, message):
    run = run_cli(["fva", "--model", cli_model, "--reactions", "EX_o2_e"] + args, env=_env())
    assert run.returncode == 2, run.stderr
    assert message in run.stderr


# --- genome-scale models of shared/models/extra ----------------------------------------------


@pytest.fixture(scope="module")
def mouse_sbml3(extra_model):
    return extra_model("mouse_sbml3")


@pytest.fixture(scope="module")
def mouse_l2(extra_model):
    return extra_model("mouse_l2")


@pytest.fixture(scope="module")
def recon2(extra_model):
    return extra_model("recon204")


@pytest.mark.genome_scale
@pytest.mark.shared_data
def test_mouse_duplicate_water_exchanges(mouse_sbml3):
    with mouse_sbml3:
        result = apply_medium(mouse_sbml3, "RPMI-1640")
        assert result.duplicates == {"EF0015": ["R00118"]}
        assert mouse_sbml3.slim_optimize(error_value=0.0) > 1e-3


@pytest.mark.genome_scale
@pytest.mark.shared_data
def test_mouse_level2_ext_suffix_matches(mouse_l2):
    with mouse_l2:
        result = apply_medium(mouse_l2, "RPMI-1640")
        matched = result.matched
        assert len(matched) >= 25  # was 1 of 60 before ids and names lost their _ext suffix
        for component in ("h2o", "o2", "gln__L", "asn__L", "glc__D"):
            assert component in matched, component


@pytest.fixture(scope="module")
def ihsa(extra_model):
    return extra_model("ihsa")


@pytest.mark.genome_scale
@pytest.mark.shared_data
def test_recon2_needs_phospholipids_not_sinks(recon2):
    """Recon 2.04 does not grow on RPMI-1640 + FBS: it cannot make PC, PE and PG from it; no sink helps."""
    with recon2:
        result = apply_medium(recon2, "RPMI-1640")
        assert len(result.matched) >= 55
        assert recon2.slim_optimize(error_value=0.0) == pytest.approx(0.0, abs=1e-9)
        assert result.sinks_needed == [] and result.sink_note == ""
        for rid in ("EX_pchol_hs(e)", "EX_pe_hs(e)", "EX_pglyc_hs(e)"):
            recon2.reactions.get_by_id(rid).lower_bound = -0.01
        assert recon2.slim_optimize(error_value=0.0) > 1e-3


@pytest.mark.genome_scale
@pytest.mark.shared_data
def test_ihsa_needs_ascorbate(ihsa):
    """iHsa matches 52 RPMI-1640 + FBS components (it has no H+ exchange) and grows only with ascorbate."""
    with ihsa:
        result = apply_medium(ihsa, "RPMI-1640")
        assert len(result.matched) >= 52 and "h" in result.unmatched
        assert ihsa.slim_optimize(error_value=0.0) == pytest.approx(0.0, abs=1e-9)
    with ihsa:
        medium = dict(get_medium("RPMI-1640").concentrations, ascorbate=0.1)  # matched by name
        result = apply_medium(ihsa, medium)
        assert "ascorbate" in result.matched
        assert ihsa.slim_optimize(error_value=0.0) > 1e-6


def _options_in_worker(_):
    from fluxasn.core.medium_rules import current_medium_options

    options = current_medium_options()
    return options.serum, options.keep_sinks, dict(options.bounds)


def test_medium_options_reach_pool_workers():
    """--serum / --exchange / --keep-sinks hold in spawned workers (parallel scenario rows) too."""
    import fluxasn
    from fluxasn._parallel import map_in_pool

    with fluxasn.medium_options(serum=(None, 0.0), keep_sinks=["SK_x"], bounds={"EX_glc__D_e": (-1.0, 0.0)}):
        inside = map_in_pool(_options_in_worker, [1, 2], processes=2)
    assert inside == [((None, 0.0), ("SK_x",), {"EX_glc__D_e": (-1.0, 0.0)})] * 2
    assert map_in_pool(_options_in_worker, [1, 2], processes=2) == [(None, (), {})] * 2
