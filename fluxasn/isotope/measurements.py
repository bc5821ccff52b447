"""Measured MIDs, measured fluxes and labelling experiments (validated on creation)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.emu import EMU, emu_name
from fluxasn.isotope.tracers import Tracer

__all__ = ["MIDMeasurement", "FluxMeasurement", "Experiment", "MID_SUM_TOLERANCE"]

#: Default tolerance on sum(MID) - 1 for fragments without a fitted scale factor.
MID_SUM_TOLERANCE = 0.02


@dataclass
class MIDMeasurement:
    """A measured mass isotopomer distribution of one fragment.

    Parameters
    ----------
    id
        Fragment id (e.g. ``"GC_Asp_418"``).
    emu
        The EMU the fragment carries (metabolite, 0-based positions).
    mid
        Measured fractions M+0, M+1, ... (length at most ``size + 1`` unless a
        ``correction`` matrix maps the EMU MID to more masses).
    sd
        Standard deviation per mass (absolute), > 0.
    scale
        Fit one scale factor for this fragment (INCA: measured = norm * simulated);
        then the MID need not sum to 1.
    correction
        Optional matrix (len(mid) x size+1) applied to the simulated EMU MID,
        e.g. natural isotopes of the derivatisation agent
        (:func:`fluxasn.isotope.natural_abundance.correction_matrix`).
    """

    id: str
    emu: EMU
    mid: np.ndarray
    sd: np.ndarray
    scale: bool = False
    correction: Optional[np.ndarray] = None
    source: Optional[str] = None
    line: Optional[int] = None
    tolerance: float = MID_SUM_TOLERANCE

    def __post_init__(self) -> None:
        self.mid = np.asarray(self.mid, dtype=float)
        self.sd = np.broadcast_to(np.asarray(self.sd, dtype=float), self.mid.shape).copy()
        kw = dict(source=self.source, line=self.line, identifier=self.id)
        if self.mid.ndim != 1 or self.mid.size == 0 or not np.all(np.isfinite(self.mid)):
            raise FluxasnInputError("MID must be a non-empty vector of finite numbers", **kw)
        if np.any(self.sd <= 0) or not np.all(np.isfinite(self.sd)):
            raise FluxasnInputError(
                f"standard deviations must be positive and finite, got {self.sd.tolist()}", **kw
            )
        if np.any(self.mid < -0.05):
            raise FluxasnInputError(f"MID has a negative fraction: {self.mid.tolist()}", **kw)
        n = len(self.emu[1]) + 1
        rows = n if self.correction is None else np.asarray(self.correction).shape[0]
        if self.correction is not None:
            self.correction = np.asarray(self.correction, dtype=float)
            if self.correction.shape[1] != n:
                raise FluxasnInputError(
                    f"correction matrix has {self.correction.shape[1]} columns, expected {n} "
                    f"for EMU {emu_name(self.emu)}", **kw)
        if self.mid.size > rows:
            raise FluxasnInputError(
                f"MID has {self.mid.size} masses but EMU {emu_name(self.emu)} gives at most {rows}",
                **kw,
            )
        if not self.scale and abs(self.mid.sum() - 1.0) > self.tolerance:
            raise FluxasnInputError(
                f"MID sums to {self.mid.sum():.6g}, expected 1 within {self.tolerance} "
                "(or fit a scale factor with scale=True)",
                **kw,
            )


@dataclass
class FluxMeasurement:
    """A measured flux (net reaction id, gross id or ``R.exch``) with its sd."""

    id: str
    value: float
    sd: float
    source: Optional[str] = None
    line: Optional[int] = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.sd) and self.sd > 0):
            raise FluxasnInputError(
                f"flux standard deviation must be positive, got {self.sd}",
                source=self.source, line=self.line, identifier=self.id,
            )
        if not np.isfinite(self.value):
            raise FluxasnInputError("flux value must be finite", source=self.source,
                                    line=self.line, identifier=self.id)


@dataclass
class Experiment:
    """One labelling experiment: its tracers and measured fragments.

    ``natural_13c`` is the 13C probability of unlabelled source positions
    (0: pure 12C convention; :data:`fluxasn.isotope.tracers.NATURAL_13C`:
    natural-abundance convention).

    The default 0 is the convention of the natural-abundance corrections'
    defaults (:mod:`fluxasn.isotope.natural_abundance`, ``tracer_na=True``):
    MIDs corrected with them, or matrices from
    :func:`~fluxasn.isotope.natural_abundance.correction_matrix` carried in
    the fit, need no further setting (tracer purity then goes to the
    correction, tracers stay pure). Data corrected with ``tracer_na=False``
    (IsoCor's default) pair with ``natural_13c=NATURAL_13C`` instead.
    """

    name: str
    tracers: Sequence[Tracer]
    mids: List[MIDMeasurement] = field(default_factory=list)
    natural_13c: float = 0.0

    def n_values(self) -> int:
        return int(sum(m.mid.size for m in self.mids))
