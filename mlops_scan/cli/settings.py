"""``mlops-scan PATH --show-settings``: the settings a scan of PATH would use, each with where it came from."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from mlops_scan.snapshot.limits import Limits

if TYPE_CHECKING:
    from mlops_scan.cli.config import Config
    from mlops_scan.cli.scanrun import ScanRequest

DEFAULT = "default"


def show_settings(request: ScanRequest, settings: Config) -> str:
    """One ``key = value  # origin`` line per setting (TOML values; origins: an option, the file, the default)."""
    file = settings.source or ("none (--no-config)" if request.no_config else "none found")
    lines = [f"# settings of a scan of {request.path}", f"# configuration: {file}"]
    settings = dataclasses.replace(settings, source=settings.source.split(", found")[0])  # the origin, shorter

    def line(key: str, value: object, origin: str) -> None:
        shown = "(not set)" if value is None else json.dumps(value, ensure_ascii=False)
        lines.append(f"{key} = {shown}  # {origin}")

    def pick(key: str, given: object, configured: object, default: object, option: str) -> None:
        if given is not None and given is not False:
            line(key, given, option)
        elif configured is not None and key in settings.keys:
            line(key, configured, settings.source)
        else:
            line(key, default, DEFAULT)

    pick("format", request.fmt, settings.format, "text", "--format")
    pick("fail-under", request.fail_under, settings.fail_under, None, "--fail-under")
    pick("model", request.model, settings.model, "microsoft", "--model")
    pick("preview", request.preview, settings.preview, False, "--preview")
    for key, configured, given, option in (
        ("exclude", list(settings.exclude), list(request.exclude), "--exclude"),
        ("disable", list(settings.disable), [], ""),
        ("rules", [str(p) for p in settings.rules], [str(p) for p in request.rule_dirs], "--rules"),
    ):
        origins = [o for o, v in ((settings.source, configured), (option, given)) if v] or [DEFAULT]
        line(key, configured + given, " + ".join(origins))
    for cid, reason in settings.assume.items():
        line(f"assume.{cid}", reason, settings.source)
    _limit_lines(request, settings, line)
    return "\n".join(lines) + "\n"


def _limit_lines(request: ScanRequest, settings: Config, line: Callable[[str, object, str], None]) -> None:
    """``limits.NAME = value  # origin`` for every scan limit, as the scan computes them."""
    limits = settings.scan_limits().with_options(request.limit_options)
    if request.max_file_size is not None:
        limits = dataclasses.replace(limits, max_file_bytes=request.max_file_size)
    from_options = {option.partition("=")[0].strip().replace("-", "_") for option in request.limit_options}
    for field in dataclasses.fields(Limits):
        if field.name == "max_file_bytes" and request.max_file_size is not None:
            origin = "--max-file-size"
        elif field.name in from_options:
            origin = "--limit"
        else:
            origin = settings.source if field.name in settings.limits else DEFAULT
        line(f"limits.{field.name.replace('_', '-')}", getattr(limits, field.name), origin)
