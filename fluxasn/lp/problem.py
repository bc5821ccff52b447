"""Warm-started LPs over GLPK or HiGHS, on a cobra model's LP in net fluxes.

COBRApy solves every LP of a deletion screen or of FVA through optlang, which
rescales the problem before each solve, rebuilds expressions lazily and reads
values one variable at a time. :func:`LinearProblem` copies the model's LP
once (:func:`fluxasn.lp.netflux.extract`) into a GLPK or HiGHS problem, scales
it once and then changes only what a step needs (column bounds for a knockout,
one objective coefficient for FVA), solving from the previous basis.

Exactness
---------
The LP is the model's own LP: every constraint of ``model.solver`` and the
model's linear objective are copied; what cannot be written in net fluxes
raises :class:`~fluxasn.lp.netflux.UnsupportedProblem`, and callers fall back
to cobra. Optimal *values* of an LP are unique, so a warm start changes how the
optimum is reached, not its value; statuses other than optimal from a warm
solve are confirmed by a solve from a fresh (advanced) basis, and
``solve_exact`` (GLPK's rational simplex, ``glp_exact``) settles disagreements.
Every status is a name of :mod:`fluxasn.lp.status`.
"""
from __future__ import annotations

from typing import Optional



from fluxasn.config import config
from fluxasn.exceptions import FluxasnInputError
from fluxasn.lp.glpk import GlpkProblem
from fluxasn.lp.highs import HighsProblem
from fluxasn.lp.netflux import UnsupportedProblem

__all__ = ["LinearProblem", "GlpkProblem", "HighsProblem", "UnsupportedProblem", "AUTO_HIGHS_REACTIONS",
           "POOL_CONSTRAINT", "default_solver"]

#: Name of the enzyme-capacity row in ``model.constraints``
#: (:mod:`fluxasn.analysis.capacity` adds it; the LP layer only needs its name).
POOL_CONSTRAINT = "fluxasn_enzyme_pool"


def default_solver(model, fallback: str = "glpk") -> str:
    """The solver of a warm LP of ``model`` unless a caller names one.

    :data:`fluxasn.config.config` ``.solver`` if set; HiGHS for a model holding
    an enzyme pool; else ``fallback``. The pool row's costs span 12 orders of
    magnitude on Human-GEM (kcat 3e-6 to 4e6 1/s): there GLPK's least-enzyme
    optimum was 0.77% below the exact one (glpk_exact and HiGHS 0.0285872
    g/gDW, GLPK 0.0283685); on the core model with the default pool, unpickled
    as a worker gets it and without glutamine, GLPK's simplex aborted the
    process ("Assertion failed: teta >= 0.0", spxchuzr.c), which no caller can
    catch; on Human-GEM + the pool the scenario matrix's warm readout LP fell
    through to glp_exact (minutes per LP) and, in a worker, hit the same abort.
    """
    if config.solver:
        return config.solver
    return "highs" if POOL_CONSTRAINT in model.constraints else fallback


#: ``solver="auto"`` uses HiGHS from this many reactions on, GLPK below. Measured
#: on this project's machine: on iJO1366 (2,583 reactions) GLPK's warm primal
#: simplex solved 150 knockout LPs in 1.7 s against 3.4 s for HiGHS' dual
#: simplex; on Human-GEM (12,971 reactions, RPMI) GLPK needed 8-19 s for 20
#: knockout LPs against 3.5 s for HiGHS (dual simplex from the reference basis).
AUTO_HIGHS_REACTIONS = 5000


def LinearProblem(model, *, solver: str = "auto", tolerance: Optional[float] = None):
    """Build the warm LP of ``model`` on GLPK or HiGHS.

    Parameters
    ----------
    model
        A cobra model (not changed).
    solver
        ``"glpk"``, ``"highs"`` or ``"auto"`` (HiGHS from
        :data:`AUTO_HIGHS_REACTIONS` reactions on, where it is faster).
    tolerance
        Primal feasibility and dual optimality tolerance; default: the
        model's solver tolerances (cobra's ``model.tolerance``, 1e-7).

    Returns
    -------
    GlpkProblem or HighsProblem
        Both have the same methods.

    Raises
    ------
    UnsupportedProblem
        The model's LP is not linear in net fluxes (fall back to cobra).
    """
    if solver == "auto":
        solver = "highs" if len(model.reactions) >= AUTO_HIGHS_REACTIONS else "glpk"
    if solver == "glpk":
        return GlpkProblem(model, tolerance=tolerance)
    if solver == "highs":
        return HighsProblem(model, tolerance=tolerance)
    raise FluxasnInputError(f"solver must be 'glpk', 'highs' or 'auto', not {solver!r}", identifier="solver")
