"""Splitting chunked input into lines, and decoding text.

Importers receive their input in chunks that end anywhere: in the middle of a line, of a ``\\r\\n``
pair, of a UTF-8 sequence. :class:`Lines` and :class:`RawLines` keep the incomplete tail between
calls, so the plugin only ever sees whole lines. Mirrors the Rust SDK's ``custode_sdk::text``.

>>> lines = Lines()
>>> lines.push(b"\\xef\\xbb\\xbfanna@example.com\\r\\nmar") + lines.push(b"co@example.com") + lines.finish()
[(1, 'anna@example.com'), (2, 'marco@example.com')]
"""

from __future__ import annotations

BOM = b"\xef\xbb\xbf"


def decode(data: bytes) -> str:
    """UTF-8, or Windows-1252 when the bytes are not valid UTF-8 (Excel's CSV on Italian systems).

    >>> decode("città".encode()), decode(b"citt\\xe0 \\x80")
    ('città', 'città €')
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_windows_1252(data)


def decode_windows_1252(data: bytes) -> str:
    """Windows-1252, which also reads Latin-1 text; the five bytes it leaves undefined map to the
    control characters of the same number, as the Rust SDK does."""
    return "".join(_CP1252[b] for b in data)


# Python's cp1252 codec refuses 0x81, 0x8D, 0x8F, 0x90 and 0x9D; they stay control characters.
_CP1252 = [bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)]


def _drop_bom(buffer: bytearray, eof: bool) -> bool:
    """Drops a byte order mark at the start; False while the input is too short to tell."""
    if len(buffer) < 3 and BOM.startswith(bytes(buffer)) and not eof:
        return False
    if buffer.startswith(BOM):
        del buffer[:3]
    return True


def _strip_cr(line: bytes) -> bytes:
    return line[:-1] if line.endswith(b"\r") else line


class RawLines:
    """Splits chunked input into lines of raw bytes, numbered from 1. ``\\n`` and ``\\r\\n`` end a
    line; a UTF-8 byte order mark at the very start is dropped.

    With ``unfold=True``, a line that starts with a space or a tab continues the previous one
    (RFC 5322, RFC 6350 folding), even when the break falls inside a UTF-8 sequence; an unfolded
    line carries the number of its first physical line.
    """

    def __init__(self, unfold: bool = False) -> None:
        self._unfold = unfold
        self._tail = bytearray()
        self._next = 1
        self._started = False
        self._held: tuple[int, bytes] | None = None

    def push(self, chunk: bytes) -> list[tuple[int, bytes]]:
        """Adds a chunk; returns the lines it completed."""
        out: list[tuple[int, bytes]] = []
        self._tail += chunk
        if not self._started:
            if not _drop_bom(self._tail, False):
                return out
            self._started = True
        end = self._tail.rfind(b"\n")
        if end < 0:
            return out
        block = bytes(self._tail[:end])
        del self._tail[: end + 1]
        for line in block.split(b"\n"):
            self._emit(_strip_cr(line), out)
        # The first byte of the next line decides whether a held line is complete.
        if self._unfold and self._tail and self._tail[0] not in b" \t":
            self._release(out)
        return out

    def finish(self) -> list[tuple[int, bytes]]:
        """The input ended: returns the remaining lines (the last may have had no line break)."""
        out: list[tuple[int, bytes]] = []
        if not self._started:
            _drop_bom(self._tail, True)
        if self._tail:
            self._emit(_strip_cr(bytes(self._tail)), out)
            self._tail.clear()
        self._release(out)
        self._started = False
        return out

    def _emit(self, line: bytes, out: list[tuple[int, bytes]]) -> None:
        number = self._next
        self._next += 1
        if not self._unfold:
            out.append((number, line))
        elif self._held is not None and line[:1] in (b" ", b"\t"):
            self._held = (self._held[0], self._held[1] + line[1:])
        else:
            self._release(out)
            self._held = (number, line)

    def _release(self, out: list[tuple[int, bytes]]) -> None:
        if self._held is not None:
            out.append(self._held)
            self._held = None


class Lines:
    """Splits chunked input into decoded lines, numbered from 1: like :class:`RawLines`, and a line
    that is not valid UTF-8 is read as Windows-1252 (see :func:`decode`)."""

    def __init__(self) -> None:
        self._raw = RawLines()

    def push(self, chunk: bytes) -> list[tuple[int, str]]:
        """Adds a chunk; returns the lines it completed, each with its line number."""
        return [(n, decode(line)) for n, line in self._raw.push(chunk)]

    def finish(self) -> list[tuple[int, str]]:
        """The input ended: returns the last line if it had no line break."""
        return [(n, decode(line)) for n, line in self._raw.finish()]
