"""Which revisions a history covers: tags, every Nth commit, commits since a date, within a range.

Commits are taken along the first-parent chain (the line a branch's history follows), oldest
first; tags are ordered by the date of the commit they name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlops_scan.errors import UsageError
from mlops_scan.snapshot.gitrun import GitError, run

FORMAT = "%H%x00%T%x00%cI"


@dataclass(frozen=True)
class Revision:
    """One selected revision: its label (a tag, or the commit's short id), commit, root tree and date."""

    label: str
    commit: str
    tree: str
    date: str
    """The committer date, ISO 8601."""


@dataclass(frozen=True)
class Selection:
    """What to select: tags, every Nth commit, commits since a date; within ``rev_range`` (default HEAD)."""

    tags: bool = False
    every: int | None = None
    since: str | None = None
    rev_range: str = "HEAD"
    limit: int = 100
    """At most this many revisions: more are thinned evenly, keeping the first and the last."""


def select(git_dir: Path, selection: Selection) -> tuple[list[Revision], list[str]]:
    """The revisions, oldest first, and notes (e.g. thinning) for the report."""
    chain = _commits(git_dir, selection)
    notes: list[str] = []
    if selection.tags:
        revisions = _tagged(git_dir, selection, {r.commit for r in chain})
    else:
        revisions = chain[:: selection.every or 1]
        if chain and revisions[-1] != chain[-1]:
            revisions.append(chain[-1])
    if len(revisions) > selection.limit:
        notes.append(f"{len(revisions)} revisions selected; {selection.limit} evenly spaced ones are shown (--limit)")
        revisions = thin(revisions, selection.limit)
    return revisions, notes


def thin(items: list[Revision], count: int) -> list[Revision]:
    """``count`` items spread evenly over ``items``, the first and the last included."""
    if count >= len(items):
        return items
    if count <= 1:
        return items[-1:]
    step = (len(items) - 1) / (count - 1)
    return [items[int(i * step + 0.5)] for i in range(count)]


def _commits(git_dir: Path, selection: Selection) -> list[Revision]:
    since = [f"--since={selection.since}"] if selection.since else []
    try:
        out = run(
            git_dir,
            "log",
            "--first-parent",
            "--reverse",
            f"--format={FORMAT}",
            *since,
            "--end-of-options",
            selection.rev_range,
            "--",
        )
    except GitError as exc:
        raise UsageError(f"--rev-range {_shown(selection.rev_range)}: {exc}") from None
    return [_revision(line) for line in out.decode("utf-8", "replace").split("\n") if line]


def _revision(line: str, label: str | None = None) -> Revision:
    commit, tree, date = line.split("\0")
    return Revision(label or commit[:10], commit, tree, date)


def _tagged(git_dir: Path, selection: Selection, chain: set[str]) -> list[Revision]:
    """Tags naming commits (annotated tags peeled), ordered by commit date; within the range when one is given."""
    refs = run(git_dir, "for-each-ref", "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)", "refs/tags")
    names: dict[str, list[str]] = {}
    for line in filter(None, refs.decode("utf-8", "replace").split("\n")):
        name, direct, peeled = line.split("\0")
        names.setdefault(peeled or direct, []).append(name)
    if not names:
        return []
    log = run(git_dir, "log", "--no-walk=unsorted", f"--format={FORMAT}", "--stdin", stdin="\n".join(names).encode())
    found = [_revision(line) for line in log.decode("utf-8", "replace").split("\n") if line]
    restricted = selection.rev_range != "HEAD" or selection.since is not None
    out = [
        Revision(name, r.commit, r.tree, r.date)
        for r in found
        if not restricted or r.commit in chain
        for name in sorted(names.get(r.commit, []))
    ]
    return sorted(out, key=lambda r: (r.date, r.label))


def _shown(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)[:100]
