"""The ``fluxasn`` command line: flux reports, FVA, screens, 13C-MFA, scenarios, validation, conversion.

Thin by design: each command parses its options, calls the public API and
formats the result (a rich table on a terminal, ``--json`` / ``--csv`` for
scripts). Errors caused by the user's input end the program with exit code 2
and one line naming the problem; ``fluxasn --debug ...`` shows the traceback.
"""
from __future__ import annotations

import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Tuple

import click

from fluxasn.io.models import describe_source
from fluxasn.lp.highs import stdout_to_stderr

__all__ = ["main", "cli", "EXIT_OK", "EXIT_ERROR", "EXIT_INPUT", "EXIT_PROBLEMS"]

#: The command finished and its answer is on standard output.
EXIT_OK = 0
#: Unexpected internal error (a bug: please report it with ``--debug`` output).
EXIT_ERROR = 1
#: Bad input: usage error, missing or malformed file, unknown model, medium,
#: cell line, reaction or role, conflicting options.
EXIT_INPUT = 2
#: The command ran but found problems: ``validate`` found problems in a file,
#: or the model is infeasible under the given constraints.
EXIT_PROBLEMS = 3

EXIT_CODES_HELP = """\b
Exit codes (stable; scripts may rely on them):
  0  success
  1  internal error (a bug; rerun as `fluxasn --debug ...` and report the traceback)
  2  bad input: usage error, missing/malformed file, unknown model, medium,
     cell line, reaction or role, conflicting options (one-line message)
  3  problems found: `validate` found problems, or the model is infeasible
     under the given constraints
"""

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

_DEBUG = {"on": False}


class _Problems(Exception):
    """Raised by a command that ran to the end but found problems (exit 3)."""

    def __init__(self, message: str):
        super().__init__(message)


# --- shared options -----------------------------------------------------------


def _output_options(func):
    func = click.option("--csv", "as_csv", is_flag=True, help="Write CSV to standard output.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Write JSON to standard output.")(func)
    return func


def _output_format(as_json: bool, as_csv: bool) -> str:
    if as_json and as_csv:
        raise click.UsageError("--json and --csv are mutually exclusive; choose one output format")
    return "json" if as_json else "csv" if as_csv else "table"


def _model_options(func):
    func = click.option(
        "--scenario",
        metavar="SPEC",
        help="Scenario applied to the model, tokens joined with '+' (e.g. asn_free+asns_ko; "
        "list them with `fluxasn scenarios --list`). With measured rates, the measured growth "
        "and the rates of the exchanges the scenario changes are left out (they are what it predicts).",
    )(func)
    func = click.option(
        "--measurements",
        type=click.Path(dir_okay=False, path_type=Path),
        help="CSV/TSV of measured exchange rates (columns metabolite, value, sd, unit; "
        "negative = uptake) constraining the model like --cell-line.",
    )(func)
    func = click.option(
        "--cell-line",
        metavar="NAME",
        help="NCI-60 cell line whose measured exchange rates (and growth) constrain the model, "
        "at mean +/- 2 sd, minimally relaxed if infeasible (e.g. HT29; an unknown name lists the bundled lines).",
    )(func)
    func = click.option(
        "--medium",
        metavar="NAME",
        help="Bundled medium to apply, e.g. 'RPMI-1640 -Asn' (default: RPMI-1640 for the core model, "
        "the file's own bounds for a model file), a CSV/TSV table with columns component and "
        "concentration_mM, or 'none' to keep the model's bounds.",
    )(func)
    func = click.option(
        "--model",
        "model_source",
        default="core",
        show_default=True,
        metavar="core|PATH",
        help="The bundled core model, or a model file (SBML, JSON, MAT, YAML; .gz allowed).",
    )(func)
    return func


def _prepare_model(model_source: str, medium: Optional[str], cell_line: Optional[str],
                   measurements: Optional[Path], scenario: Optional[str] = None, sd_width: float = 2.0,
                   *, apply_measurements: bool = True):
    """Load the model, apply the medium, the scenario and the measured rates.

    Returns (model, medium name, provenance, measured rates or None). With
    ``apply_measurements=False`` the rates are read and checked, not applied.
    """
    import fluxasn

    if cell_line is not None and measurements is not None:
        raise click.UsageError(
            "--cell-line and --measurements both set measured rates; give only one"
        )
    if medium is not None and medium.strip().lower() == "none":
        model = fluxasn.load_model(model_source, medium=None)
        medium_name = None
    elif medium is not None and Path(medium).suffix.lower() in {".csv", ".tsv", ".txt"}:
        from fluxasn.core.media import read_medium_file

        table = read_medium_file(medium)  # checked before the model is loaded
        model = fluxasn.load_model(model_source, medium=None)
        fluxasn.apply_medium(model, table)
        medium_name = Path(medium).name
    elif medium is not None:
        model = fluxasn.load_model(model_source, medium=medium)
        medium_name = medium
    else:
        model = fluxasn.load_model(model_source)
        medium_name = "RPMI-1640" if model_source == "core" else None
    provenance: Dict[str, str] = {"model_source": describe_source(model_source)}
    provenance["medium"] = medium_name or "as in the model file"
    data = None
    if cell_line is not None or measurements is not None:
        data, label = _read_rates(cell_line, measurements)
        provenance["measurement_source"] = label
        if cell_line is not None:
            provenance["cell_line"] = ", ".join(data.cell_lines)
    if scenario is not None:
        parsed = fluxasn.parse_scenario(scenario)
        with stdout_to_stderr():  # solver banners must not mix with --json/--csv output
            if data is not None and apply_measurements:
                notes, constrained = fluxasn.apply_scenario_with_rates(model, parsed, data, k=sd_width)
            else:
                notes, constrained = fluxasn.apply_scenario(model, parsed), None
        provenance["scenario"] = f"{scenario}: " + "; ".join(notes) if notes else scenario
        if constrained is not None:
            provenance.update(constrained.provenance(scenario=scenario))
    elif data is not None and apply_measurements:
        with stdout_to_stderr():
            constrained = fluxasn.constrain_with_measurements(model, data, k=sd_width, relax=True)
        provenance.update(constrained.provenance())
    return model, medium_name, provenance, data


def _read_rates(cell_line: Optional[str], measurements: Optional[Path]):
    """The measured rates of a bundled NCI-60 line or of a file, and a label saying which."""
    from fluxasn.core import measurements as meas

    if cell_line is not None:
        data = meas.load_nci60(cell_line)
        return data, f"NCI-60 exchange rates of {', '.join(data.cell_lines)} (bundled)"
    return meas.read_measurements(measurements), describe_source(str(measurements))


# --- output helpers -------------------------------------------------------------


def _stdout_console():
    from rich.console import Console

    width = None if sys.stdout.isatty() else 120
    return Console(width=width, soft_wrap=False, highlight=False)


def _json_default(value: Any):
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return value.item()
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def _clean_json(value: Any):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_json(v) for v in value]
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return _clean_json(value.item())
    except ImportError:  # pragma: no cover
        pass
    return value


def _write_json(data: Any) -> None:
    click.echo(json.dumps(_clean_json(data), indent=1, default=_json_default))


def _frame_records(frame) -> list:
    import pandas as pd

    flat = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
    return flat.to_dict(orient="records")


def _emit_frame(frame, fmt: str, *, title: str = "", caption: str = "") -> None:
    """Write a DataFrame as a rich table, JSON records or CSV."""
    if fmt == "json":
        _write_json(_frame_records(frame))
    elif fmt == "csv":
        import pandas as pd

        flat = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
        click.echo(flat.to_csv(index=False), nl=False)
    else:
        _stdout_console().print(_rich_table(frame, title=title, caption=caption))


def _rich_table(frame, *, title: str = "", caption: str = ""):
    import pandas as pd
    from rich.table import Table

    from fluxasn.views import format_number

    flat = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
    table = Table(title=title or None, caption=caption or None, title_justify="left")
    for column in flat.columns:
        numeric = pd.api.types.is_numeric_dtype(flat[column]) and not pd.api.types.is_bool_dtype(flat[column])
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in flat.itertuples(index=False):
        table.add_row(*("-" if v is None or v is pd.NA else format_number(v) for v in row))
    return table


# --- the command group ------------------------------------------------------------


@click.group(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.option("--debug", is_flag=True, help="Show the full traceback of any error.")
@click.version_option(package_name="fluxasn", prog_name="fluxasn")
def cli(debug: bool) -> None:
    """fluxasn: flux analysis of asparagine, aspartate and nucleotide supply in human cells.

    \b
    Examples:
      fluxasn report                          # core model on RPMI-1640
      fluxasn report --cell-line HT29 --html report.html
      fluxasn fva --reactions key --csv > fva.csv
      fluxasn validate my_model.xml my_medium.tsv

    Fluxes are in mmol/gDW/h (exchanges: negative = uptake), growth in 1/h.
    Run `fluxasn COMMAND --help` for each command's options and examples.
    """
    _DEBUG["on"] = _DEBUG["on"] or debug


# --- report ----------------------------------------------------------------------


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@_model_options
@click.option("--c13", "c13_dir", type=click.Path(path_type=Path),
              help="13C labelling data to fit (INCA CSV folder or FluxML file; adds a 13C fit-quality "
              "section, see `fluxasn mfa`).")
@click.option("--no-fva", is_flag=True, help="Skip the FVA ranges (faster on genome-scale models).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a self-contained HTML report (plots embedded, no network needed).")
@click.option("--escher", "escher_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the optimal fluxes as Escher reaction data ({reaction_id: flux}).")
@_output_options
def report(model_source, medium, cell_line, measurements, scenario, c13_dir, no_fva, html_path,
           escher_path, as_json, as_csv):
    """Flux report: growth, ASNS flux and key exchanges with FVA ranges.

    Optimises growth of the model under the medium (and measured rates, if
    given) and reports growth (1/h), doubling time (h), the ASNS flux and the
    Asn, Asp, Gln, glucose, lactate and O2 exchanges (mmol/gDW/h): the flux of
    the parsimonious (pFBA) distribution, the least total flux at maximum
    growth, and its FVA range at the optimum.

    \b
    Examples:
      fluxasn report
      fluxasn report --cell-line HT29
      fluxasn report --model Human-GEM.xml.gz --medium RPMI-1640 --no-fva
      fluxasn report --html report.html --escher fluxes.json
      fluxasn report --json | jq .growth_per_h
    """
    fmt = _output_format(as_json, as_csv)
    model, medium_name, provenance, rates = _prepare_model(
        model_source, medium, cell_line, measurements, scenario
    )
    c13_result = None
    if c13_dir is not None:
        c13_result = _fit_c13(c13_dir)
        provenance["c13_data"] = (
            f"{c13_dir}: fitted on its own labelling network (not used to constrain the model)"
        )
    if html_path is not None:
        from fluxasn.report import make_report

        scenario_table = _scenario_table_for_report(model_source, medium, scenario, rates)
        result = make_report(
            model, medium=medium_name, fva=not no_fva, c13=c13_result,
            scenarios=scenario_table, provenance=provenance,
        )
        summary = result.summary
        result.write_html(html_path)
    else:
        from fluxasn.report import summarize

        summary = summarize(model, medium=medium_name, fva=not no_fva, provenance=provenance)
    if escher_path is not None and summary.status == "optimal":
        from fluxasn.report import write_escher_json

        write_escher_json(summary.fluxes, escher_path)
    if fmt == "json":
        data = summary.to_dict()
        if c13_result is not None:
            data["c13"] = _c13_json(c13_result)
        _write_json(data)
    elif fmt == "csv":
        click.echo(summary.to_frame().to_csv(index=False), nl=False)
    else:
        _print_summary(summary)
        if c13_result is not None:
            click.echo(str(c13_result))
    if html_path is not None:
        click.echo(f"HTML report written to {html_path}", err=True)
    if escher_path is not None and summary.status == "optimal":
        click.echo(f"Escher flux data written to {escher_path}", err=True)
    if summary.status != "optimal":
        raise _Problems(
            f"the model is {summary.status} under the given medium and measurements; no fluxes to report"
        )


def _print_summary(summary) -> None:
    from rich.table import Table

    from fluxasn.views import format_number

    console = _stdout_console()
    medium = summary.medium or "model bounds"
    console.print(
        f"[bold]{summary.model_id}[/bold] on [bold]{medium}[/bold]: status {summary.status}, "
        f"growth [bold]{format_number(summary.growth)} 1/h[/bold], doubling time "
        + (f"{format_number(summary.doubling_time)} h" if summary.growth > 0 else "- (no growth)")
    )
    table = Table(caption="exchanges: negative = uptake; " + summary.flux_caption,
                  caption_justify="left")
    for name, justify in (("quantity", "left"), ("reaction", "left"), ("flux", "right"),
                          ("minimum", "right"), ("maximum", "right"), ("unit", "left")):
        table.add_column(name, justify=justify)
    for row in summary.table.itertuples():
        table.add_row(row.quantity, row.reaction or "-", format_number(row.flux),
                      format_number(row.minimum), format_number(row.maximum), row.unit)
    console.print(table)
    for key in ("cell_line", "scenario", "measurements", "measurements_left_out", "measurements_relaxed"):
        if key in summary.provenance:
            console.print(f"{key.replace('_', ' ')}: {summary.provenance[key]}", style="dim",
                          soft_wrap=True)


#: Scenario readouts computed for the HTML report (the gene screens are left to `fluxasn scenarios`).
REPORT_SCENARIO_READOUTS = ("growth", "asns_fva", "aspartate_sources", "nucleotides", "shadow_prices")


def _scenario_table_for_report(model_source, medium, scenario, rates):
    """The default scenarios x readouts for the HTML heatmap (measured rates applied per scenario)."""
    model, _, _, _ = _prepare_model(model_source, medium, None, None, None)
    return _run_scenarios(model, None, readouts=REPORT_SCENARIO_READOUTS, rates=rates, also=scenario)


def _run_scenarios(model, runs, *, readouts, rates=None, sd_width: float = 2.0, also: Optional[str] = None,
                   processes: Optional[int] = 1):
    """:func:`fluxasn.run_scenarios` under a progress bar (measured rates applied per scenario)."""
    import fluxasn
    from fluxasn.progress import progress_bar

    with progress_bar("scenarios") as progress, stdout_to_stderr():
        return fluxasn.run_scenarios(model, list(runs) if runs else None, readouts=readouts,
                                     measurements=rates, k=sd_width, also=also, processes=processes,
                                     progress=progress)


def _fit_c13(data_path: Path, *, experiments=(), n_starts: int = 10, seed: int = 0):
    """:func:`fluxasn.isotope.fit_13c` of the data at ``data_path`` under a progress bar."""
    from fluxasn import isotope
    from fluxasn.progress import progress_bar

    problem = isotope.read_c13(data_path, experiments=list(experiments) or None).problem()
    with progress_bar("13C fit", total=n_starts) as progress:
        return isotope.fit_13c(problem, n_starts=n_starts, seed=seed, progress=progress)


def _c13_json(result) -> Any:
    """Fit quality and fluxes of a 13C fit, JSON-ready."""
    return {
        "ssr": result.ssr,
        "dof": result.dof,
        "chi2_range": list(result.chi2_range),
        "passed": result.passed,
        "n_measurements": result.n_measurements,
        "n_parameters": result.n_parameters,
        "starts": len(result.runs),
        "fluxes": _frame_records(result.to_frame()),
    }


# --- fva -----------------------------------------------------------------------------


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@_model_options
@click.option("--reactions", default="key", show_default=True, metavar="key|all|ID,ROLE,...",
              help="Reactions to analyse: the report's key reactions and readouts, all, or a "
              "comma-separated list of reaction ids and role names (ASNS, GOT1, EX_asn, ...).")
@click.option("--fraction-of-optimum", type=click.FloatRange(0.0, 1.0), default=1.0,
              show_default=True, help="Fraction of the optimal growth kept during FVA.")
@_output_options
def fva(model_source, medium, cell_line, measurements, scenario, reactions, fraction_of_optimum,
        as_json, as_csv):
    """Flux variability analysis: minimum and maximum of each flux at the optimum.

    \b
    Examples:
      fluxasn fva                                  # key reactions, core model, RPMI-1640
      fluxasn fva --reactions all --csv > fva.csv
      fluxasn fva --reactions ASNS,GOT1 --fraction-of-optimum 0.9 --json
    """
    fmt = _output_format(as_json, as_csv)
    model, medium_name, _, _ = _prepare_model(model_source, medium, cell_line, measurements, scenario)
    ids = _reaction_selection(model, reactions)
    frame = _fva_with_progress(model, ids, fraction_of_optimum=fraction_of_optimum)
    _emit_frame(frame, fmt, title=f"FVA at {fraction_of_optimum:g} of optimal growth (mmol/gDW/h)")


def _fva_with_progress(model, ids, *, fraction_of_optimum: float):
    """:func:`fluxasn.analysis.fva.fva` under a progress bar.

    If ``fva`` takes a ``progress`` callback it is passed; otherwise the
    reactions go in blocks (each block's minima and maxima are those of the
    whole run: every reaction's FVA problem is independent of the others).
    """
    import inspect

    import pandas as pd

    from fluxasn.analysis.fva import fva
    from fluxasn.progress import progress_bar

    with progress_bar("FVA", total=len(ids)) as progress:
        if "progress" in inspect.signature(fva).parameters:
            frame = fva(model, ids, fraction_of_optimum=fraction_of_optimum, processes=1, progress=progress)
            frame.index.name = "reaction"
            return frame
        size = max(1, -(-len(ids) // 20))
        frames, done = [], 0
        for start in range(0, len(ids), size):
            block = ids[start:start + size]
            frames.append(fva(model, block, fraction_of_optimum=fraction_of_optimum, processes=1))
            done += len(block)
            progress(done, len(ids))
    frame = pd.concat(frames).loc[ids]
    frame.index.name = "reaction"
    return frame


def _reaction_selection(model, spec: str) -> list:
    """Reaction ids from ``key``, ``all`` or a comma-separated list of reaction ids and role names."""
    from fluxasn.exceptions import FluxasnInputError

    text = spec.strip()
    if text.lower() == "all":
        return [r.id for r in model.reactions]
    import fluxasn

    roles = fluxasn.find_roles(model)
    if text.lower() == "key":
        from fluxasn.report.html import READOUTS
        from fluxasn.report.summary import KEY_FLUXES

        tokens = [role for _, role in tuple(KEY_FLUXES) + tuple(READOUTS)]
        missing_ok = True
    else:
        tokens = [t.strip() for t in text.split(",") if t.strip()]
        missing_ok = False
        if not tokens:
            raise FluxasnInputError("no reaction given", identifier="--reactions")
    ids, unknown = [], []
    for token in tokens:
        if token in model.reactions:
            found = (token,)
        elif token in set(roles.table["role"]):
            found = roles.reactions(token)
            if not found and not missing_ok:
                unknown.append(f"{token} (a role this model lacks)")
        else:
            found = ()
            unknown.append(token)
        ids.extend(rid for rid in found if rid not in ids)
    if unknown:
        raise FluxasnInputError(
            f"neither a reaction of model {model.id!r} nor a role: {', '.join(unknown)}",
            identifier="--reactions",
        )
    return ids


# --- screen ---------------------------------------------------------------------------


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: SPEC's name with .screen beside it); a rerun resumes it.")
@click.option("--processes", type=click.IntRange(1, 4096),
              help="Worker processes (default: one per core); 1 runs in this process.")
@click.option("--dask", "scheduler", metavar="ADDRESS",
              help="Run the chunks on a Dask cluster (tcp://host:8786), or 'local' for a LocalCluster.")
@_output_options
def screen(spec, out_dir, processes, scheduler, as_json, as_csv):
    """Run (or resume) the knockout screen described by the SPEC file (TOML or YAML).

    SPEC lists models x conditions (medium, bounds) x knockout sets (genes or
    reactions, singles or pairs); see fluxasn.analysis.screen. Results go to
    Parquet files in the output folder, chunk by chunk, so an interrupted run
    resumes where it stopped. The terminal shows a summary per task (deletions,
    optimal, lethal); --csv/--json write every row (model, condition,
    knockouts, method, kind, id1, id2, growth in 1/h, status).

    \b
    Examples:
      fluxasn screen asns_screen.toml
      fluxasn screen asns_screen.toml --processes 1 --csv > screen.csv
      fluxasn screen big_screen.yaml --dask tcp://scheduler:8786
    """
    fmt = _output_format(as_json, as_csv)
    from fluxasn.analysis.screen import run_screen
    from fluxasn.progress import progress_bar

    options: Dict[str, Any] = {"out": out_dir, "processes": processes}
    if scheduler is not None:
        options["backend"] = "dask"
        options["scheduler"] = None if scheduler == "local" else scheduler
    with progress_bar("screen") as progress:
        result = run_screen(spec, progress=progress, **options)
    if fmt == "table":
        click.echo(str(result))
    else:
        _emit_frame(result.to_frame(), fmt)


# --- mfa -------------------------------------------------------------------------------


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--experiment", "experiments", multiple=True, metavar="ID",
              help="Fit only this experiment of an INCA folder (repeatable; default: all).")
@click.option("--starts", "n_starts", type=click.IntRange(1, 10_000), default=10, show_default=True,
              help="Random feasible starting points (multi-start fit).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random starts.")
@_output_options
def mfa(data, experiments, n_starts, seed, as_json, as_csv):
    """13C metabolic flux analysis: fit the fluxes of DATA's labelling network to its measurements.

    DATA is a folder of INCA CSV files (reactions.csv with atom transitions,
    tracers.csv, ms_measurements.csv, flux_measurements.csv) or a FluxML file.
    Prints the fit quality (SSR, degrees of freedom, chi-square acceptance range)
    and each flux with its 95% interval.

    \b
    Examples:
      fluxasn mfa my_inca_data/
      fluxasn mfa my_inca_data/ --experiment exp1 --starts 20 --json > fit.json
      fluxasn mfa network.fml --csv
    """
    fmt = _output_format(as_json, as_csv)
    result = _fit_c13(data, experiments=experiments, n_starts=n_starts, seed=seed)
    if fmt == "json":
        _write_json(_c13_json(result))
    elif fmt == "csv":
        click.echo(result.to_frame().to_csv(), nl=False)
    else:
        click.echo(str(result))


# --- scenarios --------------------------------------------------------------------------


#: Columns of the `fluxasn scenarios` terminal table (--json/--csv give every column).
SCENARIO_TABLE_COLUMNS = ("scenario", "growth", "status", "asns_minimum", "asns_maximum",
                          "purine_capacity", "pyrimidine_capacity", "n_essential")


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@_model_options
@click.option("--run", "runs", multiple=True, metavar="SPEC",
              help="Scenario to run (repeatable), tokens joined with '+'; default: the standard set.")
@click.option("--readouts", metavar="NAME,NAME,...",
              help="Readouts to compute (default: all; on genome-scale models no gene screens).")
@click.option("--list", "list_only", is_flag=True, help="List the scenario tokens and exit.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the scenario heatmap (PNG, SVG or PDF by suffix).")
@_output_options
def scenarios(model_source, medium, cell_line, measurements, scenario, runs, readouts, list_only,
              plot_path, as_json, as_csv):
    """Asparagine scenarios: Asn depletion, ASNS loss, asparaginase, ETC inhibition, hypoxia ...

    Runs each scenario on the model (medium, measurements and --scenario applied
    first) and reports growth (1/h), the ASNS flux range, aspartate sources,
    nucleotide synthesis capacity (mmol/gDW/h), shadow prices and essential genes.

    \b
    Examples:
      fluxasn scenarios --list
      fluxasn scenarios
      fluxasn scenarios --run asn_free --run asn_free+asns_ko --csv > scenarios.csv
      fluxasn scenarios --cell-line HT29 --plot heatmap.png
    """
    fmt = _output_format(as_json, as_csv)
    import fluxasn

    if list_only:
        _emit_frame(fluxasn.list_scenarios(), fmt, title="scenario tokens (combine with '+')")
        return
    model, _, _, rates = _prepare_model(model_source, medium, cell_line, measurements, None,
                                        apply_measurements=False)
    names = None
    if readouts:
        names = [r.strip() for r in readouts.split(",") if r.strip()]
    matrix = _run_scenarios(model, list(runs) if runs else None, readouts=names, rates=rates,
                            also=scenario)
    frame = matrix.to_frame()
    if fmt == "table":
        shown = frame[[c for c in SCENARIO_TABLE_COLUMNS if c in frame.columns]]
        _emit_frame(shown, fmt, title=f"scenarios on {model.id} (growth 1/h, fluxes mmol/gDW/h)",
                    caption="every readout: --json or --csv")
    else:
        _emit_frame(frame, fmt)
    if plot_path is not None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(10, 0.4 * len(frame) + 3))
        matrix.heatmap(ax=figure.subplots())
        figure.savefig(plot_path, bbox_inches="tight")
        click.echo(f"heatmap written to {plot_path}", err=True)


# --- validate ----------------------------------------------------------------------------

_VALIDATE_KINDS = ("auto", "model", "medium", "measurements", "c13")


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(_VALIDATE_KINDS), default="auto", show_default=True,
              help="What the files are; auto: models by suffix, 13C data folders, tables by header.")
@_output_options
def validate(paths, kind, as_json, as_csv):
    """Lint model, medium, measurement or 13C files, listing every problem found.

    Exits 0 when no file has a problem, 3 when problems were found (each listed
    with file, line or row, identifier and message).

    \b
    Examples:
      fluxasn validate model.xml
      fluxasn validate --kind medium my_medium.tsv
      fluxasn validate model.json rates.csv my_13c_data/ --json
    """
    fmt = _output_format(as_json, as_csv)
    import pandas as pd

    from fluxasn.report.lint import PROBLEM_COLUMNS, validate_file

    frames = [validate_file(path, kind=kind) for path in paths]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PROBLEM_COLUMNS)
    n_errors = int((frame["severity"] == "error").sum()) if len(frame) else 0
    if fmt == "table":
        if len(frame):
            _emit_frame(frame, fmt, title=f"{len(frame)} problem(s) in {len(paths)} file(s)")
        else:
            click.echo(f"no problems found in {len(paths)} file(s)")
    else:
        _emit_frame(frame, fmt)
    if n_errors:
        raise _Problems(f"{n_errors} error(s) found in {len(paths)} file(s)")


# --- convert ------------------------------------------------------------------------------


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite TARGET if it exists.")
def convert(source, target, force):
    """Convert a model between SBML, JSON, MAT and YAML (formats from the file suffixes).

    \b
    Examples:
      fluxasn convert model.xml model.json
      fluxasn convert Human-GEM.json.gz Human-GEM.mat
      fluxasn convert core core.xml              # the bundled core model as SBML
    """
    import fluxasn
    from fluxasn.io.models import check_output_format, write_model_file

    check_output_format(target)
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists; use --force to overwrite it")
    model = fluxasn.load_model(str(source), medium=None)
    write_model_file(model, target)
    click.echo(
        f"wrote {target}: {len(model.reactions)} reactions, {len(model.metabolites)} metabolites, "
        f"{len(model.genes)} genes"
    )


# --- entry point ------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def _input_error_types() -> Tuple[type, ...]:
    from fluxasn.exceptions import FluxasnInputError, ModelLoadError, RoleError

    return (FluxasnInputError, ModelLoadError, RoleError, FileNotFoundError, IsADirectoryError,
            NotADirectoryError, PermissionError)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Console-script entry point: run the CLI and exit with a documented code."""
    from fluxasn.exceptions import InfeasibleError

    args = list(sys.argv[1:] if argv is None else argv)
    _DEBUG["on"] = "--debug" in args[: _first_command_index(args)] or bool(
        os.environ.get("FLUXASN_DEBUG")
    )
    command = _command_name(args)
    prog = f"fluxasn {command}" if command else "fluxasn"
    try:
        code = cli.main(args=args, prog_name="fluxasn", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo(f"{prog}: aborted", err=True)
        sys.exit(130)
    except click.UsageError as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # bare `fluxasn`: show the help
            click.echo(error.format_message())
            sys.exit(EXIT_OK)
        if _DEBUG["on"]:
            raise
        hint = f" (see '{prog} --help')"
        click.echo(f"{prog}: error: {_one_line(error.format_message())}{hint}", err=True)
        sys.exit(EXIT_INPUT)
    except click.ClickException as error:
        if _DEBUG["on"]:
            raise
        click.echo(f"{prog}: error: {_one_line(error.format_message())}", err=True)
        sys.exit(EXIT_INPUT if error.exit_code == 2 else EXIT_ERROR)
    except _Problems as problems:
        click.echo(f"{prog}: {_one_line(str(problems))}", err=True)
        sys.exit(EXIT_PROBLEMS)
    except InfeasibleError as error:
        if _DEBUG["on"]:
            raise
        click.echo(f"{prog}: {_one_line(error)}", err=True)
        sys.exit(EXIT_PROBLEMS)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as error:  # noqa: BLE001 - the one place every error is mapped
        if _DEBUG["on"]:
            raise
        if isinstance(error, _input_error_types()):
            click.echo(f"{prog}: error: {_one_line(_describe_error(error))}", err=True)
            sys.exit(EXIT_INPUT)
        from fluxasn.exceptions import FluxasnError

        if isinstance(error, FluxasnError):
            click.echo(f"{prog}: error: {_one_line(error)}", err=True)
        else:
            click.echo(
                f"{prog}: internal error: {type(error).__name__}: {_one_line(error)} "
                "(rerun with 'fluxasn --debug' for the traceback)",
                err=True,
            )
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def _describe_error(error: BaseException) -> str:
    if isinstance(error, OSError) and error.filename is not None and not str(error).startswith(str(error.filename)):
        return f"{error.filename}: {error.strerror or error}"
    if isinstance(error, KeyError) and len(error.args) == 1:  # RoleError is a LookupError
        return str(error.args[0])
    return str(error)


def _first_command_index(args: Sequence[str]) -> int:
    for i, arg in enumerate(args):
        if not arg.startswith("-"):
            return i
    return len(args)


def _command_name(args: Sequence[str]) -> Optional[str]:
    i = _first_command_index(args)
    if i < len(args) and args[i] in cli.commands:
        return args[i]
    return None


if __name__ == "__main__":  # pragma: no cover
    main()
