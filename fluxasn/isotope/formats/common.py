"""What the 13C readers share: row helpers that name file, line and identifier."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import List, Sequence


from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.network import LabelingNetwork

__all__: list = []  # helpers for the readers of this package


def _int_list(text, *, source, line, identifier) -> List[int]:
    try:
        val = json.loads(text) if text.strip() else []
        return [int(x) for x in val]
    except (ValueError, TypeError):
        raise FluxasnInputError(f"expected a list like [1,2], got {text!r}", source=source,
                                line=line, identifier=identifier) from None


def _float(text, *, source, line, identifier, what="number") -> float:
    try:
        return float(text)
    except (ValueError, TypeError):
        raise FluxasnInputError(f"expected a {what}, got {text!r}", source=source, line=line,
                                identifier=identifier) from None


def _check_flux(net: LabelingNetwork, rid: str, *, source, line=None) -> None:
    try:
        net.flux_vector(rid)
    except FluxasnInputError:
        raise FluxasnInputError(
            "measured flux names no reaction of the network (expected a reaction id, a reversible "
            "reaction's net id or 'ID.exch')", source=source, line=line, identifier=rid) from None


def _rows(path: Path, required: Sequence[str], delimiter=","):
    if not path.exists():
        raise FluxasnInputError("file not found", source=path)
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader((l for l in fh if not l.startswith("#")), delimiter=delimiter)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise FluxasnInputError(f"missing columns {missing}; found {reader.fieldnames}", source=path, line=1)
        for i, row in enumerate(reader, start=2):
            yield i, row


