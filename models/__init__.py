"""Bundled models of fluxasn (installed as ``fluxasn._models``)."""
