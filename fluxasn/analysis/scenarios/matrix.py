"""The scenario x readout matrix: every scenario, optionally under measured rates, every readout.

:func:`run_scenarios` applies each scenario inside its own ``with model:``
block (optionally with measured rates, :func:`apply_scenario_with_rates`),
computes the readouts of :mod:`fluxasn.analysis.readouts` and returns a
:class:`ScenarioMatrix`. The model is left unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

import cobra
import pandas as pd

from fluxasn._parallel import new_pool, resolve_processes
from fluxasn.analysis import readouts as R
from fluxasn.analysis.scenarios.scenario import (
    DEFAULT_SCENARIOS,
    Scenario,
    apply_scenario,
    apply_scenario_check,
    apply_scenario_with_rates,
    normoxic_reference,
    parse_scenario,
)
from fluxasn.core.measurements import Measurements
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError, RoleError
from fluxasn.progress import ProgressCallback
from fluxasn.views import ResultView

__all__ = [
    "READOUTS",
    "MEASUREMENT_COLUMNS",
    "REDUCTIVE_CARBOXYLATION",
    "default_readouts",
    "ScenarioMatrix",
    "run_scenarios",
    "scenario_table",
]

#: Columns a row gains when measured rates are applied: what was applied, what
#: was left out (set by the scenario) and which measurements were relaxed.
MEASUREMENT_COLUMNS = ("measurements", "measurements_left_out", "measurements_relaxed")

#: Readouts of :func:`run_scenarios`, in column order.
READOUTS: Tuple[str, ...] = (
    "growth",
    "asns_fva",
    "aspartate_sources",
    "nucleotides",
    "shadow_prices",
    "reductive_carboxylation",
    "limits",
    "essential_genes",
    "asns_partners",
)

#: Readouts left out by default on genome-scale models (> 1000 reactions):
#: gene screens over thousands of genes per scenario.
_SCREENS = ("essential_genes", "asns_partners")


def default_readouts(model: cobra.Model) -> Tuple[str, ...]:
    """All readouts for small models; no gene screens on genome-scale ones (> 1000 reactions)."""
    if len(model.reactions) > 1000:
        return tuple(r for r in READOUTS if r not in _SCREENS)
    return READOUTS


def _check_readouts(readouts) -> Tuple[str, ...]:
    readouts = tuple(readouts)
    for name in readouts:
        if name not in READOUTS:
            raise FluxasnInputError(
                f"unknown readout {name!r}; valid readouts: " + ", ".join(READOUTS), identifier=name
            )
    return readouts


def _run_one(model: cobra.Model, scenario: Scenario, readouts: Sequence[str], options: Mapping) -> Tuple[dict, dict]:
    row: Dict[str, object] = {"scenario": scenario.name}
    details: Dict[str, object] = {}
    with model:
        resolver = ModelResolver(model, overrides=options.get("overrides"), roles_=options.get("roles"))
        measurements = options.get("measurements")
        measured = set()
        if measurements is None:
            row["notes"] = " | ".join(apply_scenario(model, scenario, resolver=resolver,
                                                     reference_o2=options.get("reference_o2")))
        else:
            notes, constrained = apply_scenario_with_rates(model, scenario, measurements,
                                                           k=options.get("k", 2.0), resolver=resolver,
                                                           reference_o2=options.get("reference_o2"))
            row["notes"] = " | ".join(notes)
            measured = set(constrained.reactions())
            info = constrained.provenance()
            for key in MEASUREMENT_COLUMNS:
                row[key] = info.get(key, "")
        fraction = options.get("fraction_of_optimum", 1.0)
        if "growth" in readouts:
            g = R.growth(model, resolver=resolver)
            row["growth"], row["status"] = g["growth"], g["status"]
        if "asns_fva" in readouts:
            a = R.asns_range(model, fraction_of_optimum=fraction, resolver=resolver)
            row["asns_minimum"], row["asns_maximum"] = a["minimum"], a["maximum"]
        if "aspartate_sources" in readouts:
            table = R.aspartate_sources(model, fraction_of_optimum=fraction, resolver=resolver)
            details["aspartate_sources"] = table
            for item in table.itertuples(index=False):
                key = "asp" if item.metabolite == "aspartate" else "oaa"
                row[f"{key}_{item.compartment}_{item.source}_share"] = item.share
        if "nucleotides" in readouts:
            n = R.nucleotide_capacity(model, growth_fraction=options.get("growth_fraction", 0.5), resolver=resolver)
            row["purine_capacity"], row["pyrimidine_capacity"] = n["purine_capacity"], n["pyrimidine_capacity"]
        if "shadow_prices" in readouts:
            s = R.shadow_prices(model, resolver=resolver)
            for key, value in s.items():
                if key != "status":
                    row[key] = value
        if "limits" in readouts:
            limits = R.growth_limits(model, measured=measured, resolver=resolver)
            details["growth_limits"] = limits.to_frame()
            row["growth_limits"] = limits.summary()
        if "reductive_carboxylation" in readouts:
            row["reductive_carboxylation_minimum"] = _reductive_minimum(model, resolver, fraction, row)
        genes = options.get("genes")
        if "essential_genes" in readouts:
            e = R.essential_genes(model, genes=genes, resolver=resolver)
            details["essential_genes"] = e
            names = sorted(e.loc[e["essential"], "gene"])
            row["n_essential"] = len(names)
            row["essential_genes"] = ";".join(names)
        if "asns_partners" in readouts:
            p = R.asns_partners(model, genes=genes, resolver=resolver)
            details["asns_partners"] = p
            row["asns_partners"] = ";".join(sorted(p.loc[p["partner"].astype(bool), "gene"])) if len(p) else ""
            if p.attrs.get("note"):
                row["notes"] += " | partners: " + p.attrs["note"]
    return row, details


#: The reductive-carboxylation route of the ``reductive_carboxylation`` readout:
#: the NADP-isocitrate dehydrogenases counted in the direction producing isocitrate.
REDUCTIVE_CARBOXYLATION = (("IDH1", "IDH2"), "isocitrate")


def _reductive_minimum(model, resolver, fraction, row) -> float:
    """Least IDH1 + IDH2 flux towards isocitrate at ``fraction`` of maximum growth (NaN, with a
    note, on a model without those reactions)."""
    genes, metabolite = REDUCTIVE_CARBOXYLATION
    try:
        group = R.capacity_group(model, genes, producing=metabolite, resolver=resolver)
    except FluxasnInputError as error:
        row["notes"] += f" | reductive carboxylation not read out: {error}"
        return float("nan")
    return float(R.minimum_capacity(model, group, fraction_of_optimum=fraction, resolver=resolver)["minimum_capacity"])


@dataclass(repr=False)
class ScenarioMatrix(ResultView):
    """Scenario x readout results of :func:`run_scenarios`.

    Views: ``str()`` (terminal), ``_repr_html_()`` (notebook), :meth:`to_frame`
    (one row per scenario), :meth:`to_csv` / :meth:`to_json`, :meth:`heatmap`.

    Attributes
    ----------
    frame
        One row per scenario: ``scenario``, ``description``, ``growth``
        (1/h), ``status``, ``asns_minimum``/``asns_maximum`` (mmol/gDW/h),
        ``asp_<compartment>_<source>_share``, ``purine_capacity``,
        ``pyrimidine_capacity`` (mmol/gDW/h), ``shadow_price_<metabolite>``,
        ``reductive_carboxylation_minimum`` (the least IDH1 + IDH2 flux towards
        isocitrate that maximum growth needs, mmol/gDW/h),
        ``growth_limits`` (the three largest active limits of growth with
        their shadow prices, :func:`fluxasn.analysis.readouts.growth_limits`),
        ``n_essential``, ``essential_genes``, ``asns_partners``, ``notes``.
    details
        Scenario -> long tables (``aspartate_sources``, ``growth_limits``,
        ``essential_genes``, ``asns_partners``).
    """

    frame: pd.DataFrame
    details: Dict[str, Dict[str, pd.DataFrame]] = field(default_factory=dict)
    model_id: str = ""

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def to_csv(self, path=None, **kwargs):
        """CSV text (``path=None``) or file."""
        return self.frame.to_csv(path, index=False, **kwargs)

    def to_json(self, path=None, **kwargs):
        """JSON records (``path=None``: the text)."""
        return self.frame.to_json(path, orient="records", indent=2, **kwargs)

    def _summary(self) -> pd.DataFrame:
        keep = [c for c in self.frame.columns if c not in ("description", "notes", "essential_genes")]
        return self.frame[keep]

    def _title(self) -> str:
        return (f"scenario x readout matrix ({self.model_id}, {len(self.frame)} scenarios x "
                f"{self.frame.shape[1]} columns); fluxes mmol/gDW/h, growth 1/h")

    def _display(self) -> pd.DataFrame:
        return self._summary()

    def heatmap(self, columns: Optional[Sequence[str]] = None, ax=None):
        """Heatmap of numeric readouts, each column scaled to its maximum absolute value."""
        import matplotlib.pyplot as plt
        import numpy as np

        numeric = self.frame.set_index("scenario").select_dtypes("number")
        if columns is not None:
            numeric = numeric[list(columns)]
        scale = numeric.abs().max().replace(0, 1.0)
        values = (numeric / scale).to_numpy(dtype=float)
        if ax is None:
            _, ax = plt.subplots(figsize=(0.5 * numeric.shape[1] + 3, 0.35 * numeric.shape[0] + 2))
        image = ax.imshow(np.ma.masked_invalid(values), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_xticks(range(numeric.shape[1]), numeric.columns, rotation=90, fontsize=7)
        ax.set_yticks(range(numeric.shape[0]), numeric.index, fontsize=7)
        ax.figure.colorbar(image, ax=ax, label="value / column max |value|")
        return ax

    plot = heatmap


def _with_also(scenario: Scenario, extra: Scenario) -> Scenario:
    """``scenario`` with the tokens of ``extra`` it does not already have (never ``asn_free+asn_free``)."""
    if scenario.name == "control":
        return Scenario(f"control+{extra.name}", extra.perturbations, extra.description, extra.citation)
    have = set(scenario.name.split("+"))
    missing = [token for token in extra.name.split("+") if token not in have]
    return scenario + parse_scenario("+".join(missing)) if missing else scenario


def run_scenarios(
    model: cobra.Model,
    scenarios: Optional[Sequence[Union[str, Scenario]]] = None,
    *,
    readouts: Optional[Sequence[str]] = None,
    measurements: Optional[Measurements] = None,
    k: float = 2.0,
    also: Optional[Union[str, Scenario]] = None,
    processes: Optional[int] = None,
    progress: Optional[ProgressCallback] = None,
    fraction_of_optimum: float = 1.0,
    growth_fraction: float = 0.5,
    genes: Optional[Sequence[str]] = None,
    overrides: Optional[Mapping[str, object]] = None,
) -> ScenarioMatrix:
    """Run every scenario and readout; the model is left unchanged.

    Parameters
    ----------
    model
        Any cobra model with a medium applied (the core model from
        :func:`fluxasn.load_model` has RPMI-1640 + 10% FBS).
    scenarios
        Scenario strings or :class:`Scenario` objects; default
        :data:`DEFAULT_SCENARIOS`.
    readouts
        Names from :data:`READOUTS`; default :func:`default_readouts`.
    measurements
        Measured rates (one cell line and condition) applied under every
        scenario by :func:`apply_scenario_with_rates`: the measured growth and
        the rates of the exchanges a scenario sets are left out, the rest
        bound their reactions at ``mean +/- k sd``, minimally relaxed per
        scenario. Each row then says what was applied, left out and relaxed
        (:data:`MEASUREMENT_COLUMNS`).
    k
        Width of the measurement bounds in standard deviations.
    also
        A scenario added to every scenario (rows named ``name+also``; a token
        the scenario already has is not added twice, and scenarios that become
        the same set of tokens give one row).
    processes
        Worker processes (scenarios are spread over them); default
        :data:`fluxasn.config.config` (the number of cores). Results do not
        depend on it.
    progress
        ``progress(done, total)``, called as scenarios finish.
    fraction_of_optimum
        Growth fraction held for the ASNS and aspartate-source FVA and pFBA.
    growth_fraction
        Growth fraction held for the nucleotide capacities.
    genes
        Genes for the essential-gene and ASNS partner screens (default all).
    overrides
        Role overrides (role -> reaction id(s)).

    Returns
    -------
    ScenarioMatrix

    Raises
    ------
    FluxasnInputError
        Unknown scenario token or readout, or a supplement the model has no
        exchange for; raised before any scenario runs. (With the default
        scenarios, one the model cannot express is kept as a row whose
        ``status`` starts with ``not run:`` and names what is missing.)
    RoleError
        A role a scenario needs is missing from the model.
    """
    defaults = scenarios is None
    parsed = [parse_scenario(s) for s in (DEFAULT_SCENARIOS if defaults else scenarios)]
    if also is not None:
        combined, seen = [], set()
        for scenario in (_with_also(s, parse_scenario(also)) for s in parsed):
            tokens = frozenset(scenario.name.split("+")) - {"control"}
            if tokens not in seen:  # asn_free + asns_ko and asns_ko + asn_free are one row
                seen.add(tokens)
                combined.append(scenario)
        parsed = combined
    readouts = _check_readouts(readouts if readouts is not None else default_readouts(model))
    resolver = ModelResolver(model, overrides=overrides)
    # resolve everything first: bad input fails before any LP. Default
    # scenarios the model cannot express (no pyruvate exchange ...) are kept
    # as rows whose status says why, instead of failing the whole matrix.
    resolver.biomass()
    skipped: Dict[str, str] = {}
    for scenario in parsed:
        try:
            apply_scenario_check(model, scenario, resolver)
        except (FluxasnInputError, RoleError) as error:
            if not defaults:
                raise
            skipped[scenario.name] = f"not run: {error}"
    if "asns_fva" in readouts or "asns_partners" in readouts:
        resolver.role_reactions("ASNS")
    options = {
        "fraction_of_optimum": fraction_of_optimum,
        "growth_fraction": growth_fraction,
        "genes": list(genes) if genes is not None else None,
        "overrides": overrides,
        "roles": resolver.roles,
        "measurements": measurements,
        "k": k,
    }
    # one normoxic O2 reference for every relative hypoxia of the matrix: the
    # model (under the measured rates) before any scenario; NaN if infeasible,
    # which the hypoxia rows record in their notes
    if any(s.needs_o2_reference for s in parsed if s.name not in skipped):
        options["reference_o2"] = normoxic_reference(model, measurements=measurements, k=k, resolver=resolver)
    tasks = [(s, readouts, options) for s in parsed if s.name not in skipped]
    total = len(parsed)
    done = len(skipped)
    if progress is not None:
        progress(done, total)
    results = []
    n = resolve_processes(processes, len(tasks) or 1)
    if n > 1:
        with new_pool(n, initializer=_worker_init, initargs=(model,)) as pool:
            for result in pool.map(_worker, tasks):
                results.append(result)
                done += 1
                if progress is not None:
                    progress(done, total)
    else:
        for task in tasks:
            results.append(_run_one(model, *task))
            done += 1
            if progress is not None:
                progress(done, total)
    rows = []
    details = {}
    finished = iter(results)
    for scenario in parsed:
        if scenario.name in skipped:
            row, detail = {"scenario": scenario.name, "status": skipped[scenario.name], "notes": ""}, {}
        else:
            row, detail = next(finished)
        row["description"] = "; ".join(p.describe() for p in scenario.perturbations) or "as given"
        rows.append(row)
        details[scenario.name] = detail
    frame = pd.DataFrame(rows)
    first = ["scenario", "description", "growth", "status"]
    last = [c for c in MEASUREMENT_COLUMNS if c in frame] + ["notes"]
    frame = frame[[c for c in first if c in frame] + [c for c in frame if c not in first and c not in last] + last]
    return ScenarioMatrix(frame, details, model.id)


_WORKER_MODEL = None


def _worker_init(model):
    global _WORKER_MODEL
    _WORKER_MODEL = model


def _worker(args):
    scenario, readouts, options = args
    return _run_one(_WORKER_MODEL, scenario, readouts, options)


def scenario_table(model: cobra.Model, **kwargs) -> pd.DataFrame:
    """:func:`run_scenarios` as a DataFrame (what ``fluxasn scenarios`` prints)."""
    return run_scenarios(model, **kwargs).to_frame()
