"""The ``file`` matcher kind on its own: files screened on their bytes before any decoding, and the encodings
where the bytes cannot be screened as they are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MatcherProbe

from mlops_scan.facts.context import FileContext
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot import text as snapshot_text
from mlops_scan.snapshot.tree import open_snapshot
from mlops_scan.types import Skipped


@pytest.fixture
def make_rule(probe: MatcherProbe) -> Callable[..., Rule]:
    """Rules of the ``file`` kind, loaded from a pack by the real loader (conftest.MatcherProbe)."""
    return probe.maker("file", "ops_metrics.probe", paths=["*.go", "*.txt"])


def test_every_encoding_is_searched_and_lines_counted_in_the_text(
    make_rule: Callable[..., Rule], probe: MatcherProbe, tmp_path: Path
) -> None:
    """UTF-16 is screened as text, UTF-8 and Latin-1 as bytes; each finds its line."""
    rule = make_rule(pattern=r'"go\.opentelemetry\.io/otel/sdk/(metric|trace)"')
    line = 'import "go.opentelemetry.io/otel/sdk/metric"\n'
    (tmp_path / "utf16.go").write_bytes(("\ufeff// x\n" + line).encode("utf-16-le"))
    (tmp_path / "latin.go").write_bytes(("// caf\u00e9\n\n" + line).encode("latin-1"))
    (tmp_path / "bom.go").write_bytes(b"\xef\xbb\xbf" + line.encode())
    (tmp_path / "near.go").write_bytes(b'import "go.opentelemetry.io/otel/sdk/metrics"\n')
    hits = probe.hits({}, rule)
    assert hits == [
        ("ops_metrics.probe", "bom.go", 1),
        ("ops_metrics.probe", "latin.go", 3),
        ("ops_metrics.probe", "utf16.go", 2),
    ]


def test_a_pattern_with_other_than_ascii_strings_is_screened_on_the_text(
    make_rule: Callable[..., Rule], probe: MatcherProbe, tmp_path: Path
) -> None:
    """In Latin-1, ``é`` is one byte, not UTF-8's two: such a screen is tested on the decoded text."""
    rule = make_rule(pattern=r"caf\u00e9 noir")
    (tmp_path / "latin.txt").write_bytes("un caf\u00e9 noir\n".encode("latin-1"))
    (tmp_path / "utf8.txt").write_bytes("un caf\u00e9 noir\n".encode())
    assert probe.hits({}, rule) == [("ops_metrics.probe", "latin.txt", 1), ("ops_metrics.probe", "utf8.txt", 1)]


def test_a_file_its_screen_rejects_is_read_but_never_decoded(
    make_rule: Callable[..., Rule], probe: MatcherProbe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = make_rule(pattern=r'"go\.opentelemetry\.io/otel/sdk/(metric|trace)"')
    (tmp_path / "plain.go").write_bytes(b"package main\n// telemetry\n")
    decoded = []
    real_decode = snapshot_text.decode

    def decode(data: bytes) -> str | None:
        decoded.append(data)
        return real_decode(data)

    monkeypatch.setattr("mlops_scan.facts.context.decode", decode)
    monkeypatch.setattr("mlops_scan.snapshot.tree.decode", decode)
    assert probe.hits({}, rule) == []
    assert decoded == []


def test_bytes_read_for_a_screen_count_as_read_and_decode_once(tmp_path: Path) -> None:
    """A context whose bytes were screened was read (what a kept result depends on); its text is decoded from
    those bytes, without a second read, and a binary file is skipped as binary when first read."""
    (tmp_path / "a.go").write_bytes("x = '\u00e9'\n".encode("latin-1"))
    (tmp_path / "b.bin").write_bytes(b"\x00\x01binary")
    snapshot = open_snapshot(tmp_path)
    plain, binary = (FileContext(snapshot, entry) for entry in snapshot.files)
    assert not plain.text_loaded
    assert plain.screenable_bytes() == "x = '\u00e9'\n".encode("latin-1")
    assert plain.text_loaded
    assert plain.text == "x = '\u00e9'\n"
    assert binary.screenable_bytes() is None
    assert binary.text is None and binary.text_loaded
    assert snapshot.skipped == [Skipped("b.bin", "binary content")]
    assert (snapshot.files_read, snapshot.bytes_read) == (2, 16)


@pytest.mark.parametrize(
    "text",
    [
        "a\n  b\n\nc",  # \n alone, no break at the end: the line is cut out of the text
        "a\n  b\n\nc\n",
        "a\r\n  b\r\n\r\nc\r\n",  # \r\n: split as always
        "a\n b\x0c c\nd\n",  # a form feed ends a line for splitlines, not for the \n count
        "\u00e9\n b\u2028c\nd",  # beyond ASCII
        "\u00e9\n b\n\nc\n",  # beyond ASCII, \n alone: cut out of the text
        "\u00e9\x85b\nc\u2029d\n",
    ],
)
def test_line_at_gives_the_line_the_split_text_gives_for_every_offset(tmp_path: Path, text: str) -> None:
    """``line_at`` is ``lines[count of \\n before the offset]``, with or without splitting the text, whatever the
    order the offsets are asked in."""
    (tmp_path / "f.md").write_bytes(text.encode("utf-8"))
    snapshot = open_snapshot(tmp_path)
    expected = []
    for offset in range(len(text) + 1):
        number = text.count("\n", 0, offset) + 1
        lines = text.splitlines()
        expected.append((number, lines[number - 1] if number <= len(lines) else ""))
    ctx = FileContext(snapshot, snapshot.files[0])
    assert [ctx.line_at(offset) for offset in range(len(text) + 1)] == expected
    ctx = FileContext(snapshot, snapshot.files[0])
    assert [ctx.line_at(offset) for offset in reversed(range(len(text) + 1))] == expected[::-1]
    assert (ctx._lines is None) == (not any(brk in text for brk in "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"))
