#!/usr/bin/env python
"""Regenerate models/fluxasn_core.xml (SBML L3 FBC 2) from models/fluxasn_core/*.tsv.

Usage: python scripts/export_core_sbml.py [OUTPUT]
The output is deterministic (no timestamps): tests/test_core_sbml.py checks that
the committed file equals a fresh export.
"""
import sys

from fluxasn.core.coremodel import export_core_sbml

if __name__ == "__main__":
    out = export_core_sbml(sys.argv[1] if len(sys.argv) > 1 else None)
    print(f"wrote {out}")
