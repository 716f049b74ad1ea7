"""``lines-py``: one email address per line, the Python twin of the bundled Rust ``lines`` importer
and of ``lines-js``.

:class:`~custode_sdk.Lines` keeps an incomplete line (or half of a UTF-8 character) between chunks,
blank lines are skipped, and every other line (trimmed) becomes a record with an email identity.
The host checks the addresses; this plugin only reads them, so a line that is not an address
becomes a row error there.
"""

from __future__ import annotations

from custode_sdk import Lines
from custode_sdk.records import contact_record, email, plugin_info

VERSION = "0.1.0"


class EmailList:
    """One import session. This plugin has no settings."""

    @staticmethod
    def describe():
        return plugin_info("lines-py", VERSION, "importer", "One email address per line (written in Python)")

    @classmethod
    def open(cls, _config) -> "EmailList":
        return cls()

    def __init__(self) -> None:
        self._lines = Lines()

    def push(self, chunk: bytes):
        return _records(self._lines.push(chunk))

    def finish(self):
        return _records(self._lines.finish())


def _records(lines: list[tuple[int, str]]):
    out = []
    for row, line in lines:
        # str.strip() also trims the Unicode spaces (a no-break space pasted from a web page), as
        # the Rust `lines` importer's trim() and JavaScript's trim() do.
        address = line.strip()
        if address:
            out.append(contact_record(row, identities=[email(address)]))
    return out, []
