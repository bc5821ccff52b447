"""Labelled substrates: mixtures of positional isotopomers with purity.

Conventions (explicit, each tested):

* A tracer is one positional isotopomer of a source metabolite, present as a
  mole ``fraction`` of that metabolite; the fractions of one metabolite may sum
  to at most 1 and the remainder is the unlabelled species.
* ``purity`` is the 13C probability at each labelled position (a scalar, or one
  value per labelled position, as INCA's ``atom_mdv`` [0.05, 0.95] -> 0.95).
* Unlabelled positions are pure 12C (``natural_13c=0``: Antoniewicz 2007,
  jQMM, 13CFLUX2, mfapy) or carry natural 13C (``natural_13c=0.0107``:
  FreeFlux). Positions are independent, so an EMU's MID is the convolution of
  per-atom Bernoulli distributions, summed over the species of the mixture.
  The default (0) is the convention of natural-abundance corrected data
  (:mod:`fluxasn.isotope.natural_abundance`, ``tracer_na=True``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from fluxasn.exceptions import FluxasnInputError

__all__ = ["NATURAL_13C", "Tracer", "parse_tracer", "source_mids", "check_tracers"]

#: Natural 13C abundance (IUPAC, 1.07 %).
NATURAL_13C = 0.0107


@dataclass(frozen=True)
class Tracer:
    """One labelled positional isotopomer of a source metabolite.

    Parameters
    ----------
    metabolite
        Source metabolite id (as in the atom transitions).
    positions
        1-based labelled atom positions.
    fraction
        Mole fraction of this isotopomer in the metabolite's pool (0..1).
    purity
        13C probability of the labelled positions: scalar or one per position.
    """

    metabolite: str
    positions: Tuple[int, ...]
    fraction: float = 1.0
    purity: Union[float, Tuple[float, ...]] = 1.0


def parse_tracer(text: str, *, fraction: float = 1.0, purity=1.0, carbons: Optional[int] = None) -> Tracer:
    """Read ``"[1,2-13C]Glc"`` or ``"[U-13C]Gln"`` (U needs ``carbons``)."""
    m = re.match(r"^\s*\[([0-9,\s]+|U)-13C\d*\]\s*(.+?)\s*$", text)
    if not m:
        raise FluxasnInputError(
            f"cannot read tracer {text!r}; expected e.g. '[1,2-13C]Glc' or '[U-13C]Gln'",
            identifier=text,
        )
    if m.group(1) == "U":
        if carbons is None:
            raise FluxasnInputError(f"uniform tracer {text!r} needs the carbon count", identifier=text)
        pos = tuple(range(1, carbons + 1))
    else:
        pos = tuple(int(p) for p in m.group(1).split(",") if p.strip())
    return Tracer(m.group(2), pos, float(fraction), purity)


def check_tracers(tracers: Sequence[Tracer], carbons: Mapping[str, int], *, source=None) -> None:
    """Validate fractions (0..1, sum <= 1 per metabolite), purity (0..1) and positions."""
    total: Dict[str, float] = {}
    for t in tracers:
        if t.metabolite not in carbons:
            raise FluxasnInputError(
                f"tracer metabolite {t.metabolite!r} is not in the network", source=source,
                identifier=t.metabolite,
            )
        if not (0.0 <= t.fraction <= 1.0) or not np.isfinite(t.fraction):
            raise FluxasnInputError(
                f"tracer fraction {t.fraction} must lie in [0, 1]", source=source,
                identifier=t.metabolite,
            )
        pur = np.atleast_1d(np.asarray(t.purity, dtype=float))
        if pur.size not in (1, len(t.positions)) or np.any((pur < 0) | (pur > 1)):
            raise FluxasnInputError(
                f"tracer purity {t.purity!r} must be one value or one per labelled position, each in [0, 1]",
                source=source, identifier=t.metabolite,
            )
        n = carbons[t.metabolite]
        if any(p < 1 or p > n for p in t.positions) or len(set(t.positions)) != len(t.positions):
            raise FluxasnInputError(
                f"tracer positions {t.positions} must be distinct and within 1..{n}",
                source=source, identifier=t.metabolite,
            )
        total[t.metabolite] = total.get(t.metabolite, 0.0) + t.fraction
    for met, s in total.items():
        if s > 1.0 + 1e-9:
            raise FluxasnInputError(
                f"tracer fractions of {met} sum to {s:.6g}, above 1", source=source, identifier=met
            )


def _atom_mid(probs: Sequence[float]) -> np.ndarray:
    mid = np.array([1.0])
    for p in probs:
        mid = np.convolve(mid, [1.0 - p, p])
    return mid


def source_mids(
    emus: Iterable[Tuple[str, Tuple[int, ...]]],
    tracers: Sequence[Tracer],
    *,
    carbons: Mapping[str, int],
    natural_13c: float = 0.0,
) -> Dict[Tuple[str, Tuple[int, ...]], np.ndarray]:
    """MIDs of input EMUs for a tracer mixture.

    Parameters
    ----------
    emus
        Input EMUs ``(metabolite, 0-based positions)``.
    tracers
        The labelled species; metabolites without a tracer are unlabelled.
    carbons
        Traced atoms per metabolite.
    natural_13c
        13C probability of unlabelled positions (0 = pure 12C convention,
        :data:`NATURAL_13C` = natural-abundance convention).

    Returns
    -------
    dict
        EMU -> MID (length size+1, sums to 1).
    """
    check_tracers(tracers, carbons)
    species: Dict[str, List[Tuple[float, np.ndarray]]] = {}
    for t in tracers:
        n = carbons[t.metabolite]
        probs = np.full(n, natural_13c, dtype=float)
        pur = np.broadcast_to(np.asarray(t.purity, dtype=float), (len(t.positions),))
        for p, q in zip(t.positions, pur):
            probs[p - 1] = q
        species.setdefault(t.metabolite, []).append((t.fraction, probs))
    out = {}
    for met, pos in emus:
        mix = list(species.get(met, []))
        rest = 1.0 - sum(f for f, _ in mix)
        if rest > 1e-15:
            mix.append((rest, np.full(carbons[met], natural_13c)))
        mid = np.zeros(len(pos) + 1)
        for f, probs in mix:
            mid += f * _atom_mid(probs[list(pos)])
        out[(met, pos)] = mid
    return out
