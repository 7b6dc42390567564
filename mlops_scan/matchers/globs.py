"""Path globs: ``**/`` any folders, ``*`` within a name, ``?`` one character, ``{a,b}`` either.

Most globs in the packs are a file name (``Dockerfile``), an extension (``*.py``) or a fixed
path (``.github/CODEOWNERS``): those are tested with set look-ups and ``str`` methods, and only
the others are compiled into a regex, on first use (a compile costs more than thousands of
string tests, and a small repository reaches few of the sets).
"""

from __future__ import annotations

import re
from functools import lru_cache

_WILDCARD = re.compile(r"[*?{}\[\]]")
_SPECIAL = ("*", "?", "{")
"""Characters :func:`_glob_body` translates; any other character stands for itself."""


def glob_to_regex(glob: str) -> str:
    """Translate a path glob into a regex searched in a POSIX path.

    A glob without ``/`` matches a file name in any folder (like .gitignore).
    """
    anchored = "/" in glob.rstrip("/")
    body = _glob_body(glob)
    return f"^{body}$" if anchored else f"(?:^|/){body}$"


@lru_cache(maxsize=4096)
def _glob_body(glob: str) -> str:
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "{" and "}" in glob[i:]:
            end = glob.index("}", i)
            out.append("(?:" + "|".join(re.escape(x) for x in glob[i + 1 : end].split(",")) + ")")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


STARRED_TESTS = 512
"""Names tested part by part against the globs with inner ``*`` before they are compiled into one regex."""


def _literal(text: str) -> bool:
    return not any(c in text for c in _SPECIAL)


def _name_glob(glob: str) -> str | None:
    """The glob of the file name alone when the glob tests nothing else (``*.py``, ``**/Dockerfile``)."""
    while glob.startswith("**/"):
        glob = glob[3:]
    return glob if glob and "/" not in glob and "**" not in glob else None


class GlobSet:
    """Many path globs tested together: names by set look-up, extensions and prefixes by ``str`` methods,
    names with inner ``*`` part by part, fixed paths by equality, and the rest by one regex compiled on
    first use. Agrees with :func:`glob_to_regex` on every glob (tests/test_prefilters.py)."""

    def __init__(self, globs: list[str]):
        self._names: set[str] = set()
        self._fixed_paths: set[str] = set()
        suffixes: list[str] = []
        prefixes: list[str] = []
        self._starred: list[tuple[str, ...]] = []
        self._rest: list[str] = []
        for glob in dict.fromkeys(globs):  # rules share globs: each tested once
            name = _name_glob(glob)
            if name is None:
                if "/" in glob.rstrip("/") and _literal(glob):
                    self._fixed_paths.add(glob)
                else:
                    self._rest.append(glob)
            elif _literal(name):
                self._names.add(name)
            elif "?" in name or "{" in name:
                self._rest.append(name)
            elif name.count("*") == 1 and name.startswith("*"):
                suffixes.append(name[1:])
            elif name.count("*") == 1 and name.endswith("*"):
                prefixes.append(name[:-1])
            else:
                self._starred.append(tuple(name.split("*")))
        self._suffixes = tuple(suffixes)
        self._prefixes = tuple(prefixes)
        self._names_regex: re.Pattern[str] | None = None
        self._starred_regex: re.Pattern[str] | None = None
        self._tests_left = STARRED_TESTS
        self._keyed_regex: re.Pattern[str] | None = None
        self._path_keys: frozenset[str] = frozenset()
        self._paths_regex: re.Pattern[str] | None = None

    def search(self, path: str) -> bool:
        """Whether any glob matches the POSIX path."""
        name = path[path.rfind("/") + 1 :]
        if name in self._names or path in self._fixed_paths:
            return True
        if (self._suffixes and name.endswith(self._suffixes)) or (self._prefixes and name.startswith(self._prefixes)):
            return True
        if self._starred and self._starred_hit(name):
            return True
        if self._rest:
            self._compile(self._rest)
        if self._names_regex is not None and self._names_regex.fullmatch(name):
            return True
        if self._keyed_regex is not None and _has_key(name, self._path_keys) and self._keyed_regex.search(path):
            return True
        return self._paths_regex is not None and self._paths_regex.search(path) is not None

    def _starred_hit(self, name: str) -> bool:
        """A name glob with inner ``*`` matches: part by part for the first names, then (a large repository) by
        one regex, whose compile then costs less than the tests it saves."""
        if self._starred_regex is None:
            self._tests_left -= 1
            if self._tests_left >= 0:
                return any(_starred_match(parts, name) for parts in self._starred)
            self._starred_regex = re.compile("|".join(f"(?:{_glob_body('*'.join(p))})" for p in self._starred))
        return self._starred_regex.fullmatch(name) is not None

    def _compile(self, globs: list[str]) -> None:
        """The regexes of the globs left: names, paths whose file name has a fixed extension or name (searched only
        in paths with such a name: a regex of paths is tried at every character), and the other paths."""
        names = [g for g in globs if "/" not in g and "**" not in g]
        paths = [g for g in globs if "/" in g or "**" in g]
        keys = {glob: _glob_key(glob) for glob in paths}
        self._names_regex = _alternation([_glob_body(g) for g in names])
        self._keyed_regex = _alternation([glob_to_regex(g) for g in paths if keys[g] is not None])
        self._path_keys = frozenset(key for key in keys.values() if key is not None)
        self._paths_regex = _alternation([glob_to_regex(g) for g in paths if keys[g] is None])
        self._rest = []


def _alternation(regexes: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None


def _has_key(name: str, keys: frozenset[str]) -> bool:
    """Whether a file name has one of the keys (:func:`_glob_key`): its own, or its extension from the last dot."""
    return ("." in name and name[name.rfind(".") :] in keys) or "=" + name in keys


def _starred_match(parts: tuple[str, ...], name: str) -> bool:
    """Whether ``name`` matches the name glob ``'*'.join(parts)`` (``*`` any run of characters)."""
    first, last = parts[0], parts[-1]
    if len(name) < len(first) + len(last) or not name.startswith(first) or not name.endswith(last):
        return False
    at, end = len(first), len(name) - len(last)
    for middle in parts[1:-1]:
        found = name.find(middle, at, end)
        if found < 0:
            return False
        at = found + len(middle)
    return True


def _name_prefix(glob: str) -> str:
    """The characters every matching file name starts with ('' when the glob tests folders or starts with a
    wildcard)."""
    name = _name_glob(glob)
    if name is None:
        return ""
    cut = min((name.index(c) for c in _SPECIAL if c in name), default=len(name))
    return name[:cut]


def _glob_key(glob: str) -> str | None:
    """What every file a glob matches has: its exact name (``=Dockerfile``), or its extension from the
    last dot (``*.py`` -> ``.py``); None when neither is fixed (``Dockerfile.*``)."""
    last = glob.rsplit("/", 1)[-1]
    if not _WILDCARD.search(last):
        return "=" + last
    tail = _WILDCARD.split(last)[-1]
    return tail[tail.rfind(".") :] if "." in tail else None


class GlobIndex:
    """Which of many glob lists may match a path, looked up by the path's name and extension instead of
    testing every list; a list with a glob of no fixed name or extension is a candidate for every path."""

    def __init__(self, glob_lists: list[list[str]]):
        self._by_key: dict[str, list[int]] = {}
        self._always: list[int] = []
        self._by_prefix: dict[str, list[int]] = {}
        self._decided: dict[str, set[int]] = {}
        """Key -> the lists holding a glob every path of that key matches (``*.py`` for ``.py``, ``Dockerfile``)."""
        for index, globs in enumerate(glob_lists):
            keyed = [(glob, _glob_key(glob)) for glob in globs]
            keys = {key for _, key in keyed}
            for glob, key in keyed:
                name = _name_glob(glob)
                if key is not None and name is not None and (name == "*" + key or "=" + name == key):
                    self._decided.setdefault(key, set()).add(index)
            prefixes = {_name_prefix(glob) for glob, key in keyed if key is None}
            if "" in prefixes:
                self._always.append(index)
                continue
            for prefix in prefixes:  # ``Dockerfile.*``: only names starting with ``Dockerfile.``
                self._by_prefix.setdefault(prefix, []).append(index)
            for key in keys - {None}:
                self._by_key.setdefault(key, []).append(index)  # type: ignore[arg-type]
        self._by_extension: dict[str, list[int]] = {}

    def candidates(self, path: str) -> list[int]:
        """Ascending indexes of the lists that may match ``path`` (confirm each with its :class:`GlobSet`)."""
        name = path[path.rfind("/") + 1 :]
        ext = name[name.rfind(".") :] if "." in name else ""
        found = self._by_extension.get(ext)
        if found is None:
            found = self._by_extension[ext] = sorted(set(self._by_key.get(ext, []) + self._always))
        named = [*self._by_key.get("=" + name, ())]
        named += [i for prefix, found_by in self._by_prefix.items() if name.startswith(prefix) for i in found_by]
        return sorted(set(found).union(named)) if named else found

    def decided(self, path: str) -> set[int] | frozenset[int]:
        """Indexes of the lists known to match ``path`` by its name or extension alone (no glob test needed)."""
        name = path[path.rfind("/") + 1 :]
        by_ext = self._decided.get(name[name.rfind(".") :] if "." in name else "", _NONE)
        by_name = self._decided.get("=" + name, _NONE)
        return by_ext | by_name if by_name else by_ext


_NONE: frozenset[int] = frozenset()


def compile_globs(globs: list[str]) -> GlobSet:
    """One matcher for all of the globs."""
    return GlobSet(globs)
