"""Carbon atom transitions: the text notation, its parser and its checks.

Notation (one reaction per string)::

    OAA(abcd) + AcCoA(ef) -> Cit(dcbfea)
    B (abc) <-> D (abc)                    # reversible (INCA spacing allowed)
    Suc(abcd) -> Fum(abcd,dcba)            # explicit equivalent orientations

* Each species carries its traced atoms as letters in parentheses; the letter
  order is the atom order (position 1, 2, ...) of that species.
* A species with stoichiometry 2 is written twice.
* Several comma-separated letter strings on a *product* are equivalent
  orientations of a symmetric molecule; each is produced with equal weight.
  Passing ``symmetric={"Suc", "Fum"}`` to :func:`parse_transition` adds the
  reversed orientation automatically to every product listed there.
* Arrows: ``->``, ``-->`` and ``=>`` (irreversible); ``<->``, ``<=>`` (reversible).
* A boundary (exchange) reaction has one empty side: ``glc_e(abcdef) ->``;
  its atoms leave (or, reversed, enter as a labelled source).

Checks (each raising :class:`~fluxasn.exceptions.FluxasnInputError`): every
letter is used exactly once on each side, both sides carry the same letters
(carbon balance), every orientation of a product uses the letters of its first
orientation, and (when ``carbons`` is given) each species has its declared
number of traced atoms.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, Mapping, Optional, Tuple

from fluxasn.exceptions import FluxasnInputError

__all__ = ["AtomTransition", "parse_transition", "format_transition"]

_ARROW = re.compile(r"\s*(<->|<=>|-->|->|=>)\s*")
_TERM = re.compile(
    r"^\s*([A-Za-z0-9_.\[\]\-]+?)\s*\(\s*([A-Za-z]+(?:\s*,\s*[A-Za-z]+)*)\s*\)\s*$"
)


@dataclass(frozen=True)
class AtomTransition:
    """Parsed carbon atom transition of one reaction (one direction).

    Attributes
    ----------
    reaction
        Reaction identifier.
    substrates
        ``(metabolite, letters)`` per substrate occurrence.
    products
        ``(metabolite, orientations)`` per product occurrence; ``orientations``
        is a tuple of letter strings, each produced with equal weight.
    reversible
        True if the notation used a reversible arrow.
    """

    reaction: str
    substrates: Tuple[Tuple[str, str], ...]
    products: Tuple[Tuple[str, Tuple[str, ...]], ...]
    reversible: bool = False

    def reverse(self, symmetric: Iterable[str] = ()) -> "AtomTransition":
        """The backward direction (products become substrates)."""
        sym = set(symmetric)
        subs = tuple((m, alts[0]) for m, alts in self.products)
        prods = []
        for m, letters in self.substrates:
            alts = (letters, letters[::-1]) if m in sym and len(letters) > 1 else (letters,)
            prods.append((m, alts))
        return AtomTransition(self.reaction, subs, tuple(prods), self.reversible)

    def metabolites(self) -> Dict[str, int]:
        """Traced atoms per metabolite appearing in the transition."""
        out: Dict[str, int] = {}
        for m, letters in self.substrates:
            out[m] = len(letters)
        for m, alts in self.products:
            out[m] = len(alts[0])
        return out


def _side(text: str, *, reaction: str, source, line, side: str):
    terms = []
    if not text.strip():
        return terms
    for raw in text.split("+"):
        if not raw.strip():
            continue
        match = _TERM.match(raw)
        if not match:
            raise FluxasnInputError(
                f"cannot read {raw.strip()!r} in the {side}; expected METABOLITE(letters), "
                "e.g. 'OAA(abcd)'",
                source=source, line=line, identifier=reaction,
            )
        alts = tuple(a.strip() for a in match.group(2).split(","))
        terms.append((match.group(1), alts))
    return terms


def parse_transition(
    text: str,
    *,
    reaction: str = "",
    symmetric: Iterable[str] = (),
    carbons: Optional[Mapping[str, int]] = None,
    source=None,
    line: Optional[int] = None,
    allow_loss: bool = False,
) -> AtomTransition:
    """Parse one atom-transition string and check its carbon balance.

    Parameters
    ----------
    text
        The transition, e.g. ``"OAA(abcd) + AcCoA(ef) -> Cit(dcbfea)"``.
    reaction
        Reaction identifier (used in error messages and stored).
    symmetric
        Metabolites that are rotationally symmetric (succinate, fumarate):
        when produced, both orientations are formed with weight 1/2.
    carbons
        Optional traced-atom count per metabolite; a species whose letter
        count differs raises.
    source, line
        Where the text came from, for error messages.
    allow_loss
        Accept substrate atoms that no product carries (they leave the traced
        network, as mfapy's ``Arg(ABCDEF) --> Glu(ABCDE)``). Product atoms must
        still all come from substrates.

    Returns
    -------
    AtomTransition

    Raises
    ------
    FluxasnInputError
        Unreadable text, letters used twice, unbalanced letters, orientations
        of unequal letter sets, or a traced-atom count that differs from
        ``carbons``.
    """
    parts = _ARROW.split(text.strip())
    if len(parts) != 3:
        raise FluxasnInputError(
            f"atom transition {text!r} needs exactly one arrow (->, -->, =>, <->, <=>)",
            source=source, line=line, identifier=reaction,
        )
    left, arrow, right = parts
    kw = dict(reaction=reaction, source=source, line=line)
    subs = _side(left, side="substrates", **kw)
    prods = _side(right, side="products", **kw)
    sym = set(symmetric)

    def check_side(terms, side):
        seen: Dict[str, str] = {}
        for met, alts in terms:
            if side == "substrates" and len(alts) > 1:
                alts = alts[:1]
            for letter in alts[0]:
                if letter in seen:
                    raise FluxasnInputError(
                        f"atom letter {letter!r} is used twice in the {side} "
                        f"({seen[letter]} and {met}); each atom needs its own letter",
                        source=source, line=line, identifier=reaction,
                    )
                seen[letter] = met
            for alt in alts[1:]:
                if sorted(alt) != sorted(alts[0]):
                    raise FluxasnInputError(
                        f"orientation {alt!r} of {met} does not use the letters of {alts[0]!r}",
                        source=source, line=line, identifier=reaction,
                    )
            if carbons is not None and met in carbons and len(alts[0]) != int(carbons[met]):
                raise FluxasnInputError(
                    f"{met} carries {len(alts[0])} traced atoms here but {int(carbons[met])} "
                    "are declared for it",
                    source=source, line=line, identifier=reaction,
                )
        return seen

    if not subs and not prods:
        raise FluxasnInputError("the atom transition has no species", source=source, line=line,
                                identifier=reaction)
    left_letters = check_side(subs, "substrates")
    right_letters = check_side(prods, "products")
    lost_ok = allow_loss and set(right_letters) <= set(left_letters)
    boundary = not subs or not prods
    if set(left_letters) != set(right_letters) and not lost_ok and not boundary:
        missing = sorted(set(left_letters) - set(right_letters))
        extra = sorted(set(right_letters) - set(left_letters))
        raise FluxasnInputError(
            f"carbon atoms do not balance: {len(left_letters)} traced atoms in the substrates, "
            f"{len(right_letters)} in the products (only in substrates: {''.join(missing) or '-'}; "
            f"only in products: {''.join(extra) or '-'})",
            source=source, line=line, identifier=reaction,
        )
    products = []
    for met, alts in prods:
        if met in sym and len(alts) == 1 and len(alts[0]) > 1:
            alts = (alts[0], alts[0][::-1])
        products.append((met, alts))
    substrates = tuple((met, alts[0]) for met, alts in subs)
    return AtomTransition(
        reaction=reaction,
        substrates=substrates,
        products=tuple(products),
        reversible=arrow in ("<->", "<=>"),
    )


def format_transition(t: AtomTransition) -> str:
    """Write an :class:`AtomTransition` back in the notation."""
    left = " + ".join(f"{m}({a})" for m, a in t.substrates)
    right = " + ".join(f"{m}({','.join(alts)})" for m, alts in t.products)
    return f"{left} {'<->' if t.reversible else '->'} {right}"
