import sys
import unittest
from pathlib import Path

from custode_sdk import Config, ConfigError, from_civil
from custode_sdk.testing import use_bindings

use_bindings("retention-rule")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wit_world.imports import types as t  # noqa: E402

from {{module}} import Rule  # noqa: E402


def subject(contact_id, last_interaction, legal_hold=False):
    return t.SubjectView(contact_id=contact_id, created_at=from_civil(2020, 1, 1), last_interaction=last_interaction,
                         sources=[], legal_bases=[], consents=[], objections=[], categories=[], restricted=False,
                         legal_hold=legal_hold)


class RuleTest(unittest.TestCase):
    def test_silent_past_the_limit_is_erased_from_the_day_it_was_reached(self):
        batch = [subject(1, from_civil(2024, 3, 10)), subject(2, from_civil(2025, 1, 1)), subject(3, None),
                 subject(4, None, legal_hold=True)]
        decisions = Rule.evaluate(from_civil(2026, 6, 1), batch, Config.from_pairs({}))
        self.assertEqual([d.contact_id for d in decisions], [1, 3], "2 is within 24 months; 4 is under legal hold")
        self.assertEqual(decisions[0].action, t.RetentionAction_Erase())
        self.assertEqual(decisions[0].holds_from, from_civil(2026, 3, 10))
        self.assertIn("2024-03-10", decisions[0].reason)

    def test_months_is_a_setting_and_a_bad_value_is_refused(self):
        decisions = Rule.evaluate(from_civil(2025, 8, 1), [subject(2, from_civil(2025, 1, 1))],
                                  Config.from_pairs({"months": "6"}))
        self.assertEqual(len(decisions), 1)
        with self.assertRaisesRegex(ConfigError, "months"):
            Rule.check_config(Config.from_pairs({"months": "0"}))


if __name__ == "__main__":
    unittest.main()
