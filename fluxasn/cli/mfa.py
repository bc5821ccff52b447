"""``fluxasn mfa``: 13C metabolic flux analysis of labelling data."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import click

from fluxasn.cli.app import CONTEXT, EXIT_CODES_HELP, cli
from fluxasn.cli.options import output_format, output_options
from fluxasn.cli.output import emit_frame, frame_records, write_json

__all__ = ["mfa", "fit_c13", "c13_json", "inst_json", "fit_time_course_folder"]


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--experiment", "experiments", multiple=True, metavar="ID",
              help="Fit only this experiment of an INCA folder, or this FluxML configuration (repeatable; default: all).")
@click.option("--starts", "n_starts", type=click.IntRange(1, 10_000), default=None,
              help="Random feasible starting points (multi-start fit) [default: 10 + 2 x free fluxes; "
                   "time courses: 10].")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random starts.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Time courses: also write an HTML page with measured and fitted MIDs over time per fragment.")
@output_options
def mfa(data, experiments, n_starts, seed, html_path, as_json, as_csv):
    """13C metabolic flux analysis: fit the fluxes of DATA's labelling network to its measurements.

    DATA is a folder of INCA CSV files (reactions.csv with atom transitions,
    tracers.csv, ms_measurements.csv, flux_measurements.csv), a FluxML file, or
    the name of a bundled example: simple-network (the INCA tutorial network of
    Antoniewicz 2006; data/c13/simple_network/README.md) or core-time-course
    (a synthetic [U-13C]glucose time course on the core model's reactions;
    data/c13/core_time_course/README.md).
    Prints the fit quality (SSR, degrees of freedom, chi-square acceptance range)
    and each flux with its 95% interval. A non-stationary FluxML configuration
    (stationary="false") is fitted as a time course (INST-MFA): fluxes and pool
    sizes jointly, each with its 95% interval; shown with times in h (from the
    file's <timeunit> s, min, h or d; fluxes then per h), pool sizes in the
    file's unit; so is a
    time-course folder (INCA-style CSV with a time column in h and
    pool_sizes.csv; fluxes in mmol/gDW/h), started from the stationary fit of
    its last time point (--starts random starts). --html writes the MID-versus-
    time plots of a time-course fit.

    \b
    Examples:
      fluxasn mfa simple-network --experiment exp1
      fluxasn mfa my_inca_data/
      fluxasn mfa my_inca_data/ --experiment exp1 --starts 20 --json > fit.json
      fluxasn mfa network.fml --csv
      fluxasn mfa EC.fml --experiment a_INST
      fluxasn mfa core-time-course --html fit.html
    """
    fmt = output_format(as_json, as_csv)
    from fluxasn import isotope
    from fluxasn.isotope.inst import is_time_course_folder, read_time_course_folder
    from fluxasn.isotope.inst.view import TimeCourseFit

    path = Path(data)
    if str(data) in isotope.C13_EXAMPLES and not path.exists():
        path = isotope.c13_example_path(str(data))
    if is_time_course_folder(path):
        folder = read_time_course_folder(path, experiments=list(experiments) or None)
        _emit_time_course(fit_time_course_folder(folder, n_starts=n_starts or 10, seed=seed, name=path.name), fmt,
                          html_path)
        return
    source = isotope.read_c13(data, experiments=list(experiments) or None)
    if any(not c.stationary for c in getattr(source, "configurations", ())):
        from fluxasn.isotope.inst.fluxml import HOURS_PER_TIME_UNIT

        # fitted in the file's units; shown in h (fluxes per h) when the file names its time unit
        factor = HOURS_PER_TIME_UNIT.get(isotope.fluxml_units(source)["time"])
        problem = isotope.inst_problem_from_fluxml(source)
        units = isotope.fluxml_units(source, hours=factor is not None)
        result = isotope.fit_inst(problem, n_starts=n_starts or 10, seed=seed)
        _emit_time_course(TimeCourseFit(problem, result, units, name=source.network.name or "network",
                                        time_factor=factor or 1.0), fmt, html_path)
        return
    if html_path is not None:
        raise click.UsageError("--html draws time courses; this data is isotopically stationary")
    result = fit_c13(source, experiments=experiments, n_starts=n_starts, seed=seed)
    if fmt == "json":
        write_json(c13_json(result))
    elif fmt == "csv":
        click.echo(result.to_frame().to_csv(), nl=False)
    else:
        click.echo(str(result))


def fit_c13(data_path, *, experiments=(), n_starts: Optional[int] = None, seed: int = 0):
    """:func:`fluxasn.isotope.fit_13c` of the data at ``data_path`` (or read already) under a progress bar
    (``n_starts`` None: fit_13c's default, sized to the network)."""
    from fluxasn import isotope
    from fluxasn.isotope.fit import default_starts
    from fluxasn.progress import progress_bar

    if isinstance(data_path, (str, Path)):
        data_path = isotope.read_c13(data_path, experiments=list(experiments) or None)
    problem = data_path.problem()
    n_starts = default_starts(problem) if n_starts is None else n_starts
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
        # starts that ended within chi2.ppf(0.95, 1) of the best SSR, and their fraction
        **({"starts_within": result.search["within"], "fraction_within": result.search["fraction"]}
           if result.search else {}),
        "fluxes": frame_records(result.to_frame()),
    }


def fit_time_course_folder(folder, *, n_starts: int = 10, seed: int = 0, name: str = "") -> Any:
    """Fit a time-course folder from the stationary fit of its last time point; returns a ``TimeCourseFit``."""
    from fluxasn.isotope.inst import fit_inst, stationary_start
    from fluxasn.isotope.inst.view import TimeCourseFit
    from fluxasn.progress import progress_bar

    problem = folder.problem()
    with progress_bar("INST-MFA fit", total=2) as progress:
        start = stationary_start(problem, n_starts=n_starts, seed=seed)
        progress(1, 2)
        result = fit_inst(problem, n_starts=1, start=start, seed=seed)
        progress(2, 2)
    return TimeCourseFit(problem, result, folder.units, name=name)


def _emit_time_course(view, fmt: str, html_path) -> None:
    frame = view.to_frame()
    if fmt == "json":
        write_json(inst_json(view.result, view.units, frame))
    else:
        emit_frame(frame, fmt, title=view._title(), caption=view._notes()[0])
    if html_path is not None:
        view.write_html(html_path)
        click.echo(f"HTML written to {html_path}", err=True)


def inst_json(result, units, frame) -> Any:
    """Fit quality, fluxes and pool sizes of an INST fit, JSON-ready."""
    out = {
        "ssr": result.ssr,
        "dof": result.dof,
        "chi2_range": list(result.chi2_range),
        "passed": result.chi2_ok,
        "starts": len(result.starts),
        "time_unit": units["time"],
        "flux_unit": units["flux"],
        "pool_unit": units.get("pool", "file unit"),
        "fluxes": frame_records(frame[frame["kind"].isin(["net", "exchange"])]),
        "pools": frame_records(frame[frame["kind"] == "pool"]),
        "dilution": frame_records(frame[frame["kind"] == "G-value"]),
    }
    if "file_time" in units:
        out["file_time_unit"] = units["file_time"]
    return out
