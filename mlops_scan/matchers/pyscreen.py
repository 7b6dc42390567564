"""The ``python`` kind's screen on a file's text before any parse: the strings a name pattern needs written."""

from __future__ import annotations

import re

_NAME_MARKS = re.compile(r"[.()\[\]*]+")


def written_pieces(pattern: str) -> tuple[str, ...]:
    """The pieces of a name pattern between its dots, call and subscript marks and wildcards: every part of a
    resolved name is written in the source (in an import, an attribute or a name), so a file lacking one of them
    cannot hold a name the pattern matches (a piece next to ``*`` is part of a written name)."""
    return tuple(
        sorted({piece for piece in _NAME_MARKS.split(pattern) if piece}, key=lambda piece: (-len(piece), piece))
    )


class ScreenText(dict[str, bool]):
    """A file's text (a notebook's code cells) and whether it holds each string asked about, each looked for once
    (the rules' patterns share most of their names)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def __missing__(self, piece: str) -> bool:
        found = self[piece] = piece in self.text
        return found

    def holds_one(self, alternatives: list[tuple[str, ...]]) -> bool:
        """The text holds every string of one of the alternatives."""
        for pieces in alternatives:
            for piece in pieces:
                if not self[piece]:
                    break
            else:
                return True
        return False
