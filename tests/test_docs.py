"""The API reference (docs/) builds from the docstrings without a warning and documents every public name.

Sphinx is in the ``docs`` and ``test`` extras; without it the test skips with
a reason, and under ``CI=true`` it fails.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from _shared import REPO, _ci


def _sphinx_build():
    try:
        import sphinx  # noqa: F401
    except ImportError:
        message = "Sphinx is not installed (pip install '.[docs]')"
        if _ci():
            pytest.fail(message + "; CI=true requires it", pytrace=False)
        pytest.skip(message)
    return [sys.executable, "-m", "sphinx"]


def test_api_reference_builds_without_warnings_and_covers_the_public_api(tmp_path):
    command = _sphinx_build() + ["-W", "--keep-going", "-q", "-b", "html", str(REPO / "docs"), str(tmp_path)]
    run = subprocess.run(command, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "WARNING" not in run.stderr and "ERROR" not in run.stderr, run.stderr
    page = (tmp_path / "api.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'id="([^"]+)"', page))
    import fluxasn

    missing = []
    for name in fluxasn.__all__:
        if name in ("__version__", "config"):
            continue
        obj = getattr(fluxasn, name)
        module = getattr(obj, "__module__", None)
        where = [f"{module}.{name}"] if module else [i for i in ids if i.endswith("." + name)]
        if not any(w in ids for w in where):
            missing.append(name)
    assert not missing, f"public names without an entry on the API page: {missing}"
    assert "fluxasn.config.Configuration" in ids and "fluxasn.views.ResultView" in ids
