"""The HTML report renders in headless Chromium with networking disabled.

A checker script is appended to a copy of the report; Chromium loads it from a
file:// URL with every network request routed to a dead proxy, and the script
writes what it found (sections, each image's natural size, any resource
fetched) into the DOM, which ``--dump-dom`` returns. A screenshot is saved.
A control page with a remote image proves that the network really is cut off
and that the checker sees a failed image.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it). Without
it the test skips with a reason, except under ``CI=true`` where it fails.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from _shared import _ci

CHECKER = """
<script>
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images).map(function (img) {
    return {alt: img.alt, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight};
  });
  var sections = Array.prototype.slice.call(document.querySelectorAll('section')).map(function (s) {
    return {id: s.id, title: (s.querySelector('h2') || {}).textContent || '', height: s.offsetHeight};
  });
  var resources = performance.getEntriesByType('resource').map(function (e) { return e.name; });
  var out = document.createElement('pre');
  out.id = 'fluxasn-check';
  out.textContent = JSON.stringify({images: images, sections: sections, resources: resources,
                                    title: document.title});
  document.body.appendChild(out);
});
</script>
"""


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    message = (
        "headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)"
    )
    if _ci():
        pytest.fail(message + "; CI=true requires it", pytrace=False)
    pytest.skip(message)


def chromium_args(profile: Path):
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={profile}",
        # networking off: every request goes to a closed local port, no name resolves
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ]


def render(chromium: str, page: Path, tmp_path: Path) -> dict:
    checked = tmp_path / ("checked-" + page.name)
    text = page.read_text(encoding="utf-8")
    assert "</body>" in text
    checked.write_text(text.replace("</body>", CHECKER + "</body>"), encoding="utf-8")
    result = subprocess.run(
        [chromium, *chromium_args(tmp_path / "profile"), "--virtual-time-budget=10000",
         "--dump-dom", checked.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    match = re.search(r'<pre id="fluxasn-check">(.*?)</pre>', result.stdout, re.S)
    assert match, f"Chromium returned no check result (rc {result.returncode}): {result.stderr[-2000:]}"
    import html

    return json.loads(html.unescape(match.group(1)))


@pytest.fixture(scope="module")
def chromium():
    return chromium_path()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, _core_session):
    from fluxasn.report import make_report
    from fluxasn.report.html import REPORT_SECTIONS

    import fluxasn

    model = _core_session.copy()
    scenarios = fluxasn.run_scenarios(model, ["control", "asn_free", "asn_free+asns_ko"],
                                      readouts=["growth", "asns_fva"])
    report = make_report(model, medium="RPMI-1640", scenarios=scenarios,
                         provenance={"model_source": "bundled core"}, title="fluxasn flux report: core")
    path = tmp_path_factory.mktemp("html") / "report.html"
    report.write_html(path)
    return path, [s for s in REPORT_SECTIONS if s != "c13"]


def test_report_renders_offline_with_every_image(chromium, report_file, tmp_path):
    path, expected_sections = report_file
    found = render(chromium, path, tmp_path)
    assert found["title"] == "fluxasn flux report: core"
    assert [s["id"] for s in found["sections"]] == expected_sections
    assert all(s["height"] > 0 and s["title"] for s in found["sections"])
    images = found["images"]
    alts = [i["alt"] for i in images]
    for alt in ("key fluxes", "readout fluxes", "scenario heatmap", "growth vs Asn exchange",
                "growth vs ASNS flux", "growth vs aspartate supply"):
        assert alt in alts, alts
    for image in images:
        assert image["complete"] and image["width"] > 0 and image["height"] > 0, image
    remote = [r for r in found["resources"] if not r.startswith(("data:", "file:"))]
    assert remote == []

    screenshot = tmp_path / "report.png"
    shot = subprocess.run(
        [chromium, *chromium_args(tmp_path / "profile2"), "--window-size=1280,2400",
         f"--screenshot={screenshot}", path.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert screenshot.exists(), shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one
    keep = os.environ.get("FLUXASN_ARTIFACTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(keep) / "html_report.png")


def test_checker_sees_a_broken_image_and_no_network(chromium, tmp_path):
    page = tmp_path / "control.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>control</title></head><body>"
        "<section id='a'><h2>a</h2><img alt='remote' src='http://example.org/logo.png'></section>"
        "</body></html>",
        encoding="utf-8",
    )
    found = render(chromium, page, tmp_path)
    assert [s["id"] for s in found["sections"]] == ["a"]
    (image,) = found["images"]
    assert image["width"] == 0  # the remote image could not be fetched


def test_report_with_13c_fit_renders_its_section(chromium, _core_session, tmp_path):
    """With 13C data the report gains a fit-quality section (table and plot), also offline."""
    from _shared import require_shared

    from fluxasn.isotope import fit_13c, read_inca_csv
    from fluxasn.report import make_report
    from fluxasn.report.html import REPORT_SECTIONS

    folder = require_shared("c13", "antoniewicz2006_simple_network", "incawrapper")
    fit = fit_13c(read_inca_csv(folder, experiments=["exp1"]), n_starts=2, seed=0)
    report = make_report(_core_session.copy(), medium="RPMI-1640", c13=fit, fva=False,
                         envelopes=False, pathway_readouts=False)
    path = tmp_path / "c13.html"
    report.write_html(path)
    found = render(chromium, path, tmp_path)
    assert [s["id"] for s in found["sections"]] == list(REPORT_SECTIONS)
    c13 = [i for i in found["images"] if i["alt"] == "13C fit"]
    assert len(c13) == 1 and c13[0]["width"] > 0
    assert all(i["complete"] and i["width"] > 0 for i in found["images"])
    assert "SSR" in path.read_text()
