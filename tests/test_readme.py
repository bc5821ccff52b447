"""The README is executable: CI runs its test command, its quick start runs as printed.

* ``.ci/run`` runs exactly the README's set-up command 2 (the test command).
* Set-up command 1 installs fluxasn NON-editably and runs ``fluxasn report``:
  checked by installing the package into a fresh folder and running the report
  from there, so the bundled model and data must ship as package data.
* Every ``$ fluxasn ...`` line of the quick start runs as a subprocess; its exit
  code must be 0 and its standard output must be the text shown under it.
  After a deliberate change of results, regenerate the shown output with
  ``FLUXASN_UPDATE_README=1 python -m pytest tests/test_readme.py``.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest

from _cli_runner import REPO, cli_env, run_cli

README = REPO / "README.md"


def section(text: str, title: str) -> str:
    """The text of the ``## title`` section (up to the next ``## `` heading)."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def setup_commands() -> list:
    body = section(README.read_text(encoding="utf-8"), "Set-up: two commands")
    blocks = re.findall(r"```bash\n(.*?)```", body, re.S)
    commands = []
    for block in blocks:
        lines = [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        commands.extend(lines)
    return commands


def test_ci_runs_the_readme_test_command():
    commands = setup_commands()
    assert len(commands) == 2, commands
    install, test = commands
    assert install == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/fluxasn report"
    assert "pytest" in test and "-e" in test
    ci_lines = [ln.strip() for ln in (REPO / ".ci" / "run").read_text().splitlines()]
    assert test in ci_lines, ".ci/run must run exactly the README's test command"


# --- the quick start --------------------------------------------------------------------------

CONSOLE_BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def quick_start_steps(text: str):
    """(command, expected stdout) pairs of the quick start's console blocks, in order."""
    body = section(text, "Quick start")
    steps = []
    for block in CONSOLE_BLOCK.findall(body):
        command, output = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    steps.append((command, "\n".join(output)))
                command, output = line[2:].strip(), []
            else:
                output.append(line)
        if command is not None:
            steps.append((command, "\n".join(output)))
    return steps


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def render_quick_start(text: str, outputs: list) -> str:
    """README text with each quick-start command's shown output replaced by ``outputs``."""
    start = text.index("## Quick start")
    end_match = re.search(r"^## ", text[start + 3:], re.M)
    end = start + 3 + end_match.start() if end_match else len(text)
    body = text[start:end]
    queue = list(outputs)

    def replace(match):
        lines = []
        for line in match.group(1).splitlines():
            if line.startswith("$ "):
                lines.append(line)
                lines.extend(queue.pop(0).splitlines())
        return "```console\n" + "\n".join(lines) + "\n```"

    return text[:start] + CONSOLE_BLOCK.sub(replace, body) + text[end:]


def test_quick_start_runs_as_printed(tmp_path):
    text = README.read_text(encoding="utf-8")
    steps = quick_start_steps(text)
    assert len(steps) >= 3, "the quick start shows at least three commands"
    assert any("--cell-line" in c and "asn_free" in c and "asns_ko" in c for c, _ in steps), (
        "the quick start analyses an NCI-60 line under Asn depletion and ASNS loss"
    )
    outputs = []
    for command, expected in steps:
        args = shlex.split(command)
        assert args[0] == "fluxasn", command
        result = run_cli(args[1:], cwd=tmp_path)
        assert result.returncode == 0, (command, result.stderr)
        outputs.append(normalise(result.stdout))
        for name in re.findall(r"--(?:html|escher)\s+(\S+)", command):
            assert (tmp_path / name).stat().st_size > 0, name
    if os.environ.get("FLUXASN_UPDATE_README"):
        README.write_text(render_quick_start(text, outputs), encoding="utf-8")
        return
    for (command, expected), got in zip(steps, outputs):
        assert got == normalise(expected), (
            f"README output of '{command}' is stale; rerun with FLUXASN_UPDATE_README=1 "
            f"after checking the new output:\n{got}"
        )


# --- set-up command 1: a non-editable install runs the report ----------------------------------


def test_non_editable_install_runs_report(tmp_path):
    """``pip install .`` (not -e) must ship the bundled model and data as package data."""
    target = tmp_path / "site"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "--quiet",
         "--target", str(target), str(REPO)],
        capture_output=True, text=True, timeout=600,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    assert not (target / "fluxasn" / "_models" / "__init__.py").is_symlink()
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    code = (
        "import sys, fluxasn; "
        f"assert fluxasn.__file__.startswith({str(target)!r}), fluxasn.__file__; "
        "sys.argv = ['fluxasn', 'report', '--csv', '--no-fva']; "
        "from fluxasn.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=workdir,
        env=cli_env({"PYTHONPATH": str(target)}),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "quantity,role,reaction,flux,minimum,maximum,unit"
    growth = float(lines[1].split(",")[3])
    assert growth > 0
    for quantity in ("ASNS flux", "Asn exchange", "Asp exchange", "Gln exchange",
                     "glucose exchange", "lactate exchange", "O2 exchange"):
        assert any(line.startswith(quantity + ",") for line in lines), quantity


def test_notebook_example_runs(tmp_path, monkeypatch, capsys):
    """The README's Python example runs as printed (the report file is written)."""
    import matplotlib

    matplotlib.use("Agg")
    body = section(README.read_text(encoding="utf-8"), "Notebooks and scripts")
    (code,) = re.findall(r"```python\n(.*?)```", body, re.S)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.split()
    shown = re.search(r"print\(summarize\(model\)\.growth\)\s+# (\S+)", code).group(1)
    assert float(printed[-1]) == pytest.approx(float(shown), abs=1e-9)
    assert (tmp_path / "report.html").stat().st_size > 50_000


def test_screen_example_runs_and_matches_cobra():
    """The README's FVA / knockout example runs as printed and gives cobra's answers."""
    from cobra.flux_analysis import double_gene_deletion, flux_variability_analysis

    body = section(README.read_text(encoding="utf-8"), "Flux variability and knockout screens")
    (code,) = re.findall(r"```python\n(.*?)```", body, re.S)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    model, ranges, singles, matrix = (scope[k] for k in ("model", "ranges", "singles", "matrix"))
    theirs = flux_variability_analysis(model, list(ranges.index), processes=1)
    assert (ranges - theirs).abs().max().max() <= 1e-6
    assert len(singles.to_frame()) == len(model.genes)
    genes = {g.name or g.id: g.id for g in model.genes}
    cobra_pairs = double_gene_deletion(model, [genes[s] for s in ("GOT1", "GOT2")], processes=1)
    both = cobra_pairs[cobra_pairs["ids"].map(len) == 2]["growth"].iloc[0]
    assert matrix.loc["GOT1", "GOT2"] == pytest.approx(both, abs=1e-6)
    shown = float(re.search(r"GOT1 \+ GOT2 loss together: (\S+)", code).group(1))
    assert matrix.loc["GOT1", "GOT2"] == pytest.approx(shown, abs=5e-5)
    assert matrix.loc["GOT1", "GOT2"] < matrix.loc["GOT1", "GOT1"]  # synthetic sick pair


def test_capacity_example_runs_as_printed(capsys):
    """The README's route-capacity example runs and prints the value it shows."""
    body = section(README.read_text(encoding="utf-8"), "Route capacities: what a perturbation needs from a pathway")
    (code,) = re.findall(r"```python\n(.*?)```", body, re.S)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    printed = float(capsys.readouterr().out.split()[-1])
    shown = float(re.search(r"round\(need\[\"minimum_capacity\"\], 5\)\)\s+# (\S+)", code).group(1))
    assert printed == pytest.approx(shown, abs=1e-12)
    growth = scope["scan"].to_frame()["growth_maximum"]
    assert growth.iloc[0] == pytest.approx(0.0315, abs=5e-5)
    assert growth.iloc[-1] == pytest.approx(0.0420, abs=5e-5)
    assert growth.is_monotonic_increasing


def test_enzyme_capacity_example_runs_as_printed(capsys):
    """Each print of the README's enzyme-capacity example shows what the comment beside it says."""
    body = section(README.read_text(encoding="utf-8"), "Enzyme capacity: what limits a proliferating cell")
    (code,) = re.findall(r"```python\n(.*?)```", body, re.S)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    shown = re.findall(r"^print\(.*\)\s+# (.*)$", code, re.M)
    assert printed == shown
