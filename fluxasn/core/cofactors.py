"""Which metabolites of a model are NAD+, NADH, NADP+, NADPH, protons and water, in any id scheme.

Redox analyses (:mod:`fluxasn.analysis.redox`) need to recognise the
nicotinamide cofactors of each compartment whatever a model calls them
(BiGG ``nad_c``, Human-GEM ``MAM02552c``, ``nad[c]``). A metabolite is a
cofactor when the resolver's identification (:class:`ModelResolver`: BiGG id
or annotation, KEGG, ChEBI or MetaNetX annotation, then its name) says so;
protons and water are recognised by formula (``H`` with charge +1 or no
charge; ``H2O``) or, without a formula, by the BiGG base id ``h`` / ``h2o``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import cobra

from fluxasn.core.resolver import ModelResolver

__all__ = ["COFACTOR_POOLS", "CofactorIndex", "cofactor_index", "is_proton"]

#: pool -> (oxidised key, reduced key); keys are dictionary ids of the resolver.
COFACTOR_POOLS: Dict[str, Tuple[str, str]] = {"nad": ("nad", "nadh"), "nadp": ("nadp", "nadph")}

_KEYS = ("nad", "nadh", "nadp", "nadph")
_SWAP = {"nad": "nadp", "nadh": "nadph", "nadp": "nad", "nadph": "nadh"}


def _bigg_base(met: cobra.Metabolite) -> str:
    base = met.id
    for suffix in (f"_{met.compartment}", f"[{met.compartment}]", f"({met.compartment})"):
        if met.compartment and base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def is_proton(met: cobra.Metabolite) -> bool:
    """True for a proton: formula ``H`` (charge +1 or unset), or, without a formula, the BiGG id ``h``."""
    formula = (met.formula or "").strip()
    if formula:
        return formula == "H" and met.charge in (None, 1)
    return _bigg_base(met) == "h"


def _is_fixed(met: cobra.Metabolite) -> bool:
    formula = (met.formula or "").strip()
    if formula:
        return formula == "H2O" or is_proton(met)
    return _bigg_base(met) in ("h", "h2o")


@dataclass(frozen=True)
class CofactorIndex:
    """The cofactor metabolites of one model.

    Attributes
    ----------
    kinds
        Metabolite id -> ``"nad"``, ``"nadh"``, ``"nadp"`` or ``"nadph"``.
    fixed
        Ids of protons and water (held at activity 1 by dG' calculations).
    """

    kinds: Dict[str, str]
    fixed: frozenset

    def kind(self, met) -> Optional[str]:
        """``"nad"``, ``"nadh"``, ``"nadp"``, ``"nadph"`` or ``None`` for a metabolite (or id)."""
        return self.kinds.get(getattr(met, "id", met))

    def pool(self, met) -> Optional[str]:
        """``"nad"`` for NAD+/NADH, ``"nadp"`` for NADP+/NADPH, else ``None``."""
        kind = self.kind(met)
        return None if kind is None else ("nad" if kind in ("nad", "nadh") else "nadp")

    def is_fixed(self, met) -> bool:
        """True for protons and water."""
        return getattr(met, "id", met) in self.fixed

    def coefficients(self, reaction: cobra.Reaction) -> Dict[str, float]:
        """Cofactor kind -> its coefficient in ``reaction`` (one compartment's cofactors summed)."""
        out: Dict[str, float] = {}
        for met, coef in reaction.metabolites.items():
            kind = self.kind(met)
            if kind is not None:
                out[kind] = out.get(kind, 0.0) + coef
        return out

    def swapped_token(self, met: cobra.Metabolite) -> str:
        """A token for ``met`` with NAD(H) and NADP(H) exchanged (same compartment); other ids as they are."""
        kind = self.kind(met)
        if kind is None:
            return met.id
        return f"{_SWAP[kind]}@{met.compartment}"

    def token(self, met: cobra.Metabolite) -> str:
        """A compartment-qualified token for a cofactor (``nad@c``), the id for anything else."""
        kind = self.kind(met)
        return met.id if kind is None else f"{kind}@{met.compartment}"


def cofactor_index(model: cobra.Model, *, resolver: Optional[ModelResolver] = None) -> CofactorIndex:
    """Identify NAD+, NADH, NADP+, NADPH, protons and water among ``model``'s metabolites.

    Parameters
    ----------
    model
        Any cobra model (only read).
    resolver
        A :class:`ModelResolver` of ``model`` to reuse (made if ``None``).

    Returns
    -------
    CofactorIndex
    """
    resolver = resolver or ModelResolver(model)
    kinds: Dict[str, str] = {}
    fixed = set()
    for met in model.metabolites:
        if _is_fixed(met):
            fixed.add(met.id)
            continue
        for key in _KEYS:
            if resolver.is_metabolite(met, key):
                kinds[met.id] = key
                break
    return CofactorIndex(kinds, frozenset(fixed))
