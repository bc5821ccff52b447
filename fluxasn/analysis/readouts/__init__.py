"""Readouts of asparagine, aspartate and nucleotide dependency: model in, pandas out.

Every readout is a pure function of a cobra model (after a scenario was
applied inside ``with model:``): it works inside its own ``with model:``
block, so nothing it adds (demand reactions, constraints, objectives) leaks.
A solver status other than optimal is returned in the result, never raised.

Units: fluxes in mmol/gDW/h, growth in 1/h, shadow prices in
(1/h) per (mmol/gDW/h).

Roles and metabolites are found through :class:`fluxasn.core.resolver.ModelResolver`,
so every readout runs on any model the role mapping understands.
"""
from fluxasn.analysis.readouts.capacity import CapacityGroup, capacity_group, capacity_scan, minimum_capacity
from fluxasn.analysis.readouts.envelopes import Envelope, growth_envelope
from fluxasn.analysis.readouts.genes import asns_partners, essential_genes
from fluxasn.analysis.readouts.growth import SHADOW_PRICE_METABOLITES, asns_range, growth, shadow_prices
from fluxasn.analysis.readouts.sources import aspartate_sources, nucleotide_capacity

__all__ = [
    "growth",
    "asns_range",
    "aspartate_sources",
    "nucleotide_capacity",
    "shadow_prices",
    "essential_genes",
    "asns_partners",
    "growth_envelope",
    "Envelope",
    "CapacityGroup",
    "capacity_group",
    "minimum_capacity",
    "capacity_scan",
    "SHADOW_PRICE_METABOLITES",
]
