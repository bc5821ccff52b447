"""13C metabolic flux analysis (EMU framework)."""
