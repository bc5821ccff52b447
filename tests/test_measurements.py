"""Measured rates: reader and schema errors, constraining, fitting and minimal relaxation."""
from __future__ import annotations

import math

import cobra
import pytest

from fluxasn.analysis.rate_fit import fit_measurements
from fluxasn.analysis.rates import constrain_with_measurements, minimal_relaxation
from fluxasn.core.measurements import load_nci60, nci60_cell_lines, read_measurements
from fluxasn.exceptions import FluxasnInputError, InfeasibleError

HEADER = "metabolite,value,sd,unit,cell_line,condition\n"


def _write(tmp_path, text, name="rates.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _chain() -> cobra.Model:
    """a_e -> b_e plus c_e -> d_e, each with an exchange (uptake = negative flux)."""
    model = cobra.Model("chain")
    mets = {k: cobra.Metabolite(f"{k}_e", name=k, compartment="e") for k in ["glc__D", "lac__L", "gln__L", "glu__L"]}
    # bigg-style ids so that dictionary names resolve: glucose -> lactate, glutamine -> glutamate
    reactions = []
    for key, met in mets.items():
        reaction = cobra.Reaction(f"EX_{key}_e", lower_bound=-1000, upper_bound=1000)
        reaction.add_metabolites({met: -1})
        reactions.append(reaction)
    r1 = cobra.Reaction("R1", lower_bound=0, upper_bound=1000)
    r1.add_metabolites({mets["glc__D"]: -1, mets["lac__L"]: 1})
    r2 = cobra.Reaction("R2", lower_bound=0, upper_bound=1000)
    r2.add_metabolites({mets["gln__L"]: -1, mets["glu__L"]: 1})
    model.add_reactions(reactions + [r1, r2])
    model.objective = "R1"
    return model


def _rows(*rows, cell_line="X", condition="c"):
    return HEADER + "".join(f"{m},{v},{sd},{u},{cell_line},{condition}\n" for m, v, sd, u in rows)


# --- reader ---------------------------------------------------------------------------------


def test_read_and_convert(tmp_path):
    path = _write(
        tmp_path,
        "# provenance line\n" + _rows(("glucose", -283, 14, "fmol/cell/h"), ("L-lactate", 0.5, 0.1, "mmol/gDW/h"),
                                     ("biomass", 0.03, 0.003, "1/h")),
    )
    data = read_measurements(path, dry_mass_pg=500)
    table = data.table.set_index("metabolite")
    assert table.loc["glucose", "flux"] == pytest.approx(-283 / 500)  # x / m
    assert table.loc["glucose", "flux_sd"] == pytest.approx(14 / 500)
    assert table.loc["L-lactate", "flux"] == 0.5
    assert list(data.table["line"]) == [3, 4, 5]  # comment + header before the data
    assert "glucose" in str(data) and "<table" in data._repr_html_()


@pytest.mark.parametrize(
    "text, line, column, pattern",
    [
        (_rows(("glucose", -1, 0.1, "mmol/gDW/h"), ("unobtainium", 1, 0.1, "mmol/gDW/h")), 3, "metabolite", "unknown metabolite"),
        (_rows(("glucose", -1, 0.1, "mol/L/day")), 2, "unit", "unknown unit 'mol/L/day'"),
        (_rows(("glucose", -1, -0.1, "mmol/gDW/h")), 2, "sd", "> 0"),
        (_rows(("glucose", -1, 0, "mmol/gDW/h")), 2, "sd", "> 0"),
        (_rows(("glucose", -1, 0.1, "mmol/gDW/h"), ("lactate", "NaN", 0.1, "mmol/gDW/h")), 3, "value", "NaN"),
        (_rows(("glucose", -1, "", "mmol/gDW/h")), 2, "sd", "NaN"),
        (_rows(("glucose", "abc", 0.1, "mmol/gDW/h")), 2, "value", "not a number"),
        (_rows(("glucose", -1, 0.1, "mmol/gDW/h"), ("D-glucose", -2, 0.1, "mmol/gDW/h")), 3, "metabolite", "duplicate row.*line 2"),
        (_rows(("biomass", 0.03, 0.01, "mmol/gDW/h")), 2, "unit", "1/h"),
        (_rows(("glucose", -283, 14, "fmol/cell/h")), 2, "unit", "dry mass"),
    ],
)
def test_bad_rows_name_file_line_and_column(tmp_path, text, line, column, pattern):
    path = _write(tmp_path, text)
    with pytest.raises(FluxasnInputError, match=pattern) as info:
        read_measurements(path)
    error = info.value
    assert error.source == str(path) and error.line == line and error.identifier == column
    assert str(path) in str(error) and f"line {line}" in str(error)


def test_empty_header_only_missing_column_and_delimiter(tmp_path):
    with pytest.raises(FluxasnInputError, match="empty file"):
        read_measurements(_write(tmp_path, ""))
    with pytest.raises(FluxasnInputError, match="empty file"):
        read_measurements(_write(tmp_path, "# only a comment\n\n"))
    with pytest.raises(FluxasnInputError, match="no data rows") as info:
        read_measurements(_write(tmp_path, HEADER))
    assert info.value.line == 1
    with pytest.raises(FluxasnInputError, match="missing column.*sd") as info:
        read_measurements(_write(tmp_path, "metabolite,value,unit,cell_line,condition\nglucose,-1,mmol/gDW/h,X,c\n"))
    assert info.value.identifier == "sd"
    with pytest.raises(FluxasnInputError, match="wrong delimiter.*semicolon") as info:
        read_measurements(_write(tmp_path, HEADER.replace(",", ";") + "glucose;-1;0.1;mmol/gDW/h;X;c\n"))
    assert info.value.line == 1
    with pytest.raises(FluxasnInputError, match="wrong delimiter.*comma"):
        read_measurements(_write(tmp_path, _rows(("glucose", -1, 0.1, "mmol/gDW/h")), name="rates.tsv"))
    # a TSV file is tab-separated
    tsv = _rows(("glucose", -1, 0.1, "mmol/gDW/h")).replace(",", "\t")
    assert len(read_measurements(_write(tmp_path, tsv, name="rates.tsv"))) == 1


def test_model_ids_accepted_with_a_model(tmp_path):
    model = _chain()
    path = _write(tmp_path, _rows(("EX_glc__D_e", -1, 0.1, "mmol/gDW/h"), ("lac__L_e", 1, 0.1, "mmol/gDW/h")))
    data = read_measurements(path, model=model)
    assert list(data.table["key"]) == ["EX_glc__D_e", "EX_lac__L_e"]
    with pytest.raises(FluxasnInputError, match="unknown metabolite") as info:
        read_measurements(path)  # without the model these ids mean nothing
    assert info.value.line == 2


# --- constraining and relaxation on a network with known answers --------------------------


def _bounds(model):
    return {r.id: r.bounds for r in model.reactions}


def test_constrain_feasible_and_undone():
    model = _chain()
    data = read_measurements(
        __import__("pandas").DataFrame(
            {"metabolite": ["glucose", "lactate"], "value": [-1.0, 1.0], "sd": [0.1, 0.1],
             "unit": ["mmol/gDW/h"] * 2, "cell_line": ["X"] * 2, "condition": ["c"] * 2}
        )
    )
    before = _bounds(model)
    with model:
        result = constrain_with_measurements(model, data, k=2)
        assert model.reactions.EX_glc__D_e.bounds == pytest.approx((-1.2, -0.8))
        assert result.feasible and result.relaxation is None
        assert model.slim_optimize() == pytest.approx(1.2)  # R1 maximal at the glucose bound
    assert _bounds(model) == before


def test_minimal_relaxation_known_answer(tmp_path):
    # glucose uptake 1.0 +/- 0.01 and lactate secretion 1.5 +/- 0.1 cannot both hold (R1: 1:1).
    # One measurement must move; moving lactate costs (1.3 - 1.02) / 0.1 = 2.8 sd, glucose 28 sd.
    # Glutamine/glutamate (independent) are consistent and stay.
    path = _write(
        tmp_path,
        _rows(("glucose", -1.0, 0.01, "mmol/gDW/h"), ("lactate", 1.5, 0.1, "mmol/gDW/h"),
              ("glutamine", -0.2, 0.02, "mmol/gDW/h"), ("glutamate", 0.2, 0.02, "mmol/gDW/h")),
    )
    data = read_measurements(path)
    model = _chain()
    before = _bounds(model)
    relaxation = minimal_relaxation(model, data, k=2)
    assert _bounds(model) == before
    assert relaxation.n_relaxed == 1
    row = relaxation.relaxed.iloc[0]
    assert row["metabolite"] == "lactate" and row["line"] == 3
    assert row["move_lower"] == pytest.approx(0.28, abs=1e-6) and row["move_upper"] == 0
    assert row["move_sd"] == pytest.approx(2.8, abs=1e-5)
    with model:
        result = constrain_with_measurements(model, data, k=2)
        assert not result.feasible and result.relaxation.n_relaxed == 1
        assert "lactate" in str(result)
    with model:
        result = constrain_with_measurements(model, data, k=2, relax=True)
        assert result.relaxed_applied and not math.isnan(result.growth)
        assert model.slim_optimize(error_value=float("nan")) == pytest.approx(1.02, abs=1e-6)


def test_two_independent_conflicts_need_two_relaxations(tmp_path):
    path = _write(
        tmp_path,
        _rows(("glucose", -1.0, 0.01, "mmol/gDW/h"), ("lactate", 1.5, 0.1, "mmol/gDW/h"),
              ("glutamine", -0.2, 0.001, "mmol/gDW/h"), ("glutamate", 0.4, 0.01, "mmol/gDW/h")),
    )
    relaxation = minimal_relaxation(_chain(), read_measurements(path), k=1)
    assert set(relaxation.relaxed["metabolite"]) == {"lactate", "glutamate"}
    glutamate = relaxation.table.set_index("metabolite").loc["glutamate"]
    assert glutamate["move_lower"] == pytest.approx(0.39 - 0.201, abs=1e-6)


def test_relaxation_cannot_fix_the_model_itself(tmp_path):
    model = _chain()
    model.reactions.R1.lower_bound = 5  # needs 5 glucose; closing it below makes it infeasible
    model.reactions.EX_glc__D_e.lower_bound = -1
    path = _write(tmp_path, _rows(("glutamine", -0.2, 0.02, "mmol/gDW/h")))
    with pytest.raises(InfeasibleError, match="every measurement relaxed"):
        minimal_relaxation(model, read_measurements(path))


def test_constrain_errors_leave_model_unchanged(tmp_path):
    model = _chain()
    before = _bounds(model)
    # serine is a known metabolite without an exchange here: reported, or an error when strict
    path = _write(tmp_path, _rows(("glucose", -1, 0.1, "mmol/gDW/h"), ("serine", -0.1, 0.01, "mmol/gDW/h")))
    data = read_measurements(path)
    with pytest.raises(FluxasnInputError, match="no exchange") as info:
        constrain_with_measurements(model, data, strict=True)
    assert info.value.line == 3 and _bounds(model) == before
    with model:
        result = constrain_with_measurements(model, data)
        assert result.skipped == [("serine", 3)] and "serine" in str(result)
    assert _bounds(model) == before
    with pytest.raises(FluxasnInputError, match="k must be"):
        constrain_with_measurements(model, data, k=-1)
    assert _bounds(model) == before


# --- fitting ----------------------------------------------------------------------------------


def test_fit_known_answers(tmp_path):
    # glucose uptake 1 (sd 1), lactate secretion 3 (sd 2); R1 forces them equal.
    # WLS: min (v-1)^2 + ((v-3)/2)^2 -> v = 1.4;  WL1: min |v-1| + |v-3|/2 -> v = 1.
    path = _write(tmp_path, _rows(("glucose", -1, 1, "mmol/gDW/h"), ("lactate", 3, 2, "mmol/gDW/h")))
    data = read_measurements(path)
    model = _chain()
    before = _bounds(model)
    wls = fit_measurements(model, data, method="wls")
    assert wls.status == "optimal"
    # cutting planes: the objective to LP precision, the minimiser to about its square root
    assert wls.objective == pytest.approx(0.4**2 + 0.8**2, abs=1e-8)
    assert wls.fluxes["R1"] == pytest.approx(1.4, abs=1e-4)
    res = wls.residuals.set_index("metabolite")
    assert res.loc["glucose", "fitted"] == pytest.approx(-1.4, abs=1e-4)
    assert res.loc["glucose", "z"] == pytest.approx(-0.4, abs=1e-4)
    assert res.loc["lactate", "z"] == pytest.approx((1.4 - 3) / 2, abs=1e-4)
    wl1 = fit_measurements(model, data, method="wl1")
    assert wl1.fluxes["R1"] == pytest.approx(1.0, abs=1e-6)
    assert wl1.objective == pytest.approx(1.0, abs=1e-6)
    assert _bounds(model) == before
    assert "glucose" in str(wls) and "<table" in wls._repr_html_()
    with pytest.raises(FluxasnInputError, match="wls"):
        fit_measurements(model, data, method="ols")


# --- NCI-60 ------------------------------------------------------------------------------------


def test_nci60_bundle():
    lines = nci60_cell_lines()
    assert len(lines) == 11 and "HT29" in lines
    ht29 = load_nci60("ht-29").table.set_index("metabolite")
    # values as in shared/bio/exchange_rates (HMR_9034 glucose, HMR_10024 growth)
    assert ht29.loc["glc__D", "flux"] == pytest.approx(-0.891204517, rel=1e-5)
    assert ht29.loc["biomass", "flux"] == pytest.approx(0.035730055, rel=1e-5)
    assert len(load_nci60("MDA-MB-231").table) == 27
    with pytest.raises(FluxasnInputError, match="HT29"):
        load_nci60("HeLa")


def test_nci60_lines_on_core_model_feasible_or_relaxed(core_model):
    for cell_line in nci60_cell_lines():
        data = load_nci60(cell_line)
        with core_model:
            result = constrain_with_measurements(core_model, data, k=2)
            if not result.feasible:
                assert result.relaxation.n_relaxed > 0
                result.relaxation.apply(core_model)
                assert not math.isnan(core_model.slim_optimize(error_value=float("nan"))), cell_line
        fit = fit_measurements(core_model, data)
        assert fit.status == "optimal", cell_line


def test_fit_respects_constraints_added_to_the_solver(tmp_path):
    # an extra (non mass-balance) constraint on the model's solver is part of the fit
    path = _write(tmp_path, _rows(("glucose", -1, 0.1, "mmol/gDW/h")))
    data = read_measurements(path)
    model = _chain()
    with model:
        cap = model.problem.Constraint(model.reactions.R1.flux_expression, ub=0.5, name="cap_R1")
        model.add_cons_vars(cap)
        fit = fit_measurements(model, data, method="wl1")
        assert fit.fluxes["R1"] == pytest.approx(0.5, abs=1e-6)
        assert fit.residuals["z"].iloc[0] == pytest.approx(5.0, abs=1e-5)  # (-0.5 - -1) / 0.1
        wls = fit_measurements(model, data, method="wls")
        assert wls.fluxes["R1"] == pytest.approx(0.5, abs=1e-6)


@pytest.mark.genome_scale
def test_nci60_on_human_gem(_human_gem_session):
    from fluxasn.core.media import apply_medium

    model = _human_gem_session
    data = load_nci60("HT29")
    with model:
        apply_medium(model, "RPMI-1640")
        result = constrain_with_measurements(model, data, k=2)
        assert not result.skipped  # Human-GEM has every measured exchange (matched by name)
        if not result.feasible:
            result.relaxation.apply(model)
        assert not math.isnan(model.slim_optimize(error_value=float("nan")))
    with model:
        apply_medium(model, "RPMI-1640")
        wl1 = fit_measurements(model, data, method="wl1")
        wls = fit_measurements(model, data, method="wls")
    assert wl1.status == "optimal" and len(wl1.residuals) == 27
    assert wls.status == "optimal"
    # each optimum is no worse than the other method's point under its own measure
    assert (wls.residuals["z"] ** 2).sum() <= (wl1.residuals["z"] ** 2).sum() + 1e-4
    assert wl1.residuals["z"].abs().sum() <= wls.residuals["z"].abs().sum() + 1e-4
