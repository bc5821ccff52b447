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

from fluxasn.analysis.readouts import growth as _growth
from fluxasn.analysis.readouts import sources as _sources
from fluxasn.analysis.readouts import capacity as _capacity
from fluxasn.analysis.readouts import envelopes as _envelopes
from fluxasn.analysis.readouts import genes as _genes
from fluxasn.analysis.readouts import limits as _limits
from fluxasn.analysis.readouts import electrons as _electrons
from fluxasn.analysis.readouts.growth import *  # noqa: F401,F403 (the names of its __all__)
from fluxasn.analysis.readouts.sources import *  # noqa: F401,F403 (the names of its __all__)
from fluxasn.analysis.readouts.capacity import *  # noqa: F401,F403 (the names of its __all__)
from fluxasn.analysis.readouts.envelopes import *  # noqa: F401,F403 (the names of its __all__)
from fluxasn.analysis.readouts.genes import *  # noqa: F401,F403 (the names of its __all__)
from fluxasn.analysis.readouts.limits import *  # noqa: F401,F403 (the names of its __all__)
from fluxasn.analysis.readouts.electrons import *  # noqa: F401,F403 (the names of its __all__)

__all__ = [*_growth.__all__, *_sources.__all__, *_capacity.__all__, *_envelopes.__all__, *_genes.__all__, *_limits.__all__,
           *_electrons.__all__]
