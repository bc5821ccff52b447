"""One comparison of knockout results with cobra's, shared by the capacity and redox tests."""
from __future__ import annotations

import pandas as pd
import pytest

__all__ = ["assert_same_knockouts"]


def assert_same_knockouts(ours: pd.DataFrame, ref: pd.DataFrame, *, atol: float = 1e-6) -> None:
    """Same deletion sets, identical statuses and growth within ``atol`` (1/h) where optimal.

    ``ours``: a :class:`fluxasn.KnockoutResult` frame; ``ref``: cobra's
    ``single_gene_deletion`` / ``double_gene_deletion`` frame (``ids`` sets).
    """
    a = {ids: (g, s) for ids, g, s in zip(ours["ids"], ours["growth"], ours["status"])}
    b = {frozenset(ids): (g, s) for ids, g, s in zip(ref["ids"], ref["growth"], ref["status"])}
    assert set(a) == set(b)
    for key, (growth, status) in a.items():
        assert status == b[key][1], key
        if status == "optimal":
            assert growth == pytest.approx(b[key][0], abs=atol), key
