"""assessment stage."""
