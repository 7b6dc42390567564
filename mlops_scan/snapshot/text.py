"""File bytes as text (any encoding, binary detected) and any text made safe to print on one line."""

from __future__ import annotations


def decode(data: bytes) -> str | None:
    """Decode file bytes: BOMs honoured, UTF-8 first, Latin-1 as a fallback; None for binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    head = data[:8192]
    if b"\x00" in head:
        if _looks_utf16(head):
            return data.decode("utf-16-le" if head[1:2] == b"\x00" else "utf-16-be", errors="replace")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def ascii_screenable(data: bytes) -> bool:
    """Whether a string of ASCII characters is in :func:`decode`'s text exactly when its bytes are in ``data``: the
    text is decoded as UTF-8 or Latin-1 (where every ASCII character is its own byte, and every other character is
    made of bytes that are not ASCII), not as UTF-16, and ``data`` is not binary."""
    return not data.startswith((b"\xff\xfe", b"\xfe\xff")) and data.find(b"\x00", 0, 8192) < 0


def _looks_utf16(head: bytes) -> bool:
    """BOM-less UTF-16 text: every other byte is NUL, and the bytes between are not."""
    if len(head) < 4:
        return False
    evens, odds = head[0::2], head[1::2]
    zeros_even, zeros_odd = evens.count(0) / len(evens), odds.count(0) / len(odds)
    return (zeros_odd > 0.9 and zeros_even < 0.1) or (zeros_even > 0.9 and zeros_odd < 0.1)


def human_size(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)


def printable(text: str) -> str:
    """``text`` safe to print on one terminal line: control characters and undecodable bytes escaped."""
    if text.isprintable():
        return text
    raw = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in raw)
