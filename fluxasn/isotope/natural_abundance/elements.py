"""Isotopes of the elements, molecular formulas and derivatised GC-MS fragments.

Source of the isotope data (one table, :data:`ISOTOPE_TABLE`):

* abundances: IUPAC 2013 representative isotopic compositions, Meija J et al.
  (2016) Isotopic compositions of the elements 2013 (IUPAC Technical Report),
  Pure Appl Chem 88:293-306, doi:10.1515/pac-2015-0503 (the CIAAW table);
* exact masses (u): the Atomic Mass Evaluation 2012 (Wang M et al. (2012)
  Chinese Phys C 36:1603-2014), to the digits tabulated in IsoCor 2.2.4's
  ``Isotopes.dat`` (Millard P et al. (2019) Bioinformatics 35:4484-4487),
  so that corrections agree with IsoCor.

Derivatives (:func:`derivative_formula`): a TBDMS group replaces one active H by
Si(CH3)2C(CH3)3 (+C6H14Si); the [M-57]+ fragment loses the tert-butyl C4H9 of
one TBDMS group. A TMS group adds C3H8Si; a methoxime turns C=O into C=N-OCH3
(+CH3N). [M-15]+ loses one CH3 of a silyl group.
"""
from __future__ import annotations

import re
from typing import Dict, Mapping, NamedTuple, Tuple, Union

import numpy as np

from fluxasn.exceptions import FluxasnInputError

__all__ = ["Isotope", "ISOTOPE_TABLE", "ISOTOPES", "parse_formula", "format_formula",
           "isotope_distribution", "derivative_formula", "parse_isotope"]


class Isotope(NamedTuple):
    """One isotope: mass number, exact mass (u) and natural abundance (mole fraction)."""

    mass_number: int
    mass: float
    abundance: float


#: Isotopes of each element, lightest first (sources: module docstring).
ISOTOPE_TABLE: Dict[str, Tuple[Isotope, ...]] = {
    "H": (Isotope(1, 1.0078250322, 0.999885), Isotope(2, 2.0141017781, 0.000115)),
    "C": (Isotope(12, 12.0, 0.9893), Isotope(13, 13.003354835, 0.0107)),
    "N": (Isotope(14, 14.003074004, 0.99636), Isotope(15, 15.000108899, 0.00364)),
    "O": (Isotope(16, 15.99491462, 0.99757), Isotope(17, 16.999131757, 0.00038),
          Isotope(18, 17.999159613, 0.00205)),
    "Si": (Isotope(28, 27.976926535, 0.92223), Isotope(29, 28.976494665, 0.04685),
           Isotope(30, 29.9737701, 0.03092)),
    "P": (Isotope(31, 30.973761998, 1.0),),
    "S": (Isotope(32, 31.972071174, 0.9499), Isotope(33, 32.971458910, 0.0075),
          Isotope(34, 33.9678670, 0.0425), Isotope(36, 35.967081, 0.0001)),
}

#: Natural abundances by nominal mass shift from the lightest isotope (from :data:`ISOTOPE_TABLE`).
ISOTOPES: Dict[str, Dict[int, float]] = {
    el: {iso.mass_number - isos[0].mass_number: iso.abundance for iso in isos}
    for el, isos in ISOTOPE_TABLE.items()
}


def parse_formula(formula: str) -> Dict[str, int]:
    """Element counts of a formula: ``"C5H10N2O3"`` -> ``{"C": 5, "H": 10, "N": 2, "O": 3}``.

    Parameters
    ----------
    formula
        Elements of :data:`ISOTOPE_TABLE`, each followed by an optional count.

    Returns
    -------
    dict
        Element -> count (elements may repeat in the text; counts add up).
    """
    if not isinstance(formula, str) or not re.fullmatch(r"(?:[A-Z][a-z]?\d*)+", formula.strip()):
        raise FluxasnInputError(f"cannot read formula {formula!r}; expected e.g. 'C5H10N2O3'",
                                identifier=str(formula))
    out: Dict[str, int] = {}
    for el, n in re.findall(r"([A-Z][a-z]?)(\d*)", formula.strip()):
        if el not in ISOTOPE_TABLE:
            raise FluxasnInputError(f"element {el!r} has no isotope table (known: {sorted(ISOTOPE_TABLE)})",
                                    identifier=formula)
        out[el] = out.get(el, 0) + (int(n) if n else 1)
    return out


def format_formula(counts: Mapping[str, int]) -> str:
    """Hill-like text of element counts (C, H, then the others alphabetically; zeros left out)."""
    order = ["C", "H"] + sorted(k for k in counts if k not in ("C", "H"))
    return "".join(f"{el}{counts[el] if counts[el] != 1 else ''}" for el in order if counts.get(el, 0) > 0)


def parse_isotope(text: str) -> Tuple[str, int]:
    """``"13C"`` -> ``("C", 1)``: the element and the index of the isotope in :data:`ISOTOPE_TABLE`.

    The isotope must be a heavy one (not the lightest isotope of its element).
    """
    m = re.fullmatch(r"\s*(\d+)([A-Z][a-z]?)\s*", str(text))
    if not m or m.group(2) not in ISOTOPE_TABLE:
        raise FluxasnInputError(f"cannot read tracer isotope {text!r}; expected e.g. '13C', '15N', '2H', '18O'",
                                identifier=str(text))
    el, number = m.group(2), int(m.group(1))
    numbers = [iso.mass_number for iso in ISOTOPE_TABLE[el]]
    if number not in numbers[1:]:
        raise FluxasnInputError(f"{text!r} is not a heavy isotope of {el} (heavy isotopes: "
                                f"{[f'{n}{el}' for n in numbers[1:]]})", identifier=str(text))
    return el, numbers.index(number)


def isotope_distribution(formula: Union[str, Mapping[str, int]], n_masses: int = 8) -> np.ndarray:
    """Natural mass distribution (M+0, M+1, ... by nominal mass) of ``formula``.

    Parameters
    ----------
    formula
        Formula text or element counts.
    n_masses
        Length of the result (the distribution is truncated there).
    """
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


#: Atoms added per derivative group.
_GROUPS = {"TBDMS": {"C": 6, "H": 14, "Si": 1}, "TMS": {"C": 3, "H": 8, "Si": 1}}
#: Fragment losses, and the derivatives they occur with.
_LOSSES = {"M": ({}, ("TBDMS", "TMS")), "M-57": ({"C": 4, "H": 9}, ("TBDMS",)),
           "M-15": ({"C": 1, "H": 3}, ("TBDMS", "TMS"))}


def derivative_formula(formula: str, *, derivative: str, groups: int, methoximes: int = 0,
                       fragment: str = "M") -> str:
    """Formula of a derivatised fragment.

    Parameters
    ----------
    formula
        Underivatised metabolite formula (neutral).
    derivative
        ``"TBDMS"``, ``"TMS"`` or ``"MOX-TMS"`` (TMS with methoximes);
        ``"MOX-TBDMS"`` for TBDMS with methoximes.
    groups
        Number of silylated groups (active H replaced), >= 0.
    methoximes
        Number of methoximated carbonyls (at most the number of O atoms).
    fragment
        ``"M"`` (intact), ``"M-57"`` (TBDMS only: loss of C4H9) or ``"M-15"``
        (loss of CH3 from a silyl group); both losses need at least one group.

    Returns
    -------
    str
        Formula of the fragment.
    """
    c = parse_formula(formula)
    d = str(derivative).upper()
    base = d[4:] if d.startswith("MOX-") else d
    if base not in _GROUPS:
        raise FluxasnInputError(f"unknown derivative {derivative!r}; expected 'TBDMS', 'MOX-TBDMS', "
                                "'TMS' or 'MOX-TMS'", identifier=str(derivative))
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 0:
        raise FluxasnInputError(f"groups must be a whole number >= 0, got {groups!r}", identifier=formula)
    if isinstance(methoximes, bool) or not isinstance(methoximes, (int, np.integer)) or methoximes < 0:
        raise FluxasnInputError(f"methoximes must be a whole number >= 0, got {methoximes!r}",
                                identifier=formula)
    if methoximes > c.get("O", 0):
        raise FluxasnInputError(f"{methoximes} methoximes but {formula} has {c.get('O', 0)} O atoms "
                                "(one carbonyl O per methoxime)", identifier=formula)
    if groups > c.get("H", 0):
        raise FluxasnInputError(f"{groups} silyl groups but {formula} has {c.get('H', 0)} H atoms "
                                "(each group replaces one active H)", identifier=formula)
    if fragment not in _LOSSES:
        raise FluxasnInputError(f"unknown fragment {fragment!r}; expected one of {sorted(_LOSSES)}",
                                identifier=str(fragment))
    loss, allowed = _LOSSES[fragment]
    if base not in allowed:
        raise FluxasnInputError(f"fragment {fragment} does not occur with {derivative} "
                                f"(it occurs with {', '.join(allowed)})", identifier=formula)
    if loss and groups < 1:
        raise FluxasnInputError(f"fragment {fragment} loses atoms of a silyl group, but groups=0",
                                identifier=formula)
    for el, n in {"C": 1, "H": 3, "N": 1}.items():
        c[el] = c.get(el, 0) + n * methoximes
    for el, n in _GROUPS[base].items():
        c[el] = c.get(el, 0) + n * groups
    for el, n in loss.items():
        c[el] -= n
    return format_formula(c)
