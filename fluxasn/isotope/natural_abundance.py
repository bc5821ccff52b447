"""Natural isotopes of derivatised MS fragments: distributions and correction matrices.

A GC-MS fragment contains the metabolite's traced carbons plus atoms that are
not traced (H, N, O, Si, S, untraced and derivative carbons). Their natural
heavy isotopes shift the measured MID. Two ways to handle it:

* carry it in the simulation: ``measured = C @ emu_mid`` with
  :func:`correction_matrix` (pass it as ``MIDMeasurement(correction=...)``);
* correct the data: :func:`correct_mid` solves ``C x = measured`` for the
  carbon-skeleton MID (non-negative least squares, renormalised).

Derivative formulas: :func:`derivative_formula` adds TBDMS groups (each
replaces one H by Si(CH3)2C(CH3)3, +C6H14Si; the common [M-57]+ fragment loses
C4H9) or MOX-TMS (each methoxime +CH3N on a carbonyl, each TMS +C3H8Si).
Nominal-mass isotope shifts are used (13C, 2H, 15N, 17O = +1; 18O, 30Si, 34S =
+2; 29Si, 33S = +1; 36S = +4).
"""
from __future__ import annotations

import re
from typing import Dict, Mapping, Optional

import numpy as np
from scipy.optimize import nnls

from fluxasn.exceptions import FluxasnInputError

__all__ = ["ISOTOPES", "parse_formula", "format_formula", "isotope_distribution", "correction_matrix",
           "correct_mid", "derivative_formula"]

#: Natural isotope abundances by nominal mass shift (IUPAC 2013 representative values).
ISOTOPES: Dict[str, Dict[int, float]] = {
    "C": {0: 0.9893, 1: 0.0107},
    "H": {0: 0.999885, 1: 0.000115},
    "N": {0: 0.99636, 1: 0.00364},
    "O": {0: 0.99757, 1: 0.00038, 2: 0.00205},
    "Si": {0: 0.92223, 1: 0.04685, 2: 0.03092},
    "S": {0: 0.9499, 1: 0.0075, 2: 0.0425, 4: 0.0001},
    "P": {0: 1.0},
}


def parse_formula(formula: str) -> Dict[str, int]:
    """``"C5H10N2O3"`` -> ``{"C": 5, "H": 10, "N": 2, "O": 3}``."""
    if not isinstance(formula, str) or not re.fullmatch(r"(?:[A-Z][a-z]?\d*)+", formula.strip()):
        raise FluxasnInputError(f"cannot read formula {formula!r}; expected e.g. 'C5H10N2O3'",
                                identifier=str(formula))
    out: Dict[str, int] = {}
    for el, n in re.findall(r"([A-Z][a-z]?)(\d*)", formula.strip()):
        if el not in ISOTOPES:
            raise FluxasnInputError(f"element {el!r} has no isotope table (known: {sorted(ISOTOPES)})",
                                    identifier=formula)
        out[el] = out.get(el, 0) + (int(n) if n else 1)
    return out


def format_formula(counts: Mapping[str, int]) -> str:
    order = ["C", "H"] + sorted(k for k in counts if k not in ("C", "H"))
    return "".join(f"{el}{counts[el] if counts[el] != 1 else ''}" for el in order if counts.get(el, 0) > 0)


def isotope_distribution(formula, n_masses: int = 8) -> np.ndarray:
    """Natural mass distribution (M+0, M+1, ...) of ``formula``, truncated to ``n_masses``."""
    counts = parse_formula(formula) if isinstance(formula, str) else dict(formula)
    dist = np.zeros(n_masses)
    dist[0] = 1.0
    for el, n in counts.items():
        if n < 0:
            raise FluxasnInputError(f"negative count of {el} in formula", identifier=str(formula))
        iso = np.zeros(max(ISOTOPES[el]) + 1)
        for shift, ab in ISOTOPES[el].items():
            iso[shift] = ab
        for _ in range(n):
            dist = np.convolve(dist, iso)[:n_masses]
    return dist


def correction_matrix(formula: str, n_traced: int, n_masses: Optional[int] = None) -> np.ndarray:
    """Matrix mapping a traced-carbon MID to the measured fragment MID.

    Parameters
    ----------
    formula
        Full formula of the measured (derivatised) fragment.
    n_traced
        Number of traced carbons of the fragment (its EMU size); these are
        removed from the formula, the rest contributes natural isotopes.
    n_masses
        Rows (measured masses); default ``n_traced + 1``.

    Returns
    -------
    numpy.ndarray
        ``(n_masses, n_traced + 1)`` with ``C[i, j] = nat[i - j]``.
    """
    counts = parse_formula(formula)
    if counts.get("C", 0) < n_traced:
        raise FluxasnInputError(f"formula {formula} has fewer than {n_traced} carbons", identifier=formula)
    counts["C"] -= n_traced
    n_masses = n_traced + 1 if n_masses is None else n_masses
    nat = isotope_distribution(counts, n_masses)
    C = np.zeros((n_masses, n_traced + 1))
    for j in range(n_traced + 1):
        C[j:, j] = nat[: n_masses - j]
    return C


def correct_mid(measured, formula: str, n_traced: int) -> np.ndarray:
    """Carbon-skeleton MID from a measured fragment MID (NNLS, renormalised)."""
    measured = np.asarray(measured, dtype=float)
    C = correction_matrix(formula, n_traced, n_masses=measured.size)
    x, _ = nnls(C, measured)
    s = x.sum()
    return x / s if s > 0 else x


def derivative_formula(formula: str, *, derivative: str, groups: int, methoximes: int = 0,
                       fragment: str = "M") -> str:
    """Formula of a derivatised fragment.

    Parameters
    ----------
    formula
        Underivatised metabolite formula (neutral).
    derivative
        ``"TBDMS"`` or ``"MOX-TMS"``.
    groups
        Number of silylated groups (active H replaced).
    methoximes
        Number of methoximated carbonyls (MOX-TMS only).
    fragment
        ``"M"`` (intact), ``"M-57"`` (TBDMS: loss of C4H9), ``"M-15"`` (loss of CH3).
    """
    c = parse_formula(formula)
    d = derivative.upper()
    if d == "TBDMS":
        add = {"C": 6, "H": 14, "Si": 1}
    elif d in ("MOX-TMS", "TMS"):
        add = {"C": 3, "H": 8, "Si": 1}
        for el, n in {"C": 1, "H": 3, "N": 1}.items():
            c[el] = c.get(el, 0) + n * methoximes
    else:
        raise FluxasnInputError(f"unknown derivative {derivative!r}; expected 'TBDMS' or 'MOX-TMS'",
                                identifier=derivative)
    for el, n in add.items():
        c[el] = c.get(el, 0) + n * groups
    losses = {"M": {}, "M-57": {"C": 4, "H": 9}, "M-15": {"C": 1, "H": 3}}
    if fragment not in losses:
        raise FluxasnInputError(f"unknown fragment {fragment!r}; expected one of {sorted(losses)}",
                                identifier=fragment)
    for el, n in losses[fragment].items():
        c[el] -= n
    return format_formula(c)
