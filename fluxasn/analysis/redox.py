"""Redox constraints: thermodynamic directions of NAD(P)-linked steps and no free transhydrogenation.

Two switchable constraints, each added with ``model.add_cons_vars`` (rows named
``fluxasn_redox_...``, read as "redox" by
:func:`fluxasn.analysis.readouts.growth_limits`) and undone on leaving
``with model:``. Analyses stay LPs: thermodynamics only fixes directions.

:func:`constrain_redox_directions`
    For each reaction of :data:`DG0` present in the model, the range of

        dG' = dG'0 +/- n_sigma * sd + RT ln Q

    is computed over metabolite concentrations in ``concentrations`` (default
    1 uM - 10 mM, water activity 1, protons absorbed in the transformed dG'0)
    and the NAD+/NADH and NADP+/NADPH ratio of the reaction's compartment in
    ``state`` (:data:`COFACTOR_RATIOS`). A reaction whose whole range lies on one
    side of zero gets a row ``fluxasn_redox_dir_<id>`` that forbids the other
    direction.
:func:`block_transhydrogenation`
    For every pair of reactions in one compartment that differ only in NAD(H)
    versus NADP(H) (isozymes, or one enzyme using both cofactors: GLUD1,
    MTHFD2/MTHFD2L, IDH3/IDH2, ME2/ME3, PYCR), the NAD-linked member is
    restricted to its NADH-producing direction (row
    ``fluxasn_redox_th_<id>``). Reason: NADH + NADP+ -> NAD+ + NADPH through
    such a pair (NAD-linked member reductive, NADP-linked member oxidative) is
    an energy-free transhydrogenase. dG'0 of the exchange is ~0 (the pair's
    dG'0 differ by < 0.2 kJ/mol, :data:`DG0`) while NADP is far more reduced
    than NAD in both cytosol and mitochondria (:data:`COFACTOR_RATIOS`), so
    dG' = RT ln([NAD+][NADPH]/[NADH][NADP+]) > 0: the cycle cannot run; the
    real transhydrogenase (NNT) uses the proton-motive force and is not in the
    core model. The restriction is *sufficient*, not necessary: every net
    reductive conversion remains possible through the NADP-linked member,
    which at any shared substrate/product ratio is the more favourable of the
    two (its cofactor pool is more reduced); what is lost is only NADH
    oxidation by the pair's reductive direction.

Parameters live in :data:`DG0` (with :data:`DG0_SOURCE`),
:data:`COFACTOR_RATIOS` (with :data:`RATIO_SOURCES`) and
:data:`DEFAULT_CONCENTRATIONS`.

References
----------
- Noor E, Haraldsdottir HS, Milo R, Fleming RMT (2013) Consistent estimation of
  Gibbs energy using component contributions. PLoS Comput Biol 9:e1003098
  (eQuilibrator; values of :data:`DG0`).
- Williamson DH, Lund P, Krebs HA (1967) The redox state of free nicotinamide-
  adenine dinucleotide in the cytoplasm and mitochondria of rat liver.
  Biochem J 103:514-527.
- Veech RL, Eggleston LV, Krebs HA (1969) The redox state of free nicotinamide-
  adenine dinucleotide phosphate in the cytoplasm of rat liver. Biochem J
  115:609-619.
- Henry CS, Broadbelt LJ, Hatzimanikatis V (2007) Thermodynamics-based
  metabolic flux analysis. Biophys J 92:1792-1805 (direction from dG' ranges).
"""
from __future__ import annotations

import functools
import math
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

import cobra
import pandas as pd

from fluxasn.core.cofactors import COFACTOR_POOLS, CofactorIndex, cofactor_index
from fluxasn.core.compartments import Compartments, find_compartments
from fluxasn.exceptions import FluxasnInputError

__all__ = [
    "DG0",
    "DG0_SOURCE",
    "DG0_FROM_POTENTIALS",
    "dg0_for_model",
    "COFACTOR_RATIOS",
    "RATIO_SOURCES",
    "DEFAULT_CONCENTRATIONS",
    "RT",
    "REDOX_PREFIX",
    "DIRECTION_PREFIX",
    "TRANSHYDROGENATION_PREFIX",
    "dg_prime_range",
    "forced_directions",
    "constrain_redox_directions",
    "transhydrogenase_pairs",
    "block_transhydrogenation",
]

#: RT at 310.15 K in kJ/mol.
RT = 8.314462618e-3 * 310.15

#: Prefix of every row this module adds (read as "redox" by growth_limits).
REDOX_PREFIX = "fluxasn_redox_"
#: Row-name prefixes of the two constraints.
DIRECTION_PREFIX = REDOX_PREFIX + "dir_"
TRANSHYDROGENATION_PREFIX = REDOX_PREFIX + "th_"

#: Where :data:`DG0` comes from.
DG0_SOURCE = (
    "eQuilibrator (equilibrator-api 0.8.1, equilibrator-cache 0.8.1, "
    "equilibrator-cache-data 0.1.0 mini compound cache, component contribution; "
    "Noor et al. 2013 PLoS Comput Biol 9:e1003098), pH 7.3, ionic strength 0.25 M, "
    "pMg 3, 310.15 K; reactions written from the core model's stoichiometry with "
    "protons omitted (absorbed by the transform); computed 2026-12-06"
)

#: Standard transformed Gibbs energy (kJ/mol) of each reaction as written in the
#: core model (forward direction) and its standard uncertainty (kJ/mol).
#: Respiratory complexes III and IV are missing: cytochrome c has no
#: formation energy in the cache (their reactions are irreversible in the model).
#: Complex I and ATP synthase are the chemical parts only (no proton-motive force).
DG0: Dict[str, Tuple[float, float]] = {
    "MDH": (25.76, 0.30),
    "MDHm": (25.76, 0.30),
    "LDH_L": (22.97, 0.46),
    "GAPD": (0.32, 0.41),
    "GDHm": (32.47, 0.28),
    "GLUDym": (32.33, 0.37),
    "ICDHyr": (5.35, 3.19),
    "ICDHym": (5.35, 3.19),
    "ICDHxm": (5.50, 3.19),
    "ME2": (11.96, 3.14),
    "ME1m": (12.10, 3.12),
    "ME2m": (11.96, 3.14),
    "G3PD1ir": (-21.88, 0.73),
    "P5CRm": (-13.69, 6.03),
    "P5CRxm": (-13.83, 6.04),
    "P5CR": (-13.69, 6.03),
    "2HBO": (11.75, 3.50),
    "MTHFD": (5.85, 1.14),
    "MTHFDm": (5.85, 1.14),
    "MTHFD2m": (5.99, 1.12),
    "PGCD": (30.17, 0.56),
    "AKGDm": (-28.10, 3.88),
    "PDHm": (-34.23, 3.22),
    "G6PDH2r": (-7.71, 1.32),
    "GND": (10.25, 3.18),
    "NADH2_u10mi": (-70.43, 1.93),
    "r0509": (-2.70, 1.93),
}

#: Entries of :data:`DG0` not from eQuilibrator: the two ubiquinone reactions.
#: eQuilibrator's component-contribution estimate for ubiquinone-10 gave
#: -131.0 (complex I) and -73.6 kJ/mol (SDH), far from the measured standard
#: reduction potentials (E'0: NAD+/NADH -0.320 V, fumarate/succinate +0.031 V,
#: ubiquinone/ubiquinol +0.045 V; Lehninger Principles of Biochemistry,
#: standard reduction potentials table), which give dG'0 = -nF dE'0 = -70.43
#: and -2.70 kJ/mol (n = 2, F = 96.485 kJ/mol/V). The sd 1.93 kJ/mol is 10 mV
#: on dE'0 (ASSUMED). SDH is then reversible under any cofactor state, as the
#: fumarate-reductase direction of Spinelli et al. 2021 (Science 374:1227) needs.
DG0_FROM_POTENTIALS = ("NADH2_u10mi", "r0509")

#: Free oxidised/reduced ratios, (low, high), by state, compartment and pool.
COFACTOR_RATIOS: Dict[str, Dict[str, Dict[str, Tuple[float, float]]]] = {
    "control": {
        "c": {"nad": (700.0, 700.0), "nadp": (0.01, 0.01)},
        "m": {"nad": (7.0, 8.0), "nadp": (0.01, 1.0)},
    },
    "etc_inhibited": {
        "c": {"nad": (1.0, 700.0), "nadp": (0.01, 0.01)},
        "m": {"nad": (0.1, 8.0), "nadp": (0.01, 1.0)},
    },
}

#: Source of each entry of :data:`COFACTOR_RATIOS` (``state/compartment/pool``).
RATIO_SOURCES: Dict[str, str] = {
    "control/c/nad": "Williamson, Lund & Krebs 1967 Biochem J 103:514 (free cytosolic NAD+/NADH ~700, rat liver)",
    "control/m/nad": "Williamson, Lund & Krebs 1967 Biochem J 103:514 (free mitochondrial NAD+/NADH ~7-8, rat liver)",
    "control/c/nadp": "Veech, Eggleston & Krebs 1969 Biochem J 115:609 (free cytosolic NADP+/NADPH ~0.01, rat liver; value as widely cited, not re-read from the paper here)",
    "control/m/nadp": "ASSUMED range 0.01-1 (no measured free mitochondrial value found); replace with a measurement",
    "etc_inhibited/c/nad": ("ASSUMED bounding range: from the control value down to 1 (NAD+/NADH falls several-fold "
                            "on ETC inhibition, Titov 2016 Science 352:231; no verified compartment value found)"),
    "etc_inhibited/m/nad": ("ASSUMED bounding range: from the control value down to 0.1 (see etc_inhibited/c/nad)"),
    "etc_inhibited/c/nadp": "as control (Veech 1969)",
    "etc_inhibited/m/nadp": "as control (ASSUMED)",
}

#: Concentration range (M) of every metabolite other than the cofactors, water and protons.
DEFAULT_CONCENTRATIONS: Tuple[float, float] = (1e-6, 1e-2)

#: Compartment kind -> the key of that compartment in :data:`COFACTOR_RATIOS`.
_RATIO_KEYS = {"cytosol": "c", "mitochondrion": "m"}


def _ratio_key(comp: str, found: Optional[Compartments]) -> str:
    """The :data:`COFACTOR_RATIOS` key of compartment ``comp`` (by its kind; else the id itself)."""
    if found is not None:
        for kind, key in _RATIO_KEYS.items():
            if found.ids.get(kind) == comp:
                return key
    return comp


def _reaction(model: cobra.Model, reaction_id: str) -> cobra.Reaction:
    try:
        return model.reactions.get_by_id(reaction_id)
    except KeyError:
        raise FluxasnInputError(f"reaction {reaction_id!r} is not in the model",
                                identifier=reaction_id) from None


def _ratios(state: str) -> Dict[str, Dict[str, Tuple[float, float]]]:
    if state not in COFACTOR_RATIOS:
        raise FluxasnInputError(f"unknown redox state {state!r}; expected one of {sorted(COFACTOR_RATIOS)}",
                                identifier=state)
    return COFACTOR_RATIOS[state]


def _check_concentrations(concentrations: Tuple[float, float]) -> Tuple[float, float]:
    low, high = (float(x) for x in concentrations)
    if not (0 < low <= high):
        raise FluxasnInputError(f"concentration range must satisfy 0 < low <= high, got {concentrations!r}",
                                identifier="concentrations")
    return low, high


@functools.lru_cache(maxsize=1)
def _core_stoichiometry() -> Dict[str, Tuple[str, Dict[str, float]]]:
    """Core reaction id -> (Human-GEM id, {metabolite formula: coefficient}) from the bundled tables.

    Read once per process: the bundled tables do not change (callers must not mutate the result).
    """
    from fluxasn.core.coremodel import parse_equation, read_core_tables

    tables = read_core_tables()
    formulas = dict(zip(tables["metabolites"]["id"], tables["metabolites"]["formula"]))
    out = {}
    for row in tables["reactions"].itertuples(index=False):
        if row.id not in DG0:
            continue
        stoichiometry, _ = parse_equation(row.equation, identifier=row.id)
        by_formula: Dict[str, float] = {}
        for met, coef in stoichiometry.items():
            formula = formulas.get(met, "")
            if formula and formula not in ("H", "H2O"):
                by_formula[formula] = by_formula.get(formula, 0.0) + coef
        out[row.id] = (row.humangem, by_formula)
    return out


def _orientation(reaction: cobra.Reaction, by_formula: Mapping[str, float]) -> Optional[int]:
    """+1 if ``reaction`` is written as the core reaction, -1 if reversed, None if its formulas disagree."""
    theirs: Dict[str, float] = {}
    for met, coef in reaction.metabolites.items():
        if met.formula:
            theirs[met.formula] = theirs.get(met.formula, 0.0) + coef
    signs = set()
    for formula, coef in by_formula.items():
        other = theirs.get(formula)
        if other is None or abs(other) < 1e-12:
            return None
        signs.add(1 if other * coef > 0 else -1)
    return signs.pop() if len(signs) == 1 else None


def dg0_for_model(
    model: cobra.Model,
    *,
    dg0: Optional[Mapping[str, Tuple[float, float]]] = None,
) -> Dict[str, Tuple[float, float]]:
    """:data:`DG0` (keyed by core-model reaction ids) carried over to ``model``'s reactions.

    A core reaction is found in ``model`` by its id, else by its Human-GEM id
    (``humangem`` column of ``models/fluxasn_core/reactions.tsv``). The match
    is kept only if every metabolite formula of the core reaction (protons and
    water aside) occurs in the model's reaction with one consistent sign; a
    reaction written the other way round gets the negated dG'0. A reaction
    whose formulas do not match is left out (no direction is then forced).

    Parameters
    ----------
    model
        Any cobra model (only read).
    dg0
        Table keyed by core reaction ids; :data:`DG0` by default.

    Returns
    -------
    dict
        Model reaction id -> (dG'0, sd) in kJ/mol, as the model writes the reaction.
    """
    table = DG0 if dg0 is None else dg0
    core = _core_stoichiometry()
    out: Dict[str, Tuple[float, float]] = {}
    for core_id, (value, sd) in table.items():
        humangem, by_formula = core.get(core_id, ("", {}))
        target = core_id if core_id in model.reactions else humangem if humangem in model.reactions else None
        if target is None:
            continue
        sign = _orientation(model.reactions.get_by_id(target), by_formula) if by_formula else 1
        if sign is not None:
            out[target] = (sign * value, sd)
    return out


def dg_prime_range(
    model: cobra.Model,
    reaction_id: str,
    *,
    state: str = "control",
    concentrations: Tuple[float, float] = DEFAULT_CONCENTRATIONS,
    n_sigma: float = 2.0,
    dg0: Optional[Mapping[str, Tuple[float, float]]] = None,
    compartments: Optional[Compartments] = None,
    cofactors: Optional[CofactorIndex] = None,
) -> Tuple[float, float]:
    """The range of dG' (kJ/mol) of a reaction in its forward direction.

    Parameters
    ----------
    model
        The model (only read).
    reaction_id
        A reaction of ``model`` with an entry in ``dg0``.
    state
        A key of :data:`COFACTOR_RATIOS` (``"control"`` or ``"etc_inhibited"``).
    concentrations
        (low, high) concentration in M of every metabolite other than NAD(P)(H),
        water and protons.
    n_sigma
        dG'0 is taken as ``dg0 +/- n_sigma * sd``.
    dg0
        Table of (dG'0, sd) by reaction id of ``model``; by default
        :data:`DG0` carried over to the model (:func:`dg0_for_model`).
    compartments
        The model's compartments (:func:`fluxasn.core.compartments.find_compartments`,
        found when ``None``): the ratios of :data:`COFACTOR_RATIOS` (keys ``c``,
        ``m``) apply to the model's cytosol and mitochondrion whatever their ids.
    cofactors
        The model's NAD(P)(H), protons and water
        (:func:`fluxasn.core.cofactors.cofactor_index`, found when ``None``).

    Returns
    -------
    tuple of float
        (lowest, highest) dG'.

    Raises
    ------
    FluxasnInputError
        The reaction is not in the model or not in ``dg0``, the state is
        unknown, or a compartment has no cofactor ratio.
    """
    table = dg0_for_model(model) if dg0 is None else dg0
    reaction = _reaction(model, reaction_id)
    if reaction_id not in table:
        raise FluxasnInputError(f"no dG'0 for reaction {reaction_id!r}", identifier=reaction_id)
    ratios = _ratios(state)
    low, high = _check_concentrations(concentrations)
    value, sd = table[reaction_id]
    lo = value - n_sigma * sd
    hi = value + n_sigma * sd
    seen = set()
    found = compartments if compartments is not None else find_compartments(model)
    index = cofactors if cofactors is not None else cofactor_index(model)
    for met, coef in reaction.metabolites.items():
        if index.is_fixed(met):
            continue
        pool = index.pool(met)
        if pool is not None:
            comp = met.compartment
            if (pool, comp) in seen:
                continue
            seen.add((pool, comp))
            key = _ratio_key(comp, found)
            if key not in ratios or pool not in ratios[key]:
                raise FluxasnInputError(f"no {pool} ratio for compartment {comp!r} in state {state!r} "
                                        f"(ratios are given for the cytosol and the mitochondrion)",
                                        identifier=met.id)
            oxidised = COFACTOR_POOLS[pool][0]
            ox_coef = sum(c for m, c in reaction.metabolites.items()
                          if m.compartment == comp and index.kind(m) == oxidised)
            # ln Q term: ox_coef * ln([ox]/[red]) (red coefficient = -ox coefficient)
            r_lo, r_hi = ratios[key][pool]
            terms = (ox_coef * RT * math.log(r_lo), ox_coef * RT * math.log(r_hi))
            lo += min(terms)
            hi += max(terms)
            continue
        terms = (coef * RT * math.log(low), coef * RT * math.log(high))
        lo += min(terms)
        hi += max(terms)
    return lo, hi


def forced_directions(
    model: cobra.Model,
    *,
    state: str = "control",
    concentrations: Tuple[float, float] = DEFAULT_CONCENTRATIONS,
    n_sigma: float = 2.0,
    reactions: Optional[Iterable[str]] = None,
    dg0: Optional[Mapping[str, Tuple[float, float]]] = None,
) -> pd.DataFrame:
    """dG' ranges and the direction thermodynamics forces, per reaction.

    Parameters
    ----------
    model, state, concentrations, n_sigma, dg0
        As in :func:`dg_prime_range`.
    reactions
        Reaction ids; by default every id of ``dg0`` present in ``model``.

    Returns
    -------
    pandas.DataFrame
        Columns ``reaction``, ``dg_min``, ``dg_max`` (kJ/mol), ``direction``
        (``forward``, ``reverse`` or ``both``), ``lower_bound``,
        ``upper_bound`` (the model's) and ``conflict`` (True if the forced
        direction is one the model forbids).
    """
    table = dg0_for_model(model) if dg0 is None else dg0
    ids = [r for r in table if r in model.reactions] if reactions is None else list(reactions)
    rows = []
    found = find_compartments(model)
    index = cofactor_index(model)
    for rid in ids:
        lo, hi = dg_prime_range(model, rid, state=state, concentrations=concentrations,
                                n_sigma=n_sigma, dg0=table, compartments=found, cofactors=index)
        direction = "forward" if hi < 0 else "reverse" if lo > 0 else "both"
        rxn = model.reactions.get_by_id(rid)
        conflict = (direction == "forward" and rxn.upper_bound <= 0) or (direction == "reverse" and rxn.lower_bound >= 0)
        rows.append({"reaction": rid, "dg_min": lo, "dg_max": hi, "direction": direction,
                     "lower_bound": rxn.lower_bound, "upper_bound": rxn.upper_bound, "conflict": conflict})
    return pd.DataFrame(rows, columns=["reaction", "dg_min", "dg_max", "direction",
                                       "lower_bound", "upper_bound", "conflict"])


def constrain_redox_directions(
    model: cobra.Model,
    *,
    state: str = "control",
    concentrations: Tuple[float, float] = DEFAULT_CONCENTRATIONS,
    n_sigma: float = 2.0,
    reactions: Optional[Iterable[str]] = None,
    dg0: Optional[Mapping[str, Tuple[float, float]]] = None,
) -> List[str]:
    """Forbid the thermodynamically infeasible direction of NAD(P)-linked reactions.

    Adds, for every reaction :func:`forced_directions` finds forced, a row
    ``fluxasn_redox_dir_<id>``: ``v >= 0`` (forward forced) or ``v <= 0``
    (reverse forced). Use inside ``with model:``; the rows are removed on
    leaving the block. A forced direction that the model's bounds forbid is
    not added (it would make the reaction blocked) and is reported by
    :func:`forced_directions` (``conflict``).

    Parameters
    ----------
    model, state, concentrations, n_sigma, reactions, dg0
        As in :func:`forced_directions`.

    Returns
    -------
    list of str
        Names of the rows added.
    """
    frame = forced_directions(model, state=state, concentrations=concentrations, n_sigma=n_sigma,
                              reactions=reactions, dg0=dg0)
    added = []
    rows = []
    for rec in frame.itertuples():
        if rec.direction == "both" or rec.conflict:
            continue
        variable = model.reactions.get_by_id(rec.reaction).flux_expression
        name = DIRECTION_PREFIX + rec.reaction
        if name in model.constraints:
            continue
        if rec.direction == "forward":
            rows.append(model.problem.Constraint(variable, lb=0, name=name))
        else:
            rows.append(model.problem.Constraint(variable, ub=0, name=name))
        added.append(name)
    if rows:
        model.add_cons_vars(rows)
    return added


def transhydrogenase_pairs(model: cobra.Model) -> List[Tuple[str, str]]:
    """Pairs (NAD-linked, NADP-linked) of reactions that differ only in the cofactor.

    Two reactions form a pair when replacing NAD+/NADH by NADP+/NADPH of the
    same compartment in the first gives the stoichiometry of the second (same
    coefficients). Cofactors are recognised in any id scheme
    (:func:`fluxasn.core.cofactors.cofactor_index`).

    Parameters
    ----------
    model
        The model (only read).

    Returns
    -------
    list of tuple of str
        Sorted (NAD-linked id, NADP-linked id) pairs.
    """
    index = cofactor_index(model)

    def key(reaction, swap):
        token = index.swapped_token if swap else index.token
        return tuple(sorted((token(met), round(coef, 9)) for met, coef in reaction.metabolites.items()))

    def has(reaction, kinds):
        return kinds <= {index.kind(m) for m in reaction.metabolites}

    nadp_keys: Dict[tuple, List[str]] = {}
    for reaction in model.reactions:
        if has(reaction, {"nadp", "nadph"}):
            nadp_keys.setdefault(key(reaction, False), []).append(reaction.id)
    pairs = []
    for reaction in model.reactions:
        if has(reaction, {"nad", "nadh"}):
            for other in nadp_keys.get(key(reaction, True), []):
                pairs.append((reaction.id, other))
    return sorted(pairs)


def block_transhydrogenation(
    model: cobra.Model,
    *,
    pairs: Optional[Iterable[Tuple[str, str]]] = None,
) -> List[str]:
    """Close energy-free NADH -> NADPH transhydrogenation through NAD/NADP reaction pairs.

    For each (NAD-linked, NADP-linked) pair, adds a row
    ``fluxasn_redox_th_<NAD-linked id>`` restricting the NAD-linked reaction to
    its NADH-producing direction (see the module docstring for the
    thermodynamic argument). Pairs in which the cycle is already impossible
    by bounds (the NAD-linked member cannot consume NADH, or the NADP-linked
    member cannot produce NADPH) add nothing. Use inside ``with model:``.

    Parameters
    ----------
    model
        The model.
    pairs
        (NAD-linked, NADP-linked) reaction ids; by default
        :func:`transhydrogenase_pairs`.

    Returns
    -------
    list of str
        Names of the rows added.

    Raises
    ------
    FluxasnInputError
        A reaction of ``pairs`` is not in the model or does not carry the
        cofactor its position implies.
    """
    chosen = transhydrogenase_pairs(model) if pairs is None else [tuple(p) for p in pairs]
    index = cofactor_index(model)
    added, rows = [], []
    for nad_id, nadp_id in chosen:
        nad_rxn = _reaction(model, nad_id)
        nadp_rxn = _reaction(model, nadp_id)
        nadh_coef = index.coefficients(nad_rxn).get("nadh")
        if nadh_coef is None:
            raise FluxasnInputError(f"reaction {nad_id!r} has no NADH", identifier=nad_id)
        nadph_coef = index.coefficients(nadp_rxn).get("nadph")
        if nadph_coef is None:
            raise FluxasnInputError(f"reaction {nadp_id!r} has no NADPH", identifier=nadp_id)
        name = TRANSHYDROGENATION_PREFIX + nad_id
        if name in model.constraints:
            continue
        if (nadp_rxn.upper_bound <= 0 if nadph_coef > 0 else nadp_rxn.lower_bound >= 0):
            continue  # the NADP-linked member cannot produce NADPH: no cycle to close
        if nadh_coef > 0:  # forward produces NADH
            if nad_rxn.lower_bound >= 0:
                continue
            rows.append(model.problem.Constraint(nad_rxn.flux_expression, lb=0, name=name))
        else:
            if nad_rxn.upper_bound <= 0:
                continue
            rows.append(model.problem.Constraint(nad_rxn.flux_expression, ub=0, name=name))
        added.append(name)
    if rows:
        model.add_cons_vars(rows)
    return added
