"""Loaders for the published 13C-MFA data sets used as references (``shared/c13``).

Each returns an :class:`~fluxasn.isotope.formats.MFAInput` set up exactly as
the original tool's example script does (tracers and conventions live in
those scripts, not in the data files, so they are stated here).
"""
from __future__ import annotations

import warnings
from pathlib import Path

from fluxasn.isotope.formats import MFAInput, read_freeflux, read_inca_csv, read_mfapy
from fluxasn.isotope.tracers import NATURAL_13C, Tracer

__all__ = ["mcf7_araki2018", "simple_network_inca", "tca_toy_freeflux", "TCA_TOY_TRACERS"]

#: Antoniewicz 2007 toy tracer: AcCoA 25 % [2-13C] + 25 % [1,2-13C] (rest unlabelled).
TCA_TOY_TRACERS = (Tracer("AcCoA", (2,), 0.25), Tracer("AcCoA", (1, 2), 0.25))


def mcf7_araki2018(folder, *, mdv_sd: float = 0.015) -> MFAInput:
    """mfapy Example_3 (MCF-7, Araki et al. 2018): both parallel-labelling experiments.

    ``ex1``: [1-13C]glucose, ``ex2``: [U-13C]glutamine, each 100 % pure with
    natural 13C in unlabelled positions (mfapy ``correction="yes"``: checked
    against mfapy's stored simulated MIDs), every MDV sd 0.015 absolute (the
    example script's ``set_std``). Status rows naming reactions the model
    lacks are ignored with a warning, as mfapy does.
    """
    folder = Path(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return read_mfapy(
            folder / "Example_3_MCF7_model.txt",
            folder / "Example_3_MCF7_status.csv",
            {
                "ex1": (folder / "Example_3_MCF7_mdv_1_13C_Glc.txt", [Tracer("SubsGlc", (1,), 1.0)], NATURAL_13C),
                "ex2": (folder / "Example_3_MCF7_mdv_U_13C_Gln.txt", [Tracer("SubsGln", (1, 2, 3, 4, 5), 1.0)],
                        NATURAL_13C),
            },
            mdv_sd=mdv_sd,
        )


def simple_network_inca(folder, *, experiments=("exp1",)) -> MFAInput:
    """Antoniewicz 2006 simple network as in incawrapper's quick start (exp1 by default)."""
    return read_inca_csv(folder, experiments=list(experiments) if experiments else None)


def tca_toy_freeflux(folder) -> MFAInput:
    """Antoniewicz 2007 TCA toy in FreeFlux's files and natural-abundance convention."""
    return read_freeflux(folder, tracers=list(TCA_TOY_TRACERS), symmetric=["Suc", "Fum"])
