"""Where the model, the rules and the assumptions of a scan came from, and the warning every report shows.

A scanned repository's own configuration can supply a maturity model, rule packs and
``assume`` entries. They decide the level as much as the evidence does, so when they come
from the repository every report says so, prominently, unless the person running the scan
said they trust that configuration (``--trusted-config``).
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPLIES = ("model", "rules", "assumptions")
"""What a repository's configuration can supply that changes the level, in the order reports name them."""


@dataclass(frozen=True)
class Provenance:
    """Where a scan's model, rules and assumptions came from."""

    model_origin: str = "built-in"
    """``built-in`` (shipped with mlops-scan), ``file`` (named on the command line or by a trusted
    ``--config``) or ``repository`` (named by the scanned repository's configuration)."""
    model_file: str = ""
    """The model file ('' for a built-in model); relative to the scanned root when it is inside it."""
    config_file: str = ""
    """The configuration file read ('' when none was)."""
    from_repository: tuple[str, ...] = ()
    """Those of :data:`SUPPLIES` that the scanned repository's configuration supplied."""
    trusted: bool = False
    """``--trusted-config``: the person running the scan vouches for the repository's configuration."""

    def model_label(self) -> str:
        """Where the model came from, in words: ``built-in``, ``file models/x.yaml``, ``the scanned repository (...)``."""
        if self.model_origin == "built-in":
            return "built-in"
        if self.model_origin == "repository":
            return f"from the scanned repository ({self.model_file})"
        return f"file {self.model_file}"

    def warning(self) -> str | None:
        """The sentence reports show when the repository supplied the model, rules or assumptions (None otherwise)."""
        if not self.from_repository:
            return None
        what = _listed(self.from_repository)
        verb, pronoun = ("comes", "it") if self.from_repository == ("model",) else ("come", "them")
        where = f"the scanned repository's {self.config_file}"
        if self.trusted:
            return f"The {what} {verb} from {where} (trusted with --trusted-config)."
        return (
            f"The {what} {verb} from {where}, not from mlops-scan or the command line: the level depends "
            f"on {pronoun} (scan with --no-config to leave {pronoun} out, or --trusted-config if you vouch for "
            f"{pronoun})."
        )


def _listed(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
