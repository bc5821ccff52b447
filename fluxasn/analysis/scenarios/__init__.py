"""Composable culture and genetic scenarios for asparagine, aspartate and nucleotide analyses.

A :class:`Scenario` is data: a name, a description, a citation and a list of
*perturbations* (:mod:`~fluxasn.analysis.scenarios.perturbations`). Each
perturbation changes a model through the role mapping (never through model
identifiers), so the same scenario runs on the bundled core model, Human-GEM
or Recon3D. Apply one with :func:`apply_scenario` inside ``with model:``;
every change is an ordinary cobra bound assignment and is undone when the
block ends. :func:`apply_scenario_with_rates` also applies measured rates the
way a scenario allows (what the scenario sets is left out), and
:func:`run_scenarios` gives the scenario x readout matrix.

Scenarios parse from strings, ``"asn_free+asns_ko"``, for the command line:
tokens are the names in :data:`SCENARIO_TOKENS` (see :func:`list_scenarios`),
joined with ``+``; a token may take keyword parameters, e.g.
``"hypoxia(o2_max=0.2)"`` or ``"pyruvate(mM=2)"``.

Units: uptake limits in mmol/gDW/h; concentrations in mM, converted by the
uptake rule of :mod:`fluxasn.core.media` (:class:`~fluxasn.core.media.UptakeRule`,
0.1 mmol/gDW/h per mM by default).
"""

from fluxasn.analysis.scenarios import perturbations as _perturbations
from fluxasn.analysis.scenarios import scenario as _scenario
from fluxasn.analysis.scenarios import matrix as _matrix
from fluxasn.analysis.scenarios.perturbations import *  # noqa: F401,F403 (the names of its __all__)
from fluxasn.analysis.scenarios.scenario import *  # noqa: F401,F403 (the names of its __all__)
from fluxasn.analysis.scenarios.matrix import *  # noqa: F401,F403 (the names of its __all__)

__all__ = [*_perturbations.__all__, *_scenario.__all__, *_matrix.__all__]
