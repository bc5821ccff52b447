"""Measured rates from the command line: the four-column table, per-cell units, sign errors, relaxation.

Every expected flux is computed here from the unit definitions (1 fmol = 1e-12 mmol; 1 pg = 1e-12 g;
4.3 mL of cell volume per gDW), independently of :mod:`fluxasn.core.units`.
"""
from __future__ import annotations

import json

import pytest

from _cli_runner import REPO, run_many
from fluxasn.core.measurement_checks import check_signs, relaxed_measurements
from fluxasn.core.measurements import REQUIRED_COLUMNS, UNSPECIFIED, read_measurements
from fluxasn.exceptions import FluxasnInputError

#: The subprocesses import this checkout, not whatever fluxasn the interpreter has installed.
ENV = {"PYTHONPATH": str(REPO)}
PC3 = REPO / "data" / "measurements" / "pc3_core_fmol_per_cell.csv"


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def _positive_glucose(tmp_path):
    """Glucose uptake typed as a positive number, with the measured growth (line 2 is glucose)."""
    return _write(tmp_path, "positive.csv",
                  "metabolite,value,sd,unit\nglc__D,0.89,0.18,mmol/gDW/h\nbiomass,0.0357,0.0036,1/h\n")


def test_the_documented_four_columns_are_the_required_ones(tmp_path):
    assert REQUIRED_COLUMNS == ("metabolite", "value", "sd", "unit")
    data = read_measurements(_write(tmp_path, "four.csv", "metabolite,value,sd,unit\nglucose,-0.9,0.1,mmol/gDW/h\n"))
    assert len(data) == 1
    assert data.table.loc[0, "cell_line"] == UNSPECIFIED and data.table.loc[0, "condition"] == UNSPECIFIED
    assert data.table.loc[0, "flux"] == pytest.approx(-0.9)


def test_missing_column_names_file_column_and_expected_columns(tmp_path):
    path = _write(tmp_path, "nosd.csv", "metabolite,value,unit\nglucose,-0.9,mmol/gDW/h\n")
    with pytest.raises(FluxasnInputError) as error:
        read_measurements(path)
    text = str(error.value)
    assert "nosd.csv" in text and "'sd'" in text
    assert "metabolite, value, sd, unit" in text
    assert error.value.identifier == "sd" and error.value.line == 1


def test_per_cell_rates_refused_without_cell_parameters():
    with pytest.raises(FluxasnInputError, match="--dry-mass-pg") as error:
        read_measurements("PC-3")
    assert "pc3_core_fmol_per_cell.csv" in str(error.value)


def test_bundled_table_by_cell_line_name():
    by_name = read_measurements("pc3", dry_mass_pg=400.0)
    by_path = read_measurements(PC3, dry_mass_pg=400.0)
    assert list(by_name.table["flux"]) == list(by_path.table["flux"])
    with pytest.raises(FluxasnInputError, match="bundled: pc3_core_fmol_per_cell"):
        read_measurements("no-such-line")


def test_sign_check_and_relaxation_table_in_python(tmp_path):
    import fluxasn

    data = read_measurements(_positive_glucose(tmp_path))
    plain = fluxasn.prepare_model("core").model
    signs = check_signs(plain, data)
    assert list(signs["metabolite"]) == ["glc__D"] and list(signs["line"]) == [2]
    assert signs.loc[0, "value"] == 0.89 and signs.loc[0, "growth_if_negative"] > 0.01

    prepared = fluxasn.prepare_model("core", measurements=data)
    moved = relaxed_measurements(prepared.model, prepared.measurements, reactions=prepared.measured_reactions)
    assert list(moved["metabolite"]) == ["glc__D"]
    row = moved.iloc[0]
    assert row["measured"] == pytest.approx(0.89) and row["sd"] == pytest.approx(0.18)
    assert row["limit"] == pytest.approx(0.89 - 2 * 0.18)  # the lower bound of mean +/- 2 sd moved
    bound = prepared.model.reactions.get_by_id(row["reaction"]).lower_bound
    assert row["used"] == pytest.approx(bound)
    assert row["used"] < 0  # the model has to take glucose up
    assert row["move_sd"] == pytest.approx((row["limit"] - row["used"]) / 0.18)
    assert row["distance_sd"] == pytest.approx((row["used"] - 0.89) / 0.18)
    assert any("RELAXED" in w for w in fluxasn.summarize(prepared.model, provenance=prepared.provenance,
                                                          fva=False).warnings)


def test_cli_measurements(tmp_path):
    import fluxasn

    positive = _positive_glucose(tmp_path)
    nosd = _write(tmp_path, "nosd.csv", "metabolite,value,unit\nglucose,-0.9,mmol/gDW/h\n")
    runs = run_many({
        "mass": ["report", "--measurements", "PC-3", "--dry-mass-pg", "400", "--no-fva", "--json"],
        "volume": ["report", "--measurements", str(PC3), "--cell-volume-pl", "2.5", "--no-fva", "--json"],
        "no_mass": ["report", "--measurements", "PC-3", "--no-fva"],
        "nosd": ["report", "--measurements", str(nosd), "--no-fva"],
        "positive": ["report", "--measurements", str(positive), "--no-fva"],
        "positive_json": ["report", "--measurements", str(positive), "--no-fva", "--json"],
    }, cwd=tmp_path, workers=2, env=ENV)

    # per-cell units: by hand, x fmol/cell/h = x * 1e-12 mmol per (m * 1e-12 g) = x / m mmol/gDW/h;
    # through the volume, m = V * 1e-12 L / (4.3e-3 L/gDW) = V / 4.3e-3 * 1e-12 g
    glucose, sd = -283.8, 14.2
    for name, mass in (("mass", 400.0), ("volume", 2.5 / 4.3e-3)):
        result = runs[name]
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        bounds = {row["reaction"]: (row["lower"], row["upper"]) for row in data["measured_bounds"]}
        assert bounds["EX_glc__D_e"] == pytest.approx(((glucose - 2 * sd) / mass, (glucose + 2 * sd) / mass))
        assert "fmol/cell/h converted" in data["provenance"]["measurement_units"]
    api = fluxasn.prepare_model("core", measurements=read_measurements(PC3, dry_mass_pg=400.0))
    cli = {row["reaction"]: (row["lower"], row["upper"])
           for row in json.loads(runs["mass"].stdout)["measured_bounds"]}
    assert set(cli) == set(api.measured_reactions)
    for reaction in api.measured_reactions:
        assert cli[reaction] == pytest.approx(api.model.reactions.get_by_id(reaction).bounds, rel=1e-9)

    assert runs["no_mass"].returncode == 2
    assert "--dry-mass-pg" in runs["no_mass"].stderr and "fmol/cell/h" in runs["no_mass"].stderr

    assert runs["nosd"].returncode == 2
    assert "nosd.csv" in runs["nosd"].stderr and "'sd'" in runs["nosd"].stderr
    assert "metabolite, value, sd, unit" in runs["nosd"].stderr

    out = runs["positive"].stdout
    assert runs["positive"].returncode == 0, runs["positive"].stderr
    assert "likely sign error" in out and "line 2 glc__D 0.89" in out
    assert "1 measurement RELAXED" in out
    block = out[out.index("1 measurement RELAXED"):].splitlines()
    assert block[1].split()[:3] == ["metabolite", "line", "measured"]
    assert block[2].split()[:3] == ["glc__D", "2", "0.89"] and block[2].split()[-2:] == ["sd", "mmol/gDW/h"]
    assert "growth and fluxes come from RELAXED measurements" in out.splitlines()[2]

    data = json.loads(runs["positive_json"].stdout)
    assert [r["metabolite"] for r in data["relaxed_measurements"]] == ["glc__D"]
    assert [r["line"] for r in data["sign_warnings"]] == [2]
    assert any("RELAXED" in w for w in data["warnings"])
    assert "WARNING: likely sign error" in runs["positive_json"].stderr


def test_cell_options_need_measurements(tmp_path):
    result = run_many({"x": ["report", "--dry-mass-pg", "400", "--no-fva"]}, cwd=tmp_path, env=ENV)["x"]
    assert result.returncode == 2 and "give --measurements too" in result.stderr


# --- the README's measured-rates examples run as printed --------------------------------------

README_SECTION = "Measured rates from your own file"


def test_readme_measured_rates_examples_run_as_printed(tmp_path):
    """Each ``$ fluxasn`` line of the README section runs (with its ``rates.csv`` written) and prints
    the output shown; ``FLUXASN_UPDATE_README=1`` rewrites the shown output."""
    import os
    import re
    import shlex

    from test_readme import CONSOLE_BLOCK, README, normalise, section

    text = README.read_text(encoding="utf-8")
    body = section(text, README_SECTION)
    (table,) = re.findall(r"```csv\n(.*?)```", body, re.S)
    (tmp_path / "rates.csv").write_text(table)
    commands = [block.splitlines()[0] for block in CONSOLE_BLOCK.findall(body)]
    assert len(commands) == 2 and all(c.startswith("$ fluxasn report --measurements ") for c in commands)
    assert "rates.csv" in commands[0] and "--dry-mass-pg" in commands[1]
    runs = run_many({c: shlex.split(c[2:])[1:] for c in commands}, cwd=tmp_path, workers=2, env=ENV)
    for command in commands:
        assert runs[command].returncode == 0, (command, runs[command].stderr)
    outputs = {c: normalise(runs[c].stdout) for c in commands}
    assert "RELAXED" in outputs[commands[1]]  # PC-3's rates cannot all hold on the core model
    if os.environ.get("FLUXASN_UPDATE_README"):
        new_body = CONSOLE_BLOCK.sub(
            lambda m: "```console\n" + m.group(1).splitlines()[0] + "\n" + outputs[m.group(1).splitlines()[0]]
            + "\n```", body)
        README.write_text(text.replace(body, new_body), encoding="utf-8")
        return
    for block in CONSOLE_BLOCK.findall(body):
        command, *shown = block.splitlines()
        assert outputs[command] == normalise("\n".join(shown)), (
            f"README output of '{command}' is stale; rerun with FLUXASN_UPDATE_README=1:\n{outputs[command]}")


def test_python_refuses_dry_mass_and_volume_together():
    from fluxasn.core.measurements import read_measurements
    from fluxasn.exceptions import FluxasnInputError

    with pytest.raises(FluxasnInputError, match="not both") as error:
        read_measurements("PC-3", dry_mass_pg=400.0, cell_volume_pL=2.0)
    assert "dry_mass_pg" in str(error.value)
