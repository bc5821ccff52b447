"""``fluxasn validate``: lint model, medium, measurement or 13C files, listing every problem."""
from __future__ import annotations

from pathlib import Path

import click

from fluxasn.cli.app import CONTEXT, EXIT_CODES_HELP, Problems, cli
from fluxasn.cli.options import output_format, output_options
from fluxasn.cli.output import emit_frame

__all__ = ["validate"]


_VALIDATE_KINDS = ("auto", "model", "medium", "measurements", "c13")


@cli.command(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(_VALIDATE_KINDS), default="auto", show_default=True,
              help="What the files are; auto: models by suffix, 13C data folders, tables by header.")
@output_options
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
    fmt = output_format(as_json, as_csv)
    import pandas as pd

    from fluxasn.report.lint import PROBLEM_COLUMNS, validate_file

    frames = [validate_file(path, kind=kind) for path in paths]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PROBLEM_COLUMNS)
    n_errors = int((frame["severity"] == "error").sum()) if len(frame) else 0
    if fmt == "table":
        if len(frame):
            emit_frame(frame, fmt, title=f"{len(frame)} problem(s) in {len(paths)} file(s)")
        else:
            click.echo(f"no problems found in {len(paths)} file(s)")
    else:
        emit_frame(frame, fmt)
    if n_errors:
        raise Problems(f"{n_errors} error(s) found in {len(paths)} file(s)")
