import sys
import unittest
from pathlib import Path

from custode_sdk.testing import every_split, run_importer, use_bindings

use_bindings("importer")
HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from custode_sdk.records import PluginImportError  # noqa: E402

from {{module}} import Importer  # noqa: E402

SAMPLE = (HERE / "sample.csv").read_bytes()


def read(result):
    records, rejected = result
    return [(r.row, r.identities[0].value) for r in records], [r.row for r in rejected]


class ImporterTest(unittest.TestCase):
    def test_reads_the_sample_refusing_the_row_without_an_address(self):
        self.assertEqual(read(run_importer(Importer, [SAMPLE])),
                         ([(2, "anna.rossi@example.com"), (4, "luca@example.com")], [5]))

    def test_the_same_rows_however_the_input_is_cut(self):
        whole = read(run_importer(Importer, [SAMPLE]))
        for label, chunks in every_split(SAMPLE):
            self.assertEqual(read(run_importer(Importer, chunks)), whole, label)

    def test_a_missing_column_is_named_with_the_fix(self):
        with self.assertRaisesRegex(PluginImportError, r"no column `mail`.*set `column`"):
            run_importer(Importer, [b"email,name\na@example.com,A\n"], {"column": "mail"})


if __name__ == "__main__":
    unittest.main()
