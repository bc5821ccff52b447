"""Which compartment of a model is the cytosol, the mitochondrion, the extracellular space.

Models name their compartments in many ways: BiGG-style letters (``c``, ``m``,
``e``), Human-GEM letters with names (``c`` "Cytosol", ``m`` "Mitochondria"),
whole words as ids (``Cytosol``, ``Mitochondria``, ``Extracellular`` in the
2008 mouse model), or other letters (iHsa: ``s`` "Extracellular"). The
analyses ask for a compartment by *kind* (``"cytosol"``, ``"mitochondrion"``,
``"extracellular"``) and :func:`find_compartments` answers from the model:

1. an override given by the caller (``overrides={"cytosol": "Cytosol"}``);
2. the compartment's name (``model.compartments``), matched whole, so that
   "Inner mitochondria" or "mitochondrial intermembrane space" are not the
   mitochondrion;
3. the compartment's id, matched the same way, or the usual letter
   (``c``, ``m``, ``e``);
4. for the extracellular space only, where the metabolites of the model's
   exchange reactions sit (the compartment of most of them).

A kind that is not found is ``None`` with the reason in ``method``; asking for
it through :func:`compartment_id` raises :class:`fluxasn.exceptions.RoleError`
naming the model and its compartments.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

import cobra
import pandas as pd

from fluxasn.exceptions import FluxasnInputError, RoleError
from fluxasn.views import ResultView

__all__ = ["COMPARTMENT_KINDS", "Compartments", "find_compartments", "compartment_id"]

#: Compartment kinds the analyses use -> the words (names or ids, compared in
#: lower case with ``_``/``-`` as spaces) that mean that kind.
COMPARTMENT_KINDS: Dict[str, Tuple[str, ...]] = {
    "cytosol": ("cytosol", "cytoplasm", "cytosolic", "cytoplasmic", "cytosolic compartment"),
    "mitochondrion": ("mitochondrion", "mitochondria", "mitochondrial", "mitochondrial matrix",
                      "mitochondrial compartment", "mitochondrion matrix"),
    "extracellular": ("extracellular", "extracellular space", "extracellular region", "extra cellular",
                      "extra organism", "extraorganism", "external", "exterior", "medium"),
}

#: The one-letter (or short) ids that mean a kind when the name says nothing.
_LETTERS: Dict[str, Tuple[str, ...]] = {
    "cytosol": ("c", "cy", "cyt", "cyto", "c0"),
    "mitochondrion": ("m", "mt", "mito", "m0"),
    "extracellular": ("e", "ex", "ext", "e0"),
}


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[_\-]+", " ", str(text or ""))).strip().lower()


@dataclass(repr=False)
class Compartments(ResultView):
    """The model's cytosol, mitochondrion and extracellular compartment ids, with how each was found.

    Attributes
    ----------
    model_id
        The model.
    ids
        Kind -> compartment id (``None`` if not found).
    methods
        Kind -> how it was found (``override``, ``name 'Cytosol'``, ``id``,
        ``exchange metabolites (490 of 501)``, or why not).
    """

    model_id: str
    ids: Dict[str, Optional[str]] = field(default_factory=dict)
    methods: Dict[str, str] = field(default_factory=dict)

    @property
    def cytosol(self) -> Optional[str]:
        """Id of the cytosol (``None`` if not found)."""
        return self.ids.get("cytosol")

    @property
    def mitochondrion(self) -> Optional[str]:
        """Id of the mitochondrion (matrix) (``None`` if not found)."""
        return self.ids.get("mitochondrion")

    @property
    def extracellular(self) -> Optional[str]:
        """Id of the extracellular space (``None`` if not found)."""
        return self.ids.get("extracellular")

    def __getitem__(self, kind: str) -> str:
        """The id of ``kind``; :class:`RoleError` if the model has none."""
        if kind not in COMPARTMENT_KINDS:
            raise FluxasnInputError(
                "unknown compartment kind; expected one of " + ", ".join(COMPARTMENT_KINDS), identifier=kind)
        value = self.ids.get(kind)
        if value is None:
            raise RoleError(
                f"model {self.model_id!r} has no compartment recognised as {kind} ({self.methods.get(kind, '')}); "
                f"pass compartments={{{kind!r}: <compartment id>}}"
            )
        return value

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(kind, self.ids.get(kind), self.methods.get(kind, "")) for kind in COMPARTMENT_KINDS],
            columns=["kind", "compartment", "method"],
        )

    def _title(self) -> str:
        return f"Compartments of {self.model_id}"


def _model_compartments(model: cobra.Model) -> Dict[str, str]:
    """Compartment id -> name, including ids only metabolites mention."""
    out = {str(k): str(v or "") for k, v in dict(model.compartments).items()}
    for met in model.metabolites:
        if met.compartment and met.compartment not in out:
            out[met.compartment] = ""
    return out


def _exchange_compartment(model: cobra.Model) -> Tuple[Optional[str], str]:
    counts: Counter = Counter()
    total = 0
    for reaction in model.reactions:
        mets = list(reaction.metabolites)
        if len(mets) == 1 and mets[0].compartment:  # a boundary reaction (exchange, demand, sink)
            counts[mets[0].compartment] += 1
            total += 1
    if not counts:
        return None, "no name or id says extracellular and the model has no boundary reactions"
    (best, n), *rest = counts.most_common()
    if rest and rest[0][1] == n:
        return None, f"no name or id says extracellular; boundary reactions split evenly between {best} and {rest[0][0]}"
    return best, f"where the boundary reactions are ({n} of {total})"


def find_compartments(
    model: cobra.Model,
    *,
    overrides: Optional[Mapping[str, str]] = None,
) -> Compartments:
    """Find the cytosol, mitochondrion and extracellular compartment of ``model``.

    Parameters
    ----------
    model
        Any cobra model.
    overrides
        Kind (``cytosol``, ``mitochondrion``, ``extracellular``) -> compartment
        id, set by hand; they win over the search.

    Returns
    -------
    Compartments
        The ids (``None`` where not found) and how each was found.

    Raises
    ------
    FluxasnInputError
        An override names an unknown kind or a compartment the model lacks.

    Notes
    -----
    Names are matched whole (after lower-casing and reading ``_``/``-`` as
    spaces), against :data:`COMPARTMENT_KINDS`; a name match wins over an id
    match. If several compartments match one kind the one with the most
    metabolites is taken and the method says so.
    """
    compartments = _model_compartments(model)
    sizes = Counter(m.compartment for m in model.metabolites)
    ids: Dict[str, Optional[str]] = {}
    methods: Dict[str, str] = {}
    for kind, value in dict(overrides or {}).items():
        if kind not in COMPARTMENT_KINDS:
            raise FluxasnInputError(
                "unknown compartment kind in overrides; expected one of " + ", ".join(COMPARTMENT_KINDS),
                identifier=kind)
        if value not in compartments:
            raise FluxasnInputError(
                f"override for the {kind} names a compartment not in model {model.id!r} "
                f"(it has {', '.join(sorted(compartments))})", identifier=value)
        ids[kind], methods[kind] = value, "override"
    taken = set(ids.values())
    for kind, words in COMPARTMENT_KINDS.items():
        if kind in ids:
            continue
        for how, test in (
            ("name", lambda cid, name: _words(name) in words),
            ("id", lambda cid, name: _words(cid) in words or cid.lower() in _LETTERS[kind]),
        ):
            hits: List[str] = [cid for cid, name in compartments.items() if cid not in taken and test(cid, name)]
            if hits:
                hits.sort(key=lambda cid: -sizes.get(cid, 0))
                chosen = hits[0]
                method = f"name {compartments[chosen]!r}" if how == "name" else f"id {chosen!r}"
                if len(hits) > 1:
                    method += f" (most metabolites of {', '.join(hits)})"
                ids[kind], methods[kind] = chosen, method
                taken.add(chosen)
                break
        else:
            if kind == "extracellular":
                chosen, method = _exchange_compartment(model)
                if chosen in taken:  # e.g. boundary reactions on cytosolic metabolites: no extracellular space
                    kind_of = next(k for k, v in ids.items() if v == chosen)
                    chosen, method = None, f"none: the boundary reactions are in {chosen}, the {kind_of}"
                ids[kind], methods[kind] = chosen, method
            else:
                ids[kind] = None
                methods[kind] = (
                    f"no compartment named or labelled {kind} among "
                    + ", ".join(f"{cid} ({name})" if name else cid for cid, name in sorted(compartments.items()))
                )
    return Compartments(model.id, {k: ids.get(k) for k in COMPARTMENT_KINDS},
                        {k: methods.get(k, "") for k in COMPARTMENT_KINDS})


def compartment_id(
    model: cobra.Model,
    compartment: str,
    *,
    overrides: Optional[Mapping[str, str]] = None,
    found: Optional[Compartments] = None,
) -> str:
    """A compartment id of ``model`` from an id or a kind.

    Parameters
    ----------
    compartment
        A compartment id of the model (returned as is) or a kind:
        ``cytosol``, ``mitochondrion`` or ``extracellular`` (also
        ``mitochondria``, ``cytoplasm`` and the other words of
        :data:`COMPARTMENT_KINDS`). A usual letter that is not an id of the
        model (``c``, ``m``, ``e``) is read as its kind.
    overrides
        Passed to :func:`find_compartments`.
    found
        An earlier :func:`find_compartments` result of this model (to search once).

    Raises
    ------
    RoleError
        ``compartment`` is a kind the model has no compartment for, or neither
        an id nor a kind (the message lists the model's compartments).
    """
    compartments = _model_compartments(model)
    if compartment in compartments:
        return compartment
    word = _words(compartment)
    kind = next((k for k, words in COMPARTMENT_KINDS.items() if word == k or word in words), None)
    if kind is None:  # a usual letter (``c`` asked of a model whose cytosol is ``Cytosol``)
        kind = next((k for k, letters in _LETTERS.items() if word in letters), None)
    if kind is None:
        raise RoleError(
            f"model {model.id!r} has no compartment {compartment!r}; it has "
            + ", ".join(f"{cid} ({name})" if name else cid for cid, name in sorted(compartments.items()))
            + "; or ask for one of the kinds " + ", ".join(COMPARTMENT_KINDS)
        )
    found = found if found is not None else find_compartments(model, overrides=overrides)
    return found[kind]
