"""The one LP layer of fluxasn.

* :mod:`fluxasn.lp.netflux`: a cobra model's LP in net fluxes, extracted once
  (:func:`extract`);
* :mod:`fluxasn.lp.problem`: warm-started LPs on GLPK or HiGHS
  (:func:`LinearProblem`), with :mod:`fluxasn.lp.glpk` and :mod:`fluxasn.lp.highs`;
* :mod:`fluxasn.lp.highs`: also one-shot LP and MILP solves (:func:`solve_arrays`)
  and the quiet HiGHS constructor;
* :mod:`fluxasn.lp.status`: the one status map;
* :mod:`fluxasn.lp.compress`: exact compression for FVA;
* :mod:`fluxasn.lp.cache`: warm LPs reused while (and only while) the model's
  state is unchanged.
"""
from fluxasn.lp.netflux import NetFluxLP, UnsupportedProblem, extract
from fluxasn.lp.problem import AUTO_HIGHS_REACTIONS, LinearProblem

__all__ = ["NetFluxLP", "UnsupportedProblem", "extract", "LinearProblem", "AUTO_HIGHS_REACTIONS"]
