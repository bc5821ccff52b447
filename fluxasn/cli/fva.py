"""``fluxasn fva``: flux variability of the key reactions, all reactions or a list."""
from __future__ import annotations


import click

from fluxasn.cli.app import CONTEXT, EXIT_CODES_HELP, cli
from fluxasn.cli.options import model_options, output_format, output_options, prepare
from fluxasn.cli.output import emit_frame
from fluxasn.cli.rates import measurement_warnings, print_warnings
from fluxasn.progress import progress_bar

__all__ = ["fva"]


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@model_options
@click.option("--reactions", default="key", show_default=True, metavar="key|all|ID,ROLE,...",
              help="Reactions to analyse: the report's key reactions and readouts, all, or a "
              "comma-separated list of reaction ids and role names (ASNS, GOT1, EX_asn, ...).")
@click.option("--fraction-of-optimum", type=click.FloatRange(0.0, 1.0), default=1.0,
              show_default=True, help="Fraction of the optimal growth kept during FVA.")
@output_options
def fva(model_source, medium, cell_line, measurements, scenario, capacity, reactions, fraction_of_optimum,
        as_json, as_csv):
    """Flux variability analysis: minimum and maximum of each flux at the optimum.

    \b
    Examples:
      fluxasn fva                                  # key reactions, core model, RPMI-1640
      fluxasn fva --reactions all --csv > fva.csv
      fluxasn fva --reactions ASNS,GOT1 --fraction-of-optimum 0.9 --json
    """
    import fluxasn

    fmt = output_format(as_json, as_csv)
    prepared = prepare(model_source, medium, cell_line, measurements, scenario, capacity=capacity)
    model = prepared.model
    print_warnings(measurement_warnings(prepared, model_source=model_source, medium=medium,
                                        capacity=capacity)[0], err=True)
    ids = _reaction_selection(model, reactions)
    with progress_bar("FVA", total=len(ids)) as progress:
        frame = fluxasn.fva(model, ids, fraction_of_optimum=fraction_of_optimum, processes=1,
                            progress=progress)
    frame.index.name = "reaction"
    emit_frame(frame, fmt, title=f"FVA at {fraction_of_optimum:g} of optimal growth (mmol/gDW/h)")


def _reaction_selection(model, spec: str) -> list:
    """Reaction ids from ``key``, ``all`` or a comma-separated list of reaction ids and role names."""
    import fluxasn
    from fluxasn.report import KEY_FLUXES, READOUTS

    text = spec.strip()
    if text.lower() == "all":
        return [r.id for r in model.reactions]
    if text.lower() == "key":
        names = [role for _, role in tuple(KEY_FLUXES) + tuple(READOUTS)]
        return fluxasn.select_reactions(model, names, missing_ok=True, what="--reactions")
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise click.UsageError("--reactions names no reaction")
    return fluxasn.select_reactions(model, names, what="--reactions")
