"""What a report needs besides the assessment: presentation choices and the scan's context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_scan.rules.loader import Rule


@dataclass(frozen=True)
class RenderOptions:
    """Options every reporter takes; each format reads the fields it needs and ignores the rest."""

    color: bool = False
    """Terminal colours (text)."""
    verbose: bool = False
    """Every skipped file and why (text)."""
    width: int = 80
    """Columns the text report wraps its lines to (the terminal's width on a terminal)."""
    link_base: str = ""
    """URL prefix of the scanned commit's files for evidence links (markdown); '' for relative links."""
    path_prefix: str = ""
    """The scanned folder's path inside its git work tree ('' at the top): annotations name files from the top."""
    files: tuple[str, ...] = ()
    """The scanned repository's listed paths: SARIF attaches repository-level results to one of them."""
    preferred_anchor: str | None = None
    """The listed path SARIF's repository-level results should point at first (the configuration file)."""
    rules: Mapping[str, Rule[object]] = field(default_factory=dict)
    """The scan's rules by id (SARIF describes the rules its results point at)."""


PLAIN = RenderOptions()
"""No colour, no links, no repository context."""


def link_base_from_env(env: Mapping[str, str], subdir: str = "") -> str:
    """The URL of the scanned commit's files on GitHub Actions or GitLab CI ('' elsewhere).

    ``subdir`` is the scanned folder relative to the repository's top, for scans of a sub-folder.
    """
    from urllib.parse import quote

    prefix = f"{quote(subdir.strip('/'))}/" if subdir.strip("/. ") else ""
    if env.get("GITHUB_SERVER_URL") and env.get("GITHUB_REPOSITORY") and env.get("GITHUB_SHA"):
        return f"{env['GITHUB_SERVER_URL']}/{env['GITHUB_REPOSITORY']}/blob/{env['GITHUB_SHA']}/{prefix}"
    if env.get("CI_PROJECT_URL") and env.get("CI_COMMIT_SHA"):
        return f"{env['CI_PROJECT_URL']}/-/blob/{env['CI_COMMIT_SHA']}/{prefix}"
    return ""
