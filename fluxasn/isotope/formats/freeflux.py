"""FreeFlux TSV (reactions.tsv, measured_MDVs.tsv, measured_fluxes.tsv)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence


from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.emu import parse_emu
from fluxasn.isotope.measurements import Experiment, FluxMeasurement, MIDMeasurement
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.tracers import Tracer
from fluxasn.isotope.formats.common import _check_flux
from fluxasn.isotope.problem import MFAInput

__all__ = ['read_freeflux']


def read_freeflux(folder, *, tracers: Sequence[Tracer], natural_13c: float = 0.0107,
                  symmetric: Sequence[str] = ()) -> MFAInput:
    """Read a FreeFlux model folder (steady state).

    FreeFlux keeps the tracer in its scripts, so ``tracers`` is given here;
    FreeFlux's own convention is natural 13C in unlabelled positions
    (``natural_13c=0.0107``). Symmetric species are written
    ``Suc(abcd,dcba)`` in FreeFlux files. Fragment ids ``Glu_12345`` name
    the EMU.
    """
    folder = Path(folder)
    net = LabelingNetwork(folder.name, symmetric=symmetric)
    path = folder / "reactions.tsv"
    with open(path, encoding="utf-8") as fh:
        for line, raw in enumerate(fh, start=1):
            if not raw.strip() or raw.startswith("#"):
                continue
            cols = raw.rstrip("\n").split("\t")
            if len(cols) < 4:
                raise FluxasnInputError("expected 4 tab-separated columns (id, reactants, products, reversibility)",
                                        source=path, line=line)
            rid, left, right, rev = cols[:4]
            net.add_reaction(rid, f"{left} -> {right}", reversible=rev.strip() == "1", source=path, line=line)
    exp = Experiment("exp1", list(tracers), natural_13c=natural_13c)
    path = folder / "measured_MDVs.tsv"
    with open(path, encoding="utf-8") as fh:
        for line, raw in enumerate(fh, start=1):
            if not raw.strip() or raw.startswith("#"):
                continue
            fid, mean, sd = raw.rstrip("\n").split("\t")[:3]
            emu = parse_emu(fid, carbons=net.carbons)
            exp.mids.append(MIDMeasurement(fid, emu, [float(x) for x in mean.split(",")],
                                           [float(x) for x in sd.split(",")], source=str(path), line=line))
    fluxes = []
    path = folder / "measured_fluxes.tsv"
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            for line, raw in enumerate(fh, start=1):
                if not raw.strip() or raw.startswith("#"):
                    continue
                rid, mean, sd = raw.rstrip("\n").split("\t")[:3]
                _check_flux(net, rid, source=path, line=line)
                fluxes.append(FluxMeasurement(rid, float(mean), float(sd), source=str(path), line=line))
    return MFAInput(net, [exp], fluxes)
