"""Essential genes and synthetic-lethal partners of ASNS (knockout screens as readouts).
"""
from __future__ import annotations

from typing import Optional, Sequence

import cobra
import pandas as pd

from fluxasn.analysis.knockouts import knockout_screen
from fluxasn.analysis.readouts._common import GROWTH_TOLERANCE, _optimize, _resolver
from fluxasn.core.resolver import ModelResolver

__all__ = ['essential_genes', 'asns_partners']


def _screen(model, genes, processes):
    return knockout_screen(model, genes=genes, order=1, processes=processes).to_frame()


def essential_genes(
    model: cobra.Model,
    *,
    genes: Optional[Sequence[str]] = None,
    threshold: float = 0.01,
    processes: int = 1,
    resolver: Optional[ModelResolver] = None,
) -> pd.DataFrame:
    """Genes whose single knock-out stops growth.

    Parameters
    ----------
    genes
        Gene ids to screen (default: every gene of the model).
    threshold
        A gene is essential if growth after its knock-out is below
        ``threshold`` x the unperturbed growth, or not optimal (infeasible).

    Returns
    -------
    pandas.DataFrame
        One row per screened gene: ``gene``, ``growth`` (1/h), ``status``,
        ``essential`` (bool); ``attrs["reference_growth"]`` holds the
        unperturbed growth.
    """
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    genes = [getattr(g, "id", g) for g in (genes if genes is not None else model.genes)]
    with model:
        model.objective = biomass
        reference, status = _optimize(model)
        if status != "optimal" or reference < GROWTH_TOLERANCE:
            frame = pd.DataFrame({"gene": genes, "growth": float("nan"), "status": status, "essential": False})
            frame.attrs["reference_growth"] = reference
            return frame
        screen = _screen(model, genes, processes)
    gene_ids = [next(iter(ids)) for ids in screen["ids"]]
    growths = screen["growth"].to_numpy(dtype=float)
    statuses = list(screen["status"])
    essential = [
        (s != "optimal") or (g < threshold * reference) for g, s in zip(growths, statuses)
    ]
    frame = pd.DataFrame({"gene": gene_ids, "growth": growths, "status": statuses, "essential": essential})
    frame.attrs["reference_growth"] = reference
    return frame


def asns_partners(
    model: cobra.Model,
    *,
    genes: Optional[Sequence[str]] = None,
    threshold: float = 0.01,
    processes: int = 1,
    resolver: Optional[ModelResolver] = None,
) -> pd.DataFrame:
    """Synthetic-lethal partners of ASNS: a double-knock-out screen anchored on ASNS.

    A gene ``g`` is a partner if the ASNS + ``g`` double loss stops growth
    (below ``threshold`` x unperturbed growth) while neither single loss does.
    The screen knocks out the ASNS role reactions once and then every gene in
    turn, which is the ASNS row of a full pair screen.

    Returns
    -------
    pandas.DataFrame
        ``gene``, ``growth`` (ASNS + gene, 1/h), ``single_growth`` (gene
        alone), ``status``, ``partner`` (bool). ``attrs`` holds
        ``reference_growth``, ``asns_ko_growth`` and ``note`` (why the screen
        is empty, when it is).
    """
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    asns = resolver.role_reactions("ASNS")
    asns_genes = {g.id for r in asns for g in r.genes}
    genes = [getattr(g, "id", g) for g in (genes if genes is not None else model.genes)]
    genes = [g for g in genes if g not in asns_genes]
    singles = essential_genes(model, genes=genes, threshold=threshold, processes=processes, resolver=resolver)
    reference = singles.attrs["reference_growth"]
    with model:
        for reaction in asns:
            reaction.bounds = (0.0, 0.0)
        model.objective = biomass
        anchored, status = _optimize(model)
        empty = pd.DataFrame(columns=["gene", "growth", "single_growth", "status", "partner"])
        note = ""
        if not (reference >= GROWTH_TOLERANCE):
            note = "no growth before any knock-out"
        elif status != "optimal" or anchored < threshold * reference:
            note = "ASNS loss alone stops growth: no partner can be synthetic lethal"
        if note:
            empty.attrs.update(reference_growth=reference, asns_ko_growth=anchored, note=note)
            return empty
        double = _screen(model, genes, processes)
    growths = double["growth"].to_numpy(dtype=float)
    statuses = list(double["status"])
    single_essential = dict(zip(singles["gene"], singles["essential"]))
    single_growth = dict(zip(singles["gene"], singles["growth"]))
    gene_ids = [next(iter(ids)) for ids in double["ids"]]
    partner = [
        ((s != "optimal") or (g < threshold * reference)) and not single_essential[gid]
        for gid, g, s in zip(gene_ids, growths, statuses)
    ]
    frame = pd.DataFrame({
        "gene": gene_ids, "growth": growths, "single_growth": [single_growth[g] for g in gene_ids],
        "status": statuses, "partner": partner,
    })
    frame.attrs.update(reference_growth=reference, asns_ko_growth=anchored, note="")
    return frame


