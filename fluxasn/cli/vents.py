"""``fluxasn vents``: the electron-vent audit (NADH or NADPH reoxidised without respiration)."""
from __future__ import annotations

import click

from fluxasn.cli.app import CONTEXT, EXIT_CODES_HELP, cli
from fluxasn.cli.options import model_options, output_format, output_options, prepare
from fluxasn.cli.output import emit_frame, frame_records, write_json
from fluxasn.cli.rates import measurement_warnings, print_warnings

__all__ = ["vents"]


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@model_options
@click.option("--cofactor", type=click.Choice(["nadh", "nadph"]), default="nadh", show_default=True,
              help="The reduced cofactor whose reoxidation is audited.")
@click.option("--oxygen", type=click.FloatRange(min=0.0), default=0.0, show_default=True,
              help="Largest O2 uptake allowed during the audit (mmol/gDW/h); 0 audits the routes "
              "without respiration.")
@click.option("--routes/--no-routes", default=True, show_default=True,
              help="List each compartment's parsimonious route (one more LP per compartment; "
              "free vents always get theirs).")
@output_options
def vents(model_source, medium, cell_line, measurements, scenario, capacity, cofactor, oxygen, routes,
          as_json, as_csv):
    """Electron vents: the most NADH each compartment reoxidises without respiration, and through what.

    A free vent (reoxidation at the audit's cap, 1000 mmol/gDW/h) makes
    respiration or complex I loss cost nothing; `--redox vents` on any
    command closes the electron half-reactions that make them. Exit code 3
    when a free vent is found.

    \b
    Examples:
      fluxasn vents                                    # core model, RPMI-1640
      fluxasn vents --model Human-GEM.xml.gz --no-routes
      fluxasn vents --cofactor nadph --json
    """
    import fluxasn
    from fluxasn.cli.app import Problems

    fmt = output_format(as_json, as_csv)
    prepared = prepare(model_source, medium, cell_line, measurements, scenario, capacity=capacity)
    print_warnings(measurement_warnings(prepared, model_source=model_source, medium=medium,
                                        capacity=capacity)[0], err=True)
    audit = fluxasn.electron_vents(prepared.model, cofactor=cofactor, oxygen=oxygen,
                                   routes=routes,
                                   measured=prepared.measured_reactions)
    if fmt == "json":
        write_json({"title": audit._title(), "compartments": frame_records(audit.to_frame()),
                    "routes": frame_records(audit.routes), "free": audit.free,
                    "notes": list(audit._notes())})
    elif fmt == "csv":
        emit_frame(audit.to_frame(), fmt)
    else:
        emit_frame(audit.to_frame(), fmt, title=audit._title())
        if len(audit.routes):
            emit_frame(audit.routes, fmt, title="routes (mmol/gDW/h)")
        for line in audit._notes():
            click.echo(line)
    if audit.free:
        raise Problems(f"free electron vent in compartment(s) {', '.join(audit.free)}")
