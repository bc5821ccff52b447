"""``fluxasn mfa``: 13C metabolic flux analysis of labelling data."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from fluxasn.cli.app import CONTEXT, EXIT_CODES_HELP, cli
from fluxasn.cli.options import output_format, output_options
from fluxasn.cli.output import frame_records, write_json

__all__ = ["mfa", "fit_c13", "c13_json"]


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--experiment", "experiments", multiple=True, metavar="ID",
              help="Fit only this experiment of an INCA folder (repeatable; default: all).")
@click.option("--starts", "n_starts", type=click.IntRange(1, 10_000), default=10, show_default=True,
              help="Random feasible starting points (multi-start fit).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random starts.")
@output_options
def mfa(data, experiments, n_starts, seed, as_json, as_csv):
    """13C metabolic flux analysis: fit the fluxes of DATA's labelling network to its measurements.

    DATA is a folder of INCA CSV files (reactions.csv with atom transitions,
    tracers.csv, ms_measurements.csv, flux_measurements.csv), a FluxML file, or
    the name of a bundled example: simple-network (the INCA tutorial network of
    Antoniewicz 2006; data/c13/simple_network/README.md).
    Prints the fit quality (SSR, degrees of freedom, chi-square acceptance range)
    and each flux with its 95% interval.

    \b
    Examples:
      fluxasn mfa simple-network --experiment exp1
      fluxasn mfa my_inca_data/
      fluxasn mfa my_inca_data/ --experiment exp1 --starts 20 --json > fit.json
      fluxasn mfa network.fml --csv
    """
    fmt = output_format(as_json, as_csv)
    result = fit_c13(data, experiments=experiments, n_starts=n_starts, seed=seed)
    if fmt == "json":
        write_json(c13_json(result))
    elif fmt == "csv":
        click.echo(result.to_frame().to_csv(), nl=False)
    else:
        click.echo(str(result))


def fit_c13(data_path: Path, *, experiments=(), n_starts: int = 10, seed: int = 0):
    """:func:`fluxasn.isotope.fit_13c` of the data at ``data_path`` under a progress bar."""
    from fluxasn import isotope
    from fluxasn.progress import progress_bar

    problem = isotope.read_c13(data_path, experiments=list(experiments) or None).problem()
    with progress_bar("13C fit", total=n_starts) as progress:
        return isotope.fit_13c(problem, n_starts=n_starts, seed=seed, progress=progress)


def c13_json(result) -> Any:
    """Fit quality and fluxes of a 13C fit, JSON-ready."""
    return {
        "ssr": result.ssr,
        "dof": result.dof,
        "chi2_range": list(result.chi2_range),
        "passed": result.passed,
        "n_measurements": result.n_measurements,
        "n_parameters": result.n_parameters,
        "starts": len(result.runs),
        "fluxes": frame_records(result.to_frame()),
    }
