import doctest
import unittest

import custode_sdk.config
import custode_sdk.csvreader
import custode_sdk.dates
import custode_sdk.text
from custode_sdk import (Config, ConfigError, add_months, civil_from_days, days_from_civil, days_in_month,
                         epoch_seconds_or_millis, format_iso, from_civil, months_between, parse_date)


def iso(text, order="day-first"):
    return format_iso(parse_date(text, order))


class DatesTest(unittest.TestCase):
    def test_civil_round_trips(self):
        days, (y, m, d) = days_from_civil(1600, 1, 1), (1600, 1, 1)
        while days <= days_from_civil(2400, 12, 31):
            self.assertEqual(civil_from_days(days), (y, m, d))
            d += 1
            if d > days_in_month(y, m):
                d, m = 1, m + 1
                if m > 12:
                    m, y = 1, y + 1
            days += 1

    def test_known_timestamps(self):
        self.assertEqual(from_civil(2026, 1, 15, 10, 30), 1_768_473_000)
        self.assertEqual(format_iso(-1), "1969-12-31T23:59:59Z")
        self.assertEqual(format_iso(253_402_300_800), "+10000-01-01T00:00:00Z")
        with self.assertRaisesRegex(ValueError, "February 1900 has 28 days"):
            from_civil(1900, 2, 29)

    def test_months(self):
        t = from_civil(2024, 2, 29, 23, 59, 59)
        self.assertEqual([format_iso(add_months(t, n)) for n in (12, 48, -24)],
                         ["2025-02-28T23:59:59Z", "2028-02-29T23:59:59Z", "2022-02-28T23:59:59Z"])
        self.assertEqual(months_between(from_civil(2024, 1, 15, 12), from_civil(2026, 1, 15, 11)), 23)
        self.assertEqual(months_between(from_civil(2024, 1, 31), from_civil(2024, 2, 29)), 1)
        self.assertEqual(months_between(from_civil(2026, 5, 10), from_civil(2026, 3, 11)), -1)
        start = from_civil(2023, 1, 1)
        for i in range(200):
            a = start + i * 37_003
            for j in range(40):
                b = a + j * 1_000_003
                n = months_between(a, b)
                self.assertTrue(add_months(a, n) <= b < add_months(a, n + 1))

    def test_forms(self):
        for text, want in [
            ("2026-01-15", "2026-01-15T00:00:00Z"), (" 2026/1/5 ", "2026-01-05T00:00:00Z"),
            ("20260115", "2026-01-15T00:00:00Z"), ("2026-01-15T10:30", "2026-01-15T10:30:00Z"),
            ("2026-01-15 10:30:45", "2026-01-15T10:30:45Z"), ("2026-01-15T10:30:45.123456Z", "2026-01-15T10:30:45Z"),
            ("2026-01-15T00:30:00+01:00", "2026-01-14T23:30:00Z"), ("2026-01-15T10:30:00-0530", "2026-01-15T16:00:00Z"),
            ("2026-01-15T10:30:00+02", "2026-01-15T08:30:00Z"), ("2026-01-15 10:30:00 +0000", "2026-01-15T10:30:00Z"),
            ("20260115T103000Z", "2026-01-15T10:30:00Z"), ("20260115T1030", "2026-01-15T10:30:00Z"),
            ("15/01/2026", "2026-01-15T00:00:00Z"), ("5/1/2026", "2026-01-05T00:00:00Z"),
            ("15.01.2026", "2026-01-15T00:00:00Z"), ("15/01/2026  09:05:07", "2026-01-15T09:05:07Z"),
            ("15/01/2026 9:05", "2026-01-15T09:05:00Z"), ("29/02/2024", "2024-02-29T00:00:00Z"),
        ]:
            self.assertEqual(iso(text), want, text)
        self.assertEqual(iso("01/15/2026 10:30", "month-first"), "2026-01-15T10:30:00Z")

    def test_errors_say_what_and_how(self):
        def err(text, order="day-first"):
            with self.assertRaises(ValueError) as e:
                parse_date(text, order)
            return str(e.exception)
        self.assertEqual(err("2026-13-01"), "`2026-13-01` is not a date (there is no month 13); use YYYY-MM-DD or dd/mm/yyyy")
        self.assertEqual(err("15/01/26"), "`15/01/26` is not a date (the year has two digits; write all four); use YYYY-MM-DD or dd/mm/yyyy")
        self.assertEqual(err("ieri"), "`ieri` is not a date; use YYYY-MM-DD or dd/mm/yyyy")
        self.assertEqual(err("2026-01-15 25:00", "month-first"),
                         "`2026-01-15 25:00` is not a date (25:00:00 is not a time of day); use YYYY-MM-DD or mm/dd/yyyy")
        for bad in ["", "2026-01", "2026-01-15T", "2026-01-15X10:00", "15/01-2026", "2026-01-15T10",
                    "2026-01-15T10:30:00+1", "15/01/2026 10:30 pm", "2026-01-15T10:30:00.Z", "1768473000",
                    "2026-1-15-", "01/15/2026", "2026-01-150", "10:30:5"]:
            with self.assertRaises(ValueError, msg=bad):
                parse_date(bad)
        self.assertEqual(epoch_seconds_or_millis(1_768_473_000_123), 1_768_473_000)


class ConfigTest(unittest.TestCase):
    def test_typed_settings_name_the_key(self):
        c = Config.from_pairs({"a": "  x ", "b": " ", "on": "ON", "bad": "maybe", "n": "2x", "big": "5000",
                               "m": 'Consenso marketing = marketing:email\n"a=b"="x,y",,', "bad3": "a=b=c"})
        self.assertEqual((c.string("a"), c.string("b"), c.bool("on")), ("x", None, True))
        with self.assertRaisesRegex(ConfigError, r"^setting `bad`: `maybe` is not a yes/no value; write true or false$"):
            c.bool("bad")
        with self.assertRaisesRegex(ConfigError, "`2x` is not a valid number"):
            c.integer("n")
        with self.assertRaisesRegex(ConfigError, "5000 is out of range; write a number from 1 to 1200"):
            c.integer("big", 1, 1200)
        self.assertEqual(c.map("m"), [("Consenso marketing", "marketing:email"), ("a=b", "x,y")])
        with self.assertRaises(ConfigError):
            c.map("bad3")
        self.assertEqual(c.keys_read(), ["a", "b", "on", "bad", "n", "big", "m", "bad3"])


def load_tests(loader, tests, ignore):
    for module in (custode_sdk.config, custode_sdk.csvreader, custode_sdk.dates, custode_sdk.text):
        tests.addTests(doctest.DocTestSuite(module))
    return tests


if __name__ == "__main__":
    unittest.main()
