"""Exceptions raised by fluxasn.

Every error caused by what a user supplied (a file, a table row, an identifier)
is a :class:`FluxasnInputError` (a ``ValueError``) whose message names the
source, the line or row, the identifier and what was expected.
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

__all__ = [
    "FluxasnError",
    "FluxasnInputError",
    "ModelLoadError",
    "RoleError",
    "GeneError",
    "InfeasibleError",
]


class FluxasnError(Exception):
    """Base class of every exception fluxasn raises on purpose."""


class FluxasnInputError(FluxasnError, ValueError):
    """Bad user input: a file, a table row, a model identifier or an option.

    Parameters
    ----------
    message
        What was wrong and what was expected.
    source
        The file (path) or object the input came from, if any.
    line
        1-based line (or row) number in ``source``, if known.
    identifier
        The offending identifier (metabolite, reaction, column, option ...).
    """

    def __init__(
        self,
        message: str,
        *,
        source: Optional[Any] = None,
        line: Optional[int] = None,
        identifier: Optional[str] = None,
    ) -> None:
        self.source = None if source is None else str(source)
        self.line = line
        self.identifier = identifier
        self.reason = message
        where = []
        if self.source is not None:
            where.append(self.source)
        if line is not None:
            where.append(f"line {line}")
        if identifier is not None:
            where.append(repr(identifier))
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ModelLoadError(FluxasnInputError):
    """A model file could not be read (missing, unknown format, malformed)."""


class RoleError(FluxasnError, LookupError):
    """A reaction role (e.g. ``ASNS``) is missing from, or ambiguous in, a model."""


class GeneError(FluxasnInputError, RoleError):
    """A gene query matches no gene of a model, or genes of several human genes.

    A :class:`FluxasnInputError` (the query is the ``identifier``) and a
    :class:`RoleError` (as a missing gene was before). ``candidates`` holds
    the human symbols an ambiguous query denotes.
    """

    def __init__(self, message: str, *, identifier: Optional[str] = None,
                 candidates: Tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(message, identifier=identifier, **kwargs)
        self.candidates = tuple(candidates)


class InfeasibleError(FluxasnError):
    """The model is infeasible where a feasible model is required."""
