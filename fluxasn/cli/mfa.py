"""``fluxasn mfa``: 13C metabolic flux analysis of labelling data."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from fluxasn.cli.app import CONTEXT, EXIT_CODES_HELP, cli
from fluxasn.cli.options import output_format, output_options
from fluxasn.cli.output import emit_frame, frame_records, write_json

__all__ = ["mfa", "fit_c13", "c13_json", "inst_frame", "inst_json"]


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--experiment", "experiments", multiple=True, metavar="ID",
              help="Fit only this experiment of an INCA folder, or this FluxML configuration (repeatable; default: all).")
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
    and each flux with its 95% interval. A non-stationary FluxML configuration
    (stationary="false") is fitted as a time course (INST-MFA): fluxes and pool
    sizes jointly, each with its 95% interval, in the file's units.

    \b
    Examples:
      fluxasn mfa simple-network --experiment exp1
      fluxasn mfa my_inca_data/
      fluxasn mfa my_inca_data/ --experiment exp1 --starts 20 --json > fit.json
      fluxasn mfa network.fml --csv
      fluxasn mfa EC.fml --experiment a_INST
    """
    fmt = output_format(as_json, as_csv)
    from fluxasn import isotope

    source = isotope.read_c13(data, experiments=list(experiments) or None)
    if any(not c.stationary for c in getattr(source, "configurations", ())):
        result, units = fit_time_course(source, n_starts=n_starts, seed=seed)
        frame = inst_frame(result, units)
        if fmt == "json":
            write_json(inst_json(result, units, frame))
        else:
            lo, hi = result.chi2_range
            title = (f"INST-MFA fit of {source.network.name or 'network'}: SSR {result.ssr:.4g} (dof {result.dof}, "
                     f"{result.confidence:.0%} range [{lo:.4g}, {hi:.4g}]: "
                     f"{'accepted' if result.chi2_ok else 'rejected'}); {len(result.starts)} starts")
            emit_frame(frame, fmt, title=title, caption=f"time unit: {units['time']}; fluxes in {units['flux']}, "
                       f"pool sizes in the file's unit; intervals linearized ({result.confidence:.0%})")
        return
    result = fit_c13(source, experiments=experiments, n_starts=n_starts, seed=seed)
    if fmt == "json":
        write_json(c13_json(result))
    elif fmt == "csv":
        click.echo(result.to_frame().to_csv(), nl=False)
    else:
        click.echo(str(result))


def fit_c13(data_path, *, experiments=(), n_starts: int = 10, seed: int = 0):
    """:func:`fluxasn.isotope.fit_13c` of the data at ``data_path`` (or read already) under a progress bar."""
    from fluxasn import isotope
    from fluxasn.progress import progress_bar

    if isinstance(data_path, (str, Path)):
        data_path = isotope.read_c13(data_path, experiments=list(experiments) or None)
    problem = data_path.problem()
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


def fit_time_course(source, *, n_starts: int = 10, seed: int = 0):
    """:func:`fluxasn.isotope.fit_inst` of non-stationary FluxML configurations; returns (result, units)."""
    from fluxasn import isotope

    units = isotope.fluxml_units(source)
    problem = isotope.inst_problem_from_fluxml(source)
    return isotope.fit_inst(problem, n_starts=n_starts, seed=seed), units


def inst_frame(result, units) -> Any:
    """Fluxes, pool sizes and G-values of an INST fit: index id; columns kind, value, lower, upper, unit."""
    import pandas as pd

    rows = []
    for kind, table, unit in (("flux", result.fluxes, units["flux"]), ("pool", result.pools, "file unit"),
                              ("G-value", result.dilution, "fraction")):
        for name, (value, lower, upper) in table.items():
            if kind == "flux":
                kind_of = "exchange" if name.endswith(".exch") else "net"
            else:
                kind_of = kind
            rows.append({"id": name, "kind": kind_of, "value": value, "lower": lower, "upper": upper, "unit": unit})
    return pd.DataFrame(rows).set_index("id")


def inst_json(result, units, frame) -> Any:
    """Fit quality, fluxes and pool sizes of an INST fit, JSON-ready."""
    return {
        "ssr": result.ssr,
        "dof": result.dof,
        "chi2_range": list(result.chi2_range),
        "passed": result.chi2_ok,
        "starts": len(result.starts),
        "time_unit": units["time"],
        "flux_unit": units["flux"],
        "fluxes": frame_records(frame[frame["kind"].isin(["net", "exchange"])]),
        "pools": frame_records(frame[frame["kind"] == "pool"]),
        "dilution": frame_records(frame[frame["kind"] == "G-value"]),
    }
