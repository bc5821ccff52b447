"""Terminal, notebook and HTML reports.

- :func:`summarize` / :class:`FluxSummary`: growth, ASNS flux and key exchanges with FVA ranges.
- :func:`make_report` / :class:`FluxReport`: the full report, written as one self-contained HTML file.
- :func:`write_escher_json`: ``{reaction_id: flux}`` for Escher maps.
- :func:`validate_file`: every problem of a model, medium, measurement or 13C file.
"""
from fluxasn.io.escher import escher_fluxes, write_escher_json
from fluxasn.report.html import READOUTS, FluxReport, make_report
from fluxasn.report.lint import PROBLEM_COLUMNS, lint_model, validate_file
from fluxasn.report.summary import KEY_FLUXES, SUMMARY_COLUMNS, FluxSummary, doubling_time_h, summarize

__all__ = [
    "FluxSummary",
    "summarize",
    "doubling_time_h",
    "FluxReport",
    "make_report",
    "escher_fluxes",
    "write_escher_json",
    "validate_file",
    "lint_model",
    "PROBLEM_COLUMNS",
    "KEY_FLUXES",
    "READOUTS",
    "SUMMARY_COLUMNS",
]
