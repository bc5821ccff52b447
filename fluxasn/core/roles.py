"""Find the reactions the asparagine analyses need in any human model, by gene and chemistry.

A *role* (``ASNS``, ``GOT2``, ``CI``, ``biomass``, ``EX_asn`` ...) is resolved
to reaction ids whatever the model's identifier scheme:

* enzyme roles: the reactions whose gene rule names one of the role's genes
  (gene ids translated to HGNC symbols by :class:`fluxasn.core.genes.GeneIndex`:
  symbols, HGNC ids, Entrez with or without a transcript suffix, Ensembl,
  UniProt, annotations, mouse/rat orthologs) **and** whose
  metabolites show the expected chemistry (e.g. ASNS: aspartate on one side,
  asparagine on the other, ATP present), because a gene can catalyse
  unrelated reactions (Human-GEM's ASPG gene is also on lipid hydrolases).
  Models without gene rules fall back to EC numbers in reaction annotations,
  then to chemistry alone, and say so in the ``method`` column;
* exchange roles: the exchange of the metabolite (:mod:`fluxasn.core.matching`);
* ``biomass``: the growth reaction by the rules of
  :func:`fluxasn.core.biomass.find_biomass` (the objective when it is a growth
  candidate, a drain objective followed to the reaction making the drained
  metabolite; closed variants, maintenance variants, pools/components and
  drains set aside).

Misses and ambiguities are reported in the result (status ``missing``,
``multiple``), never guessed; ``overrides`` set any role by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import cobra
import pandas as pd

from fluxasn.core.biomass import find_biomass
from fluxasn.core.gene_tables import annotation_values
from fluxasn.core.genes import GeneIndex
from fluxasn.core.matching import ExchangeIndex, identify_metabolite, metabolite_dictionary
from fluxasn.views import ResultView
from fluxasn.exceptions import FluxasnInputError, RoleError

__all__ = ["RoleSpec", "ROLES", "Roles", "find_roles", "select_reactions"]


@dataclass(frozen=True)
class RoleSpec:
    """What a role is.

    Parameters
    ----------
    name
        Role name (``ASNS``).
    kind
        ``enzyme``, ``exchange`` or ``biomass``.
    genes
        HGNC symbols, any of which marks a candidate reaction (enzyme roles).
    pairs
        Chemistry: (a, b) dictionary ids that must sit on opposite sides of
        the reaction, all pairs in the same orientation.
    present
        Dictionary ids that must appear in the reaction.
    absent
        Dictionary ids that must not appear.
    ec
        EC numbers used when the model has no gene rules.
    metabolite
        Dictionary id of the metabolite (exchange roles).
    description
        One line for the views.
    """

    name: str
    kind: str
    genes: Tuple[str, ...] = ()
    pairs: Tuple[Tuple[str, str], ...] = ()
    present: Tuple[str, ...] = ()
    absent: Tuple[str, ...] = ()
    ec: Tuple[str, ...] = ()
    metabolite: str = ""
    description: str = ""


def _enzyme(name, genes, pairs, present=(), absent=(), ec=(), description=""):
    return RoleSpec(name, "enzyme", tuple(genes), tuple(pairs), tuple(present), tuple(absent), tuple(ec), "", description)


def _exchange(name, metabolite, description):
    return RoleSpec(name, "exchange", metabolite=metabolite, description=description)


#: The roles resolved by :func:`find_roles`, in report order.
ROLES: Dict[str, RoleSpec] = {
    spec.name: spec
    for spec in [
        _enzyme("ASNS", ["ASNS"], [("asp__L", "asn__L")], ["atp"], ec=["6.3.5.4"],
                description="asparagine synthetase: Asp + Gln + ATP -> Asn + Glu + AMP + PPi"),
        _enzyme("ASPG", ["ASPG"], [("asn__L", "asp__L")], absent=["atp"], ec=["3.5.1.1"],
                description="asparaginase (ASPG): Asn + H2O -> Asp + NH4+"),
        _enzyme("ASRGL1", ["ASRGL1"], [("asn__L", "asp__L")], absent=["atp"], ec=["3.5.1.1"],
                description="asparaginase and isoaspartyl peptidase 1: Asn + H2O -> Asp + NH4+"),
        _enzyme("GOT1", ["GOT1"], [("asp__L", "oaa"), ("akg", "glu__L")], ec=["2.6.1.1"],
                description="cytosolic aspartate aminotransferase"),
        _enzyme("GOT2", ["GOT2"], [("asp__L", "oaa"), ("akg", "glu__L")], ec=["2.6.1.1"],
                description="mitochondrial aspartate aminotransferase"),
        _enzyme("PC", ["PC"], [("pyr", "oaa")], ["atp"], ec=["6.4.1.1"],
                description="pyruvate carboxylase: pyruvate + HCO3- + ATP -> OAA"),
        _enzyme("GLS", ["GLS"], [("gln__L", "glu__L")], ["nh4"], absent=["atp"], ec=["3.5.1.2"],
                description="glutaminase: Gln + H2O -> Glu + NH4+"),
        _enzyme("CAD", ["CAD"], [("asp__L", "cbasp")], ec=["2.1.3.2"],
                description="CAD aspartate transcarbamylase step: Asp + carbamoyl-P -> N-carbamoyl-Asp"),
        _enzyme("DHODH", ["DHODH"], [("dhor__S", "orot")], ec=["1.3.5.2"],
                description="dihydroorotate dehydrogenase"),
        _enzyme("PPAT", ["PPAT"], [("prpp", "pram")], ec=["2.4.2.14"],
                description="PRPP amidotransferase (first purine step)"),
        _enzyme("CI", ["NDUFS1", "NDUFS2", "NDUFV1", "MT-ND1", "MT-ND4", "MT-ND5"],
                [("nadh", "nad"), ("q10", "q10h2")], ec=["7.1.1.2", "1.6.5.3"],
                description="ETC complex I: NADH + Q -> NAD+ + QH2"),
        _enzyme("CII", ["SDHA", "SDHB", "SDHC", "SDHD"], [("succ", "fum"), ("q10", "q10h2")],
                ec=["1.3.5.1"], description="ETC complex II: succinate + Q -> fumarate + QH2"),
        _enzyme("CIII", ["UQCRC1", "UQCRFS1", "CYC1", "MT-CYB"], [("q10h2", "q10"), ("ficytC", "focytC")],
                ec=["7.1.1.8", "1.10.2.2"], description="ETC complex III: QH2 + cyt c(ox) -> Q + cyt c(red)"),
        _enzyme("CIV", ["COX4I1", "MT-CO1", "MT-CO2"], [("focytC", "ficytC"), ("o2", "h2o")],
                ec=["7.1.1.9", "1.9.3.1"], description="ETC complex IV: cyt c(red) + O2 -> cyt c(ox) + H2O"),
        _enzyme("CV", ["ATP5F1A", "ATP5F1B", "MT-ATP6"], [("adp", "atp")], ["pi"], ec=["7.1.2.2", "3.6.3.14"],
                description="ETC complex V: ADP + Pi -> ATP"),
        RoleSpec("biomass", "biomass", description="biomass reaction (growth, 1/h)"),
        _exchange("EX_asn", "asn__L", "asparagine exchange"),
        _exchange("EX_asp", "asp__L", "aspartate exchange"),
        _exchange("EX_gln", "gln__L", "glutamine exchange"),
        _exchange("EX_glc", "glc__D", "glucose exchange"),
        _exchange("EX_lac", "lac__L", "lactate exchange"),
        _exchange("EX_o2", "o2", "oxygen exchange"),
    ]
}


# --- genes -----------------------------------------------------------------------------


# --- chemistry -------------------------------------------------------------------------


class _Chemistry:
    """Dictionary ids of each reaction's two sides (cached per metabolite)."""

    def __init__(self):
        self._ids: Dict[str, Optional[str]] = {}

    def met_id(self, met: cobra.Metabolite) -> Optional[str]:
        if met.id not in self._ids:
            self._ids[met.id] = identify_metabolite(met)
        return self._ids[met.id]

    def sides(self, reaction: cobra.Reaction) -> Tuple[set, set]:
        left, right = set(), set()
        for met, coefficient in reaction.metabolites.items():
            key = self.met_id(met)
            if key:
                (left if coefficient < 0 else right).add(key)
        return left, right

    def fits(self, reaction: cobra.Reaction, spec: RoleSpec) -> bool:
        left, right = self.sides(reaction)
        both = left | right
        if any(p not in both for p in spec.present) or any(a in both for a in spec.absent):
            return False
        if not spec.pairs:
            return False
        forward = all(a in left and b in right for a, b in spec.pairs)
        backward = all(a in right and b in left for a, b in spec.pairs)
        return forward or backward


def _ec_numbers(reaction: cobra.Reaction) -> set:
    values = set()
    for key, value in reaction.annotation.items():
        if str(key).lower() in ("ec-code", "ec", "ec-number"):
            values.update(annotation_values(value))
    return values


# --- the result ------------------------------------------------------------------------


@dataclass(repr=False)
class Roles(ResultView):
    """Role -> reaction id(s) of one model, with how each was found.

    ``roles["ASNS"]`` is the reaction id when exactly one reaction has the role;
    otherwise it raises :class:`RoleError` naming the role, the model and the
    candidates. :meth:`reactions` gives every reaction of a role (e.g. both
    asparaginase compartments).
    """

    model_id: str
    table: pd.DataFrame  # role, kind, reactions, method, status, candidates, description, genes, gene_id_scheme

    def _row(self, role: str) -> pd.Series:
        rows = self.table[self.table["role"] == role]
        if rows.empty:
            raise RoleError(
                f"unknown role {role!r}; expected one of " + ", ".join(self.table["role"])
            )
        return rows.iloc[0]

    def reactions(self, role: str) -> Tuple[str, ...]:
        """Every reaction id that has ``role`` (empty when missing)."""
        return tuple(self._row(role)["reactions"])

    def status(self, role: str) -> str:
        return str(self._row(role)["status"])

    def __getitem__(self, role: str) -> str:
        row = self._row(role)
        reactions = tuple(row["reactions"])
        if len(reactions) == 1:
            return reactions[0]
        candidates = tuple(row["candidates"])
        if reactions:
            raise RoleError(
                f"role {role!r} has {len(reactions)} reactions in model {self.model_id!r}: "
                + ", ".join(reactions)
                + "; use roles.reactions(role) for all of them, or overrides={role: id} for one"
            )
        raise RoleError(
            f"role {role!r} not found in model {self.model_id!r} ({row['method'] or 'no match'})"
            + ("; candidates: " + ", ".join(candidates) if candidates else "; no candidate reaction")
            + "; set it with overrides={role: reaction id}"
        )

    def __contains__(self, role: str) -> bool:
        return role in set(self.table["role"]) and len(self.reactions(role)) > 0

    def get(self, role: str, default=None):
        try:
            return self[role]
        except RoleError:
            return default

    @property
    def missing(self) -> List[str]:
        return list(self.table.loc[self.table["status"] == "missing", "role"])

    @property
    def ambiguous(self) -> List[str]:
        return list(self.table.loc[self.table["status"] == "multiple", "role"])

    def to_frame(self) -> pd.DataFrame:
        frame = self.table.copy()
        frame["reactions"] = frame["reactions"].map(lambda r: ", ".join(r))
        frame["candidates"] = frame["candidates"].map(lambda r: ", ".join(r))
        if "genes" in frame:
            frame["genes"] = frame["genes"].map(lambda r: ", ".join(r))
        return frame

    def _title(self) -> str:
        found = int((self.table["status"].isin(["found", "override"])).sum())
        return (
            f"Roles in {self.model_id}: {found} of {len(self.table)} found, "
            f"{len(self.ambiguous)} with several reactions, {len(self.missing)} missing"
        )

    def _display(self) -> pd.DataFrame:
        return self.to_frame()[["role", "reactions", "method", "status", "candidates"]]


# --- finding roles ---------------------------------------------------------------------


def find_roles(
    model: cobra.Model,
    overrides: Optional[Mapping[str, Union[str, Sequence[str]]]] = None,
    *,
    roles: Optional[Iterable[str]] = None,
) -> Roles:
    """Resolve the reaction roles of the asparagine analyses in ``model``.

    Parameters
    ----------
    model
        Any cobra model of human metabolism (any id scheme).
    overrides
        Role -> reaction id (or ids) set by hand; they win over the search.
    roles
        Roles to resolve (default: all of :data:`ROLES`).

    Returns
    -------
    Roles
        One row per role: reactions, method (``gene``, ``EC``, ``chemistry``,
        ``exchange: bigg/xref/name``, ``objective``, ``override``), status
        (``found``, ``multiple``, ``missing``, ``override``), the candidate
        reactions considered, the model ``genes`` that matched the role
        (those on its reactions, else on its candidates) and
        ``gene_id_scheme``, the id scheme through which they were identified
        (``"Ensembl"``, ``"Entrez.transcript"``, ``"rat ortholog symbol"`` ...).

    Raises
    ------
    FluxasnInputError
        An override names an unknown role or a reaction not in the model.

    Notes
    -----
    Gene ids are translated to HGNC symbols by
    :class:`fluxasn.core.genes.GeneIndex` (gene annotations, the bundled
    key-gene and Human-GEM gene tables, the Alliance mouse and rat ortholog
    tables); metabolites are identified through the metabolite
    dictionary (:func:`fluxasn.core.matching.identify_metabolite`).
    """
    wanted = list(roles) if roles is not None else list(ROLES)
    for role in wanted:
        if role not in ROLES:
            raise FluxasnInputError(
                "unknown role; expected one of " + ", ".join(ROLES), identifier=role
            )
    overrides = dict(overrides or {})
    for role, value in overrides.items():
        if role not in ROLES:
            raise FluxasnInputError("unknown role in overrides; expected one of " + ", ".join(ROLES), identifier=role)
        for reaction_id in [value] if isinstance(value, str) else list(value):
            if reaction_id not in model.reactions:
                raise FluxasnInputError(
                    f"override for role {role!r} names a reaction not in model {model.id!r}",
                    identifier=reaction_id,
                )

    genes = GeneIndex(model)
    has_rules = any(r.gene_reaction_rule for r in model.reactions)
    chemistry = _Chemistry()
    index = None
    rows = []
    for role in wanted:
        spec = ROLES[role]
        if role in overrides:
            value = overrides[role]
            ids = (value,) if isinstance(value, str) else tuple(value)
            rows.append((role, spec.kind, ids, "override", "override", (), spec.description, (), ""))
            continue
        if spec.kind == "enzyme":
            candidates = []
            role_genes: List[cobra.Gene] = []
            for symbol in spec.genes:
                for gene_id in genes.genes_of(symbol):
                    gene = model.genes.get_by_id(gene_id)
                    role_genes.append(gene)
                    for reaction in sorted(gene.reactions, key=lambda r: r.id):
                        if reaction not in candidates:
                            candidates.append(reaction)
            method = "gene"
            hits = [r for r in candidates if chemistry.fits(r, spec)]
            if not hits and candidates:
                method = "gene present, no reaction with the expected chemistry"
            if not hits and not candidates:
                ec = [r for r in model.reactions if _ec_numbers(r) & set(spec.ec)]
                hits = [r for r in ec if chemistry.fits(r, spec)]
                method = "EC"
                candidates = ec
                if not hits:
                    chemical = [r for r in model.reactions if chemistry.fits(r, spec)]
                    if not has_rules:
                        hits = chemical
                        method = "chemistry (model has no gene rules)"
                    else:
                        # genes are in the model but not this one: list, never choose
                        candidates = chemical
                        method = "gene not in the model; reactions with the chemistry listed as candidates"
            ids = tuple(r.id for r in hits)
            status = "found" if len(ids) == 1 else ("multiple" if ids else "missing")
            matched = _matched_genes(role_genes, hits if hits else candidates)
            schemes = ", ".join(dict.fromkeys(genes.scheme(g) for g in matched))
            rows.append((role, spec.kind, ids, method, status, tuple(r.id for r in candidates), spec.description,
                         matched, schemes))
        elif spec.kind == "exchange":
            if index is None:
                index = ExchangeIndex(model)
            entry = metabolite_dictionary()[spec.metabolite]
            found = index.match_entry(entry)
            status = "found" if found.found else ("multiple" if found.ambiguous else "missing")
            rows.append(
                (role, spec.kind, tuple(found.exchanges), "exchange: " + (found.method or "no match"), status,
                 tuple(found.exchanges), spec.description, (), "")
            )
        else:
            choice = find_biomass(model)
            rows.append((role, spec.kind, choice.reactions, choice.method, choice.status, choice.candidates,
                         spec.description, (), ""))
    table = pd.DataFrame(
        rows, columns=["role", "kind", "reactions", "method", "status", "candidates", "description",
                       "genes", "gene_id_scheme"]
    )
    return Roles(model.id, table)


def _matched_genes(role_genes: Sequence[cobra.Gene], reactions: Sequence[cobra.Reaction]) -> Tuple[str, ...]:
    """Ids of the role's genes that sit on ``reactions``, each once, in order."""
    on = {g.id for r in reactions for g in r.genes}
    return tuple(dict.fromkeys(g.id for g in role_genes if g.id in on))


def select_reactions(
    model: cobra.Model,
    names: Sequence[str],
    *,
    roles: Optional[Roles] = None,
    missing_ok: bool = False,
    what: str = "reactions",
) -> List[str]:
    """Reaction ids for a list of reaction ids and role names (in order, each once).

    Parameters
    ----------
    names
        Reaction ids of ``model`` and role names of :data:`ROLES` (a role
        gives every reaction that has it).
    roles
        The model's roles, if already found.
    missing_ok
        Skip roles the model lacks instead of refusing them.
    what
        How the caller calls the list (names it in the error).

    Raises
    ------
    FluxasnInputError
        Naming every entry that is neither a reaction nor a role (and every
        role the model lacks unless ``missing_ok``).
    """
    roles = roles if roles is not None else find_roles(model)
    known_roles = set(roles.table["role"])
    ids: List[str] = []
    unknown: List[str] = []
    for name in names:
        if name in model.reactions:
            found: Tuple[str, ...] = (name,)
        elif name in known_roles:
            found = roles.reactions(name)
            if not found and not missing_ok:
                unknown.append(f"{name} (a role this model lacks)")
        else:
            found = ()
            unknown.append(name)
        ids.extend(rid for rid in found if rid not in ids)
    if unknown:
        raise FluxasnInputError(
            f"neither a reaction of model {model.id!r} nor a role: {', '.join(unknown)}", identifier=what)
    return ids
