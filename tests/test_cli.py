"""The ``fluxasn`` command line, run as a subprocess on the bundled data.

Every command is run once through the installed console script (the runs
are started together, a few at a time, to keep the file fast) and its output
and exit code are checked against the library and cobra computed here.
Progress bars are checked under a pseudo-terminal and with piped output.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from _cli_runner import run_in_terminal, run_many

from fluxasn.cli import EXIT_INPUT, EXIT_OK, EXIT_PROBLEMS, cli
from fluxasn.report.summary import SUMMARY_COLUMNS

BAR = "\u2501"  # the heavy horizontal line rich draws progress bars with
ESC = "\x1b["


#: A small screen on the bundled core model: four aspartate/asparagine genes, with and without Asn.
SCREEN_SPEC = """
[screen]
name = "asn"
method = "fba"
chunk_size = 2

[[model]]
name = "core"
source = "core"

[[condition]]
name = "rpmi"
medium = "RPMI-1640"

[[condition]]
name = "rpmi_no_asn"
medium = "RPMI-1640 -Asn"

[[knockouts]]
name = "asn_genes"
kind = "gene"
order = 1
ids = ["ASNS", "GOT1", "GOT2", "PC"]
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Input files for the runs: a model file, broken files, an SBML with two errors."""
    import fluxasn
    from fluxasn.io.models import write_model_file

    folder = tmp_path_factory.mktemp("cli")
    core = fluxasn.load_model("core", medium=None)
    write_model_file(core, folder / "core.xml")
    text = (folder / "core.xml").read_text()
    broken = text.replace('fbc:upperFluxBound="', 'fbc:upperFluxBound="missing_', 1)
    broken = re.sub(r'(<species[^>]*?compartment=")c(")', r"\1nowhere\2", broken, count=1)
    (folder / "broken.xml").write_text(broken)
    (folder / "model.txt").write_text("not a model\n")
    from test_report import BAD_MEASUREMENTS, BAD_MEDIUM

    (folder / "rates.csv").write_text(BAD_MEASUREMENTS)
    (folder / "asn_screen.toml").write_text(SCREEN_SPEC)
    (folder / "medium.tsv").write_text(BAD_MEDIUM)
    (folder / "garbage.json").write_text("{ this is not json")
    return folder


@pytest.fixture(scope="module")
def runs(files):
    f = files
    cases = {
        "report": ["report"],
        "report_files": ["report", "--json", "--html", f / "report.html", "--escher", f / "fluxes.json"],
        "report_csv": ["report", "--csv", "--no-fva"],
        "report_model_file": ["report", "--model", f / "core.xml", "--medium", "RPMI-1640", "--no-fva", "--json"],
        "fva": ["fva", "--reactions", "all", "--fraction-of-optimum", "0.9", "--json"],
        "fva_roles": ["fva", "--reactions", "ASNS,GOT2,EX_o2", "--csv"],
        "fva_redox": ["fva", "--scenario", "glucose_uncapped+etc_i", "--reactions", "GDHm,MTHFD2m",
                      "--fraction-of-optimum", "0", "--redox", "transhydrogenation,vents", "--json"],
        "unknown_redox": ["fva", "--redox", "vents,bogus"],
        "scenarios": ["scenarios", "--run", "control", "--run", "asn_free+asns_ko",
                      "--readouts", "growth,asns_fva", "--json"],
        "scenarios_cell_line": ["scenarios", "--cell-line", "HT29", "--run", "asn_free+asns_ko",
                                "--readouts", "growth", "--json"],
        "report_cell_line": ["report", "--cell-line", "HT29", "--scenario", "asn_free+asns_ko", "--json"],
        "screen": ["screen", f / "asn_screen.toml", "--processes", "1", "--csv"],
        "fva_key": ["fva", "--reactions", "GOT1,GOT2,PC,ASNS,EX_o2,EX_glc"],
        "convert": ["convert", "core", f / "core_out.json"],
        "validate_good": ["validate", f / "core.xml", "--csv"],
        "validate_bad": ["validate", f / "broken.xml", f / "rates.csv", f / "medium.tsv", "--json"],
        "bad_medium_file": ["report", "--medium", f / "medium.tsv"],
        # bad input: exit 2, one line naming the problem
        "missing_file": ["report", "--model", f / "absent.xml"],
        "wrong_format": ["report", "--model", f / "model.txt"],
        "malformed": ["report", "--model", f / "garbage.json"],
        "unknown_cell_line": ["report", "--cell-line", "NO-SUCH-LINE"],
        "unknown_medium": ["report", "--medium", "Martian broth"],
        "unknown_scenario": ["report", "--scenario", "asn_free+teleport"],
        "unknown_reaction": ["fva", "--reactions", "ASNS,NOT_A_REACTION"],
        "conflicting_formats": ["report", "--json", "--csv"],
        "conflicting_rates": ["report", "--cell-line", "HT29", "--measurements", f / "rates.csv"],
        "debug": ["--debug", "report", "--model", f / "absent.xml"],
    }
    from _shared import shared_root

    inca = shared_root() / "c13" / "antoniewicz2006_simple_network" / "incawrapper"
    if inca.exists():  # test_mfa skips (or fails under CI=true) without it
        cases["mfa"] = ["mfa", inca, "--experiment", "exp1", "--starts", "3", "--json"]
    return run_many(cases, cwd=f)


@pytest.fixture(scope="module")
def reference(_core_session):
    """Growth, roles and FVA of the core model on RPMI-1640, straight from cobra."""
    from cobra.flux_analysis import flux_variability_analysis

    from fluxasn.core.roles import find_roles

    model = _core_session.copy()
    roles = find_roles(model)
    ids = {role: roles[role] for role in ("ASNS", "EX_asn", "EX_asp", "EX_gln", "EX_glc", "EX_lac", "EX_o2")}
    roles = {role: roles[role] for role in ("ASNS", "GOT2", "EX_o2")}
    fva = flux_variability_analysis(model, reaction_list=list(ids.values()), fraction_of_optimum=1.0)
    return {"growth": model.slim_optimize(), "ids": ids, "fva": fva, "roles": roles,
            "reactions": [r.id for r in model.reactions], "model": model}


def one_error_line(result, *needles):
    assert result.returncode == EXIT_INPUT, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("fluxasn")
    for needle in needles:
        assert needle.lower() in lines[0].lower(), (needle, lines[0])
    return lines[0]


# --- help --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [None, "report", "fva", "screen", "mfa", "scenarios", "validate", "convert"])
def test_help_has_examples_and_exit_codes(command):
    args = ["--help"] if command is None else [command, "--help"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "Exit codes" in result.output and "2  bad input" in result.output


# --- report --------------------------------------------------------------------------------


def test_report_table(runs, reference):
    result = runs["report"]
    assert result.returncode == EXIT_OK, result.stderr
    out = result.stdout
    assert "fluxasn_core" in out and "RPMI-1640" in out
    growth = float(re.search(r"growth ([0-9.e+-]+) 1/h", out).group(1))
    assert growth == pytest.approx(reference["growth"], rel=1e-3)
    for quantity in ("ASNS flux", "Asn exchange", "Asp exchange", "Gln exchange",
                     "glucose exchange", "lactate exchange", "O2 exchange"):
        assert quantity in out
    for rid in reference["ids"].values():
        assert rid in out
    assert BAR not in result.stderr and ESC not in result.stdout + result.stderr


def test_report_json_html_escher(runs, reference, files):
    result = runs["report_files"]
    assert result.returncode == EXIT_OK, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"model", "medium", "status", "growth_per_h", "doubling_time_h", "fluxes", "provenance"}
    assert data["status"] == "optimal" and data["medium"] == "RPMI-1640"
    assert data["growth_per_h"] == pytest.approx(reference["growth"], rel=1e-9)
    assert data["doubling_time_h"] == pytest.approx(math.log(2) / reference["growth"], rel=1e-9)
    rows = {row["role"]: row for row in data["fluxes"]}
    for role, rid in reference["ids"].items():
        assert rows[role]["reaction"] == rid
        assert rows[role]["minimum"] == pytest.approx(reference["fva"].at[rid, "minimum"], abs=1e-6)
        assert rows[role]["maximum"] == pytest.approx(reference["fva"].at[rid, "maximum"], abs=1e-6)
        assert rows[role]["minimum"] - 1e-6 <= rows[role]["flux"] <= rows[role]["maximum"] + 1e-6

    html = (files / "report.html").read_text()
    for section in ("provenance", "growth", "fva", "readouts", "scenarios", "envelopes"):
        assert f'<section id="{section}"' in html
    assert "scenario heatmap" in html and "asn_free+asns_ko" in html

    escher = json.loads((files / "fluxes.json").read_text())
    assert sorted(escher) == sorted(reference["reactions"])
    biomass = reference["model"].reactions.BIOMASS_fluxasn.id
    assert escher[biomass] == pytest.approx(reference["growth"], rel=1e-9)
    assert "HTML report written" in result.stderr


def test_report_csv_columns(runs, reference):
    result = runs["report_csv"]
    assert result.returncode == EXIT_OK, result.stderr
    from io import StringIO

    frame = pd.read_csv(StringIO(result.stdout))
    assert tuple(frame.columns) == SUMMARY_COLUMNS
    assert frame.loc[frame["quantity"] == "growth", "flux"].item() == pytest.approx(reference["growth"], rel=1e-9)
    assert frame.loc[frame["quantity"] != "growth", "minimum"].isna().all()  # --no-fva


# --- fva ------------------------------------------------------------------------------------------


def test_fva_all_reactions_match_cobra(runs, reference):
    from cobra.flux_analysis import flux_variability_analysis

    result = runs["fva"]
    assert result.returncode == EXIT_OK, result.stderr
    rows = json.loads(result.stdout)
    assert [r["reaction"] for r in rows] == reference["reactions"]
    expected = flux_variability_analysis(reference["model"], fraction_of_optimum=0.9)
    for row in rows:
        assert row["minimum"] == pytest.approx(expected.at[row["reaction"], "minimum"], abs=1e-6)
        assert row["maximum"] == pytest.approx(expected.at[row["reaction"], "maximum"], abs=1e-6)


def test_fva_with_redox_constraints_matches_cobra_with_them(runs, reference):
    """--redox adds the constraints before the analysis: FVA equals cobra's on the model constrained by hand."""
    from cobra.flux_analysis import flux_variability_analysis

    import fluxasn

    result = runs["fva_redox"]
    assert result.returncode == EXIT_OK, result.stderr
    rows = {r["reaction"]: r for r in json.loads(result.stdout)}
    model = reference["model"]
    with model:
        fluxasn.apply_scenario(model, "glucose_uncapped+etc_i")
        assert fluxasn.close_free_vents(model).empty  # the core model has no free vent
        open_ = flux_variability_analysis(model, ["GDHm", "MTHFD2m"], fraction_of_optimum=0.0)
        fluxasn.block_transhydrogenation(model)
        expected = flux_variability_analysis(model, ["GDHm", "MTHFD2m"], fraction_of_optimum=0.0)
    assert (open_["minimum"] < -1.0).all()  # without the constraint both run NADH-consuming
    for rid, row in rows.items():
        assert row["minimum"] == pytest.approx(expected.at[rid, "minimum"], abs=1e-6)
        assert row["maximum"] == pytest.approx(expected.at[rid, "maximum"], abs=1e-6)
        assert row["minimum"] >= -1e-9


def test_unknown_redox_constraint(runs):
    one_error_line(runs["unknown_redox"], "bogus", "vents", "transhydrogenation")


def test_fva_by_role_names(runs, reference):
    from io import StringIO

    result = runs["fva_roles"]
    assert result.returncode == EXIT_OK, result.stderr
    frame = pd.read_csv(StringIO(result.stdout))
    assert list(frame.columns) == ["reaction", "minimum", "maximum"]
    roles = reference["roles"]
    assert list(frame["reaction"]) == [roles["ASNS"], roles["GOT2"], roles["EX_o2"]]


def test_unknown_reaction(runs):
    one_error_line(runs["unknown_reaction"], "NOT_A_REACTION", "--reactions")


def test_report_on_a_model_file_with_a_named_medium(runs, reference):
    result = runs["report_model_file"]
    assert result.returncode == EXIT_OK, result.stderr
    data = json.loads(result.stdout)
    assert data["medium"] == "RPMI-1640" and data["model"] == "fluxasn_core"
    assert data["growth_per_h"] == pytest.approx(reference["growth"], rel=1e-6)
    model_path = result.args[result.args.index("--model") + 1]
    assert data["provenance"]["model_source"].startswith(model_path + " (sha256 ")


# --- scenarios -----------------------------------------------------------------------------


def test_scenarios_json_matches_hand_applied_knockouts(runs, reference):
    result = runs["scenarios"]
    assert result.returncode == EXIT_OK, result.stderr
    rows = {row["scenario"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {"control", "asn_free+asns_ko"}
    assert rows["control"]["growth"] == pytest.approx(reference["growth"], rel=1e-6)
    model = reference["model"]
    with model:  # Asn removed from the medium and ASNS knocked out, by hand
        model.reactions.get_by_id(reference["ids"]["EX_asn"]).lower_bound = 0.0
        model.reactions.get_by_id(reference["ids"]["ASNS"]).knock_out()
        expected = model.slim_optimize()
    assert rows["asn_free+asns_ko"]["growth"] == pytest.approx(expected, abs=1e-9)
    assert rows["asn_free+asns_ko"]["asns_maximum"] == pytest.approx(0.0, abs=1e-9)


# --- screen ---------------------------------------------------------------------------------------


def test_screen_matches_cobra_knockouts(runs, files):
    """Every row of the screen equals cobra's growth with that gene knocked out on that medium."""
    from io import StringIO

    import fluxasn

    result = runs["screen"]
    assert result.returncode == EXIT_OK, result.stderr
    frame = pd.read_csv(StringIO(result.stdout))
    assert len(frame) == 8 and (frame["status"] == "optimal").all()
    for medium, condition in (("RPMI-1640", "rpmi"), ("RPMI-1640 -Asn", "rpmi_no_asn")):
        model = fluxasn.load_model("core", medium=medium)
        for gene in ("ASNS", "GOT1", "GOT2", "PC"):
            with model:
                model.genes.get_by_id(gene).knock_out()
                expected = model.slim_optimize()
            got = frame[(frame["condition"] == condition) & (frame["id1"] == gene)]["growth"].item()
            assert got == pytest.approx(expected, abs=1e-7), (condition, gene)
    lethal = frame[frame["growth"].abs() < 1e-6]
    assert list(zip(lethal["condition"], lethal["id1"])) == [("rpmi_no_asn", "ASNS")]
    assert (files / "asn_screen.screen" / "result.parquet").exists()


# --- mfa ------------------------------------------------------------------------------------------


def test_mfa_matches_library_fit_and_inca(runs):
    """The CLI's multi-start fit equals fit_13c's, and the fluxes INCA's (Antoniewicz 2006, exp1)."""
    from fluxasn.isotope import fit_13c, read_inca_csv

    folder = inca_simple_network()
    result = runs["mfa"]
    assert result.returncode == EXIT_OK, result.stderr
    data = json.loads(result.stdout)
    reference = fit_13c(read_inca_csv(folder, experiments=["exp1"]), n_starts=3, seed=0)
    assert data["ssr"] == pytest.approx(reference.ssr, rel=1e-9)
    assert data["dof"] == reference.dof and data["passed"] == reference.passed
    assert data["starts"] == 3
    assert data["ssr"] == pytest.approx(136.49, abs=0.01)  # INCA's SSR for exp1
    fluxes = {row["id"]: row for row in data["fluxes"]}
    inca = {"R2": 6.084230, "R3": 1.957885, "R4": 1.957885, "R5": 8.042115, "R2.exch": 6.620853}
    for flux_id, value in inca.items():
        assert fluxes[flux_id]["flux"] == pytest.approx(value, rel=1e-4), flux_id
    assert BAR not in result.stderr


def test_cell_line_scenario_same_in_report_and_matrix(runs):
    """HT29's measured rates under Asn depletion + ASNS loss: report and scenario matrix agree."""
    report = runs["report_cell_line"]
    matrix = runs["scenarios_cell_line"]
    assert report.returncode == EXIT_OK, report.stderr
    assert matrix.returncode == EXIT_OK, matrix.stderr
    data = json.loads(report.stdout)
    (row,) = json.loads(matrix.stdout)
    prov = data["provenance"]
    assert prov["cell_line"] == "HT29"
    assert prov["measurements_left_out"].startswith("asn__L, biomass")
    assert row["scenario"] == "asn_free+asns_ko"
    assert row["measurements_relaxed"] == prov["measurements_relaxed"]
    assert row["growth"] == pytest.approx(data["growth_per_h"], abs=1e-9)
    assert data["growth_per_h"] == pytest.approx(0.0, abs=1e-9)  # no asparagine source is left
    rows = {r["role"]: r for r in data["fluxes"]}
    assert rows["EX_asn"]["maximum"] <= 1e-9 and rows["ASNS"]["maximum"] == pytest.approx(0.0, abs=1e-9)


# --- convert, validate ------------------------------------------------------------------------


def test_convert(runs, files, reference):
    result = runs["convert"]
    assert result.returncode == EXIT_OK, result.stderr
    from fluxasn import read_model_file

    back = read_model_file(files / "core_out.json")
    assert [r.id for r in back.reactions] == reference["reactions"]
    assert f"{len(reference['reactions'])} reactions" in result.stdout


def test_validate_clean_and_broken(runs):
    good = runs["validate_good"]
    assert good.returncode == EXIT_OK, good.stderr
    assert good.stdout.splitlines()[0] == "file,line,identifier,severity,message"
    assert ",error," not in good.stdout

    bad = runs["validate_bad"]
    assert bad.returncode == EXIT_PROBLEMS, bad.stderr
    problems = json.loads(bad.stdout)
    errors = [p for p in problems if p["severity"] == "error"]
    sbml = [p for p in errors if p["file"].endswith("broken.xml")]
    assert len(sbml) >= 2  # every problem, not just the first
    text = " ".join(p["message"] for p in sbml)
    assert "missing_" in text and "nowhere" in text
    assert [p["line"] for p in errors if p["file"].endswith("rates.csv")] == [4, 5, 6, 8]
    assert [p["line"] for p in errors if p["file"].endswith("medium.tsv")] == [3, 4, 5, 6]
    assert f"{len(errors)} error(s) found in 3 file(s)" in bad.stderr


# --- bad input ------------------------------------------------------------------------------


def test_missing_file(runs):
    one_error_line(runs["missing_file"], "absent.xml", "not found")


def test_wrong_format(runs):
    one_error_line(runs["wrong_format"], "model.txt", "unknown model format")


def test_malformed_file(runs):
    one_error_line(runs["malformed"], "garbage.json", "malformed")


def test_unknown_cell_line(runs):
    one_error_line(runs["unknown_cell_line"], "NO-SUCH-LINE")


def test_unknown_medium(runs):
    one_error_line(runs["unknown_medium"], "Martian broth")


def test_bad_medium_file(runs):
    one_error_line(runs["bad_medium_file"], "medium.tsv", "line 3", "negative")


def test_unknown_scenario(runs):
    one_error_line(runs["unknown_scenario"], "teleport")


def test_conflicting_options(runs):
    one_error_line(runs["conflicting_formats"], "--json", "--csv")
    one_error_line(runs["conflicting_rates"], "--cell-line", "--measurements")


def test_debug_shows_traceback(runs):
    result = runs["debug"]
    assert result.returncode != EXIT_OK
    assert "Traceback" in result.stderr and "absent.xml" in result.stderr


# --- progress bars: on a terminal, never when piped ----------------------------------------------

def inca_simple_network():
    from _shared import require_shared

    return require_shared("c13", "antoniewicz2006_simple_network", "incawrapper")


#: name -> (arguments (a function: some need reference data), bar label, steps, the piped run of
#: the same command in the ``runs`` fixture): long-running commands and the bar they draw.
PROGRESS_CASES = {
    "scenarios": (lambda: ["scenarios", "--run", "control", "--run", "asn_free+asns_ko",
                           "--readouts", "growth,asns_fva", "--json"], "scenarios", 2, "scenarios"),
    "mfa": (lambda: ["mfa", inca_simple_network(), "--experiment", "exp1", "--starts", "3", "--json"],
            "13C fit", 3, "mfa"),
    "fva": (lambda: ["fva", "--reactions", "GOT1,GOT2,PC,ASNS,EX_o2,EX_glc"], "FVA", 6, "fva_key"),
    # its own output folder: a rerun of the piped run's folder would resume it (nothing to compute)
    "screen": (lambda: ["screen", Path(_SPEC["path"]), "--processes", "1", "--out", Path(_SPEC["tmp"]) / "pty.screen"],
               "screen", 4, "screen"),
}
_SPEC: dict = {}


def bar_drawn(text: str, label: str, steps: int) -> bool:
    """A rich progress bar for ``label`` that reached ``steps/steps``."""
    return bool(re.search(rf"{re.escape(label)}\S*\s+\S*{BAR}+\S*\s+\S*{steps}/{steps}", text))


@pytest.mark.parametrize("name", sorted(PROGRESS_CASES))
def test_progress_bar_on_terminal_only(name, runs, files, tmp_path):
    _SPEC.update(path=files / "asn_screen.toml", tmp=tmp_path)
    make_args, label, steps, piped_key = PROGRESS_CASES[name]
    args = make_args()
    code, terminal = run_in_terminal(args, cwd=tmp_path)
    assert code == EXIT_OK, terminal[-2000:]
    assert bar_drawn(terminal, label, steps), terminal[-2000:]
    piped = runs[piped_key]  # the same command with stdout and stderr piped
    assert args[0] in piped.args  # same command
    assert piped.returncode == EXIT_OK, piped.stderr
    assert not bar_drawn(piped.stderr + piped.stdout, label, steps)
    assert f"{steps}/{steps}" not in piped.stderr and ESC not in piped.stderr + piped.stdout
