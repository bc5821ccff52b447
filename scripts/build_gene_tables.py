"""Build the bundled gene tables of ``data/genes/`` from the shared reference copies.

Usage::

    python scripts/build_gene_tables.py [--shared ../shared]

Writes

* ``data/genes/human_genes.tsv.gz``: Human-GEM 1.19.0 ``model/genes.tsv``
  (SysBioChalmers/Human-GEM, CC BY 4.0) reduced to symbol, Ensembl gene,
  Entrez and UniProt ids, with the HGNC id of the symbol taken from the
  Alliance ortholog tables (every human gene there is keyed by HGNC id);
* ``data/genes/orthologs_mouse.tsv.gz`` and ``orthologs_rat.tsv.gz``: the
  Alliance of Genome Resources 6.0.0 human->mouse and human->rat "stringent"
  ortholog tables as shipped by Mouse-GEM / Rat-GEM 1.8.0 (CC BY 4.0), every
  row, without the two method-count columns.

Each file starts with ``#`` comment lines naming its source and licence.
"""
from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent.parent
OUT = HERE / "data" / "genes"

ORTHOLOG_SOURCES = {
    "mouse": ("human2MouseOrthologs_Alliance_v6.0.0.tsv.gz",
              "SysBioChalmers/Mouse-GEM @ fc769ac1da421c4e4e9e1cf2a9aec3fe4f02ef6a : data/human2MouseOrthologs.tsv"),
    "rat": ("human2RatOrthologs_Alliance_v6.0.0.tsv.gz",
            "SysBioChalmers/Rat-GEM @ 675f390b6b5eaff5b11e7d986682979a084d0735 : data/human2RatOrthologs.tsv"),
}
ORTHOLOG_COLUMNS = ["fromGeneId", "fromSymbol", "toGeneId", "toSymbol", "best", "bestReverse"]


def _write(path: Path, header: list, frame: pd.DataFrame) -> None:
    text = "".join(f"# {line}\n" for line in header) + frame.to_csv(sep="\t", index=False, lineterminator="\n")
    with gzip.GzipFile(path, "wb", mtime=0) as handle:  # mtime 0: byte-identical rebuilds
        handle.write(text.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(HERE.parent / "shared"))
    shared = Path(parser.parse_args().shared)

    hgnc = {}
    for species, (name, upstream) in ORTHOLOG_SOURCES.items():
        table = pd.read_csv(shared / "genes" / name, sep="\t", dtype=str, keep_default_na=False)
        for gene_id, symbol in zip(table["fromGeneId"], table["fromSymbol"]):
            hgnc.setdefault(symbol, gene_id)
        _write(OUT / f"orthologs_{species}.tsv.gz", [
            f"Human -> {species} orthologs, Alliance of Genome Resources 6.0.0 (homology API, stringent filter).",
            f"Source: {upstream} (file {name}); the methodCount/totalMethodCount columns dropped.",
            "Licence: CC BY 4.0 (Mouse-GEM/Rat-GEM LICENSE.md; Alliance data CC BY 4.0). Cite the Alliance of Genome "
            "Resources and Wang H et al. PNAS 118:e2102344118 (2021).",
        ], table[ORTHOLOG_COLUMNS])

    genes = pd.read_csv(shared / "models" / "human-gem" / "genes.tsv", sep="\t", dtype=str, keep_default_na=False)
    human = pd.DataFrame({
        "symbol": genes["geneSymbols"],
        "hgnc_id": [hgnc.get(s, "") for s in genes["geneSymbols"]],
        "entrez": genes["geneEntrezID"],
        "ensembl": genes["genes"],
        "uniprot": genes["geneUniProtID"],
    })
    _write(OUT / "human_genes.tsv.gz", [
        "Human metabolic genes: symbol, HGNC id, Entrez, Ensembl gene, UniProt (';' separates several).",
        "Source: Human-GEM 1.19.0 model/genes.tsv (SysBioChalmers/Human-GEM, CC BY 4.0; Robinson JL et al. "
        "Sci Signal 13:eaaz1482 (2020)); hgnc_id from the Alliance 6.0.0 ortholog tables (fromGeneId by fromSymbol).",
    ], human)


if __name__ == "__main__":
    main()
