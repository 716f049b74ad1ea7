import unittest

from custode_sdk import CsvError, CsvReader, Lines, RawLines, decode, parse_delimiter
from custode_sdk.testing import every_split


def read_lines(make, chunks):
    reader = make()
    out = [line for c in chunks for line in reader.push(c)]
    return out + reader.finish()


def read_csv(make, chunks):
    reader = make()
    out = [r for c in chunks for r in reader.push(c)] + reader.finish()
    return [(r.line, r.fields) for r in out]


class TextTest(unittest.TestCase):
    def test_lines_survive_any_chunking(self):
        data = "\ufeffuno\r\ndue\n\nquattro è\r\n".encode()
        for label, chunks in every_split(data):
            self.assertEqual(read_lines(Lines, chunks), [(1, "uno"), (2, "due"), (3, ""), (4, "quattro è")], label)

    def test_unfolding_survives_any_chunking_even_inside_utf8(self):
        data = b"BEGIN:VCARD\r\nFN:Nicol\xc3\r\n \xa8 Rossi\r\n\tjr\r\nEND:VCARD\r\n"
        expected = [(1, b"BEGIN:VCARD"), (2, "FN:Nicolè Rossijr".encode()), (5, b"END:VCARD")]
        for label, chunks in every_split(data):
            self.assertEqual(read_lines(lambda: RawLines(unfold=True), chunks), expected, label)

    def test_bom_only_at_the_start_and_windows_1252_per_line(self):
        self.assertEqual(read_lines(Lines, [b"\xef\xbb", b"\xbfa\n\xef\xbb\xbfb"]), [(1, "a"), (2, "\ufeffb")])
        self.assertEqual(read_lines(Lines, [b"Citt\xe0;\x80 10\nCitt\xc3\xa0\n"]), [(1, "Città;€ 10"), (2, "Città")])
        self.assertEqual(decode(b"\x93ok\x94"), "“ok”")
        self.assertEqual(read_lines(Lines, [b"a\r\nb\r"]), [(1, "a"), (2, "b")])
        self.assertEqual(read_lines(Lines, []), [])


class CsvTest(unittest.TestCase):
    def every_way(self, data, make=CsvReader):
        whole = read_csv(make, [data])
        for label, chunks in every_split(data):
            self.assertEqual(read_csv(make, chunks), whole, label)
        return whole

    def test_messy_excel_export(self):
        data = ("\ufeffNome;Città;Note\r\nAnna;Milano;\"riga uno\r\nriga due; con ;\"\r\n\r\n"
                "\"Marco \"\"il rosso\"\"\";Forlì;\r\n;;\r\nLucia;Torino;fine").encode()
        self.assertEqual(self.every_way(data), [
            (1, ["Nome", "Città", "Note"]), (2, ["Anna", "Milano", "riga uno\r\nriga due; con ;"]),
            (5, ['Marco "il rosso"', "Forlì", ""]), (6, ["", "", ""]), (7, ["Lucia", "Torino", "fine"])])

    def test_delimiters(self):
        def detect(data):
            reader = CsvReader()
            reader.push(data)
            reader.finish()
            return reader.delimiter
        self.assertEqual([detect(b"a,b,c\n1;2,3\n"), detect(b'a;b;"c,d,e"\n'), detect(b"a\tb\tc\n"),
                          detect(b"\n\n  \nemail\n"), detect(b"only;header")], [",", ";", "\t", ",", ";"])
        self.assertEqual(read_csv(lambda: CsvReader(delimiter=","), [b"a;b,c\n"]), [(1, ["a;b", "c"])])
        self.assertEqual(self.every_way(b"sep=,\r\nNome;Cognome,Note\r\nA;B,C\r\n"),
                         [(2, ["Nome;Cognome", "Note"]), (3, ["A;B", "C"])])
        self.assertEqual(parse_delimiter("tab"), "\t")
        with self.assertRaisesRegex(ValueError, "is not a delimiter"):
            parse_delimiter("::")

    def test_line_endings_quotes_and_blank_lines(self):
        self.assertEqual(self.every_way(b"a,b\rc,d\r\ne,f\ng,h\r"),
                         [(1, ["a", "b"]), (2, ["c", "d"]), (3, ["e", "f"]), (4, ["g", "h"])])
        self.assertEqual(self.every_way(b'a,b\nsay "hi","x"y\n"",z\n'),
                         [(1, ["a", "b"]), (2, ['say "hi"', "xy"]), (3, ["", "z"])])
        self.assertEqual(self.every_way(b"a,b,\n1,2,"), [(1, ["a", "b", ""]), (2, ["1", "2", ""])])
        self.assertEqual(self.every_way(b"\r\n\nh\n\n\r\nv\n\n"), [(3, ["h"]), (6, ["v"])])
        self.assertEqual(self.every_way(b""), [])
        self.assertEqual(self.every_way("nome,note\r\n\"Zoë, la \"\"prima\"\"\",\"日本語\r\n🙂\"\r\n".encode()),
                         [(1, ["nome", "note"]), (2, ['Zoë, la "prima"', "日本語\r\n🙂"])])

    def test_windows_1252_per_record(self):
        reader = CsvReader()
        records = reader.push(b"nome,citt\xc3\xa0\nNicol\xf2,Forl\xec \x80\nJos\xc3\xa9,Cant\xc3\xb9\n") + reader.finish()
        self.assertEqual([(r.line, r.fields) for r in records],
                         [(1, ["nome", "città"]), (2, ["Nicolò", "Forlì €"]), (3, ["José", "Cantù"])])
        self.assertEqual([r.windows_1252 for r in records], [False, True, False])
        self.assertEqual(self.every_way(b"a,b\n\xc3,\xa9\n")[1], (2, ["Ã", "©"]))
        self.assertEqual(read_csv(lambda: CsvReader(encoding="windows-1252"), ["é\n".encode()]), [(1, ["Ã©"])])

    def test_errors(self):
        with self.assertRaises(CsvError) as e:
            read_csv(CsvReader, [b'a,b\n1,2\n3,"open\n4,5\n'])
        self.assertEqual(e.exception.line, 3)
        self.assertIn("not closed", e.exception.detail)
        reader = CsvReader(max_record_bytes=1 << 20)
        reader.push(b'a,b\n1,"never closed\n')
        with self.assertRaisesRegex(CsvError, "closing quote"):
            for _ in range(2000):
                reader.push(b"x" * 1000)
        with self.assertRaisesRegex(CsvError, "CSV UTF-8"):
            CsvReader().push(b"\xff\xfen\0o\0")

    def test_many_rows_keep_their_line_numbers(self):
        text = "email,note\n" + "".join(
            f'u{i}@example.com,"two\nlines"\n' if i % 10 == 0 else f"u{i}@example.com,plain\n" for i in range(1000))
        data = text.encode()
        reader = CsvReader()
        records = [r for i in range(0, len(data), 4093) for r in reader.push(data[i:i + 4093])] + reader.finish()
        self.assertEqual(len(records), 1001)
        line = 2
        for i, rec in enumerate(records[1:]):
            self.assertEqual((rec.line, rec.fields[0]), (line, f"u{i}@example.com"))
            line += 2 if i % 10 == 0 else 1


if __name__ == "__main__":
    unittest.main()
