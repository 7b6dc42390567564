"""Report formats: each module renders an Assessment to a string, and does no I/O."""
