"""Allow ``python -m mlops_scan``."""

from mlops_scan.cli import main

main()
