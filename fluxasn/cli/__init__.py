"""The ``fluxasn`` command line: flux reports, FVA, screens, 13C-MFA, scenarios, validation, conversion.

Thin by design: each command (one module here) parses its options, calls the
public API and formats the result (a rich table on a terminal, ``--json`` /
``--csv`` for scripts, :mod:`fluxasn.cli.output`). Errors caused by the user's
input end the program with exit code 2 and one line naming the problem;
``fluxasn --debug ...`` shows the traceback. This is the one place where any
exception is caught broadly (:func:`main`).

The commands import the analysis API inside their functions, so that
``fluxasn --help`` starts without loading cobra, pandas or the solvers.
"""
from __future__ import annotations

import os
import re
import sys
from typing import Optional, Sequence, Tuple

import click

from fluxasn.cli import convert, fva, mfa, report, scenarios, screen, validate, vents  # noqa: F401 (commands)
from fluxasn.cli.app import DEBUG, EXIT_ERROR, EXIT_INPUT, EXIT_OK, EXIT_PROBLEMS, Problems, cli

__all__ = ["main", "cli", "EXIT_OK", "EXIT_ERROR", "EXIT_INPUT", "EXIT_PROBLEMS"]


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def _input_error_types() -> Tuple[type, ...]:
    from fluxasn.exceptions import FluxasnInputError, ModelLoadError, RoleError

    return (FluxasnInputError, ModelLoadError, RoleError, FileNotFoundError, IsADirectoryError,
            NotADirectoryError, PermissionError)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Console-script entry point: run the CLI and exit with a documented code."""
    from fluxasn.exceptions import InfeasibleError

    args = list(sys.argv[1:] if argv is None else argv)
    DEBUG["on"] = "--debug" in args[: _first_command_index(args)] or bool(
        os.environ.get("FLUXASNDEBUG")
    )
    command = _command_name(args)
    prog = f"fluxasn {command}" if command else "fluxasn"
    try:
        code = cli.main(args=args, prog_name="fluxasn", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo(f"{prog}: aborted", err=True)
        sys.exit(130)
    except click.UsageError as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # bare `fluxasn`: show the help
            click.echo(error.format_message())
            sys.exit(EXIT_OK)
        if DEBUG["on"]:
            raise
        hint = f" (see '{prog} --help')"
        click.echo(f"{prog}: error: {_one_line(error.format_message())}{hint}", err=True)
        sys.exit(EXIT_INPUT)
    except click.ClickException as error:
        if DEBUG["on"]:
            raise
        click.echo(f"{prog}: error: {_one_line(error.format_message())}", err=True)
        sys.exit(EXIT_INPUT if error.exit_code == 2 else EXIT_ERROR)
    except Problems as problems:
        click.echo(f"{prog}: {_one_line(str(problems))}", err=True)
        sys.exit(EXIT_PROBLEMS)
    except InfeasibleError as error:
        if DEBUG["on"]:
            raise
        click.echo(f"{prog}: {_one_line(error)}", err=True)
        sys.exit(EXIT_PROBLEMS)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as error:  # noqa: BLE001 - the one place every error is mapped
        if DEBUG["on"]:
            raise
        if isinstance(error, _input_error_types()):
            click.echo(f"{prog}: error: {_one_line(_describe_error(error))}", err=True)
            sys.exit(EXIT_INPUT)
        from fluxasn.exceptions import FluxasnError

        if isinstance(error, FluxasnError):
            click.echo(f"{prog}: error: {_one_line(error)}", err=True)
        else:
            click.echo(
                f"{prog}: internal error: {type(error).__name__}: {_one_line(error)} "
                "(rerun with 'fluxasn --debug' for the traceback)",
                err=True,
            )
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def _describe_error(error: BaseException) -> str:
    if isinstance(error, OSError) and error.filename is not None and not str(error).startswith(str(error.filename)):
        return f"{error.filename}: {error.strerror or error}"
    if isinstance(error, KeyError) and len(error.args) == 1:  # RoleError is a LookupError
        return str(error.args[0])
    return str(error)


def _first_command_index(args: Sequence[str]) -> int:
    for i, arg in enumerate(args):
        if not arg.startswith("-"):
            return i
    return len(args)


def _command_name(args: Sequence[str]) -> Optional[str]:
    i = _first_command_index(args)
    if i < len(args) and args[i] in cli.commands:
        return args[i]
    return None


if __name__ == "__main__":  # pragma: no cover
    main()
