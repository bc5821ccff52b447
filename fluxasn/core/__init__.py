"""Model loading, media, role mapping, measurements and configuration."""
