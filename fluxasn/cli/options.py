"""Options shared by the commands, and the model preparation they share (through the public API)."""
from __future__ import annotations

import contextvars
import functools
from pathlib import Path
from typing import Optional, Sequence

import click

from fluxasn.cli.rates import cell_options, conversion_note, read_cli_measurements

__all__ = ["output_options", "output_format", "model_options", "prepare"]


def output_options(func):
    func = click.option("--csv", "as_csv", is_flag=True, help="Write CSV to standard output.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Write JSON to standard output.")(func)
    return func


def output_format(as_json: bool, as_csv: bool) -> str:
    if as_json and as_csv:
        raise click.UsageError("--json and --csv are mutually exclusive; choose one output format")
    return "json" if as_json else "csv" if as_csv else "table"


def _bundled_sera() -> str:
    """Names of the bundled sera, read from data/media/serum.tsv without pandas (help text at import)."""
    try:
        from fluxasn.core.paths import bundled_data_path

        lines = bundled_data_path("media", "serum.tsv").read_text().splitlines()[1:]
        names = list(dict.fromkeys(line.split("\t")[0] for line in lines if line.strip()))
    except OSError:  # pragma: no cover - an install without the data
        names = ["FBS"]
    return ", ".join(names + ["d" + n for n in names])


def _medium_settings(func):
    """Run the command inside :func:`fluxasn.medium_options` built from --serum, --exchange, --keep-sinks."""

    @functools.wraps(func)
    def wrapper(*args, serum: Optional[str] = None, exchange: Sequence[str] = (),
                keep_sinks: Sequence[str] = (), **kwargs):
        if not (serum or exchange or keep_sinks):
            return func(*args, **kwargs)
        medium = kwargs.get("medium")
        if medium is not None and medium.strip().lower() == "none":
            raise click.UsageError("--serum, --exchange and --keep-sinks act on the medium; "
                                   "they cannot be used with --medium none")
        from fluxasn import list_sera, medium_options
        from fluxasn.core.media import DEFAULT_SERUM_FRACTION
        from fluxasn.core.medium_rules import parse_exchange_bound, parse_serum

        sera = list(dict.fromkeys(list_sera()["serum"]))
        parsed = None if serum is None else parse_serum(serum, sera=sera, default_fraction=DEFAULT_SERUM_FRACTION)
        bounds = dict(parse_exchange_bound(text) for text in exchange)
        with medium_options(serum=parsed, keep_sinks=keep_sinks, bounds=bounds):
            return func(*args, **kwargs)

    return wrapper


#: The --redox constraints of the running command, read by :func:`prepare`.
_REDOX: contextvars.ContextVar = contextvars.ContextVar("fluxasn_cli_redox", default=())


def _redox_settings(func):
    """Hand --redox to :func:`prepare` (every command prepares its model there)."""

    @functools.wraps(func)
    def wrapper(*args, redox: Optional[str] = None, **kwargs):
        token = _REDOX.set(tuple(n.strip() for n in (redox or "").split(",") if n.strip()))
        try:
            return func(*args, **kwargs)
        finally:
            _REDOX.reset(token)

    return wrapper


def model_options(func):
    func = _medium_settings(func)
    func = _redox_settings(func)
    func = click.option(
        "--redox",
        metavar="NAME,NAME,...",
        help="Redox constraints added after the medium and the pool: vents (close the electron "
        "half-reactions of free NADH vents, see fluxasn.close_free_vents), directions (thermodynamic "
        "directions of NAD(P)-linked steps at control-cell cofactor ratios), transhydrogenation (no "
        "energy-free NADH -> NADPH through NAD/NADP isozyme pairs).",
    )(func)
    func = click.option(
        "--keep-sinks",
        "keep_sinks",
        multiple=True,
        metavar="ID",
        help="Sink reaction to leave open when the medium closes the sinks (repeatable). Sinks the "
        "biomass needs are kept open anyway, with a warning naming them.",
    )(func)
    func = click.option(
        "--exchange",
        "exchange",
        multiple=True,
        metavar="ID=LB[,UB]",
        help="Set one exchange's bounds in mmol/gDW/h after the medium (repeatable; negative = uptake; "
        "without UB the medium's upper bound stays), e.g. --exchange EX_o2_e=-2.",
    )(func)
    func = click.option(
        "--serum",
        metavar="none|NAME[-PCT%]",
        help=f"Serum added to the medium: none, or one of {_bundled_sera()} (dFBS: dialysed), "
        "optionally with a volume percentage, e.g. FBS-5% (default: FBS-10%).",
    )(func)
    func = click.option(
        "--capacity",
        metavar="default|G",
        help="Add the enzyme-capacity row (a protein pool every reaction's enzyme draws on, GECKO/sMOMENT "
        "style): 'default' for the bundled pool (protein content x enzyme fraction, "
        "data/enzymes/pool_parameters.tsv) or the pool in g enzyme/gDW.",
    )(func)
    func = click.option(
        "--scenario",
        metavar="SPEC",
        help="Scenario applied to the model, tokens joined with '+' (e.g. asn_free+asns_ko; "
        "list them with `fluxasn scenarios --list`). With measured rates, the measured growth "
        "and the rates of the exchanges the scenario changes are left out (they are what it predicts).",
    )(func)
    func = cell_options(func)  # --dry-mass-pg, --cell-volume-pl
    func = click.option(
        "--measurements",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE|NAME",
        help="CSV/TSV of measured exchange rates constraining the model like --cell-line: columns "
        "metabolite, value, sd, unit (mmol/gDW/h, fmol/cell/h, nmol/10^6 cells/h; growth 'biomass' in 1/h); "
        "optional cell_line, condition (default 'unspecified'). Negative = uptake, positive = secretion. "
        "Or a bundled table by cell line, e.g. PC-3 (fmol/cell/h: give --dry-mass-pg or --cell-volume-pl).",
    )(func)
    func = click.option(
        "--cell-line",
        metavar="NAME",
        help="NCI-60 cell line whose measured exchange rates (and growth) constrain the model, "
        "at mean +/- 2 sd, minimally relaxed if infeasible (e.g. HT29; an unknown name lists the bundled lines).",
    )(func)
    func = click.option(
        "--medium",
        metavar="NAME",
        help="Bundled medium to apply, e.g. 'RPMI-1640 -Asn' (default: RPMI-1640 with 10% FBS, for "
        "the core model and model files alike), a CSV/TSV table with columns component and "
        "concentration_mM, or 'none' to keep the model file's own exchange bounds (a warning names "
        "unbounded organic uptakes).",
    )(func)
    func = click.option(
        "--model",
        "model_source",
        default="core",
        show_default=True,
        metavar="core|PATH",
        help="The bundled core model, or a model file (SBML, JSON, MAT, YAML; .gz allowed).",
    )(func)
    return func


def prepare(model_source: str, medium: Optional[str], cell_line: Optional[str],
            measurements: Optional[Path], scenario: Optional[str] = None, sd_width: float = 2.0,
            *, apply_measurements: bool = True, capacity: Optional[str] = None):
    """:func:`fluxasn.prepare_model` with the command line's options (solver banners sent to stderr)."""
    import fluxasn
    from fluxasn.lp.highs import stdout_to_stderr

    if cell_line is not None and measurements is not None:
        raise click.UsageError("--cell-line and --measurements both set measured rates; give only one")
    data = read_cli_measurements(measurements)  # with --dry-mass-pg / --cell-volume-pl; a bundled name
    with stdout_to_stderr():  # solver banners must not mix with --json/--csv output
        prepared = fluxasn.prepare_model(model_source, medium=medium, cell_line=cell_line,
                                         measurements=data, scenario=scenario, k=sd_width,
                                         apply_measurements=apply_measurements, capacity=capacity,
                                         redox=_REDOX.get())
    note = conversion_note(data) if data is not None else None
    if note:
        prepared.provenance["measurement_units"] = note
    return prepared
