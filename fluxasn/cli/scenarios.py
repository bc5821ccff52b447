"""``fluxasn scenarios``: the asparagine scenario matrix."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from fluxasn.cli.app import CONTEXT, EXIT_CODES_HELP, cli
from fluxasn.cli.options import model_options, output_format, output_options, prepare
from fluxasn.cli.output import emit_frame

__all__ = ["scenarios", "run_scenarios", "SCENARIO_TABLE_COLUMNS"]


#: Columns of the `fluxasn scenarios` terminal table (--json/--csv give every column).
SCENARIO_TABLE_COLUMNS = ("scenario", "growth", "status", "asns_minimum", "asns_maximum",
                          "purine_capacity", "pyrimidine_capacity", "n_essential", "growth_limits")


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@model_options
@click.option("--run", "runs", multiple=True, metavar="SPEC",
              help="Scenario to run (repeatable), tokens joined with '+'; default: the standard set.")
@click.option("--readouts", metavar="NAME,NAME,...",
              help="Readouts to compute (default: all; on genome-scale models no gene screens).")
@click.option("--list", "list_only", is_flag=True, help="List the scenario tokens and exit.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the scenario heatmap (PNG, SVG or PDF by suffix).")
@click.option("--processes", type=click.IntRange(1, 4096), default=1, show_default=True,
              help="Worker processes the scenarios are spread over (results do not depend on it).")
@output_options
def scenarios(model_source, medium, cell_line, measurements, scenario, capacity, runs, readouts, list_only,
              plot_path, processes, as_json, as_csv):
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
    fmt = output_format(as_json, as_csv)
    import fluxasn

    if list_only:
        emit_frame(fluxasn.list_scenarios(), fmt, title="scenario tokens (combine with '+')")
        return
    prepared = prepare(model_source, medium, cell_line, measurements, None, apply_measurements=False,
                       capacity=capacity)
    model, rates = prepared.model, prepared.measurements
    names = None
    if readouts:
        names = [r.strip() for r in readouts.split(",") if r.strip()]
    matrix = run_scenarios(model, list(runs) if runs else None, readouts=names, rates=rates,
                           also=scenario, processes=processes)
    frame = matrix.to_frame()
    if fmt == "table":
        shown = frame[[c for c in SCENARIO_TABLE_COLUMNS if c in frame.columns]]
        emit_frame(shown, fmt, title=f"scenarios on {model.id} (growth 1/h, fluxes mmol/gDW/h)",
                   caption="every readout: --json or --csv")
    else:
        emit_frame(frame, fmt)
    if plot_path is not None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(10, 0.4 * len(frame) + 3))
        matrix.heatmap(ax=figure.subplots())
        figure.savefig(plot_path, bbox_inches="tight")
        click.echo(f"heatmap written to {plot_path}", err=True)


def run_scenarios(model, runs, *, readouts, rates=None, sd_width: float = 2.0, also: Optional[str] = None,
                  processes: Optional[int] = 1):
    """:func:`fluxasn.run_scenarios` under a progress bar (measured rates applied per scenario)."""
    import fluxasn
    from fluxasn.lp.highs import stdout_to_stderr
    from fluxasn.progress import progress_bar

    with progress_bar("scenarios") as progress, stdout_to_stderr():
        return fluxasn.run_scenarios(model, list(runs) if runs else None, readouts=readouts,
                                     measurements=rates, k=sd_width, also=also, processes=processes,
                                     progress=progress)
