"""The bundled media library: media, sera, inorganic defaults and the uptake rule.

Read by :mod:`fluxasn.core.media` (which re-exports every public name here);
the tables live in ``data/media/`` with their provenance in
``data/media/README.md``.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional

import pandas as pd

from fluxasn.core.paths import bundled_data_path
from fluxasn.views import ResultView
from fluxasn.exceptions import FluxasnInputError

__all__ = [
    "UptakeRule",
    "Medium",
    "get_medium",
    "list_media",
    "list_sera",
    "DEFAULT_SERUM",
    "DEFAULT_SERUM_FRACTION",
]

#: Serum added to a named medium unless told otherwise.
DEFAULT_SERUM = "FBS"
#: Volume fraction of serum in the culture medium (10% FBS).
DEFAULT_SERUM_FRACTION = 0.10


@dataclass(frozen=True)
class UptakeRule:
    """How a medium concentration becomes an exchange bound.

    Parameters
    ----------
    factor
        Uptake limit per mM of a component, in mmol/gDW/h per mM (default 0.1).
    minimum
        Floor of the uptake limit (mmol/gDW/h; default 0.01) for a component
        of a class in ``floor_classes`` present at any positive concentration.
        Components absent from the medium stay closed whatever the floor.
        ``minimum=0`` gives the pure concentration rule.
    floor_classes
        Metabolite classes (column ``metabolite_class`` of
        ``data/media/metabolites.tsv``) that the floor applies to: vitamins,
        lipid-soluble vitamins, fatty acids, lipids and ions. Amino acids,
        sugars, organic acids and other carbon or nitrogen sources always
        follow the pure rule.
    maximum
        Ceiling of any uptake limit (mmol/gDW/h; default 1000).
    secretion
        Upper bound of secretion on every exchange (mmol/gDW/h; default 1000).
    inorganic
        Uptake limits (mmol/gDW/h) of species that are not medium components,
        by dictionary id. Default: O2, H2O, H+ open (1000), CO2 closed (0), as in
        ``data/media/defaults.tsv``. A medium component listed here gets the
        larger of the two limits.
    """

    factor: float = 0.1
    minimum: float = 0.01
    floor_classes: tuple = ("vitamin", "lipid_vitamin", "fatty_acid", "lipid", "ion")
    maximum: float = 1000.0
    secretion: float = 1000.0
    inorganic: Mapping[str, float] = field(default_factory=lambda: dict(_defaults()))

    def __post_init__(self):
        for name in ("factor", "minimum", "maximum", "secretion"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise FluxasnInputError(
                    f"uptake rule {name} must be a finite number >= 0, got {value!r}",
                    identifier=name,
                )
        for key, value in self.inorganic.items():
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise FluxasnInputError(
                    f"inorganic uptake limit must be a finite number >= 0, got {value!r}",
                    identifier=key,
                )

    def limit(self, concentration_mM: float, metabolite_class: str = "") -> float:
        """Uptake limit (mmol/gDW/h) of a component at ``concentration_mM``."""
        if concentration_mM <= 0:
            return 0.0
        value = concentration_mM * self.factor
        if metabolite_class in self.floor_classes:
            value = max(self.minimum, value)
        return min(self.maximum, value)


@functools.lru_cache(maxsize=1)
def _defaults() -> Dict[str, float]:
    table = pd.read_csv(bundled_data_path("media", "defaults.tsv"), sep="\t")
    return {str(r.component): float(r.uptake_limit) for r in table.itertuples(index=False)}


# --- the library ---------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _media_table() -> pd.DataFrame:
    return pd.read_csv(bundled_data_path("media", "media.tsv"), sep="\t", keep_default_na=False)


@functools.lru_cache(maxsize=1)
def _media_index() -> pd.DataFrame:
    return pd.read_csv(
        bundled_data_path("media", "media_index.tsv"), sep="\t", dtype=str, keep_default_na=False
    )


@functools.lru_cache(maxsize=1)
def _serum_table() -> pd.DataFrame:
    return pd.read_csv(bundled_data_path("media", "serum.tsv"), sep="\t", keep_default_na=False)


def _key(name: str) -> str:
    return re.sub(r"[\s\-_/:()]+", "", str(name).lower())


def _resolve_medium_name(name: str) -> str:
    index = _media_index()
    wanted = _key(name)
    for row in index.itertuples(index=False):
        names = [row.medium] + [a.strip() for a in row.aliases.split(";") if a.strip()]
        if any(_key(n) == wanted for n in names):
            return row.medium
    raise FluxasnInputError(
        "unknown medium; expected one of " + ", ".join(index["medium"]) + " (see list_media())",
        identifier=name,
    )


def list_media() -> pd.DataFrame:
    """The bundled media: name, base medium, removed components, aliases, description, source."""
    return _media_index().copy()


def list_sera() -> pd.DataFrame:
    """The bundled serum table (concentrations in mM in the serum itself)."""
    sera = _serum_table().copy()
    dialysed = sera[sera["dialyzable"] == "no"].copy()
    dialysed["serum"] = "dFBS"
    return pd.concat([sera, dialysed], ignore_index=True)


@dataclass(repr=False)
class Medium(ResultView):
    """A medium: components (dictionary ids or names) with concentrations in mM."""

    name: str
    components: pd.DataFrame  # columns: component, concentration_mM, status, source

    @property
    def concentrations(self) -> Dict[str, float]:
        return dict(zip(self.components["component"], self.components["concentration_mM"]))

    def without(self, *components: str) -> "Medium":
        """A copy without ``components`` (dictionary ids)."""
        keep = ~self.components["component"].isin(components)
        return Medium(self.name + " -" + "-".join(components), self.components[keep].reset_index(drop=True))

    def to_frame(self) -> pd.DataFrame:
        return self.components.copy()

    def _title(self) -> str:
        return f"Medium {self.name} ({len(self.components)} components, mM)"

    def _display(self) -> pd.DataFrame:
        return self.components[["component", "concentration_mM", "status"]]


def get_medium(name: str) -> Medium:
    """A bundled medium by name or alias (case-insensitive), e.g. ``"RPMI-1640 -Asn"``."""
    canonical = _resolve_medium_name(name)
    index = _media_index().set_index("medium")
    row = index.loc[canonical]
    base = row["base"] or canonical
    table = _media_table()
    rows = table[table["medium"] == base][["component", "concentration_mM", "status", "source"]]
    removed = [c.strip() for c in row["remove"].split(";") if c.strip()]
    rows = rows[~rows["component"].isin(removed)].reset_index(drop=True)
    return Medium(canonical, rows)


def _serum_concentrations(serum: Optional[str]) -> Dict[str, float]:
    if serum is None:
        return {}
    sera = list_sera()
    wanted = _key(serum)
    names = {_key(s): s for s in sera["serum"].unique()}
    if wanted not in names:
        raise FluxasnInputError(
            "unknown serum; expected one of " + ", ".join(sorted(set(sera["serum"]))) + " or None",
            identifier=serum,
        )
    rows = sera[sera["serum"] == names[wanted]]
    return dict(zip(rows["component"], rows["concentration_mM"].astype(float)))


def _as_medium(medium) -> Medium:
    if isinstance(medium, Medium):
        return medium
    if isinstance(medium, str):
        return get_medium(medium)
    if isinstance(medium, Mapping):
        frame = pd.DataFrame(
            {"component": list(medium.keys()), "concentration_mM": list(medium.values())}
        )
        frame["status"] = "user"
        frame["source"] = "user"
        return Medium("user medium", frame)
    if isinstance(medium, pd.DataFrame):
        missing = {"component", "concentration_mM"} - set(medium.columns)
        if missing:
            raise FluxasnInputError(
                "medium table needs the columns component and concentration_mM; missing "
                + ", ".join(sorted(missing)),
                identifier="medium",
            )
        frame = medium.copy()
        for column in ("status", "source"):
            if column not in frame:
                frame[column] = "user"
        return Medium("user medium", frame.reset_index(drop=True))
    raise FluxasnInputError(
        f"a medium is a bundled medium name, a mapping component -> mM or a DataFrame; got {type(medium).__name__}",
        identifier="medium",
    )
