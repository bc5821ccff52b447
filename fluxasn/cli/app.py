"""The ``fluxasn`` command group, its exit codes and the options every model command shares."""
from __future__ import annotations

import logging

import click

__all__ = ["cli", "CONTEXT", "EXIT_CODES_HELP", "EXIT_OK", "EXIT_ERROR", "EXIT_INPUT", "EXIT_PROBLEMS",
           "Problems", "DEBUG"]

#: The command finished and its answer is on standard output.
EXIT_OK = 0
#: Unexpected internal error (a bug: please report it with ``--debug`` output).
EXIT_ERROR = 1
#: Bad input: usage error, missing or malformed file, unknown model, medium,
#: cell line, reaction or role, conflicting options.
EXIT_INPUT = 2
#: The command ran but found problems: ``validate`` found problems in a file,
#: or the model is infeasible under the given constraints.
EXIT_PROBLEMS = 3

EXIT_CODES_HELP = """\b
Exit codes (stable; scripts may rely on them):
  0  success
  1  internal error (a bug; rerun as `fluxasn --debug ...` and report the traceback)
  2  bad input: usage error, missing/malformed file, unknown model, medium,
     cell line, reaction or role, conflicting options (one-line message)
  3  problems found: `validate` found problems, or the model is infeasible
     under the given constraints
"""

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

DEBUG = {"on": False}


class _Problems(Exception):
    """Raised by a command that ran to the end but found problems (exit 3)."""

    def __init__(self, message: str):
        super().__init__(message)




class Problems(Exception):
    """Raised by a command that ran to the end but found problems (exit 3)."""


class _Once(logging.Filter):
    """Let each message through once (cobra repeats its external-compartment guess per call)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message in self.seen:
            return False
        self.seen.add(message)
        return True


_ONCE = _Once()


@click.group(context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.option("--debug", is_flag=True,
              help="Show the full traceback of any error and every message of the model reader.")
@click.version_option(package_name="fluxasn", prog_name="fluxasn")
def cli(debug: bool) -> None:
    """fluxasn: flux analysis of asparagine, aspartate and nucleotide supply in human cells.

    \b
    Examples:
      fluxasn report                          # core model on RPMI-1640
      fluxasn report --cell-line HT29 --html report.html
      fluxasn fva --reactions key --csv > fva.csv
      fluxasn validate my_model.xml my_medium.tsv

    Fluxes are in mmol/gDW/h (exchanges: negative = uptake), growth in 1/h.
    Run `fluxasn COMMAND --help` for each command's options and examples.
    """
    DEBUG["on"] = DEBUG["on"] or debug
    logging.getLogger("cobra.medium.boundary_types").addFilter(_ONCE)
    if DEBUG["on"]:
        logging.basicConfig(format="%(name)s: %(levelname)s: %(message)s")
        logging.getLogger("fluxasn").setLevel(logging.DEBUG)
