"""The growth-limiting mechanisms the literature suite and the NCI-60 comparison run under.

Each mechanism adds its constraints to a model (inside ``with model:``) from
the one bundled parameter set, never from a case:

* ``FBA``: the medium's uptake rule only (0.1 mmol/gDW/h per mM).
* ``pool``: the enzyme-capacity row with the bundled costs
  (``data/enzymes/core_enzyme_costs.tsv`` or, on other models, by gene and EC
  number) and the bundled pool (protein content x enzyme fraction,
  ``data/enzymes/pool_parameters.tsv``).
* ``pool at measured growth``: the same row with the pool calibrated so that the
  unperturbed model's maximum growth equals the median measured growth of the
  bundled NCI-60 lines (``calibrate_capacity``; one pool for every case).
* ``+ redox`` (suffix): the redox constraints of :mod:`fluxasn.analysis.redox`,
  thermodynamic directions of the NAD(P)-linked steps (control-cell cofactor
  ratios, 1 uM - 10 mM metabolites) and no energy-free transhydrogenation
  through NAD/NADP isozyme pairs.
* ``+ no free vents`` (suffix): :func:`fluxasn.close_free_vents` closes the
  electron half-reactions (elements balanced, charge not) on every route that
  reoxidises NADH without oxygen at an unbounded rate (Human-GEM: urate ->
  H+ + urate radical, monodehydroascorbate -> dehydroascorbate + H+); applied
  before the pool is calibrated. The core model has none.
* ``+ NCI-60 rates`` (suffix): the median exchange rates of the 11 bundled NCI-60
  lines (median value and median sd per metabolite) constrain every scenario at
  mean +/- 2 sd, less the rates the scenario sets and the measured growth
  (``apply_scenario_with_rates``).
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

import pandas as pd

from fluxasn.analysis.capacity import add_enzyme_capacity, calibrate_capacity
from fluxasn.analysis.readouts.electrons import close_free_vents
from fluxasn.analysis.redox import block_transhydrogenation, constrain_redox_directions
from fluxasn.core.enzymes import enzyme_costs, pool_parameters
from fluxasn.core.measurements import Measurements, load_nci60, read_measurements

MEDIAN_LINE = "NCI-60 median (11 lines)"


def nci60_median() -> Measurements:
    """Median value and median sd per metabolite over the bundled NCI-60 lines."""
    table = load_nci60().table
    rows = []
    for metabolite, group in table.groupby("metabolite", sort=True):
        rows.append({"metabolite": metabolite, "value": float(group["value"].median()),
                     "sd": float(group["sd"].median()), "unit": group["unit"].iloc[0],
                     "cell_line": MEDIAN_LINE, "condition": "NCI-60 standard culture"})
    return read_measurements(pd.DataFrame(rows))


def median_measured_growth() -> float:
    """Median measured growth (1/h) of the bundled NCI-60 lines."""
    table = load_nci60().table
    return float(table.loc[table["key"] == "biomass", "flux"].median())


def _pool(model) -> dict:
    handle = add_enzyme_capacity(model)
    return {"pool_g_per_gDW": handle.pool, "pool_source": "bundled (protein content x enzyme fraction)"}


def _calibrated(model) -> dict:
    costs = enzyme_costs(model)
    growth = median_measured_growth()
    pool = calibrate_capacity(model, growth=growth, costs=costs)
    add_enzyme_capacity(model, costs, pool=pool)
    return {"pool_g_per_gDW": pool, "pool_source": f"calibrated to the median NCI-60 growth {growth:.4g} 1/h"}


def _redox(model) -> dict:
    directions = constrain_redox_directions(model, state="control")
    pairs = block_transhydrogenation(model)
    return {"redox": f"{len(directions)} directions forced, {len(pairs)} transhydrogenation pairs blocked"}


def _vents(model) -> dict:
    closed = close_free_vents(model)
    shut = closed.loc[closed["status"] == "closed", "reaction"].tolist()
    left = closed.loc[closed["status"] == "unresolved", "compartment"].tolist()
    return {"vents": f"{len(shut)} electron half-reactions closed ({', '.join(shut) or 'none'}); "
                     f"free vents left in: {', '.join(left) or 'none'}"}


def _chain(*adders: Callable) -> Callable:
    """One adder applying ``adders`` in order, their descriptions merged."""
    def add(model) -> dict:
        info: dict = {}
        for adder in adders:
            info.update(adder(model))
        return info
    return add


#: name -> (constraint adder, whether the NCI-60 median rates apply)
MECHANISMS: Dict[str, Tuple[Optional[Callable], bool]] = {
    "FBA": (None, False),
    "pool": (_pool, False),
    "pool at measured growth": (_calibrated, False),
    "FBA + redox": (_redox, False),
    "pool at measured growth + redox": (_chain(_calibrated, _redox), False),
    "FBA + no free vents": (_vents, False),
    "pool at measured growth + no free vents": (_chain(_vents, _calibrated), False),
    "pool at measured growth + redox + no free vents": (_chain(_vents, _calibrated, _redox), False),
    "FBA + NCI-60 rates": (None, True),
    "pool at measured growth + NCI-60 rates": (_calibrated, True),
    "pool at measured growth + no free vents + NCI-60 rates": (_chain(_vents, _calibrated), True),
}


def apply_mechanism(model, name: str):
    """Add mechanism ``name`` to ``model`` (call inside ``with model:``); returns (info, measurements or None)."""
    adder, rates = MECHANISMS[name]
    info = adder(model) if adder is not None else {}
    info["saturation"] = pool_parameters().saturation if "pool_g_per_gDW" in info else None
    return info, (nci60_median() if rates else None)


def mechanism_names() -> List[str]:
    return list(MECHANISMS)
