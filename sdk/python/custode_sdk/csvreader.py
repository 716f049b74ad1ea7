"""A chunk-safe CSV reader: :class:`CsvReader`. Mirrors the Rust SDK's ``custode_sdk::csv``.

Feed it the input in chunks of any size; it returns every record completed so far, each with the
1-based line it starts on. Where records end is found here (a chunk may end inside a quoted field,
a ``\\r\\n`` pair or a UTF-8 character); the fields of a complete record are read by Python's own
``csv`` module. It follows RFC 4180 and what spreadsheets really write:

- ``\\r\\n``, ``\\n`` or a lone ``\\r`` ends a record; blank lines are skipped;
- a UTF-8 byte order mark is dropped; Excel's ``sep=;`` first line sets the delimiter;
- the delimiter (``,`` ``;`` or tab) is detected from the header line unless set;
- a record that is not valid UTF-8 is read as Windows-1252, or every record is, with
  ``encoding="windows-1252"``;
- a quote inside an unquoted field, or text after a closing quote, is kept as written.

>>> reader = CsvReader()
>>> [(r.line, r.fields) for r in reader.push(b'Nome;Note\\r\\nAnna;"due\\r\\nrighe"\\r\\nMar') + reader.push(b"co;x") + reader.finish()]
[(1, ['Nome', 'Note']), (2, ['Anna', 'due\\r\\nrighe']), (4, ['Marco', 'x'])]
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from .text import BOM, decode_windows_1252

DEFAULT_MAX_RECORD_BYTES = 4 << 20

_QUOTE, _LF, _CR = 0x22, 0x0A, 0x0D


class CsvError(Exception):
    """A problem that stops reading; ``line`` is the 1-based line where it starts."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.detail = message


@dataclass
class CsvRecord:
    line: int
    """The 1-based line of the input where the record starts."""
    fields: list[str]
    """The fields as written (not trimmed)."""
    windows_1252: bool = False
    """Whether the record was decoded as Windows-1252."""


def parse_delimiter(text: str) -> str:
    """A delimiter setting: ``,`` ``;`` ``|``, or ``tab`` (also ``\\t`` or a tab character)."""
    if text == "\t":
        return "\t"
    known = {",": ",", "comma": ",", ";": ";", "semicolon": ";", "tab": "\t", "\\t": "\t", "|": "|", "pipe": "|"}
    t = text.strip().lower()
    if t in known:
        return known[t]
    raise ValueError(f"`{t}` is not a delimiter; use `,` `;` `tab` or `|`")


class CsvReader:
    """Reads CSV records from chunked input. See the module documentation."""

    def __init__(self, delimiter: str | None = None, encoding: str = "auto",
                 max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> None:
        if delimiter is not None and not (len(delimiter) == 1 and delimiter.isascii()):
            raise ValueError(f"the delimiter must be one ASCII character, not `{delimiter}`")
        if encoding not in ("auto", "windows-1252"):
            raise ValueError(f"encoding `{encoding}` is not one of auto, windows-1252")
        self.delimiter = delimiter
        # The csv module refuses fields over 128 KiB by default; records are bounded here instead.
        csv.field_size_limit(max(csv.field_size_limit(), max_record_bytes))
        self._encoding = encoding
        self._max = max_record_bytes
        self._buf = bytearray()
        self._line = 1
        self._started = False

    def push(self, chunk: bytes) -> list[CsvRecord]:
        """Adds a chunk; returns the records it completed. Raises :class:`CsvError`."""
        self._buf += chunk
        return self._read(False)

    def finish(self) -> list[CsvRecord]:
        """The input has ended: returns the last record (one without a final line break)."""
        return self._read(True)

    def _read(self, eof: bool) -> list[CsvRecord]:
        out: list[CsvRecord] = []
        if not self._started and not self._start(eof):
            return out
        buf = bytes(self._buf)
        scan = _Scanner(buf, ord(self.delimiter))
        pos = 0
        while pos < len(buf):
            step = scan.record(pos, eof, self._line)
            if step is None:
                if len(buf) - pos > self._max:
                    raise CsvError(self._line, f"a record runs over {self._max >> 20} MiB; "
                                   "a closing quote `\"` is probably missing in it")
                break
            end, nxt, lines, blank, quoted = step
            if not blank:
                out.append(self._record(buf[pos:end], quoted))
            self._line += lines
            pos = nxt
        del self._buf[:pos]
        return out

    def _start(self, eof: bool) -> bool:
        buf = self._buf
        if not eof and len(buf) < 3 and BOM.startswith(bytes(buf)):
            return False
        if buf.startswith(b"\xff\xfe") or buf.startswith(b"\xfe\xff"):
            raise CsvError(1, 'the input is UTF-16 text (Excel\'s "Unicode text"); save it as "CSV UTF-8" or as CSV')
        bom = 3 if buf.startswith(BOM) else 0
        body = bytes(buf[bom:])
        consumed = bom
        if self.delimiter is None:
            found = _first_line(body)
            if found is not None:
                start, end = found
                sep = _excel_sep_line(body[start:end])
                if sep is not None:
                    self.delimiter = sep
                    self._line += 1 + body[:start].count(b"\n")
                    consumed = bom + end
                    if body[end:end + 2] == b"\r\n":
                        consumed += 2
                    elif body[end:end + 1] in (b"\r", b"\n"):
                        consumed += 1
                else:
                    self.delimiter = _detect_delimiter(body[start:end])
            elif eof:
                self.delimiter = _detect_delimiter(body)
            elif len(body) > self._max:
                raise CsvError(1, "the header line is longer than the largest record allowed")
            else:
                return False
        del self._buf[:consumed]
        self._started = True
        return True

    def _record(self, data: bytes, quoted: bool) -> CsvRecord:
        windows_1252 = True
        if self._encoding == "auto":
            try:
                text = data.decode("utf-8")
                windows_1252 = False
            except UnicodeDecodeError:
                pass
        if windows_1252:
            text = decode_windows_1252(data)
        if quoted:
            fields = next(csv.reader([text], delimiter=self.delimiter, strict=False), [""])
        else:
            fields = text.split(self.delimiter)
        return CsvRecord(self._line, fields, windows_1252)


class _Scanner:
    """Finds where records end, with ``bytes.find`` (native code), remembering the next position of
    each byte it looks for so that the input is scanned once however many fields a line has."""

    def __init__(self, buf: bytes, delimiter: int) -> None:
        self.buf = buf
        self.delimiter = delimiter
        self.next: dict[int, int] = {}

    def find(self, byte: int, start: int) -> int:
        known = self.next.get(byte)
        if known is not None and known >= start:
            return known
        at = self.buf.find(bytes([byte]), start)
        found = len(self.buf) if at < 0 else at
        self.next[byte] = found
        return found

    def record(self, start: int, eof: bool, line: int):
        """``(end, next, lines, blank, quoted)`` of the record at ``start``, or None when the buffer
        ends inside it and more input may come."""
        buf, n = self.buf, len(self.buf)
        stop = min(self.find(_LF, start), self.find(_CR, start))
        if self.find(_QUOTE, start) > stop and stop < n:
            return self._ended(start, stop, 0, False, eof)
        p, lines, quoted, fields = start, 0, False, 0
        while True:
            fields += 1
            if p < n and buf[p] == _QUOTE:
                quoted = True
                p += 1
                while True:
                    q = self.find(_QUOTE, p)
                    if q == n:
                        if eof:
                            raise CsvError(line, "a quoted field is not closed before the end of the input; "
                                           "add the missing `\"`")
                        return None
                    lines += buf.count(b"\n", p, q)
                    p = q + 1
                    if p == n and not eof:
                        return None  # `"` or `""`: the next byte decides.
                    if p < n and buf[p] == _QUOTE:
                        p += 1
                    else:
                        break
            p = min(self.find(self.delimiter, p), self.find(_LF, p), self.find(_CR, p))
            if p == n:
                if not eof:
                    return None
                return (p, p, lines, fields == 1 and p == start and not quoted, quoted)
            if buf[p] == self.delimiter:
                p += 1
                continue
            step = self._ended(start, p, lines, quoted, eof)
            if step is None:
                return None
            return step[:3] + (fields == 1 and p == start and not quoted, quoted)

    def _ended(self, start: int, end: int, lines: int, quoted: bool, eof: bool):
        nxt = end + 1
        if self.buf[end] == _CR:
            if nxt < len(self.buf) and self.buf[nxt] == _LF:
                nxt += 1
            elif nxt == len(self.buf) and not eof:
                return None  # `\r` then maybe `\n` in the next chunk.
        return (end, nxt, lines + 1, end == start, quoted)


def _first_line(buf: bytes):
    """The byte range of the first non-blank line (outside quotes), without its line break."""
    start, in_quotes = 0, False
    for i, b in enumerate(buf):
        if b == _QUOTE:
            in_quotes = not in_quotes
        elif not in_quotes and b in (_LF, _CR):
            if b == _CR and i + 1 == len(buf):
                return None  # `\n` may follow
            if buf[start:i].strip(b" \t\r\n\x0b\x0c"):
                return (start, i)
            start = i + 1
    return None


def _excel_sep_line(line: bytes):
    if len(line) == 5 and line[:4].lower() == b"sep=":
        return chr(line[4])
    return None


def _detect_delimiter(header: bytes) -> str:
    """The most frequent of ``,`` ``;`` tab outside quotes; ``,`` when none occurs or on a tie."""
    counts = [0, 0, 0]
    in_quotes = False
    for b in header:
        if b == _QUOTE:
            in_quotes = not in_quotes
        elif not in_quotes and b in (0x2C, 0x3B, 0x09):
            counts[(0x2C, 0x3B, 0x09).index(b)] += 1
    best = max(range(3), key=lambda i: (counts[i], -i))
    return ",;\t"[best]
