"""``fluxasn screen``: a knockout / condition screen described by a TOML or YAML spec."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import click

from fluxasn.cli.app import CONTEXT, EXIT_CODES_HELP, cli
from fluxasn.cli.options import output_format, output_options
from fluxasn.cli.output import emit_frame

__all__ = ["screen"]


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: SPEC's name with .screen beside it); a rerun resumes it.")
@click.option("--processes", type=click.IntRange(1, 4096),
              help="Worker processes (default: one per core); 1 runs in this process.")
@click.option("--dask", "scheduler", metavar="ADDRESS",
              help="Run the chunks on a Dask cluster (tcp://host:8786), or 'local' for a LocalCluster.")
@output_options
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
    fmt = output_format(as_json, as_csv)
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
        emit_frame(result.to_frame(), fmt)
