"""What :func:`fluxasn.isotope.formats.fluxml.read_fluxml` returns, and FluxML's flux convention."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.formats.common import _ExpressionNetwork
from fluxasn.isotope.problem import MFAInput

__all__ = ["FluxMLInput", "FluxMLConfiguration", "FluxMLNetwork", "fluxml_gross_fluxes", "X3CFLUX_NATURAL_13C"]

#: 13C probability of the unlabelled positions of a FluxML ``<label>`` carrying a
#: ``purity`` attribute, as 13CFLUX v3 simulates it (x3cflux 3.1.2: a label "1"
#: with purity 0.5 at fraction 0.9 beside a label "0" at 0.1 gives M+1 =
#: 0.9 * 0.5 + 0.1 * 0.01055 = 0.451055).
X3CFLUX_NATURAL_13C = 0.01055


class FluxMLNetwork(_ExpressionNetwork):
    """A :class:`LabelingNetwork` that also knows the linear flux expressions of its file.

    A measured flux written as an expression (``<textual>R63-R63b</textual>``)
    is stored in :attr:`expressions` under its text, so
    :meth:`flux_vector` resolves it like a reaction id.
    """


@dataclass
class FluxMLConfiguration:
    """What a FluxML ``<configuration>`` says beyond tracers and measurements.

    Attributes
    ----------
    name, source, line
        The configuration and where it is.
    stationary
        False for ``stationary="false"`` (isotopically non-stationary).
    start_time, time_unit
        ``time`` attribute and ``<timeunit>`` (non-stationary configurations).
    times
        Measurement id -> time of its datum (non-stationary: each MS group is
        read once per time point, as ``"<group>@<time>"``).
    flux_values
        ``(reaction, "net" | "xch") -> value`` from ``<simulation><variables>``
        (FluxML's representation; :func:`fluxml_gross_fluxes` converts).
    pool_sizes, pool_size_data, pool_size_constraints
        ``<poolsizevalue>``, measured pool sizes ``(id, pool, value, sd, time)``
        and ``<psize>`` constraints (used by non-stationary simulation only).
    simulation
        Attributes of ``<simulation>`` (method, type).
    """

    name: str
    source: str
    line: Optional[int]
    stationary: bool = True
    start_time: Optional[float] = None
    time_unit: Optional[str] = None
    times: Dict[str, float] = field(default_factory=dict)
    flux_values: Dict[Tuple[str, str], float] = field(default_factory=dict)
    pool_sizes: Dict[str, float] = field(default_factory=dict)
    pool_size_data: List[Tuple[str, str, float, float, Optional[float]]] = field(default_factory=list)
    pool_size_constraints: List[str] = field(default_factory=list)
    simulation: Dict[str, str] = field(default_factory=dict)


@dataclass
class FluxMLInput(MFAInput):
    """:class:`MFAInput` read from FluxML, with its configurations and reaction variants.

    ``variants`` maps a reaction with ``<variant>`` atom mappings to its
    per-variant reactions and their shares. ``exchange_constraints`` are the
    ``<xch>`` statements with no linear equivalent in fluxasn's gross fluxes
    (an upper bound on min(forward, backward)): kept, and refused by
    :meth:`problem`.
    """

    configurations: List[FluxMLConfiguration] = field(default_factory=list)
    variants: Dict[str, List[Tuple[str, float]]] = field(default_factory=dict)
    source: Optional[str] = None
    exchange_constraints: List[Tuple[str, Optional[int]]] = field(default_factory=list)

    def problem(self):
        """The compiled stationary problem; refuses a non-stationary configuration.

        Raises
        ------
        FluxasnInputError
            A selected configuration is isotopically non-stationary.
        """
        for c in self.configurations:
            if not c.stationary:
                raise FluxasnInputError(
                    f"configuration {c.name!r} is isotopically non-stationary (stationary=\"false\"): its "
                    "time-resolved labelling cannot be fitted by the stationary 13C-MFA; choose a stationary "
                    "configuration", source=c.source, line=c.line, identifier=f"<configuration name=\"{c.name}\">")
        if self.exchange_constraints:
            stmt, line = self.exchange_constraints[0]
            raise FluxasnInputError(
                f"exchange constraint {stmt!r} (and {len(self.exchange_constraints) - 1} more) cannot be stated "
                "in fluxasn's fluxes: FluxML's xch is min(forward, backward), an upper bound on it is not linear "
                "in the gross fluxes", source=self.source, line=line, identifier="<xch>")
        return super().problem()


def fluxml_gross_fluxes(network: LabelingNetwork, values: Mapping[str, float]) -> np.ndarray:
    """fluxasn gross fluxes from FluxML (13CFLUX) net and exchange values.

    Parameters
    ----------
    network
        A network read by :func:`read_fluxml`.
    values
        ``"R"`` or ``"R.n"`` -> net flux, ``"R.x"`` -> FluxML exchange flux
        min(forward, backward), for every reaction (x3cflux's parameter names).

    Returns
    -------
    numpy.ndarray
        Gross fluxes in ``network.fluxes`` order (forward = backward + net
        when net >= 0, backward = forward - net otherwise).
    """
    v = np.zeros(len(network.fluxes))
    for name, pair in network.pairs.items():
        net = float(values.get(name + ".n", values.get(name, np.nan)))
        if not np.isfinite(net):
            raise FluxasnInputError("no net flux value given", identifier=name)
        if pair.backward is None:
            v[network.flux_index(pair.forward)] = net
            continue
        if name + ".x" not in values:
            raise FluxasnInputError("no exchange flux value given for a reversible reaction",
                                    identifier=name + ".x")
        xch = float(values[name + ".x"])
        back = xch + max(-net, 0.0)
        v[network.flux_index(pair.forward)] = back + net
        v[network.flux_index(pair.backward)] = back
    return v
