"""Allow ``python -m mlops_scan``.

``-m`` puts the current folder first on ``sys.path``; run inside an untrusted checkout, its
``yaml.py`` or ``click.py`` would then be imported instead of the real library. The entry is
dropped before anything else is imported (this package is already loaded; its own modules are
found through the package, not through that entry).
"""

import os
import sys

if sys.path and not getattr(sys.flags, "safe_path", False) and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from mlops_scan.cli import run

run()
