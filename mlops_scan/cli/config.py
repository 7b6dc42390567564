"""Project configuration: ``[tool.mlops-scan]`` in ``pyproject.toml`` or a ``.mlops-scan.toml``.

The file is looked up in the scanned folder (``.mlops-scan.toml`` first), then in the folders above it up
to the top of its git repository, or given with ``--config``. Keys are checked strictly: an unknown key, a
wrong type or an unknown id is a one-line :class:`ConfigError` naming the key (exit code 2). Command-line options win over
the file; list options (``--exclude``, ``--rules``) add to the file's lists. See docs/ci.md.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops_scan import tomlparse
from mlops_scan.assessment.maturity import MaturityModel
from mlops_scan.errors import ConfigError, DataFileError
from mlops_scan.reporters.formats import FORMATS
from mlops_scan.rules.loader import pack_files
from mlops_scan.safefiles import is_inside, read_bounded
from mlops_scan.snapshot.limits import Limits, parse_size
from mlops_scan.snapshot.text import human_size
from mlops_scan.types import CapabilityId

FILE_NAME = ".mlops-scan.toml"
TABLE = "tool.mlops-scan"
MAX_CONFIG_BYTES = 1024 * 1024
_MENTION = re.compile(rb"mlops[-_]scan", re.IGNORECASE)
"""A pyproject that mentions mlops-scan at all is parsed, so that a misspelt table is reported."""
LIMIT_FIELDS = {f.name: f.default for f in dataclasses.fields(Limits)}
HARD_MAXIMA: dict[str, int | float] = {
    "max_file_bytes": 256 * 1024 * 1024,
    "max_notebook_bytes": 512 * 1024 * 1024,
    "max_files": 10_000_000,
    "max_depth": 256,
    "max_yaml_nodes": 10_000_000,
    "max_evidence_per_rule": 100_000,
    "parse_timeout": 600.0,
    "git_timeout": 3600.0,
}
"""The largest value each limit may take, whoever sets it (docs/security.md, Limits): higher values are lowered
to these, with a note. A repository cannot make a scan read a 100 GB file or wait an hour for one parse."""
KEYS = frozenset({"fail-under", "format", "exclude", "disable", "rules", "model", "assume", "limits", "preview"})
"""The keys of the table (mlops_scan/data/config.schema.json describes each; a test holds the two in step)."""


@dataclass(frozen=True)
class Config:
    """The settings of one configuration file (all empty when there is none)."""

    source: str = ""
    """Where the settings came from, e.g. ``pyproject.toml [tool.mlops-scan]``; '' without a file."""
    fail_under: int | None = None
    """The level below which the scan exits with code 1."""
    format: str | None = None
    """The report format (one of :data:`mlops_scan.reporters.formats.FORMATS`)."""
    exclude: tuple[str, ...] = ()
    """Globs of paths left out of the scan."""
    disable: tuple[str, ...] = ()
    """Rule ids or capability ids whose rules do not run."""
    rules: tuple[Path, ...] = ()
    """Extra rule-pack folders, resolved against the configuration file's folder."""
    model: str | None = None
    """A built-in model name, or a model file path resolved against the configuration file's folder."""
    assume: dict[str, str] = field(default_factory=dict)
    """Capability id -> the team's reason for declaring it present (reported as asserted)."""
    limits: dict[str, int | float] = field(default_factory=dict)
    """:class:`Limits` field -> value."""
    preview: bool = False
    """Also run experimental rules."""
    path: Path | None = None
    """The configuration file itself."""
    from_repository: bool = False
    """The file is the scanned repository's own (not a --config file): its model, rules and assumptions are
    the repository's say, and reports warn about them (docs/security.md)."""
    keys: frozenset[str] = frozenset()
    """The keys the file sets (``--show-settings`` says which values came from it)."""

    def scan_limits(self) -> Limits:
        """The scan limits: the defaults with this file's ``limits`` applied (``--limit`` options go on top)."""
        return clamped(self._limits())[0]

    def limit_notes(self) -> list[str]:
        """A note for each of this file's limits lowered to its hard maximum."""
        return clamped(self._limits())[1]

    def _limits(self) -> Limits:
        checked: dict[str, Any] = dict(self.limits)  # each value checked against its field by _limits
        return Limits(**checked)


def clamped(limits: Limits, unbounded_ok: bool = False) -> tuple[Limits, list[str]]:
    """``limits`` with every value above its hard maximum lowered to it, and a note for each one lowered.

    ``parse-timeout = 0`` (no bound) is lowered too, unless ``unbounded_ok`` (the command line may ask for it).
    """
    changes: dict[str, Any] = {}
    notes = []
    for name, top in HARD_MAXIMA.items():
        value = getattr(limits, name)
        if value > top or (value == 0 and name == "parse_timeout" and not unbounded_ok):
            changes[name] = top
            notes.append(
                f"Limit {name.replace('_', '-')} = {_limit_text(name, value)} is above its hard maximum: "
                f"{_limit_text(name, top)} used."
            )
    return dataclasses.replace(limits, **changes), notes


def find_config(root: Path) -> Path | None:
    """The configuration file of the repository at ``root``: ``.mlops-scan.toml``, else a pyproject with the table.

    Both must be regular files inside the repository (checked before anything is opened). A
    ``.mlops-scan.toml`` that is not is an error; a pyproject that is not, that cannot be read, or
    that does not mention the table is not configuration.
    """
    candidate = root / FILE_NAME
    if os.path.lexists(candidate):
        if not is_inside(candidate, root):
            raise ConfigError(f"{candidate}: a link to a file outside the repository: not read")
        return candidate
    pyproject = root / "pyproject.toml"
    try:
        data = read_bounded(pyproject, MAX_CONFIG_BYTES, inside=root)
    except DataFileError as exc:
        return pyproject if "too large" in exc.problem and _mentions_table_early(pyproject) else None
    return pyproject if _MENTION.search(data) else None


def _mentions_table_early(pyproject: Path) -> bool:
    """Whether an oversized pyproject (a regular file, checked) names mlops-scan in its first MiB."""
    with open(pyproject, "rb") as handle:
        return _MENTION.search(handle.read(MAX_CONFIG_BYTES)) is not None


def settings_for(root: Path) -> Config:
    """The configuration of the scanned folder ``root``: its own, else the nearest in a folder above it, up to the
    top of its git work tree (the folder holding ``.git``) and never above; a folder outside git has only its own.
    A configuration found above names files inside the whole repository, and its source says where it was found."""
    start = root.resolve()
    chain = [start, *start.parents]
    top = next((i for i, folder in enumerate(chain) if (folder / ".git").exists()), 0)
    for folder in chain[: top + 1]:
        found = find_config(folder)
        config = load_config(found, root=root if folder == start else chain[top]) if found else Config()
        if found is None or not config.source:
            continue
        if folder == start:
            return config
        source = config.source.replace(found.name, os.path.relpath(str(found), str(start)), 1)
        return dataclasses.replace(config, source=f"{source}, found above the scanned folder")
    return Config()


def load_config(path: Path, root: Path | None = None) -> Config:
    """Read and check one configuration file.

    ``root`` is the scanned repository when the file was found in it: its ``rules`` and
    ``model`` paths must then stay inside the repository, since a scanned repository is
    not trusted to point the scan at other files.
    """
    data = _read(path, root)
    try:
        document = tomlparse.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except ValueError as exc:  # TOMLDecodeError
        raise ConfigError(f"{path}: malformed TOML ({exc})") from exc
    except RecursionError:
        raise ConfigError(f"{path}: malformed TOML (nested too deeply)") from None
    if path.name == "pyproject.toml":
        tool = document.get("tool")
        if not isinstance(tool, dict) or "mlops-scan" not in tool:
            return _no_table(path, tool if isinstance(tool, dict) else {}, explicit=root is None)
        table = tool["mlops-scan"]
        prefix, source = f"{TABLE}.", f"{path.name} [{TABLE}]"
    else:
        table, prefix, source = document, "", path.name
    if not isinstance(table, dict):
        raise ConfigError(
            f"{path}: {TABLE} must be a table, not {type(table).__name__} (write [tool.mlops-scan] and keys below it)"
        )
    return _parse(table, path, prefix, source, root)


def _no_table(path: Path, tool: dict[str, Any], explicit: bool) -> Config:
    """No ``[tool.mlops-scan]``: a misspelt table is an error, and so is a ``--config`` file without the table."""
    misspelt = next((key for key in tool if key.lower().replace("_", "-") == "mlops-scan"), None)
    if misspelt is not None:
        raise ConfigError(
            f"{path}: [tool.{_shown(misspelt)}] is not read: the table is [tool.mlops-scan] (with a dash)"
        )
    if explicit:
        raise ConfigError(
            f"--config {path}: no [tool.mlops-scan] table in it (a .mlops-scan.toml has its keys at the top)"
        )
    return Config()


def _read(path: Path, root: Path | None) -> bytes:
    """The file's bytes: a regular file (inside the repository when ``root`` is given), at most 1 MiB."""
    try:
        return read_bounded(path, MAX_CONFIG_BYTES, inside=root)
    except DataFileError as exc:
        if "too large" in exc.problem:
            raise ConfigError(f"{path}: too large for a configuration file (over 1 MiB)") from None
        raise ConfigError(f"{path}: cannot read configuration ({exc.problem})") from None


def _parse(table: dict[str, Any], path: Path, prefix: str, source: str, root: Path | None) -> Config:
    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(f"{path}: {prefix}{_shown(key)}: {message}")

    def strings(key: str) -> tuple[str, ...]:
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise fail(key, "must be a list of non-empty strings")
        return tuple(value)

    def inside(key: str, value: str) -> Path:
        resolved = (path.parent / value).resolve()
        if root is not None and not resolved.is_relative_to(root.resolve()):
            raise fail(
                key, f"{value!r} is outside the repository (a repository's configuration may only name files inside it)"
            )
        return resolved

    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key (known: {', '.join(sorted(KEYS))})")
    values: dict[str, Any] = {"source": source, "path": path, "from_repository": root is not None}
    values["keys"] = frozenset(table)
    if "fail-under" in table:
        level = table["fail-under"]
        if isinstance(level, bool) or not isinstance(level, int) or level < 0:
            raise fail("fail-under", "must be a level number (0 or more)")
        values["fail_under"] = level
    if "format" in table:
        if table["format"] not in FORMATS:
            raise fail("format", f"must be one of {', '.join(FORMATS)}")
        values["format"] = table["format"]
    if "preview" in table:
        if not isinstance(table["preview"], bool):
            raise fail("preview", "must be true or false")
        values["preview"] = table["preview"]
    if "exclude" in table:
        values["exclude"] = strings("exclude")
    if "disable" in table:
        values["disable"] = strings("disable")
    if "rules" in table:
        values["rules"] = tuple(
            pack for folder in strings("rules") for pack in _repository_packs(inside("rules", folder), root, fail)
        )
    if "model" in table:
        model = table["model"]
        if not isinstance(model, str) or not model:
            raise fail("model", "must be a built-in model name or a model YAML file")
        values["model"] = str(inside("model", model)) if model.endswith((".yaml", ".yml")) else model
    if "assume" in table:
        assume = table["assume"]
        if not isinstance(assume, dict) or not all(isinstance(v, str) and v.strip() for v in assume.values()):
            raise fail("assume", 'must be a table of capability = "reason" (a non-empty reason each)')
        values["assume"] = {k: "".join(c for c in " ".join(v.split()) if c.isprintable()) for k, v in assume.items()}
    if "limits" in table:
        if not isinstance(table["limits"], dict):
            raise fail("limits", "must be a table of limit = number")
        values["limits"] = _limits(table["limits"], lambda key, message: fail(f"limits.{key}", message))
    return Config(**values)


def _repository_packs(folder: Path, root: Path | None, fail: Callable[[str, str], ConfigError]) -> list[Path]:
    """A rules folder of a repository's configuration as its pack files, each checked to be inside the repository
    (a pack in the folder may be a link to a file elsewhere: it is refused before it is read)."""
    if root is None or not folder.is_dir():
        return [folder]
    packs = pack_files([folder])
    for pack in packs:
        if not is_inside(pack, root):
            raise fail("rules", f"{pack.name!r} in {folder.name}/ is a link to a file outside the repository: not read")
    return packs


def _limits(raw: dict[str, Any], fail: Callable[[str, str], ConfigError]) -> dict[str, int | float]:
    """Limit values by :class:`Limits` field name (``max_file_bytes``) or its dashed form; sizes may be ``"4MiB"``."""
    out: dict[str, int | float] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in LIMIT_FIELDS:
            raise fail(key, f"unknown limit (known: {', '.join(LIMIT_FIELDS)})")
        if name.endswith("_bytes") and isinstance(value, str):
            try:
                value = parse_size(value)
            except ValueError:
                raise fail(key, 'must be a size such as "4MiB" or a whole number of bytes') from None
        whole = isinstance(LIMIT_FIELDS[name], int)
        if (
            isinstance(value, bool)
            or not isinstance(value, int if whole else (int, float))
            or value < 0
            or (whole and not value)
        ):
            raise fail(key, "must be a positive whole number" if whole else "must be a number, 0 or more")
        out[name] = value
    return out


def check_ids(config: Config, model: MaturityModel, rule_ids: Iterable[str]) -> None:
    """Check the ids and the level the configuration names against the model and the loaded rules."""
    if not config.source:
        return
    caps, ids = model.capabilities, set(rule_ids)
    where = f"{config.path}: {TABLE + '.' if config.path and config.path.name == 'pyproject.toml' else ''}"
    for cid in config.assume:
        if cid not in caps:
            raise ConfigError(f"{where}assume.{_shown(cid)}: unknown capability (known: {', '.join(sorted(caps))})")
        if caps[CapabilityId(cid)].role == "finding":
            raise ConfigError(f"{where}assume.{cid}: a finding about the code, not a practice: it cannot be assumed")
    for item in config.disable:
        if item not in caps and item not in ids:
            raise ConfigError(f"{where}disable: unknown rule or capability {item!r} (see `mlops-scan rules list`)")
    top = len(model.levels) - 1
    if config.fail_under is not None and config.fail_under > top:
        raise ConfigError(f"{where}fail-under: {config.fail_under} is above the model's top level ({top})")


def _limit_text(name: str, value: float) -> str:
    if name.endswith("_bytes"):
        return human_size(int(value))
    if name.endswith("_timeout"):
        return "0 (no bound)" if value == 0 else f"{value:g} s"
    return f"{value:,.0f}"


def _shown(key: str) -> str:
    """A key as written, or quoted with escapes when it holds line breaks or control characters."""
    return key if key.isprintable() else repr(key)


def disabled_note(config: Config) -> str | None:
    """The report note saying which rules or capabilities the configuration turned off."""
    if not config.disable:
        return None
    return f"Disabled by configuration ({config.source}): {', '.join(config.disable)}."
