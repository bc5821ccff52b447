"""What the 13C readers share: row helpers that name file, line and identifier."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
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


def _rows(path: Path, required: Sequence[str], delimiter: Optional[str] = None):
    """``(line, {column: cell})`` of a delimited table, with the file's true line numbers.

    Blank lines and lines starting with ``#`` are skipped; header names and
    cells are stripped; a missing required column or a row with another
    number of cells than the header is refused naming the file and line.
    ``delimiter`` ``None``: tab for ``.tsv`` files, else comma.
    """
    path = Path(path)
    if not path.exists():
        raise FluxasnInputError("file not found", source=path)
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with open(path, newline="", encoding="utf-8-sig") as fh:
        lines = [(i, l) for i, l in enumerate(fh, start=1) if l.strip() and not l.startswith("#")]
    if not lines:
        raise FluxasnInputError("empty table", source=path)
    reader = csv.reader([l for _, l in lines], delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    missing = [c for c in required if c not in header]
    if missing:
        raise FluxasnInputError(f"missing columns {missing}; found {header}", source=path, line=lines[0][0])
    for (line, _), cells in zip(lines[1:], reader):
        if len(cells) != len(header):
            raise FluxasnInputError(f"expected {len(header)} cells, found {len(cells)}", source=path, line=line)
        yield line, {h: c.strip() for h, c in zip(header, cells)}


class _ExpressionNetwork(LabelingNetwork):
    """A :class:`LabelingNetwork` that also resolves named linear combinations of its fluxes.

    ``expressions[name] = {flux: coefficient}``: a measured flux written as an
    expression (FluxML ``R63-R63b``) or a composed reaction (mfapy ``v9+e1``)
    is then used like a reaction id by :meth:`flux_vector`.
    """

    def __init__(self, name: str = "", *, symmetric: Sequence[str] = ()) -> None:
        super().__init__(name, symmetric=symmetric)
        self.expressions: Dict[str, Dict[str, float]] = {}

    def flux_vector(self, name: str) -> np.ndarray:
        """Row vector of flux ``name``: a flux id, ``R.exch`` or a registered expression."""
        if name in self.expressions:
            return sum(c * LabelingNetwork.flux_vector(self, n) for n, c in self.expressions[name].items())
        return super().flux_vector(name)


# -- XML with line numbers ----------------------------------------------------
def _xml_with_lines(path: Path):
    """Parse ``path`` into an ElementTree root and a map element -> 1-based line.

    ElementTree keeps no line numbers; expat does, so the tree is built here
    from expat's events (namespaces as ``{uri}tag``, like ElementTree).
    """
    from xml.etree.ElementTree import TreeBuilder
    from xml.parsers import expat

    builder = TreeBuilder()
    lines: Dict[int, int] = {}
    parser = expat.ParserCreate(namespace_separator="}")

    def tag(name):
        return "{" + name if "}" in name else name

    def start(name, attrs):
        elem = builder.start(tag(name), {tag(k): v for k, v in attrs.items()})
        lines[id(elem)] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: builder.end(tag(name))
    parser.CharacterDataHandler = builder.data
    try:
        with open(path, "rb") as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as exc:
        raise FluxasnInputError(f"not well-formed XML: {expat.ErrorString(exc.code)}", source=path,
                                line=exc.lineno) from None
    root = builder.close()
    return root, lines


# -- linear expressions ---------------------------------------------------------
_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|([A-Za-z_][\w.]*)|(.))")


def _linear(text: str, *, source=None, line=None, identifier=None) -> Tuple[Dict[str, float], float]:
    """``"0.488*R67 - (R1 + 2)/2"`` -> ({"R67": 0.488, "R1": -0.5}, -1.0).

    Numbers, names, ``+ - * /`` and parentheses; a product or quotient of two
    names (non-linear) and anything else raise, naming the text.
    """
    toks = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
        if m.group(1):
            toks.append(("num", float(m.group(1))))
        elif m.group(2):
            toks.append(("name", m.group(2)))
        elif m.group(3).strip():
            toks.append(("op", m.group(3)))
    toks.append(("end", None))
    k = [0]

    def fail(why):
        raise FluxasnInputError(f"cannot read the linear expression {text!r}: {why}", source=source,
                                line=line, identifier=identifier)

    def peek():
        return toks[k[0]]

    def take():
        k[0] += 1
        return toks[k[0] - 1]

    def add(a, b, s=1.0):
        terms = dict(a[0])
        for n, c in b[0].items():
            terms[n] = terms.get(n, 0.0) + s * c
        return terms, a[1] + s * b[1]

    def scale(a, c):
        return {n: c * x for n, x in a[0].items()}, a[1] * c

    def expr():
        val = term()
        while peek() in (("op", "+"), ("op", "-")):
            op = take()[1]
            val = add(val, term(), 1.0 if op == "+" else -1.0)
        return val

    def term():
        val = factor()
        while peek() in (("op", "*"), ("op", "/")):
            op = take()[1]
            rhs = factor()
            if op == "*":
                if val[0] and rhs[0]:
                    fail("a product of two fluxes is not linear")
                val = scale(rhs, val[1]) if not val[0] else scale(val, rhs[1])
            else:
                if rhs[0] or rhs[1] == 0:
                    fail("division by a flux or by zero")
                val = scale(val, 1.0 / rhs[1])
        return val

    def factor():
        kind, v = take()
        if kind == "num":
            return {}, v
        if kind == "name":
            return {v: 1.0}, 0.0
        if (kind, v) == ("op", "-"):
            return scale(factor(), -1.0)
        if (kind, v) == ("op", "+"):
            return factor()
        if (kind, v) == ("op", "("):
            val = expr()
            if take() != ("op", ")"):
                fail("expected ')'")
            return val
        fail(f"unexpected {v if v is not None else 'end of text'!r}")

    if not text:
        fail("empty")
    out = expr()
    if peek()[0] != "end":
        fail(f"unexpected {peek()[1]!r}")
    return {n: c for n, c in out[0].items() if c != 0.0}, out[1]


def _linear_relation(text: str, *, source=None, line=None, identifier=None, what="constraint"):
    """``"a - b <= 3*c + 1"`` -> (terms of lhs - rhs, lower, upper) on ``sum(terms)``."""
    m = re.match(r"^(.*?)(<=|>=|==|=|<|>)(.*)$", text.strip(), re.S)
    if not m or not m.group(1).strip() or not m.group(3).strip():
        raise FluxasnInputError(f"cannot read {what} {text.strip()!r}; expected 'expression = expression' "
                                "(or <=, >=)", source=source, line=line, identifier=identifier)
    kw = dict(source=source, line=line, identifier=identifier)
    try:
        lhs, op, rhs = _linear(m.group(1), **kw), m.group(2), _linear(m.group(3), **kw)
    except FluxasnInputError as exc:
        raise FluxasnInputError(f"cannot read {what} {text.strip()!r}: {exc.reason}", **kw) from None
    terms = dict(lhs[0])
    for n, c in rhs[0].items():
        terms[n] = terms.get(n, 0.0) - c
    terms = {n: c for n, c in terms.items() if c != 0.0}
    if not terms:
        raise FluxasnInputError(f"constraint {text.strip()!r} names no flux", **kw)
    value = rhs[1] - lhs[1]
    if op in ("=", "=="):
        return terms, value, value
    if op in ("<=", "<"):
        return terms, -np.inf, value
    return terms, value, np.inf
