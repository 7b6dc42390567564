"""The command line's commands by name, without click: the scan ahead reads them before click is loaded."""

SCAN = "scan"
LAZY_COMMANDS = {
    "rules": "mlops_scan.cli.rules:rules",
    "fleet": "mlops_scan.cli.fleet:fleet",
    "history": "mlops_scan.cli.history:history",
    "diff": "mlops_scan.cli.diff:diff",
    "models": "mlops_scan.cli.models:models",
}
"""Commands besides ``scan``, one line each: their modules are imported only when the command runs (or --help
lists it), so a scan does not pay for them."""
