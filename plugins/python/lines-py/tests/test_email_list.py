import sys
import tomllib
import unittest
from pathlib import Path

from custode_sdk.testing import every_split, run_importer, use_bindings

use_bindings("importer")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wit_world.imports import types as t  # noqa: E402

from email_list import VERSION, EmailList  # noqa: E402


def emails(result):
    records, rejected = result
    assert rejected == [], rejected
    return [(r.row, [f"{type(i).__name__}:{i.value}" for i in r.identities]) for r in records]


class EmailListTest(unittest.TestCase):
    def test_one_record_per_non_blank_line_numbered_by_line_trimmed(self):
        data = "\ufeffanna@example.com\r\n\r\n  marco@example.com  \nlucia@example.com".encode()
        self.assertEqual(emails(run_importer(EmailList, [data])), [
            (1, ["Identity_Email:anna@example.com"]),
            (3, ["Identity_Email:marco@example.com"]),
            (4, ["Identity_Email:lucia@example.com"]),
        ])

    def test_the_same_records_however_the_input_is_cut(self):
        # Cuts fall inside `\r\n` pairs and inside two-, three- and four-byte characters.
        data = "zoë@example.com\r\nnicolò@esempio.it\r\n\r\n日本@example.jp\n😀@example.org".encode()
        whole = emails(run_importer(EmailList, [data]))
        self.assertEqual([row for row, _ in whole], [1, 2, 4, 5])
        self.assertEqual(whole[3], (5, ["Identity_Email:😀@example.org"]))
        for label, chunks in every_split(data):
            self.assertEqual(emails(run_importer(EmailList, chunks)), whole, label)

    def test_a_line_that_is_not_utf8_is_read_as_windows_1252_not_dropped(self):
        data = b"citt\xe0@example.com\n"
        self.assertEqual(emails(run_importer(EmailList, [data])), [(1, ["Identity_Email:città@example.com"])])

    def test_a_line_that_is_not_an_address_is_passed_on_for_the_host_to_reject(self):
        # The host checks addresses and reports the row; the plugin neither drops nor fixes it.
        data = "anna@example.com\nZoë <zoe@example.com>\n".encode()
        self.assertEqual(emails(run_importer(EmailList, [data])), [
            (1, ["Identity_Email:anna@example.com"]),
            (2, ["Identity_Email:Zoë <zoe@example.com>"]),
        ])

    def test_no_input_no_records_and_records_carry_no_invented_data(self):
        self.assertEqual(run_importer(EmailList, []), ([], []))
        self.assertEqual(run_importer(EmailList, [b"", b"\n \n"]), ([], []))
        [record], _ = run_importer(EmailList, [b"a@example.com"])
        self.assertEqual((record.fields, record.consents, record.legal_bases, record.notices, record.last_interaction),
                         ([], [], [], [], None))
        self.assertEqual(record.source, t.SourceDetails(label=None, channel=None, collected_at=None))

    def test_describe_names_the_plugin_and_its_version_from_pyproject(self):
        project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
        info = EmailList.describe()
        self.assertEqual((info.name, info.version, info.kind, info.config_keys),
                         (project["name"], project["version"], t.PluginKind.IMPORTER, []))
        self.assertEqual(info.summary, "One email address per line (written in Python)")
        self.assertEqual(VERSION, project["version"])


if __name__ == "__main__":
    unittest.main()
