"""Readers for published 13C-MFA model formats.

* INCA-style csv as written by incawrapper (``reactions.csv``, ``tracers.csv``,
  ``ms_measurements.csv``, ``flux_measurements.csv``): :func:`read_inca_csv`.
* mfapy text model + status csv + MDV files: :func:`read_mfapy`.
* FreeFlux tsv (``reactions.tsv``, ``measured_MDVs.tsv``,
  ``measured_fluxes.tsv``): :func:`read_freeflux`.
* FluxML (13CFLUX2 and 13CFLUX v3) network, atom transitions, configurations and
  measurements: :func:`read_fluxml`.
* influx_si FTBL (stationary): :func:`read_ftbl`.

Every reader returns an :class:`~fluxasn.isotope.problem.MFAInput`; every malformed row raises
:class:`~fluxasn.exceptions.FluxasnInputError` naming file and line.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.formats.fluxml import read_fluxml
from fluxasn.isotope.formats.fluxml_types import FluxMLConfiguration, FluxMLInput, fluxml_gross_fluxes
from fluxasn.isotope.formats.ftbl import FTBLInput, read_ftbl
from fluxasn.isotope.formats.freeflux import read_freeflux
from fluxasn.isotope.formats.inca import read_inca_csv
from fluxasn.isotope.formats.mfapy import mfapy_transition, read_mfapy
from fluxasn.isotope.network import network_from_cobra, traced_carbons
from fluxasn.isotope.problem import MFAInput

__all__ = ["C13_EXAMPLES", "MFAInput", "c13_example_path", "read_c13", "read_inca_csv", "read_mfapy", "read_freeflux", "read_fluxml",
           "read_ftbl", "FluxMLInput", "FluxMLConfiguration", "FTBLInput", "fluxml_gross_fluxes",
           "mfapy_transition", "network_from_cobra", "traced_carbons"]


#: Bundled 13C examples (name -> folder below the bundled data; provenance in each folder's README.md).
C13_EXAMPLES = {"simple-network": ("c13", "simple_network"), "core-time-course": ("c13", "core_time_course")}


def c13_example_path(name: str) -> Path:
    """The folder of a bundled 13C example (:data:`C13_EXAMPLES`), e.g. ``"simple-network"``.

    Raises
    ------
    FluxasnInputError
        ``name`` is not a bundled example.
    """
    from fluxasn.core.paths import bundled_data_path

    if name not in C13_EXAMPLES:
        raise FluxasnInputError(f"not a bundled 13C example; expected one of {', '.join(C13_EXAMPLES)}",
                                identifier=str(name))
    return bundled_data_path(*C13_EXAMPLES[name])


def read_c13(path, *, experiments: Optional[Sequence[str]] = None) -> MFAInput:
    """13C data from a folder of INCA CSV files, a FluxML file or an FTBL file, chosen by what ``path`` is.

    Parameters
    ----------
    path
        A folder (``reactions.csv``, ``tracers.csv``, ``ms_measurements.csv``,
        ``flux_measurements.csv``: :func:`read_inca_csv`), a FluxML file
        (``.fml``, ``.fluxml``, ``.xml``: :func:`read_fluxml`), an influx_si
        FTBL file (``.ftbl``: :func:`read_ftbl`), or the name of a bundled
        example (:data:`C13_EXAMPLES`: ``"simple-network"``) when no such file
        or folder exists.
    experiments
        INCA experiments, or FluxML configurations, to read (default all INCA
        experiments; for FluxML, required when the file has several
        configurations); refused for FTBL files.

    Raises
    ------
    FluxasnInputError
        A missing path, another kind of file, or ``experiments`` with an FTBL file.
    """
    if str(path) in C13_EXAMPLES and not Path(path).exists():
        path = c13_example_path(str(path))
    path = Path(path)
    if not path.exists():
        raise FluxasnInputError("file or folder not found (nor a bundled example: "
                                + ", ".join(C13_EXAMPLES) + ")", source=path)
    if path.is_dir():
        return read_inca_csv(path, experiments=list(experiments) if experiments else None)
    if path.suffix.lower() in {".fml", ".fluxml", ".xml"}:
        return read_fluxml(path, configuration=list(experiments) if experiments else None)
    if path.suffix.lower() == ".ftbl":
        if experiments:
            raise FluxasnInputError("an FTBL file holds one experiment; experiments= does not apply",
                                    source=path, identifier="experiments")
        return read_ftbl(path)
    raise FluxasnInputError(
        "expected a folder of INCA CSV files (reactions.csv, tracers.csv, ms_measurements.csv, "
        "flux_measurements.csv), a FluxML file (.fml) or an influx_si FTBL file (.ftbl)", source=path,
    )
