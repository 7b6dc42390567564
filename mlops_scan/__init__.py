"""mlops-scan: place a repository on the MLOps maturity ladder, with evidence."""

__version__ = "0.1.0"
