"""Listing a folder without git: a bounded walk that skips tool folders and never follows folder links."""

from __future__ import annotations

import os
from pathlib import Path

from mlops_scan.snapshot.limits import Limits
from mlops_scan.snapshot.zones import zone_policy
from mlops_scan.types import Skipped


def walk(base: Path, limits: Limits, skipped: list[Skipped]) -> list[str]:
    """Iterative walk that skips tool folders, never follows folder links, and bounds depth and count."""
    never_walked = zone_policy().never_walked
    out: list[str] = []
    stack: list[tuple[str, int]] = [("", 0)]
    while stack:
        rel, depth = stack.pop()
        folder = base / rel if rel else base
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except PermissionError:
            skipped.append(Skipped(rel or ".", "permission denied (folder not listed)"))
            continue
        except OSError as exc:
            skipped.append(Skipped(rel or ".", f"folder not listed ({exc.strerror or exc.__class__.__name__})"))
            continue
        if rel and any(e.name == "pyvenv.cfg" for e in entries):
            continue  # a virtual environment
        for entry in entries:
            path = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name in never_walked or entry.name.endswith(".egg-info"):
                    continue
                if depth + 1 > limits.max_depth:
                    skipped.append(Skipped(path, f"folder nested deeper than {limits.max_depth} levels: not walked"))
                    continue
                stack.append((path, depth + 1))
            elif entry.is_symlink() and os.path.isdir(entry.path):
                skipped.append(Skipped(path, "symbolic link to a folder: not followed"))
            elif entry.name == ".git":
                continue  # the gitlink file of a submodule or linked work tree
            else:
                out.append(path)
                if len(out) > limits.max_files:
                    return out
    return out
