"""mlops-scan: place a repository on the MLOps maturity ladder, with evidence."""

__version__ = "0.2.0"
