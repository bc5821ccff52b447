"""``fluxasn convert``: convert a model between SBML, JSON, MAT and YAML."""
from __future__ import annotations

from pathlib import Path

import click

from fluxasn.cli.app import CONTEXT, EXIT_CODES_HELP, cli

__all__ = ["convert"]


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
