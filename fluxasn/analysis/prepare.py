"""One call from a model source to a model ready for analysis: medium, measured rates, scenario.

:func:`prepare_model` is what ``fluxasn report``, ``fva`` and ``scenarios``
do before they analyse, available to scripts and notebooks: load the model,
apply the medium (a bundled one, a medium file or none), then the scenario and
the measured rates the scenario leaves standing
(:func:`fluxasn.analysis.scenarios.apply_scenario_with_rates`), and say what
was done in provenance lines.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple, Union

import cobra

from fluxasn.analysis.capacity import add_enzyme_capacity
from fluxasn.analysis.rates import constrain_with_measurements
from fluxasn.analysis.scenarios import apply_scenario, apply_scenario_with_rates, parse_scenario
from fluxasn.core.enzymes import enzyme_costs, pool_parameters
from fluxasn.core.measurements import Measurements, load_nci60, read_measurements
from fluxasn.core.media import apply_medium
from fluxasn.core.medium_files import read_medium_file
from fluxasn.core.model import load_model
from fluxasn.exceptions import FluxasnInputError
from fluxasn.io.models import describe_source

__all__ = ["PreparedModel", "prepare_model", "MEDIUM_FILE_SUFFIXES", "DEFAULT_MEDIUM"]

#: The medium :func:`prepare_model` (and so every command) applies when none is named, to any model.
DEFAULT_MEDIUM = "RPMI-1640"

#: A ``medium`` ending in one of these is a medium table file (columns component, concentration_mM).
MEDIUM_FILE_SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass
class PreparedModel:
    """A model ready for analysis and what was done to it.

    Attributes
    ----------
    model
        The cobra model (a new object; nothing the caller holds was changed).
    medium
        Name of the medium applied (``None``: the model file's own bounds).
    provenance
        ``model_source``, ``medium`` and, where they apply,
        ``measurement_source``, ``cell_line``, ``scenario``, ``measurements``,
        ``measurements_left_out``, ``measurements_relaxed`` (one line each).
    measurements
        The measured rates read (whether or not they were applied).
    measured_reactions
        Reactions whose bounds were set by measured rates (empty when none
        were applied).
    """

    model: cobra.Model
    medium: Optional[str]
    provenance: Dict[str, str] = field(default_factory=dict)
    measurements: Optional[Measurements] = None
    measured_reactions: Tuple[str, ...] = ()


def prepare_model(
    source: Union[str, os.PathLike] = "core",
    *,
    medium: Optional[str] = None,
    cell_line: Optional[str] = None,
    measurements: Optional[Union[str, os.PathLike, Measurements]] = None,
    scenario: Optional[str] = None,
    k: float = 2.0,
    apply_measurements: bool = True,
    capacity: Optional[Union[str, float]] = None,
    enzyme_table: Optional[Union[str, os.PathLike]] = None,
    redox: Sequence[str] = (),
) -> PreparedModel:
    """Load a model and apply the medium, the scenario and the measured rates.

    Parameters
    ----------
    source
        ``"core"`` or a model file (:func:`fluxasn.load_model`).
    medium
        A bundled medium name, a medium table file (suffix in
        :data:`MEDIUM_FILE_SUFFIXES`), ``"none"`` to keep the model's bounds,
        or ``None`` for the default, :data:`DEFAULT_MEDIUM` (RPMI-1640 + 10%
        FBS) for every model, the bundled one and model files alike: genome-scale
        models as shipped leave their exchanges open (Human-GEM grows at
        124.9 1/h), which is no culture medium.
    cell_line
        An NCI-60 line whose bundled rates constrain the model.
    measurements
        A measurement table (file or :class:`~fluxasn.core.measurements.Measurements`);
        give ``cell_line`` or ``measurements``, not both.
    scenario
        A scenario string (``"asn_free+asns_ko"``). With measured rates, the
        measured growth and the rates of the exchanges the scenario changes
        are left out (:func:`~fluxasn.analysis.scenarios.apply_scenario_with_rates`).
    k
        Width of the measurement bounds in standard deviations.
    capacity
        Add the enzyme-capacity row (:func:`fluxasn.analysis.capacity.add_enzyme_capacity`)
        after the medium: ``"default"`` for the bundled pool (protein
        content x enzyme fraction, :func:`fluxasn.core.enzymes.pool_parameters`)
        or a number, the pool in g enzyme / gDW. ``None``: no pool.
    enzyme_table
        A user's enzyme table for the pool (default: the bundled costs,
        :func:`fluxasn.core.enzymes.enzyme_costs`).
    redox
        Redox constraints added after the medium and the pool, any of
        :data:`REDOX_OPTIONS`: ``"vents"`` (:func:`fluxasn.close_free_vents`,
        the electron half-reactions of free NADH vents closed),
        ``"directions"`` (:func:`fluxasn.constrain_redox_directions`,
        control-cell cofactor ratios), ``"transhydrogenation"``
        (:func:`fluxasn.block_transhydrogenation`).
    apply_measurements
        ``False`` reads and checks the rates without applying them (a
        scenario matrix applies them per scenario).

    Raises
    ------
    FluxasnInputError
        Both ``cell_line`` and ``measurements``, or any bad input (named).
    """
    if cell_line is not None and measurements is not None:
        raise FluxasnInputError("cell_line and measurements both set measured rates; give only one",
                                identifier="cell_line")
    source_text = str(source)
    if medium is not None and medium.strip().lower() == "none":
        model = load_model(source, medium=None)
        medium_name = None
    elif medium is not None and Path(medium).suffix.lower() in MEDIUM_FILE_SUFFIXES:
        table = read_medium_file(medium)  # checked before the model is loaded
        model = load_model(source, medium=None)
        apply_medium(model, table)
        medium_name = Path(medium).name
    elif medium is not None:
        model = load_model(source, medium=medium)
        medium_name = medium
    else:
        medium_name = DEFAULT_MEDIUM  # every model, bundled or a file: never a file's open exchanges
        model = load_model(source, medium=medium_name)
    provenance: Dict[str, str] = {"model_source": describe_source(source_text)}
    provenance["medium"] = medium_name or "none: the model file's own exchange bounds"
    if capacity is not None:
        provenance["enzyme_capacity"] = _add_capacity(model, capacity, enzyme_table)
    if redox:
        provenance["redox"] = _add_redox(model, redox)
    data = None
    constrained = None
    if cell_line is not None:
        data = load_nci60(cell_line)
        provenance["measurement_source"] = f"NCI-60 exchange rates of {', '.join(data.cell_lines)} (bundled)"
        provenance["cell_line"] = ", ".join(data.cell_lines)
    elif isinstance(measurements, Measurements):
        data = measurements
        provenance["measurement_source"] = data.source
    elif measurements is not None:
        data = read_measurements(measurements)
        provenance["measurement_source"] = describe_source(str(measurements))
    if scenario is not None:
        parsed = parse_scenario(scenario)
        if data is not None and apply_measurements:
            notes, constrained = apply_scenario_with_rates(model, parsed, data, k=k)
        else:
            notes, constrained = apply_scenario(model, parsed), None
        provenance["scenario"] = f"{scenario}: " + "; ".join(notes) if notes else scenario
        if constrained is not None:
            provenance.update(constrained.provenance(scenario=scenario))
    elif data is not None and apply_measurements:
        constrained = constrain_with_measurements(model, data, k=k, relax=True)
        provenance.update(constrained.provenance())
    measured = () if constrained is None else constrained.reactions()
    return PreparedModel(model, medium_name, provenance, data, measured)


#: The redox constraints :func:`prepare_model` can add, in the order they are applied.
REDOX_OPTIONS = ("vents", "directions", "transhydrogenation")


def _add_redox(model: cobra.Model, redox: Sequence[str]) -> str:
    """Add the named redox constraints and describe what they did in one line."""
    from fluxasn.analysis.readouts.electrons import close_free_vents
    from fluxasn.analysis.redox import block_transhydrogenation, constrain_redox_directions

    names = [str(n).strip().lower() for n in ([redox] if isinstance(redox, str) else redox) if str(n).strip()]
    unknown = [n for n in names if n not in REDOX_OPTIONS]
    if unknown:
        raise FluxasnInputError(f"unknown redox constraint(s) {unknown}; expected any of {list(REDOX_OPTIONS)}",
                                identifier=unknown[0])
    parts = []
    for name in (n for n in REDOX_OPTIONS if n in names):
        if name == "vents":
            closed = close_free_vents(model)
            shut = closed.loc[closed["status"] == "closed", "reaction"].tolist()
            left = closed.loc[closed["status"] == "unresolved", "compartment"].tolist()
            parts.append(f"free NADH vents: {len(shut)} electron half-reactions closed"
                         + (f" ({', '.join(shut)})" if shut else "")
                         + (f", vents left in {', '.join(left)}" if left else ""))
        elif name == "directions":
            rows = constrain_redox_directions(model, state="control")
            parts.append(f"thermodynamic directions (control-cell NAD(P)H ratios): {len(rows)} forced")
        else:
            rows = block_transhydrogenation(model)
            parts.append(f"energy-free transhydrogenation: {len(rows)} NAD/NADP pairs restricted")
    return "; ".join(parts)


def _add_capacity(model: cobra.Model, capacity: Union[str, float], table) -> str:
    """Add the pool named by ``capacity`` ("default" or g/gDW) and describe it in one line."""
    parameters = pool_parameters()
    if isinstance(capacity, str) and capacity.strip().lower() == "default":
        pool, origin = parameters.pool, (f"protein {parameters.protein_content:g} g/gDW x enzyme fraction "
                                         f"{parameters.enzyme_fraction:g}")
    else:
        try:
            pool = float(capacity)
        except (TypeError, ValueError):
            raise FluxasnInputError(f"capacity must be 'default' or a pool in g enzyme/gDW, got {capacity!r}",
                                    identifier="capacity") from None
        origin = "given"
    costs = enzyme_costs(model, table)
    add_enzyme_capacity(model, costs, pool=pool)
    return (f"enzyme pool {pool:.4g} g/gDW ({origin}), saturation {parameters.saturation:g}; "
            f"{len(costs)} reactions costed from {costs.source}")
