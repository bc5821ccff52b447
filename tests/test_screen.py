"""Batch screens: spec validation, Parquet parts, resume after SIGKILL, pool and Dask."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cobra.flux_analysis import single_gene_deletion

from fluxasn.analysis.screen import RESULT_COLUMNS, read_spec, run_screen
from fluxasn.exceptions import FluxasnInputError, InfeasibleError

REPO = Path(__file__).resolve().parents[1]

SPEC = """
[screen]
name = "test"
chunk_size = {chunk}

[[model]]
name = "ecoli"
source = "textbook"

[[condition]]
name = "as_shipped"

[[condition]]
name = "low_glucose"
bounds = {{ EX_glc__D_e = [-5.0, 1000.0] }}

[[knockouts]]
name = "genes"
kind = "gene"
order = 1
ids = "all"

[[knockouts]]
name = "pairs"
kind = "gene"
order = 2
ids = {pairs}
"""


def write_spec(folder: Path, *, chunk=100, pairs='"all"', text=None, name="spec.toml") -> Path:
    path = folder / name
    path.write_text(text if text is not None else SPEC.format(chunk=chunk, pairs=pairs))
    return path


def test_rows_match_cobra_and_views(tmp_path, textbook):
    spec = write_spec(tmp_path, pairs='["b0008", "b0114", "b0115", "b0116"]')
    result = run_screen(spec, out=tmp_path / "out", processes=1, progress=False)
    frame = result.to_frame()
    assert tuple(frame.columns) == RESULT_COLUMNS
    assert len(frame) == 2 * (len(textbook.genes) + 6)
    singles = frame[(frame.knockouts == "genes") & (frame.condition == "low_glucose")]
    with textbook:
        textbook.reactions.EX_glc__D_e.bounds = (-5.0, 1000.0)
        ref = single_gene_deletion(textbook, processes=1)
    ref = ref.assign(id1=ref["ids"].map(lambda s: next(iter(s)))).set_index("id1")
    ours = singles.set_index("id1").loc[ref.index]
    assert (ours["status"] == ref["status"]).all()
    assert ((ours["growth"] - ref["growth"]).abs().fillna(0) <= 1e-6).all()
    assert ours["growth"].max() < 0.87  # the condition was applied (5 vs 10 glucose)
    pairs = frame[frame.knockouts == "pairs"]
    assert pairs["id2"].notna().all() and singles["id2"].isna().all()
    assert "ecoli" in str(result) and "<table" in result._repr_html_()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["rows"] == len(frame)


KILL_AFTER = 5

#: A run that kills itself (SIGKILL) right after its 5th part is written and recorded:
#: a deterministic point of the run, not a timed poll.
KILLED_RUN = (
    "import os, signal\n"
    "from fluxasn.analysis.screen import run_screen\n"
    "def tick(done, total):\n"
    "    if done >= {after}:\n"
    "        os.kill(os.getpid(), signal.SIGKILL)\n"
    "run_screen({spec!r}, out={out!r}, processes=1, progress=tick)\n"
)


@pytest.fixture(scope="module")
def sigkilled(tmp_path_factory):
    """An uninterrupted run and a run killed after its 5th part (kept pristine; tests copy it)."""
    folder = tmp_path_factory.mktemp("sigkill")
    spec = write_spec(folder, chunk=40)
    whole = run_screen(spec, out=folder / "whole", processes=1, progress=False)
    killed = folder / "killed"
    code = KILLED_RUN.format(after=KILL_AFTER, spec=str(spec), out=str(killed))
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, timeout=300)
    assert proc.returncode == -signal.SIGKILL
    return spec, Path(whole.path).read_bytes(), killed


def _copy_killed(sigkilled, tmp_path):
    spec, whole, killed = sigkilled
    out = tmp_path / "killed"
    shutil.copytree(killed, out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(list((out / "parts").glob("*.parquet"))) == KILL_AFTER < manifest["chunks"]
    assert len(manifest["parts"]) == KILL_AFTER
    assert not (out / "result.parquet").exists()
    return spec, whole, out, manifest


def test_resume_after_sigkill_is_identical(sigkilled, tmp_path):
    spec, whole, killed, manifest = _copy_killed(sigkilled, tmp_path)
    resumed = run_screen(spec, out=killed, processes=1, progress=False)
    assert resumed.computed == manifest["chunks"] - KILL_AFTER and resumed.repaired == []
    assert Path(resumed.path).read_bytes() == whole


def test_damaged_parts_are_detected_and_recomputed(sigkilled, tmp_path):
    """A part cut short, a part overwritten by another valid part, a part the
    manifest never recorded: each is found by its checksum (or read back), named,
    and computed again; the result is still byte-identical."""
    spec, whole, killed, manifest = _copy_killed(sigkilled, tmp_path)
    parts = sorted((killed / "parts").glob("*.parquet"))
    with open(parts[0], "r+b") as handle:  # as a new user found it: cut to 100 bytes
        handle.truncate(100)
    parts[1].write_bytes(parts[2].read_bytes())  # a valid Parquet file of the wrong chunk
    del manifest["parts"][parts[3].stem]  # killed between the part and the manifest
    (killed / "manifest.json").write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match="2 part file") as caught:
        resumed = run_screen(spec, out=killed, processes=1, progress=False)
    text = str(caught[0].message)
    assert parts[0].name in text and "checksum mismatch (100 bytes" in text
    assert parts[1].name in text and parts[3].name not in text
    assert [r.split(":")[0] for r in resumed.repaired] == [parts[0].name, parts[1].name]
    assert resumed.computed == manifest["chunks"] - KILL_AFTER + 2
    assert Path(resumed.path).read_bytes() == whole
    final = json.loads((killed / "manifest.json").read_text())
    assert len(final["parts"]) == final["chunks"]
    # without a manifest entry, a cut part is refused by reading it back
    del final["parts"][parts[4].stem]
    (killed / "manifest.json").write_text(json.dumps(final))
    with open(parts[4], "r+b") as handle:
        handle.truncate(100)
    with pytest.warns(UserWarning, match="unreadable"):
        again = run_screen(spec, out=killed, processes=1, progress=False)
    assert again.computed == 1 and "1 damaged part(s) found by checksum" in str(again)
    assert Path(again.path).read_bytes() == whole


def test_stop_and_resume_and_pool_are_identical(tmp_path):
    spec = write_spec(tmp_path, chunk=300)
    whole = run_screen(spec, out=tmp_path / "whole", processes=1, progress=False)
    first = run_screen(spec, out=tmp_path / "split", processes=1, progress=False, stop_after=3)
    assert first.computed == 3 and first.n_rows == 0
    second = run_screen(spec, out=tmp_path / "split", processes=1, progress=False)
    assert Path(second.path).read_bytes() == Path(whole.path).read_bytes()
    pool = run_screen(spec, out=tmp_path / "pool", processes=2, progress=False)
    assert Path(pool.path).read_bytes() == Path(whole.path).read_bytes()
    ticks = []
    again = run_screen(spec, out=tmp_path / "split", processes=1,
                       progress=lambda done, total: ticks.append((done, total)))
    assert again.computed == 0 and ticks[-1][0] == ticks[-1][1]


def test_dask_local_cluster_is_identical(tmp_path):
    pytest.importorskip("distributed")
    spec = write_spec(tmp_path, chunk=500, pairs='["b0008", "b0114", "b0115", "b0116", "b0118"]')
    local = run_screen(spec, out=tmp_path / "local", processes=1, progress=False)
    dask = run_screen(spec, out=tmp_path / "dask", backend="dask", processes=2, progress=False)
    assert Path(dask.path).read_bytes() == Path(local.path).read_bytes()


def _bad(tmp_path, old, new):
    text = SPEC.format(chunk=100, pairs='"all"').replace(old, new)
    spec = write_spec(tmp_path, text=text)
    out = tmp_path / "out"
    with pytest.raises(FluxasnInputError) as info:
        run_screen(spec, out=out, processes=1, progress=False)
    assert not out.exists(), "no work may start before the spec is valid"
    assert str(spec) in str(info.value)
    return info.value, text


def test_unknown_entries_fail_before_work(tmp_path):
    error, text = _bad(tmp_path, 'order = 2\nids = "all"',
                       'order = 2\nids = ["b0008", "NOT_A_GENE"]')
    assert error.identifier == "NOT_A_GENE"
    assert text.splitlines()[error.line - 1].count("NOT_A_GENE") == 1
    error, _ = _bad(tmp_path, "EX_glc__D_e", "EX_nothing")
    assert error.identifier == "EX_nothing" and error.line is not None
    error, _ = _bad(tmp_path, 'source = "textbook"', 'source = "missing_model.xml"')
    assert error.identifier == "missing_model.xml" and error.line == 8
    error, _ = _bad(tmp_path, 'name = "low_glucose"',
                    'name = "low_glucose"\nmedium = "Imaginary Broth"')
    assert error.identifier == "Imaginary Broth"
    error, _ = _bad(tmp_path, 'kind = "gene"\norder = 1', 'kind = "gene"\norder = 3')
    assert "order" in str(error)
    error, _ = _bad(tmp_path, 'kind = "gene"\norder = 1\nids = "all"',
                    'kind = "reaction"\norder = 1\nids = ["PGI", "NOT_A_REACTION"]')
    assert error.identifier == "NOT_A_REACTION"


def test_infeasible_model_is_reported(tmp_path):
    text = SPEC.format(chunk=100, pairs='"all"').replace(
        "[-5.0, 1000.0]", "[-5.0, 1000.0], ATPM = [500.0, 1000.0]")
    spec = write_spec(tmp_path, text=text)
    with pytest.raises(InfeasibleError) as info:
        run_screen(spec, out=tmp_path / "out", processes=1, progress=False)
    assert "ecoli" in str(info.value) and "low_glucose" in str(info.value)
    assert not (tmp_path / "out").exists()


def test_folder_of_another_spec_is_refused_and_yaml_works(tmp_path):
    spec = write_spec(tmp_path, pairs='["b0008", "b0114"]')
    run_screen(spec, out=tmp_path / "out", processes=1, progress=False)
    other = write_spec(tmp_path, pairs='["b0008", "b0115"]', name="other.toml")
    with pytest.raises(FluxasnInputError):
        run_screen(other, out=tmp_path / "out", processes=1, progress=False)
    yaml_spec = tmp_path / "spec.yaml"
    yaml_spec.write_text(
        "screen: {chunk_size: 50}\n"
        "model: [{name: ecoli, source: textbook}]\n"
        "knockouts: [{name: few, kind: reaction, order: 1, ids: [PGI, PFK]}]\n")
    spec_obj, _ = read_spec(yaml_spec)
    assert spec_obj.knockouts[0].ids == ["PGI", "PFK"]
    frame = run_screen(yaml_spec, out=tmp_path / "yaml", processes=1, progress=False).to_frame()
    assert list(frame["id1"]) == ["PGI", "PFK"]


def test_million_pairs_stream_under_2_gb():
    """1,000,405 reaction pairs on a synthetic model; peak RSS of the whole process."""
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "screen_memory.py"),
                          "--n", "1415"], capture_output=True, text=True, check=True, cwd=REPO)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert figures["rows"] == 1415 * 1414 // 2
    assert figures["peak_rss_mb"] < 2048
