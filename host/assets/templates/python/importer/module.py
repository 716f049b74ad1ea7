"""``{{name}}``: a Custode importer. Reads a CSV file with a header line; the column named by the
setting ``column`` (default ``email``) holds each contact's email address. A row without an
address is reported as a refused row and the import goes on.

The host calls ``open``, then ``push`` with the input in chunks of any size (a row, or a UTF-8
character, may be split between two chunks: ``CsvReader`` keeps the incomplete part), then ``finish``.
"""

from __future__ import annotations

from custode_sdk import Config, CsvReader
from custode_sdk.records import PluginImportError, config_key, contact_record, email, plugin_info, row_error


class Importer:
    def __init__(self, column: str) -> None:
        self.column = column
        self.reader = CsvReader()
        self.index: int | None = None

    @staticmethod
    def describe():
        return plugin_info("{{name}}", "0.1.0", "importer", "Contacts from a CSV file: one email address per row",
                           [config_key("column", "The header of the column holding the email addresses",
                                       default_value="email")])

    @classmethod
    def open(cls, config: Config) -> "Importer":
        return cls(config.string("column") or "email")

    def push(self, chunk: bytes):
        return self._rows(self.reader.push(chunk))

    def finish(self):
        return self._rows(self.reader.finish())

    def _rows(self, rows):
        records, rejected = [], []
        for row in rows:
            if self.index is None:
                headers = [h.strip() for h in row.fields]
                matches = [i for i, h in enumerate(headers) if h.lower() == self.column.lower()]
                if not matches:
                    raise PluginImportError(f"the header has no column `{self.column}` (it has: {', '.join(headers)}); "
                                            "set `column` to the one holding the email addresses", row=row.line)
                self.index = matches[0]
                continue
            address = row.fields[self.index].strip() if self.index < len(row.fields) else ""
            if "@" in address:
                records.append(contact_record(row.line, identities=[email(address)]))
            else:
                rejected.append(row_error(row.line, f"`{address}` is not an email address", self.column))
        return records, rejected
