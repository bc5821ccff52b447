"""The bundled "fluxasn core" model: built from its human-reviewable tables.

The source of truth is three tab-separated tables in ``models/fluxasn_core/``
(``reactions.tsv``, ``metabolites.tsv``, ``genes.tsv``; columns and
conventions are described in that folder's ``README.md``).
:func:`build_core_model` turns them into a :class:`cobra.Model`;
:func:`export_core_sbml` writes the SBML (level 3, FBC 2) file
``models/fluxasn_core.xml`` from the same tables (``scripts/export_core_sbml.py``).
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import cobra
import pandas as pd

from fluxasn.core.paths import bundled_model_path
from fluxasn.exceptions import FluxasnInputError

__all__ = [
    "CORE_MODEL_ID",
    "COMPARTMENTS",
    "ASPARAGINASE_REACTIONS",
    "BIOMASS_REACTION",
    "EXPORT_MEDIUM",
    "MAINTENANCE_REACTION",
    "core_table_paths",
    "read_core_tables",
    "build_core_model",
    "export_core_sbml",
    "set_asparaginase",
]

CORE_MODEL_ID = "fluxasn_core"

#: Compartments of the core model.
COMPARTMENTS = {"e": "extracellular", "c": "cytosol", "m": "mitochondrion"}

#: The named option "asparaginase activity": the reactions that hydrolyse
#: asparagine to aspartate (ASPG / ASRGL1). They are closed (bounds 0, 0) by
#: default because many cancer cells lack the activity; see
#: :func:`set_asparaginase`.
ASPARAGINASE_REACTIONS = ("ASNN",)

#: Objective of the core model (growth, 1/h).
BIOMASS_REACTION = "BIOMASS_fluxasn"

#: Non-growth-associated ATP maintenance (mmol/gDW/h).
MAINTENANCE_REACTION = "ATPM"

_ARROWS = {"<=>": "reversible", "->": "forward"}
_ID = r"^[A-Za-z0-9_]+$"
_SYMBOL = r"[A-Za-z0-9][A-Za-z0-9\-]*"

_REACTION_COLUMNS = [
    "id", "name", "equation", "gpr", "lower_bound", "upper_bound", "subsystem", "sbo",
    "bigg_reaction", "humangem", "kegg_reaction", "ec_code", "carbon_transitions", "notes",
]
_METABOLITE_COLUMNS = [
    "id", "name", "compartment", "formula", "charge", "chebi", "kegg_compound",
    "bigg_metabolite", "metanetx_chemical", "hmdb", "inchikey", "traced_carbons",
    "symmetric", "notes",
]
_GENE_COLUMNS = ["symbol", "hgnc_id", "entrez", "ensembl", "name", "id_source"]

#: table column -> annotation key (identifiers.org prefixes)
_MET_ANNOTATION = {
    "chebi": "chebi",
    "kegg_compound": "kegg.compound",
    "bigg_metabolite": "bigg.metabolite",
    "metanetx_chemical": "metanetx.chemical",
    "hmdb": "hmdb",
    "inchikey": "inchikey",
}
_RXN_ANNOTATION = {
    "bigg_reaction": "bigg.reaction",
    "humangem": "metatlas",
    "kegg_reaction": "kegg.reaction",
    "ec_code": "ec-code",
}


def core_table_paths() -> Dict[str, Path]:
    """Paths of the three source tables of the core model."""
    return {
        name: bundled_model_path("fluxasn_core", f"{name}.tsv")
        for name in ("reactions", "metabolites", "genes")
    }


# --- reading and validating the tables ---------------------------------------


def _schemas():
    import pandera.pandas as pa

    text = pa.Column(str, nullable=False)
    # free text goes into SBML (X)HTML notes: no markup characters
    prose = pa.Column(str, pa.Check.str_matches(r"^[^&<>]*$"), nullable=False)
    ident = pa.Column(str, pa.Check.str_matches(_ID), unique=True, nullable=False)
    number = pa.Column(str, pa.Check.str_matches(r"^-?\d+(\.\d+)?$"), nullable=False)
    reactions = pa.DataFrameSchema(
        {
            "id": ident,
            "name": pa.Column(str, pa.Check.str_matches(r"^[^&<>]+$")),
            "equation": pa.Column(str, pa.Check.str_contains(r"(?:<=>|->)")),
            "gpr": text,
            "lower_bound": number,
            "upper_bound": number,
            "subsystem": pa.Column(str, pa.Check.str_length(min_value=1)),
            "sbo": pa.Column(str, pa.Check.str_matches(r"^SBO:\d{7}$")),
            "bigg_reaction": text,
            "humangem": pa.Column(str, pa.Check.str_matches(r"^(MAR\d{5})?$")),
            "kegg_reaction": text,
            "ec_code": text,
            "carbon_transitions": text,
            "notes": prose,
        },
        strict=True,
        ordered=True,
    )
    metabolites = pa.DataFrameSchema(
        {
            "id": pa.Column(str, pa.Check.str_matches(r"^[A-Za-z0-9_]+_(e|c|m)$"), unique=True),
            "name": pa.Column(str, pa.Check.str_matches(r"^[^&<>]+$")),
            "compartment": pa.Column(str, pa.Check.isin(sorted(COMPARTMENTS))),
            "formula": pa.Column(str, pa.Check.str_matches(r"^([A-Z][a-z]?\d*)+$")),
            "charge": pa.Column(str, pa.Check.str_matches(r"^-?\d+$")),
            "chebi": pa.Column(str, pa.Check.str_matches(r"^(CHEBI:\d+(;CHEBI:\d+)*)?$")),
            "kegg_compound": text,
            "bigg_metabolite": text,
            "metanetx_chemical": text,
            "hmdb": text,
            "inchikey": text,
            "traced_carbons": pa.Column(str, pa.Check.str_matches(r"^(\d+)?$")),
            "symmetric": pa.Column(str, pa.Check.isin(["true", "false"])),
            "notes": prose,
        },
        strict=True,
        ordered=True,
    )
    genes = pa.DataFrameSchema(
        {
            "symbol": pa.Column(str, pa.Check.str_matches(f"^{_SYMBOL}$"), unique=True),
            "hgnc_id": pa.Column(str, pa.Check.str_matches(r"^(HGNC:\d+)?$")),
            "entrez": pa.Column(str, pa.Check.str_matches(r"^\d+$")),
            "ensembl": pa.Column(str, pa.Check.str_matches(r"^ENSG\d{11}$")),
            "name": prose,
            "id_source": prose,
        },
        strict=True,
        ordered=True,
    )
    return {"reactions": reactions, "metabolites": metabolites, "genes": genes}


def _read_table(path: Path, schema, key: str) -> pd.DataFrame:
    """Read a TSV as strings and validate it; errors name file, line and identifier."""
    import pandera.errors as pae

    if not path.is_file():
        raise FluxasnInputError("core model table not found", source=path)
    try:
        frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        line = None
        match = re.search(r"line (\d+)", str(error))
        if match:
            line = int(match.group(1))
        raise FluxasnInputError(f"malformed TSV: {error}", source=path, line=line) from error
    expected = list(schema.columns)
    if list(frame.columns) != expected:
        missing = [c for c in expected if c not in frame.columns]
        extra = [c for c in frame.columns if c not in expected]
        raise FluxasnInputError(
            f"header must be the columns {expected} in this order"
            + (f"; missing {missing}" if missing else "")
            + (f"; unexpected {extra}" if extra else ""),
            source=path,
            line=1,
        )
    try:
        schema.validate(frame, lazy=True)
    except pae.SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["index"].notna()] if "index" in cases else cases
        if len(cases):
            first = cases.sort_values("index").iloc[0]
            row = int(first["index"])
            column = first["column"]
            raise FluxasnInputError(
                f"column {column!r}: invalid value {first['failure_case']!r} "
                f"(check {first['check']})",
                source=path,
                line=row + 2,
                identifier=frame.iloc[row][key],
            ) from None
        raise FluxasnInputError(f"schema violation: {errors}", source=path) from None
    return frame


def read_core_tables(
    directory: Optional[Union[str, os.PathLike]] = None,
) -> Dict[str, pd.DataFrame]:
    """Read and validate the core model tables.

    Parameters
    ----------
    directory
        Folder holding ``reactions.tsv``, ``metabolites.tsv`` and ``genes.tsv``;
        the bundled ``models/fluxasn_core`` by default.

    Returns
    -------
    dict
        ``{"reactions": DataFrame, "metabolites": DataFrame, "genes": DataFrame}``
        with every cell a string, as written in the files, plus the columns
        ``source_file`` and ``source_line`` (1-based line of each row).

    Raises
    ------
    FluxasnInputError
        A table is missing, malformed, or a cell violates the schema; the
        message names the file, the line and the row's identifier.
    """
    if directory is None:
        paths = core_table_paths()
    else:
        base = Path(directory)
        paths = {name: base / f"{name}.tsv" for name in ("reactions", "metabolites", "genes")}
    schemas = _schemas()
    keys = {"reactions": "id", "metabolites": "id", "genes": "symbol"}
    return {
        name: _read_table(paths[name], schemas[name], keys[name]).assign(
            source_line=lambda f: range(2, len(f) + 2), source_file=str(paths[name])
        )
        for name in ("reactions", "metabolites", "genes")
    }


# --- building the model -------------------------------------------------------


def _split_list(value: str) -> List[str]:
    return [v for v in value.split(";") if v]


def _annotation_value(values: List[str]):
    return values[0] if len(values) == 1 else values


def parse_equation(
    equation: str, *, source=None, line=None, identifier=None
) -> Tuple[Dict[str, float], bool]:
    """Parse ``"2 a_c + b_c -> c_c"`` into ({metabolite: coefficient}, reversible).

    ``<=>`` marks a reversible and ``->`` a forward reaction; an empty right
    side is a boundary (exchange) reaction.
    """
    parts = re.split(r"\s+(<=>|->)(?:\s+|$)", equation.strip() + " ")
    if len(parts) != 3:
        raise FluxasnInputError(
            f"equation {equation!r} must have exactly one '<=>' or '->' surrounded by spaces",
            source=source, line=line, identifier=identifier,
        )
    lhs, arrow, rhs = parts
    stoichiometry: Dict[str, float] = {}
    for sign, side in ((-1.0, lhs), (1.0, rhs)):
        side = side.strip()
        if not side:
            continue
        for term in side.split(" + "):
            match = re.fullmatch(r"\s*(?:(\d+(?:\.\d+)?)\s+)?([A-Za-z0-9_]+)\s*", term)
            if match is None:
                raise FluxasnInputError(
                    f"cannot parse term {term!r} of equation {equation!r}; expected "
                    "'[coefficient ]metabolite_id'",
                    source=source, line=line, identifier=identifier,
                )
            coefficient = float(match.group(1)) if match.group(1) else 1.0
            metabolite = match.group(2)
            if metabolite in stoichiometry:
                raise FluxasnInputError(
                    f"metabolite {metabolite!r} appears twice in equation {equation!r}",
                    source=source, line=line, identifier=identifier,
                )
            stoichiometry[metabolite] = sign * coefficient
    if not stoichiometry:
        raise FluxasnInputError(
            f"equation {equation!r} has no metabolites",
            source=source, line=line, identifier=identifier,
        )
    return stoichiometry, _ARROWS[arrow] == "reversible"


def _gpr_is_well_formed(gpr: str) -> bool:
    """True if ``gpr`` is symbols joined by and/or with balanced parentheses."""
    import ast

    expression = re.sub(_SYMBOL, lambda m: m.group(0) if m.group(0) in ("and", "or") else "g", gpr)
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return False
    allowed = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.Name, ast.Load)
    return all(isinstance(node, allowed) for node in ast.walk(tree))


def _gpr_symbols(gpr: str) -> List[str]:
    return [tok for tok in re.findall(_SYMBOL, gpr) if tok not in ("and", "or")]


def build_core_model(directory: Optional[Union[str, os.PathLike]] = None) -> cobra.Model:
    """Build the fluxasn core model from its tables.

    Parameters
    ----------
    directory
        Folder holding the tables; the bundled ``models/fluxasn_core`` by default.

    Returns
    -------
    cobra.Model
        Fluxes in mmol/gDW/h; the objective is ``BIOMASS_fluxasn`` (growth, 1/h).
        Exchange bounds are as in the table: uptake of every organic medium
        component closed (lower bound 0); O2, CO2, H2O, H+ and Pi open.

    Raises
    ------
    FluxasnInputError
        A table violates its schema, an equation does not parse, a reaction
        uses an undeclared metabolite, a GPR names an undeclared gene, or a
        reaction's direction contradicts its bounds. Messages name the file,
        line and identifier.
    """
    tables = read_core_tables(directory)
    reactions, metabolites, genes = tables["reactions"], tables["metabolites"], tables["genes"]

    model = cobra.Model(
        CORE_MODEL_ID, name="fluxasn core: human central carbon and amino-acid metabolism"
    )
    model.compartments = dict(COMPARTMENTS)

    met_objects = {}
    for row in metabolites.itertuples(index=False):
        met = cobra.Metabolite(
            row.id,
            formula=row.formula,
            name=row.name,
            compartment=row.compartment,
            charge=int(row.charge),
        )
        annotation = {"sbo": "SBO:0000247"}
        for column, key in _MET_ANNOTATION.items():
            values = _split_list(getattr(row, column))
            if values:
                annotation[key] = _annotation_value(values)
        met.annotation = annotation
        notes = {"symmetric": row.symmetric}
        if row.traced_carbons:
            notes["traced_carbons"] = row.traced_carbons
        if row.notes:
            notes["notes"] = row.notes
        met.notes = notes
        met_objects[row.id] = met
    model.add_metabolites(list(met_objects.values()))

    gene_rows = {row.symbol: row for row in genes.itertuples(index=False)}
    # genes first, in table order, so that the model (and its SBML) does not
    # depend on the order in which cobra meets them in the GPRs
    for symbol in gene_rows:
        gene = cobra.Gene(symbol, name=symbol)
        gene._model = model
        model.genes.append(gene)
    rxn_objects = []
    used_genes = set()
    for row in reactions.itertuples(index=False):
        where = dict(source=row.source_file, line=row.source_line, identifier=row.id)
        stoichiometry, reversible = parse_equation(row.equation, **where)
        unknown = [m for m in stoichiometry if m not in met_objects]
        if unknown:
            raise FluxasnInputError(
                f"metabolites {unknown} are not declared in metabolites.tsv", **where
            )
        lower, upper = float(row.lower_bound), float(row.upper_bound)
        if lower > upper:
            raise FluxasnInputError(f"lower bound {lower} exceeds upper bound {upper}", **where)
        if not reversible and lower < 0:
            raise FluxasnInputError(
                f"irreversible equation ('->') with negative lower bound {lower}", **where
            )
        if row.gpr and not _gpr_is_well_formed(row.gpr):
            raise FluxasnInputError(
                f"malformed GPR {row.gpr!r}; expected HGNC symbols joined by 'and' / 'or' "
                "with balanced parentheses",
                **where,
            )
        symbols = _gpr_symbols(row.gpr)
        missing = [s for s in symbols if s not in gene_rows]
        if missing:
            raise FluxasnInputError(f"GPR names genes {missing} absent from genes.tsv", **where)
        used_genes.update(symbols)
        rxn = cobra.Reaction(
            row.id, name=row.name, subsystem=row.subsystem, lower_bound=lower, upper_bound=upper
        )
        rxn.add_metabolites({met_objects[m]: c for m, c in stoichiometry.items()})
        rxn.gene_reaction_rule = row.gpr
        annotation = {"sbo": row.sbo}
        for column, key in _RXN_ANNOTATION.items():
            values = _split_list(getattr(row, column))
            if values:
                annotation[key] = _annotation_value(values)
        rxn.annotation = annotation
        notes = {}
        if row.carbon_transitions:
            notes["carbon_transitions"] = row.carbon_transitions
        if row.notes:
            notes["notes"] = row.notes
        rxn.notes = notes
        rxn_objects.append(rxn)
    model.add_reactions(rxn_objects)

    unused = sorted(set(gene_rows) - used_genes)
    if unused:
        raise FluxasnInputError(
            f"genes {unused} are declared but used by no GPR", source=genes["source_file"].iloc[0]
        )
    for gene in model.genes:
        row = gene_rows[gene.id]
        gene.name = gene.id
        annotation = {
            "sbo": "SBO:0000243",
            "hgnc.symbol": row.symbol,
            "ncbigene": row.entrez,
            "ensembl": row.ensembl,
        }
        if row.hgnc_id:
            annotation["hgnc"] = row.hgnc_id
        gene.annotation = annotation
    # subsystems also as SBML groups (cobra's SBML writer keeps groups, not
    # the subsystem attribute)
    groups = {}
    for rxn in model.reactions:
        groups.setdefault(rxn.subsystem, []).append(rxn)
    model.add_groups(
        [
            cobra.core.Group(
                "subsystem_" + re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower(),
                name=name,
                members=members,
                kind="partonomy",
            )
            for name, members in groups.items()
        ]
    )
    model.objective = BIOMASS_REACTION
    return model


def set_asparaginase(model: cobra.Model, *, active: bool, upper_bound: float = 1000.0) -> None:
    """Switch the named option "asparaginase activity" on or off.

    Parameters
    ----------
    model
        A model holding the reactions in :data:`ASPARAGINASE_REACTIONS`. The
        change follows cobra's context: inside ``with model:`` it is undone on
        leaving the block.
    active
        ``True`` opens asparagine hydrolysis (bounds 0, ``upper_bound``);
        ``False`` closes it (bounds 0, 0; the core model's default).
    upper_bound
        Upper bound in mmol/gDW/h when active.

    Raises
    ------
    FluxasnInputError
        A reaction of :data:`ASPARAGINASE_REACTIONS` is missing from ``model``
        (nothing is changed), or ``upper_bound`` is negative.
    """
    if upper_bound < 0:
        raise FluxasnInputError(
            f"upper_bound must be >= 0 mmol/gDW/h, got {upper_bound}", identifier="upper_bound"
        )
    missing = [r for r in ASPARAGINASE_REACTIONS if r not in model.reactions]
    if missing:
        raise FluxasnInputError(
            "model has no asparaginase reaction(s) " + ", ".join(missing), source=model.id,
            identifier=missing[0],
        )
    for rid in ASPARAGINASE_REACTIONS:
        model.reactions.get_by_id(rid).bounds = (0.0, upper_bound if active else 0.0)


#: The medium whose exchange bounds the exported SBML carries (the default of :func:`fluxasn.load_model`).
EXPORT_MEDIUM = "RPMI-1640"


def export_core_sbml(path: Optional[Union[str, os.PathLike]] = None) -> Path:
    """Write the core model as SBML level 3 with FBC 2, deterministically.

    Parameters
    ----------
    path
        Output file; ``models/fluxasn_core.xml`` (the bundled copy) by default.

    Returns
    -------
    pathlib.Path
        The file written. The output depends only on the tables (no
        timestamps), so a fresh export equals the committed file.

    Notes
    -----
    The exchange bounds are those of the default medium,
    :data:`EXPORT_MEDIUM` (RPMI-1640 with the default serum, applied by
    :func:`fluxasn.core.media.apply_medium` as :func:`fluxasn.load_model`
    does), so the file grows when loaded with cobra alone; the model's notes
    say so. The tables themselves carry no medium.
    """
    import io

    import libsbml
    from cobra.io import write_sbml_model

    from fluxasn.core.media import apply_medium

    out = Path(path) if path is not None else bundled_model_path("fluxasn_core.xml")
    model = build_core_model()
    applied = apply_medium(model, EXPORT_MEDIUM)
    model.notes["fluxasn medium"] = (
        f"Exchange bounds set by fluxasn for the medium {EXPORT_MEDIUM} "
        f"(serum {applied.serum or 'none'}, volume fraction {applied.serum_fraction:g}); "
        "uptake ceilings in mmol/gDW/h; reapply another medium with fluxasn.apply_medium."
    )
    buffer = io.StringIO()
    write_sbml_model(model, buffer)
    document = libsbml.readSBMLFromString(buffer.getvalue())
    # cobra keeps group members in a set: sort them so the file is reproducible
    groups = document.getModel().getPlugin("groups")
    if groups is not None:
        for index in range(groups.getNumGroups()):
            group = groups.getGroup(index)
            members = group.getListOfMembers()
            items = [members.remove(0) for _ in range(members.size())]
            for member in sorted(items, key=lambda m: m.getIdRef()):
                members.append(member)
    if not libsbml.writeSBMLToFile(document, str(out)):
        raise OSError(f"libSBML could not write {out}")
    return out
