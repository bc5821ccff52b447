"""Bundled example data of fluxasn (installed as ``fluxasn._data``)."""
