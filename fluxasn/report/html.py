"""The full flux report: summary, FVA, readouts, scenarios, envelopes, 13C fit; as one HTML file.

:func:`make_report` computes everything on a model; :class:`FluxReport` shows
it in a terminal (``str``), a notebook (``_repr_html_``), as tables
(``to_frame``) and writes one self-contained HTML file
(:meth:`FluxReport.write_html`): every plot is an embedded PNG, the style
sheet is inline, nothing is fetched from a network.
"""
from __future__ import annotations

import datetime as _dt
from importlib import resources
import html as _html
import math
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import cobra
import pandas as pd
from jinja2 import Environment, PackageLoader

from fluxasn._version import __version__
from fluxasn.analysis import readouts as R
from fluxasn.exceptions import RoleError
from fluxasn.views import ResultView, figure_to_data_uri, html_table, text_table
from fluxasn.core.units import FLUX_UNIT
from fluxasn.report.checks import resolve_roles as summary_roles
from fluxasn.report.summary import (
    KEY_FLUXES,
    FluxSummary,
    plot_flux_ranges,
    summarize,
)

__all__ = ["FluxReport", "make_report", "READOUTS", "ENVELOPES", "REPORT_SECTIONS"]

#: Asparagine, aspartate and nucleotide readouts as (quantity, role).
READOUTS: Tuple[Tuple[str, str], ...] = (
    ("ASNS (Asp + Gln -> Asn)", "ASNS"),
    ("asparaginase ASPG (Asn -> Asp)", "ASPG"),
    ("GOT1 (cytosolic Asp aminotransferase)", "GOT1"),
    ("GOT2 (mitochondrial Asp aminotransferase)", "GOT2"),
    ("pyruvate carboxylase (PC)", "PC"),
    ("glutaminase (GLS)", "GLS"),
    ("Asp -> pyrimidines (CAD)", "CAD"),
    ("pyrimidine synthesis (DHODH)", "DHODH"),
    ("purine synthesis (PPAT)", "PPAT"),
    ("respiration, complex I", "CI"),
)

#: Exchange envelopes drawn: (title, exchange role); growth against the exchange flux.
#: These, growth against ASNS flux and growth against aspartate supply all come
#: from :func:`fluxasn.analysis.readouts.growth_envelope`.
ENVELOPES: Tuple[Tuple[str, str], ...] = (
    ("growth vs Asn exchange", "EX_asn"),
    ("growth vs O2 exchange", "EX_o2"),
)

#: Section ids of the HTML report, in order (``c13`` only with 13C data).
REPORT_SECTIONS = ("provenance", "growth", "limits", "fva", "readouts", "scenarios", "envelopes", "c13")


@dataclass
class _Figure:
    uri: str
    alt: str
    caption: str


@dataclass
class _Section:
    id: str
    title: str
    body: str = ""
    intro: str = ""
    figures: List[_Figure] = field(default_factory=list)


@dataclass(repr=False)
class FluxReport(ResultView):
    """Everything ``fluxasn report`` computes for one model and data set.

    Attributes
    ----------
    summary
        Growth and key exchange fluxes with FVA ranges.
    readouts
        Asparagine / aspartate / nucleotide pathway fluxes with FVA ranges.
    aspartate_sources
        Where cytosolic and mitochondrial aspartate come from
        (:func:`fluxasn.analysis.readouts.aspartate_sources`).
    nucleotides
        Purine and pyrimidine synthesis capacity
        (:func:`fluxasn.analysis.readouts.nucleotide_capacity`).
    roles
        Which reactions play which role (:func:`fluxasn.core.roles.find_roles`).
    envelopes
        Growth envelopes by title (:class:`fluxasn.analysis.readouts.Envelope`).
    scenarios
        A :class:`fluxasn.analysis.scenarios.ScenarioMatrix` (drawn with its
        ``heatmap``), a scenario x readout DataFrame, or ``None``.
    c13
        A 13C-MFA fit result (anything with ``to_frame`` / ``plot`` /
        ``_repr_html_``), or ``None``.
    provenance
        Model and data provenance, string values.
    """

    summary: FluxSummary
    readouts: Optional[FluxSummary] = None
    aspartate_sources: Optional[pd.DataFrame] = None
    nucleotides: Optional[pd.Series] = None
    roles: Optional[pd.DataFrame] = None
    envelopes: Dict[str, Any] = field(default_factory=dict)
    scenarios: Any = None
    c13: Any = None
    provenance: Dict[str, str] = field(default_factory=dict)
    title: str = "fluxasn flux report"

    # --- plain views -----------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """Summary and readout rows in one table, with a ``section`` column."""
        frames = [self.summary.to_frame().assign(section="summary")]
        if self.readouts is not None:
            frames.append(self.readouts.to_frame().assign(section="readouts"))
        frame = pd.concat(frames, ignore_index=True)
        return frame[["section"] + [c for c in frame.columns if c != "section"]]

    def _title(self) -> str:
        return (
            f"{self.summary.model_id} on {self.summary.medium or 'model bounds'}: "
            f"status {self.summary.status}, growth {_fmt(self.summary.growth)} 1/h, "
            f"{len(self.envelopes)} envelopes, scenarios {'yes' if self.scenarios is not None else 'no'}, "
            f"13C {'yes' if self.c13 is not None else 'no'}"
        )

    def to_string(self) -> str:
        """The terminal view: the summary, then the readouts, nucleotides, scenarios and 13C fit."""
        parts = [str(self.summary)]
        if self.readouts is not None:
            rows = [
                (r.quantity, r.reaction or "-", r.flux, r.minimum, r.maximum)
                for r in self.readouts.table.itertuples()
                if r.unit == FLUX_UNIT
            ]
            parts.append(
                "Asn/Asp/nucleotide readouts (mmol/gDW/h)\n"
                + text_table(("quantity", "reaction", "flux", "minimum", "maximum"), rows)
            )
        if self.nucleotides is not None:
            parts.append(
                "nucleotide synthesis capacity at half-maximal growth (mmol/gDW/h): purines "
                f"{_fmt(self.nucleotides.get('purine_capacity'))}, pyrimidines "
                f"{_fmt(self.nucleotides.get('pyrimidine_capacity'))}"
            )
        if self.scenarios is not None:
            parts.append(str(self.scenarios))
        if self.c13 is not None:
            parts.append("13C fit\n" + str(self.c13))
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html(standalone=False)

    def plot(self, ax=None):
        """Key fluxes with their FVA ranges (see :meth:`FluxSummary.plot`)."""
        return self.summary.plot(ax=ax)

    # --- HTML --------------------------------------------------------------------

    def sections(self) -> List[_Section]:
        """The report's sections (id, title, body HTML, figures)."""
        from matplotlib.figure import Figure

        out: List[_Section] = []
        prov = pd.DataFrame(
            sorted(self.provenance.items()), columns=["item", "value"]
        )
        roles_html = ""
        if self.roles is not None and len(self.roles):
            keep = [c for c in ("role", "reactions", "method", "status") if c in self.roles.columns]
            shown = self.roles[keep].copy()
            if "reactions" in shown.columns:
                shown["reactions"] = shown["reactions"].map(
                    lambda v: ", ".join(v) if isinstance(v, (list, tuple)) else v
                )
            roles_html = (
                "<h3>Reaction roles</h3><p class='note'>Which model reactions play each role "
                "(found by gene and chemistry).</p>" + html_table(shown)
            )
        out.append(
            _Section(
                "provenance",
                "Model and data provenance",
                body=html_table(prov) + roles_html,
                intro="Where the model, medium and measurements came from, and the software used.",
            )
        )

        s = self.summary
        status_cls = "" if s.status == "optimal" else ' class="status-bad"'
        headline = (
            f'<p class="headline"{status_cls}>Solver status <b>{_html.escape(s.status)}</b>; growth '
            f"<b>{_fmt(s.growth)} 1/h</b> (doubling time {_fmt(s.doubling_time)} h) on "
            f"{_html.escape(s.medium or 'the model bounds')}; {_html.escape(s.growth_line)}.</p>"
        )
        headline += "".join(f'<p class="warning"><b>Warning:</b> {_html.escape(w)}</p>' for w in s.warnings)
        growth = _Section(
            "growth",
            "Growth and key fluxes",
            body=headline + html_table(s.table[["quantity", "reaction", "flux", "unit"]]),
            intro="Exchange fluxes: negative = uptake, positive = secretion.",
        )
        if s.status == "optimal":
            fig = Figure(figsize=(7, 0.45 * len(s.table) + 1.4))
            ax = fig.subplots()
            flux_rows = s.table[(s.table["unit"] == FLUX_UNIT) & s.table["reaction"].notna()]
            plot_flux_ranges(flux_rows, ax=ax)
            ax.set_title("key fluxes at maximal growth")
            growth.figures.append(
                _Figure(figure_to_data_uri(fig), "key fluxes", "Key fluxes (bars) and FVA ranges (red).")
            )
        out.append(growth)
        if s.limits is not None:
            out.append(
                _Section(
                    "limits",
                    "What limits growth",
                    body=html_table(s.limits.to_frame()),
                    intro=("The bounds and constraints active at maximum growth; shadow price = growth "
                           "(1/h) gained per unit the bound is relaxed. At a degenerate optimum this is "
                           "one valid set of prices among several."),
                )
            )

        fva_rows = s.table[s.table["unit"] == FLUX_UNIT][
            ["quantity", "reaction", "minimum", "flux", "maximum"]
        ]
        if self.readouts is not None:
            fva_rows = pd.concat(
                [
                    fva_rows,
                    self.readouts.table[self.readouts.table["unit"] == FLUX_UNIT][
                        ["quantity", "reaction", "minimum", "flux", "maximum"]
                    ],
                ],
                ignore_index=True,
            )
        fraction = self.provenance.get("fva_fraction_of_optimum", s.provenance.get("fva_fraction_of_optimum", "1.0"))
        out.append(
            _Section(
                "fva",
                "Flux variability (FVA) ranges",
                body=html_table(fva_rows),
                intro=f"Range of each flux over all optimal solutions (fraction of optimum {fraction}).",
            )
        )

        readouts = _Section(
            "readouts",
            "Asparagine, aspartate and nucleotide readouts",
            intro="Where asparagine and aspartate come from and where aspartate goes (mmol/gDW/h).",
        )
        if self.readouts is not None:
            table = self.readouts.table[self.readouts.table["unit"] == FLUX_UNIT]
            readouts.body = html_table(table[["quantity", "role", "reaction", "flux", "minimum", "maximum"]])
            shown = table[table["reaction"].notna()]
            if len(shown) and self.readouts.status == "optimal":
                fig = Figure(figsize=(7, 0.45 * len(shown) + 1.4))
                plot_flux_ranges(shown, ax=fig.subplots())
                readouts.figures.append(
                    _Figure(figure_to_data_uri(fig), "readout fluxes", "Readout fluxes (bars) and FVA ranges (red).")
                )
        else:
            readouts.body = '<p class="note">No readouts computed.</p>'
        if self.aspartate_sources is not None and len(self.aspartate_sources):
            readouts.body += (
                "<h3>Aspartate sources</h3><p class='note'>Net supply of cytosolic and mitochondrial "
                "aspartate (and mitochondrial oxaloacetate by PC) by source, at the optimum (pFBA) with "
                "FVA ranges.</p>" + html_table(self.aspartate_sources)
            )
        if self.nucleotides is not None:
            nuc = pd.DataFrame(
                [(k, v) for k, v in self.nucleotides.items()], columns=["readout", "value"]
            )
            readouts.body += (
                "<h3>Nucleotide synthesis capacity</h3><p class='note'>Maximum IMP (purine) and UMP "
                "(pyrimidine) synthesis with growth held at half its maximum (mmol/gDW/h).</p>"
                + html_table(nuc)
            )
        out.append(readouts)

        scen = _Section(
            "scenarios",
            "Scenarios",
            intro="Readouts under each scenario (medium change, knockout, inhibition).",
        )
        if self.scenarios is not None:
            frame = _scenario_frame(self.scenarios)
            scen.body = html_table(frame)
            if len(frame):
                scen.figures.append(
                    _Figure(
                        figure_to_data_uri(_heatmap(self.scenarios)),
                        "scenario heatmap",
                        "Scenario heatmap: each readout scaled to its largest absolute value over the scenarios.",
                    )
                )
        else:
            scen.body = '<p class="note">No scenarios were run.</p>'
        out.append(scen)

        env = _Section(
            "envelopes",
            "Production envelopes",
            intro="Range of the objective (y) at each fixed value of a flux (x), all other constraints kept.",
        )
        if self.envelopes:
            for title, envelope in self.envelopes.items():
                env.figures.append(
                    _Figure(figure_to_data_uri(_envelope_figure(title, envelope)), title, title)
                )
        else:
            env.body = '<p class="note">No envelopes computed.</p>'
        out.append(env)

        if self.c13 is not None:
            c13 = _Section("c13", "13C fit quality", intro="Goodness of fit of the 13C labelling data.")
            if hasattr(self.c13, "_repr_html_"):
                c13.body = self.c13._repr_html_()
            else:
                c13.body = "<pre>" + _html.escape(str(self.c13)) + "</pre>"
            if hasattr(self.c13, "plot"):
                fig = Figure(figsize=(6, 5))
                ax = fig.subplots()
                self.c13.plot(ax=ax)
                c13.figures.append(_Figure(figure_to_data_uri(fig), "13C fit", "Measured vs simulated labelling."))
            out.append(c13)
        return out

    def to_html(self, *, standalone: bool = True) -> str:
        """The report as HTML: a full self-contained page, or a fragment for notebooks."""
        sections = self.sections()
        if not standalone:
            parts = [f"<div><h3>{_html.escape(self.title)}</h3>"]
            for s in sections:
                parts.append(f"<h4>{_html.escape(s.title)}</h4>{s.body}")
                parts.extend(f'<img src="{f.uri}" alt="{_html.escape(f.alt)}">' for f in s.figures)
            return "".join(parts) + "</div>"
        env = Environment(loader=PackageLoader("fluxasn.report", "templates"), autoescape=True)
        template = env.get_template("report.html.j2")
        s = self.summary
        subtitle = f"model {s.model_id} on {s.medium or 'the model bounds'}"
        if "cell_line" in self.provenance:
            subtitle += f", cell line {self.provenance['cell_line']}"
        return template.render(
            title=self.title,
            subtitle=subtitle,
            css=(resources.files("fluxasn.report") / "templates" / "report.css").read_text(encoding="utf-8"),
            sections=sections,
            version=__version__,
            created=self.provenance.get("created", _now()),
        )

    def write_html(self, path: Union[str, os.PathLike]) -> str:
        """Write :meth:`to_html` to ``path``; returns the path as a string."""
        text = self.to_html()
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return str(path)


def _fmt(value) -> str:
    from fluxasn.views import format_number

    return format_number(value)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _scenario_frame(scenarios) -> pd.DataFrame:
    """A scenario result as a table (ScenarioMatrix: its readout columns; DataFrame as is)."""
    if hasattr(scenarios, "to_frame"):
        frame = scenarios.to_frame()
        drop = [c for c in ("description", "notes", "essential_genes", "asns_partners", "measurements",
                            "measurements_left_out", "measurements_relaxed") if c in frame.columns]
        return frame.drop(columns=drop)
    return scenarios.reset_index() if not isinstance(scenarios.index, pd.RangeIndex) else scenarios


def _heatmap(scenarios):
    """Heatmap figure: the ScenarioMatrix's own ``heatmap``, or a plain one of a DataFrame."""
    import numpy as np
    from matplotlib.figure import Figure

    if hasattr(scenarios, "heatmap"):
        frame = scenarios.to_frame()
        numeric = frame.select_dtypes("number")
        fig = Figure(figsize=(0.5 * numeric.shape[1] + 4, 0.4 * numeric.shape[0] + 2.5))
        scenarios.heatmap(ax=fig.subplots())
        return fig
    data = scenarios.apply(pd.to_numeric, errors="coerce").astype(float)
    fig = Figure(figsize=(1.2 * data.shape[1] + 3, 0.5 * data.shape[0] + 1.8))
    ax = fig.subplots()
    values = data.to_numpy()
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap="viridis")
    ax.set_xticks(range(data.shape[1]))
    ax.set_xticklabels([str(c) for c in data.columns], rotation=35, ha="right")
    ax.set_yticks(range(data.shape[0]))
    ax.set_yticklabels([str(i) for i in data.index])
    for (i, j), v in np.ndenumerate(values):
        if math.isfinite(v):
            ax.text(j, i, f"{v:.3g}", ha="center", va="center", color="white", fontsize=8)
    fig.colorbar(image, ax=ax)
    return fig


def _envelope_figure(title: str, envelope):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.5, 3.8))
    envelope.plot(ax=fig.subplots())
    fig.axes[0].set_title(title)
    return fig


def make_report(
    model: cobra.Model,
    *,
    roles: Optional[Mapping[str, str]] = None,
    medium: Optional[str] = None,
    fva: bool = True,
    fraction_of_optimum: float = 1.0,
    envelopes: bool = True,
    scenarios: Optional[pd.DataFrame] = None,
    c13: Any = None,
    provenance: Optional[Mapping[str, str]] = None,
    rows: Sequence[Tuple[str, str]] = KEY_FLUXES,
    readouts: Sequence[Tuple[str, str]] = READOUTS,
    pathway_readouts: bool = True,
    title: str = "fluxasn flux report",
    measured: Optional[Sequence[str]] = None,
) -> FluxReport:
    """Compute the full flux report of ``model`` (not changed).

    Parameters
    ----------
    model
        Model with medium and measurements applied.
    roles
        Role -> reaction id mapping; default :func:`fluxasn.core.roles.find_roles`.
    medium
        Name of the medium applied (display and provenance).
    fva, fraction_of_optimum
        Flux variability ranges of the reported fluxes (see :func:`summarize`).
    envelopes
        Compute the production envelopes of :data:`ENVELOPES` whose roles the
        model has.
    scenarios
        Precomputed scenario x readout table for the heatmap.
    c13
        A 13C-MFA fit result to include.
    provenance
        Extra provenance strings (model file, medium, cell line, data files).
    rows, readouts
        (quantity, role) rows of the summary and of the readouts table.
    pathway_readouts
        Also compute the aspartate sources, the nucleotide synthesis
        capacity and the growth envelopes against ASNS flux and aspartate
        supply (:mod:`fluxasn.analysis.readouts`; they find roles themselves).
    measured
        Reaction ids bounded by measured rates (named as such in "what limits
        growth").

    Returns
    -------
    FluxReport

    Notes
    -----
    Growth, key fluxes and readouts come from one growth optimisation with FVA
    ranges at ``fraction_of_optimum`` (:func:`summarize`); the pathway readouts
    and the ASNS / aspartate envelopes from :mod:`fluxasn.analysis.readouts`;
    the exchange envelopes from the same function.
    """
    if roles is None:
        from fluxasn.core.roles import find_roles

        roles = find_roles(model)
    role_frame = roles.to_frame() if hasattr(roles, "to_frame") else pd.DataFrame(
        [(k, v) for k, v in dict(roles).items()], columns=["role", "reactions"]
    )
    prov = {"created": _now()}
    prov.update({str(k): str(v) for k, v in (provenance or {}).items()})
    summary = summarize(
        model, roles=roles, rows=rows, fva=fva, fraction_of_optimum=fraction_of_optimum,
        medium=medium, provenance=prov, measured=measured,
    )
    prov = dict(summary.provenance)
    optimal = summary.status == "optimal"
    readout_summary = None
    if readouts:
        readout_summary = summarize(
            model, roles=roles, rows=readouts, fva=fva, include_growth=False,
            fraction_of_optimum=fraction_of_optimum, medium=medium, limits=False,
        )
    sources = nucleotides = None
    env: Dict[str, pd.DataFrame] = {}
    if optimal and pathway_readouts:
        sources = R.aspartate_sources(model, fraction_of_optimum=fraction_of_optimum)
        nucleotides = R.nucleotide_capacity(model)
        if envelopes:
            for against, env_title in (("ASNS", "growth vs ASNS flux"),
                                       ("aspartate", "growth vs aspartate supply")):
                try:
                    envelope = R.growth_envelope(model, against=against)
                except RoleError:
                    continue  # the model lacks the role: no envelope, said in the roles table
                env[env_title] = envelope
    if envelopes and optimal:
        role_map = summary_roles(model, roles)
        growth_ids = role_map.get("biomass", ())
        for env_title, varied in ENVELOPES:
            rids = role_map.get(varied, ())
            if len(rids) != 1 or len(growth_ids) != 1:
                continue
            env[env_title] = R.growth_envelope(model, against=rids[0], biomass=growth_ids[0])
    return FluxReport(
        summary=summary,
        readouts=readout_summary,
        aspartate_sources=sources,
        nucleotides=nucleotides,
        roles=role_frame,
        envelopes=env,
        scenarios=scenarios,
        c13=c13,
        provenance=prov,
        title=title,
    )
