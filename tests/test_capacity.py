"""Route capacities: ``capacity_group``, ``minimum_capacity`` and ``capacity_scan``.

Hand-solved values on the mini network of ``test_scenarios`` (its docstring):
growth g needs g Asp + g Asn; Asn is 2 from uptake plus (g - 2) made by ASNS
from Asp, so Asp supply = 2g - 2. Asp comes from uptake (<= 1) and from GOT1
run towards aspartate (OAA uptake <= 10). With GOT1's aspartate-producing flux
capped at c: g = 1 + c while g <= 2 (uptake covers Asn, so Asp need is g),
then g = (3 + c) / 2 up to c = 10 (g = 6.5). So c = 0 gives 1, the minimum
GOT1 capacity is 10 at the optimum and 2 x 3.25 - 3 = 3.5 at half of it.

On the core model the same readouts measure what complex I loss needs from
reductive carboxylation (IDH1 + IDH2 producing isocitrate), the fact behind
the core-model gaps of the literature suite (``tests/validation``).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cobra.flux_analysis import flux_variability_analysis

from _shared import require_shared
from fluxasn.analysis import readouts as R
from fluxasn.analysis.scenarios import REDUCTIVE_CARBOXYLATION, apply_scenario, parse_scenario
from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.bridge import flux_scale
from test_scenarios import build_mini

sys.path.insert(0, str(Path(__file__).resolve().parent / "validation"))
from cases import evaluate_all  # noqa: E402


@pytest.fixture()
def mini():
    return build_mini()


def _state(model):
    return (
        {r.id: r.bounds for r in model.reactions},
        str(model.objective.expression),
        model.objective.direction,
        len(model.constraints),
        len(model.variables),
    )


# --- hand-solved network ---------------------------------------------------------------


@pytest.mark.parametrize("members", [["GOT1"], ["ASPTA"], "ASPTA"])
def test_group_direction_from_the_metabolite_produced(mini, members):
    group = R.capacity_group(mini, members, producing="aspartate")
    assert [(r.id, side) for r, side in group.terms] == [("ASPTA", "reverse")]
    same = R.capacity_group(mini, members, direction="reverse")
    assert [(r.id, side) for r, side in same.terms] == [("ASPTA", "reverse")]
    assert [(r.id, s) for r, s in R.capacity_group(mini, members).terms] == [("ASPTA", "forward")]


@pytest.mark.parametrize("fraction, expected", [(1.0, 10.0), (0.5, 3.5), (0.0, 0.0)])
def test_minimum_capacity_hand_solved(mini, fraction, expected):
    group = R.capacity_group(mini, ["GOT1"], producing="aspartate")
    result = R.minimum_capacity(mini, group, fraction_of_optimum=fraction)
    assert result["status"] == "optimal"
    assert result["growth"] == pytest.approx(6.5)
    assert result["minimum_capacity"] == pytest.approx(expected, abs=1e-7)


def test_capacity_scan_hand_solved(mini):
    group = R.capacity_group(mini, ["GOT1"], producing="aspartate")
    before = _state(mini)
    scan = R.capacity_scan(mini, group, capacities=[0, 4, 10, 20])
    frame = scan.to_frame()
    assert list(frame.columns) == ["x", "growth_minimum", "growth_maximum", "status"]
    assert frame["growth_maximum"].tolist() == pytest.approx([1.0, 3.5, 6.5, 6.5])
    assert frame["growth_minimum"].tolist() == pytest.approx([0, 0, 0, 0])
    assert (frame["status"] == "optimal").all()
    assert _state(mini) == before
    assert "capacity" in str(scan) and "<table" in scan._repr_html_()


@pytest.mark.parametrize("fraction", [1.0, 0.8])
def test_minimum_capacity_equals_cobra_fva_on_mini(mini, fraction):
    group = R.capacity_group(mini, ["ASPTA"], direction="reverse")
    ours = R.minimum_capacity(mini, group, fraction_of_optimum=fraction)["minimum_capacity"]
    ref = flux_variability_analysis(mini, ["ASPTA"], fraction_of_optimum=fraction)
    assert ours == pytest.approx(max(0.0, -ref.loc["ASPTA", "maximum"]), abs=1e-7)


def test_infeasible_is_recorded_not_raised(mini):
    mini.reactions.BIOMASS.lower_bound = 100
    group = R.capacity_group(mini, ["GOT1"], producing="aspartate")
    result = R.minimum_capacity(mini, group)
    assert result["status"] == "infeasible" and np.isnan(result["minimum_capacity"])
    scan = R.capacity_scan(mini, group, capacities=[1.0]).to_frame()
    assert scan["status"].iloc[0] == "infeasible"


def test_bad_input_names_what_is_wrong_and_leaves_the_model(mini):
    before = _state(mini)
    with pytest.raises(FluxasnInputError, match="NOPE"):
        R.capacity_group(mini, ["GOT1", "NOPE"])
    with pytest.raises(FluxasnInputError, match="direction"):
        R.capacity_group(mini, ["GOT1"], direction="backwards")
    with pytest.raises(FluxasnInputError, match="not both"):
        R.capacity_group(mini, ["GOT1"], direction="reverse", producing="aspartate")
    with pytest.raises(FluxasnInputError, match="unknown metabolite"):
        R.capacity_group(mini, ["GOT1"], producing="unobtainium")
    with pytest.raises(FluxasnInputError, match="ASNt"):
        R.capacity_group(mini, ["ASNt"], producing="asparagine")  # Asn on both sides (e and c)
    with pytest.raises(FluxasnInputError, match="at least one"):
        R.capacity_group(mini, [])
    group = R.capacity_group(mini, ["GOT1"])
    with pytest.raises(FluxasnInputError, match="capacities"):
        R.capacity_scan(mini, group, capacities=[1.0, -1.0])
    with pytest.raises(FluxasnInputError, match="capacities"):
        R.capacity_scan(mini, group, capacities=["a lot"])
    with pytest.raises(FluxasnInputError, match="fraction_of_optimum"):
        R.minimum_capacity(mini, group, fraction_of_optimum=1.5)
    assert _state(mini) == before


# --- core model: what complex I loss needs -------------------------------------------------

ETC_I = "glucose_uncapped+etc_i"
ETC_III = "glucose_uncapped+etc_iii+uridine"


def _reductive(model):
    """The group of the scenario matrix's ``reductive_carboxylation`` readout."""
    genes, metabolite = REDUCTIVE_CARBOXYLATION
    return R.capacity_group(model, genes, producing=metabolite, label="reductive carboxylation")


def _minimum(model, scenario, fraction=1.0):
    with model:
        apply_scenario(model, parse_scenario(scenario))
        return R.minimum_capacity(model, _reductive(model), fraction_of_optimum=fraction)


def test_reductive_group_on_core(core_model):
    group = _reductive(core_model)
    assert sorted((r.id, side) for r, side in group.terms) == [("ICDHym", "reverse"), ("ICDHyr", "reverse")]


@pytest.mark.parametrize("fraction", [1.0, 0.9])
def test_core_minimum_capacity_equals_cobra_fva(core_model, fraction):
    """One reversible reaction counted in reverse: max(0, -FVA maximum), cobra as reference."""
    with core_model:
        apply_scenario(core_model, parse_scenario(ETC_I))
        group = R.capacity_group(core_model, ["ICDHyr"], direction="reverse")
        ours = R.minimum_capacity(core_model, group, fraction_of_optimum=fraction)["minimum_capacity"]
        ref = flux_variability_analysis(core_model, ["ICDHyr"], fraction_of_optimum=fraction)
    assert ours == pytest.approx(max(0.0, -ref.loc["ICDHyr", "maximum"]), abs=1e-6)


def test_complex_i_loss_needs_reductive_carboxylation(core_model):
    """Glucose uncapped: without ETC inhibition no reductive flux is needed; with
    complex I (III) off, full growth needs a small one, and below it growth falls
    (0.0315 1/h at no reductive flux, 0.0420 at c*)."""
    control = _minimum(core_model, "glucose_uncapped")
    etc_i = _minimum(core_model, ETC_I)
    etc_iii = _minimum(core_model, ETC_III)
    assert control["minimum_capacity"] == pytest.approx(0.0, abs=1e-9)
    assert etc_i["growth"] == pytest.approx(control["growth"], rel=1e-6)  # complex I loss free...
    c_star = etc_i["minimum_capacity"]
    assert 1e-3 < c_star < 1e-2  # ...only with >= c* of reductive carboxylation (0.00444 measured)
    assert etc_iii["minimum_capacity"] > c_star  # complex III + uridine needs more (0.0121 measured)

    with core_model:
        apply_scenario(core_model, parse_scenario(ETC_I))
        scan = R.capacity_scan(core_model, _reductive(core_model), capacities=[0.0, c_star / 2, c_star, 2 * c_star])
        growth = scan.to_frame()["growth_maximum"].to_numpy()
        assert growth[0] < growth[1] < growth[2] == pytest.approx(growth[3], rel=1e-7)
        assert growth[2] == pytest.approx(control["growth"], rel=1e-6)


def _capped(core_model, capacity):
    """A copy of the core model with reductive carboxylation capped (constraint kept in the copy)."""
    model = core_model.copy()
    cap = model.problem.Constraint(_reductive(model).expression(), ub=capacity, name="reductive_cap")
    model.add_cons_vars(cap)
    return model


#: Literature cases on the core model with reductive carboxylation capped at a
#: fraction of the minimum complex I loss needs: a diagnostic of which phenotypes
#: hinge on that capacity alone (the suite itself runs the model uncapped; see
#: tests/validation/test_literature.py). Measured this way, 2026-12-02.
_AT_HALF = {
    "etc_i_aspartate_limits": "pass",
    "etc_iii_aspartate_limits": "pass",
    "etc_i_slc1a3_aspartate_rescue": "pass",
    "etc_i_pyruvate_rescue": "pass",
    "etc_iii_pyruvate_rescue": "FAIL",
    "etc_i_akb_rescue": "pass",
    "got1_loss_removes_pyruvate_rescue": "FAIL",
    "etc_asn_spares_aspartate": "pass",
}
CAPPED_EXPECTED = {0.5: _AT_HALF, 0.9: {**_AT_HALF, "got1_loss_removes_pyruvate_rescue": "pass"}}


@pytest.mark.parametrize("fraction", sorted(CAPPED_EXPECTED))
def test_etc_cases_hinge_on_reductive_capacity(core_model, fraction):
    """Capped below c*, most of the eight ETC cases the uncapped core model fails
    pass. Complex III + pyruvate fails at every cap: at cap 0 growth is 0.0266 1/h
    with or without pyruvate, which has no reduced cost (medium aspartate, serum
    palmitate and the cap are what limit). The GOT1 case passes only close below
    c*: at half of c* pyruvate still raises the growth of GOT1-null cells
    (0.0370 -> 0.0374 1/h), at 0.9 c* it does not. No single cap reproduces all
    eight."""
    c_star = _minimum(core_model, ETC_I)["minimum_capacity"]
    rows = {r["case"]: r for r in evaluate_all(_capped(core_model, fraction * c_star))}
    expected = CAPPED_EXPECTED[fraction]
    observed = {case: rows[case]["result"] for case in expected}
    assert observed == expected, {c: rows[c]["observed"] for c in expected}
    assert rows["asns_loss_needs_asn"]["result"] == "pass"
    # the cap changes nothing without ETC inhibition
    assert R.growth(_capped(core_model, 0.0))["growth"] == pytest.approx(R.growth(core_model)["growth"], rel=1e-9)


class _PublishedFit:
    """A published flux table with the ``flux(name)`` accessor :func:`flux_scale` reads."""

    def __init__(self, values):
        self.values = values

    def flux(self, name):
        return float(self.values[name])


@pytest.mark.shared_data
def test_measured_reductive_flux_exceeds_what_complex_i_loss_needs(core_model):
    """MCF-7 13C-MFA (Araki 2018, mfapy fit in shared/c13): the reverse (reductive)
    IDH flux of unperturbed cells is 19.3 per 100 glucose. Scaled by the lowest
    NCI-60 glucose uptake (0.267 mmol/gDW/h, shared/bio/exchange_rates) it is
    0.052 mmol/gDW/h, more than ten times the reductive capacity complex I loss
    needs on the core model. A cap that makes the core model show the published
    ETC phenotypes contradicts this measurement, so none is set."""
    fit = pd.read_csv(
        require_shared("c13", "mcf7_mfapy_araki2018", "mfapy_0.6.3_example3_fit_output.csv"),
        skiprows=4, usecols=[0, 3],
    ).set_index("Id")["SLSQP"]
    fit = pd.to_numeric(fit, errors="coerce").dropna()
    rates = pd.read_csv(
        require_shared("bio", "exchange_rates", "nci60_11lines_exchangeFluxes_mmol_gDW_h.tsv"), sep="\t"
    ).set_index("metabolite")
    lowest_glucose = float(-rates.loc["glucose"].iloc[1:].astype(float).max())
    assert lowest_glucose == pytest.approx(0.267, abs=1e-3)
    scale = flux_scale(_PublishedFit(fit), reference="r1_SubsGlc", reference_value=lowest_glucose)
    reductive = fit["r19_idh"] * scale  # mmol/gDW/h
    assert reductive == pytest.approx(0.0515, abs=5e-4)
    c_star = _minimum(core_model, ETC_I)["minimum_capacity"]
    assert reductive > 10 * c_star
    assert reductive > _minimum(core_model, ETC_III)["minimum_capacity"]


def test_scenario_matrix_reads_out_the_reductive_minimum(core_model, mini):
    from fluxasn.analysis.scenarios import run_scenarios

    matrix = run_scenarios(core_model, ["control", ETC_I, ETC_I + "+asn_free"],
                           readouts=("growth", "reductive_carboxylation"), processes=1)
    frame = matrix.to_frame().set_index("scenario")["reductive_carboxylation_minimum"]
    assert frame["control"] == pytest.approx(0.0, abs=1e-9)
    assert frame[ETC_I] == pytest.approx(_minimum(core_model, ETC_I)["minimum_capacity"], rel=1e-9)
    # without medium Asn, complex I loss needs more reductive carboxylation (Asn spares Asp)
    assert frame[ETC_I + "+asn_free"] > frame[ETC_I]
    # a model without IDH1/IDH2: NaN and a note, not an error
    row = run_scenarios(mini, ["control"], readouts=("growth", "reductive_carboxylation"), processes=1).to_frame().iloc[0]
    assert np.isnan(row["reductive_carboxylation_minimum"])
    assert "reductive carboxylation not read out" in row["notes"] and "IDH1" in row["notes"]


@pytest.mark.genome_scale
@pytest.mark.shared_data
def test_human_gem_reductive_group_and_cobra_fva(_human_gem_session):
    """Human-GEM writes IDH1/IDH2 as isocitrate -> 2-oxoglutarate; the group counts them in
    reverse. With complex I off and glucose uncapped Human-GEM needs no reductive flux
    (its fumarate reductase MAR04652 and other routes take the electrons, see
    tests/validation/test_literature.py)."""
    from fluxasn.core.media import apply_medium

    model = _human_gem_session.copy()
    apply_medium(model, "RPMI-1640")
    group = R.capacity_group(model, ["IDH1", "IDH2"], producing="isocitrate")
    assert sorted((r.id, side) for r, side in group.terms) == [
        ("MAR00710", "reverse"), ("MAR00712", "reverse"), ("MAR03958", "reverse")
    ]
    with model:
        apply_scenario(model, parse_scenario(ETC_I))
        need = R.minimum_capacity(model, group)
        assert need["status"] == "optimal" and need["minimum_capacity"] == pytest.approx(0.0, abs=1e-9)
        single = R.capacity_group(model, ["MAR00710"], direction="reverse")
        ours = R.minimum_capacity(model, single, fraction_of_optimum=0.9)["minimum_capacity"]
        ref = flux_variability_analysis(model, ["MAR00710"], fraction_of_optimum=0.9)
    assert ours == pytest.approx(max(0.0, -ref.loc["MAR00710", "maximum"]), abs=1e-6)
