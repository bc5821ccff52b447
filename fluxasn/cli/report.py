"""``fluxasn report``: growth, ASNS flux and key exchanges with FVA ranges; HTML and Escher."""
from __future__ import annotations

from pathlib import Path

import click

from fluxasn.cli.app import CONTEXT, EXIT_CODES_HELP, Problems, cli
from fluxasn.cli.options import model_options, output_format, output_options, prepare
from fluxasn.cli.mfa import c13_json, fit_c13
from fluxasn.cli.output import frame_records, stdout_console, write_json
from fluxasn.cli.rates import measurement_warnings, print_warnings
from fluxasn.cli.scenarios import run_scenarios

__all__ = ["report"]


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@model_options
@click.option("--c13", "c13_dir", type=click.Path(path_type=Path),
              help="13C labelling data to fit (INCA CSV folder or FluxML file; adds a 13C fit-quality "
              "section, see `fluxasn mfa`).")
@click.option("--no-fva", is_flag=True, help="Skip the FVA ranges (faster on genome-scale models).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a self-contained HTML report (plots embedded, no network needed).")
@click.option("--escher", "escher_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the optimal fluxes as Escher reaction data ({reaction_id: flux}).")
@output_options
def report(model_source, medium, cell_line, measurements, scenario, capacity, c13_dir, no_fva, html_path,
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
      fluxasn report --measurements rates.csv               # metabolite,value,sd,unit
      fluxasn report --measurements PC-3 --dry-mass-pg 500  # bundled, fmol/cell/h
      fluxasn report --model Human-GEM.xml.gz --medium RPMI-1640 --no-fva
      fluxasn report --html report.html --escher fluxes.json
      fluxasn report --json | jq .growth_per_h
    """
    fmt = output_format(as_json, as_csv)
    prepared = prepare(model_source, medium, cell_line, measurements, scenario, capacity=capacity)
    model, medium_name, provenance, rates = (prepared.model, prepared.medium, prepared.provenance,
                                             prepared.measurements)
    rate_warnings, signs, relaxed = measurement_warnings(prepared, model_source=model_source, medium=medium,
                                                         capacity=capacity)
    c13_result = None
    if c13_dir is not None:
        c13_result = fit_c13(c13_dir)
        provenance["c13_data"] = (
            f"{c13_dir}: fitted on its own labelling network (not used to constrain the model)"
        )
    if html_path is not None:
        from fluxasn.report import make_report

        scenario_table = _scenario_table_for_report(model_source, medium, scenario, rates, capacity)
        result = make_report(
            model, medium=medium_name, fva=not no_fva, c13=c13_result,
            scenarios=scenario_table, provenance=provenance, measured=prepared.measured_reactions,
        )
        summary = result.summary
        result.write_html(html_path)
    else:
        from fluxasn.report import summarize

        summary = summarize(model, medium=medium_name, fva=not no_fva, provenance=provenance,
                            measured=prepared.measured_reactions)
    if escher_path is not None and summary.status == "optimal":
        from fluxasn.report import write_escher_json

        write_escher_json(summary.fluxes, escher_path)
    if fmt != "table":  # the table view prints them in place; keep stdout machine-readable
        for warning in summary.warnings:
            click.echo(f"warning: {warning}", err=True)
        print_warnings(rate_warnings, err=True)
    if fmt == "json":
        data = summary.to_dict()
        data["measured_bounds"] = [{"reaction": r, "lower": model.reactions.get_by_id(r).lower_bound,
                                    "upper": model.reactions.get_by_id(r).upper_bound}
                                   for r in prepared.measured_reactions]
        data["relaxed_measurements"] = frame_records(relaxed)
        data["sign_warnings"] = frame_records(signs)
        if c13_result is not None:
            data["c13"] = c13_json(c13_result)
        write_json(data)
    elif fmt == "csv":
        click.echo(summary.to_frame().to_csv(index=False), nl=False)
    else:
        _print_summary(summary)
        print_warnings(rate_warnings, err=False)
        if c13_result is not None:
            click.echo(str(c13_result))
    if html_path is not None:
        click.echo(f"HTML report written to {html_path}", err=True)
    if escher_path is not None and summary.status == "optimal":
        click.echo(f"Escher flux data written to {escher_path}", err=True)
    if summary.status != "optimal":
        raise Problems(
            f"the model is {summary.status} under the given medium and measurements; no fluxes to report"
        )


def _print_summary(summary) -> None:
    from rich.table import Table

    from fluxasn.views import format_number

    console = stdout_console()
    medium = summary.medium or "model bounds"
    console.print(
        f"[bold]{summary.model_id}[/bold] on [bold]{medium}[/bold]: status {summary.status}, "
        f"growth [bold]{format_number(summary.growth)} 1/h[/bold], doubling time "
        + (f"{format_number(summary.doubling_time)} h" if summary.growth > 0 else "- (no growth)")
    )
    console.print(summary.growth_line, soft_wrap=True)
    for warning in summary.warnings:
        console.print(f"WARNING: {warning}", style="bold yellow", soft_wrap=True, markup=False)
    table = Table(caption="exchanges: negative = uptake; " + summary.flux_caption,
                  caption_justify="left")
    for name, justify in (("quantity", "left"), ("reaction", "left"), ("flux", "right"),
                          ("minimum", "right"), ("maximum", "right"), ("unit", "left")):
        table.add_column(name, justify=justify, overflow="fold")  # ids wrap, never cut
    for row in summary.table.itertuples():
        table.add_row(row.quantity, row.reaction or "-", format_number(row.flux),
                      format_number(row.minimum), format_number(row.maximum), row.unit)
    console.print(table)
    if summary.limits_line:
        console.print(summary.limits_line, soft_wrap=True)
    for key in ("electron_vents", "enzyme_capacity", "redox", "cell_line", "measurement_units", "scenario", "measurements", "measurements_left_out",
                "measurements_relaxed"):
        if key in summary.provenance:
            console.print(f"{key.replace('_', ' ')}: {summary.provenance[key]}", style="dim",
                          soft_wrap=True)


#: Scenario readouts computed for the HTML report (the gene screens are left to `fluxasn scenarios`).
REPORT_SCENARIO_READOUTS = ("growth", "asns_fva", "aspartate_sources", "nucleotides", "shadow_prices")


def _scenario_table_for_report(model_source, medium, scenario, rates, capacity=None):
    """The default scenarios x readouts for the HTML heatmap (measured rates applied per scenario)."""
    model = prepare(model_source, medium, None, None, None, capacity=capacity).model
    return run_scenarios(model, None, readouts=REPORT_SCENARIO_READOUTS, rates=rates, also=scenario)
