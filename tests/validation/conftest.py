"""The literature validation suite prints its pass/fail tables at the end of the run.

``pytest -ra`` shows captured output only for failures, so the tables are
written through the terminal reporter in :func:`pytest_terminal_summary`,
which always appears in the CI log.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: title -> table text, filled by the tests of this folder
VALIDATION_TABLES: dict = {}


@pytest.fixture(scope="session")
def validation_tables():
    return VALIDATION_TABLES


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not VALIDATION_TABLES:
        return
    terminalreporter.section("fluxasn literature validation")
    for title, text in VALIDATION_TABLES.items():
        terminalreporter.write_line(text)
        terminalreporter.write_line("")
