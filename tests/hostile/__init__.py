"""Hostile and broken repositories: generated in a temporary folder, scanned, the report checked."""
