"""Screen files: the screen spec (TOML or YAML) and the output folder (manifest, Parquet parts, result).

A *screen spec* (TOML or YAML) names models x conditions x knockout sets::

    [screen]
    name = "example"
    method = "fba"          # fba | moma | linear_moma | room | linear_room
    chunk_size = 500        # deletions per chunk

    [[model]]
    name = "ecoli"
    source = "textbook"     # cobra's bundled textbook/iJO1366/salmonella/mini,
                            # fluxasn's "core", or a model file (relative to the spec)

    [[condition]]
    name = "as_shipped"     # no change

    [[condition]]
    name = "low_glucose"
    bounds = { EX_glc__D_e = [-5.0, 1000.0] }
    # medium = "RPMI-1640"  # a medium of fluxasn.core.media (serum = "FBS" | "dFBS" | "none")
    # models = ["ecoli"]    # only for these models

    [[knockouts]]
    name = "genes"
    kind = "gene"           # gene | reaction
    order = 1               # 1: singles, 2: every unordered pair
    ids = "all"             # or a list of ids

Every model x condition x knockout set is a *task*; each task's deletions
(singles in list order, pairs ``(i, j)``, ``i < j``, lexicographic) are cut into
chunks of ``chunk_size`` with deterministic ids. The spec is validated before any
work (unknown model file, medium, gene or reaction: :class:`FluxasnInputError`
naming the spec, its line and the entry; a model infeasible before any knockout:
:class:`InfeasibleError` naming model and condition).

Output folder::

    manifest.json         spec digest, tasks, chunk count (written first), and
                          the SHA-256 and row count of every finished part
                          (rewritten, atomically, after each part)
    parts/<chunk>.parquet one file per finished chunk, written to a temporary
                          name and renamed (a killed run leaves no half part)
    result.parquet        every part in chunk order (written at the end)

A run that finds the folder resumes: finished chunks are skipped. A part whose
bytes do not match the checksum the manifest keeps for it (cut short,
overwritten, damaged on disk) is reported and computed again; a part the
manifest has no checksum for (a run killed between writing the part and
updating the manifest, or a folder written before checksums were kept) is
kept only if it reads back as a complete table of its chunk's size. Each chunk
is computed from a fixed starting point (the reference basis, a per-task
single-deletion table computed the same way everywhere), so its rows do not
depend on which process computed it, in which order or after which restart:
a resumed run, a pool run and a Dask run give a byte-identical
``result.parquet``.

The screen itself runs in :func:`fluxasn.analysis.screen.run_screen`.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple, Union

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fluxasn.exceptions import FluxasnInputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["ScreenSpec", "read_spec", "line_of", "RESULT_COLUMNS", "SCHEMA", "COBRA_BUNDLED",
           "atomic_write_bytes", "write_part", "part_digest", "check_part", "assemble",
           "read_result"]

#: cobra's bundled models (``cobra.io.load_model`` reads these without network).
COBRA_BUNDLED = ("textbook", "iJO1366", "salmonella", "mini")

#: Columns of a screen's result (growth in 1/h for a biomass objective).
RESULT_COLUMNS = ("model", "condition", "knockouts", "method", "kind", "id1", "id2",
                  "growth", "status")

SCHEMA = pa.schema([
    ("model", pa.string()), ("condition", pa.string()), ("knockouts", pa.string()),
    ("method", pa.string()), ("kind", pa.string()), ("id1", pa.string()),
    ("id2", pa.string()), ("growth", pa.float64()), ("status", pa.string()),
])



# --- the spec ---------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScreenOptions(_Strict):
    name: str = "screen"
    method: Literal["fba", "moma", "linear_moma", "room", "linear_room"] = "fba"
    chunk_size: int = Field(500, ge=1)


class ModelEntry(_Strict):
    name: str
    source: str


class ConditionEntry(_Strict):
    name: str
    medium: Optional[str] = None
    serum: Optional[str] = "FBS"
    bounds: Dict[str, Tuple[float, float]] = Field(default_factory=dict)
    models: Optional[List[str]] = None


class KnockoutEntry(_Strict):
    name: str
    kind: Literal["gene", "reaction"] = "gene"
    order: Literal[1, 2] = 1
    ids: Union[Literal["all"], List[str]] = "all"
    method: Optional[Literal["fba", "moma", "linear_moma", "room", "linear_room"]] = None

    @field_validator("ids")
    @classmethod
    def _unique(cls, value):
        if isinstance(value, list):
            return list(dict.fromkeys(value))
        return value


class ScreenSpec(_Strict):
    """A validated screen spec (see the module docstring)."""

    screen: ScreenOptions = Field(default_factory=ScreenOptions)
    model: List[ModelEntry] = Field(min_length=1)
    condition: List[ConditionEntry] = Field(default_factory=lambda: [ConditionEntry(name="default")])
    knockouts: List[KnockoutEntry] = Field(min_length=1)


def line_of(text: str, needle: str) -> Optional[int]:
    """1-based line of the first quoted occurrence of ``needle`` in ``text``."""
    pattern = re.compile(r"[\"']" + re.escape(needle) + r"[\"']")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def read_spec(path: Union[str, os.PathLike]) -> Tuple[ScreenSpec, str]:
    """Parse and schema-check a spec file; return the spec and its text.

    Raises
    ------
    FluxasnInputError
        Missing file, unknown suffix, malformed TOML/YAML or a field that
        fails the schema (named, with its line where it can be found).
    """
    path = Path(path)
    if not path.is_file():
        raise FluxasnInputError("screen spec not found", source=path)
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            line = getattr(error, "lineno", None)
            if line is None:
                match = re.search(r"line (\d+)", str(error))
                line = int(match.group(1)) if match else None
            raise FluxasnInputError(f"malformed spec: {error}", source=path, line=line) from error
    elif suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise FluxasnInputError(f"malformed spec: {error}", source=path,
                                    line=mark.line + 1 if mark is not None else None) from error
    else:
        raise FluxasnInputError("unknown spec format; expected .toml, .yaml or .yml", source=path)
    if not isinstance(data, dict):
        raise FluxasnInputError("the spec must be a table of sections", source=path)
    try:
        spec = ScreenSpec.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = [str(p) for p in first["loc"]]
        entry = None
        node: Any = data
        for part in first["loc"]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(node, dict) and "name" in node:
                entry = node["name"]
        ident = ".".join(loc)
        line = line_of(text, entry) if entry else line_of(text, str(first["loc"][-1]))
        raise FluxasnInputError(f"{ident}: {first['msg']}", source=path, line=line,
                                identifier=str(entry) if entry else ident) from error
    for section in ("model", "condition", "knockouts"):
        names = [e.name for e in getattr(spec, section)]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise FluxasnInputError(f"duplicate {section} name", source=path,
                                    line=line_of(text, dupes[0]), identifier=dupes[0])
    return spec, text



# --- the output folder ----------------------------------------------------------------


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def part_digest(data: bytes) -> str:
    """The checksum the manifest keeps for a part (SHA-256 of its bytes, hex)."""
    return hashlib.sha256(data).hexdigest()


def write_part(parts: Path, chunk_id: str, columns: Dict[str, list]) -> Dict[str, Any]:
    """Write one chunk's rows atomically; return its manifest entry (checksum, rows)."""
    table = pa.Table.from_pydict(columns, schema=SCHEMA)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    data = sink.getvalue().to_pybytes()
    atomic_write_bytes(parts / f"{chunk_id}.parquet", data)
    return {"sha256": part_digest(data), "rows": table.num_rows}


def check_part(path: Path, entry: Optional[Dict[str, Any]], rows: int
               ) -> Tuple[Optional[Dict[str, Any]], str]:
    """Is the part at ``path`` the finished chunk it claims to be?

    With a manifest ``entry`` its bytes must match the recorded SHA-256 and
    row count; without one (the run stopped between part and manifest) it
    must read back as a complete table of the schema with ``rows`` rows.
    Returns ``(entry, "")`` for a good part (a new entry when it had none)
    or ``(None, reason)``, ``reason`` saying what is wrong.
    """
    data = path.read_bytes()
    if entry is not None:
        if entry.get("rows") != rows:
            return None, f"the manifest records {entry.get('rows')} rows, the chunk has {rows}"
        if part_digest(data) != entry.get("sha256"):
            return None, (f"checksum mismatch ({len(data)} bytes; SHA-256 differs from the "
                          "manifest's)")
        return entry, ""
    try:
        table = pq.read_table(pa.BufferReader(data), schema=SCHEMA)
    except (pa.ArrowException, OSError) as error:
        return None, f"unreadable ({len(data)} bytes): {error}"
    if table.num_rows != rows:
        return None, f"{table.num_rows} rows, the chunk has {rows}"
    return {"sha256": part_digest(data), "rows": rows}, ""


def assemble(out: Path, chunk_ids: Sequence[str]) -> Path:
    """Concatenate the parts in chunk order into ``result.parquet`` (streaming)."""
    parts = out / "parts"
    final = out / "result.parquet"
    tmp = out / f".result.parquet.tmp-{os.getpid()}"
    with pq.ParquetWriter(tmp, SCHEMA) as writer:
        for chunk_id in chunk_ids:
            writer.write_table(pq.read_table(parts / f"{chunk_id}.parquet", schema=SCHEMA))
    os.replace(tmp, final)
    return final


def read_result(path: Union[str, os.PathLike], columns: Optional[Sequence[str]] = None):
    """A screen's ``result.parquet`` (or a part) as a DataFrame (optionally some columns)."""
    return pq.read_table(path, columns=list(columns) if columns is not None else None).to_pandas()
