import sys
import tomllib
import unittest
from pathlib import Path

from custode_sdk import Config, ConfigError, from_civil
from custode_sdk.testing import use_bindings

use_bindings("retention-rule")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wit_world.imports import types as t  # noqa: E402

from consent_withdrawn import ConsentWithdrawn  # noqa: E402

DAY = 86_400
NOW = from_civil(2026, 6, 1, 12)
HELD = [t.CategoryHeld(category=t.DataCategory.MARKETING, values=1, oldest=0),
        t.CategoryHeld(category=t.DataCategory.CONTACT, values=2, oldest=0)]


def subject(contact_id, consents=(), bases=(), restricted=False, legal_hold=False):
    return t.SubjectView(contact_id=contact_id, created_at=from_civil(2024, 1, 1), last_interaction=None, sources=[],
                         legal_bases=list(bases), consents=list(consents), categories=HELD,
                         restricted=restricted, legal_hold=legal_hold, objections=[])


def consent(state, days_ago, purpose="marketing", channel="email"):
    return t.ConsentState(purpose=purpose, channel=channel, state=state, at=NOW - days_ago * DAY)


def basis(kind, start_days_ago, end_days_ago=None):
    return t.BasisPeriod(purpose="contract", basis=kind, start=NOW - start_days_ago * DAY,
                         end=None if end_days_ago is None else NOW - end_days_ago * DAY)


def run(batch, **settings):
    return ConsentWithdrawn.evaluate(NOW, batch, Config.from_pairs(settings))


W, G, O = t.ConsentAction.WITHDRAWN, t.ConsentAction.GRANTED, t.ConsentAction.OBJECTED


class ConsentWithdrawnTest(unittest.TestCase):
    def test_withdrawn_everywhere_past_the_grace_period_is_erased(self):
        [d] = run([subject(7, [consent(W, 45), consent(O, 31, channel="sms")])])
        self.assertEqual((d.contact_id, d.action, d.legal_reference), (7, t.RetentionAction_Erase(), "GDPR Art. 7(3), Art. 17(1)(b)"))
        self.assertEqual(d.reason, "every consent was withdrawn, the last on 2026-05-01, and no other legal basis "
                                   "is in force (31 days ago; grace 30 days)")
        # It holds from the end of the grace period, the day before the run.
        self.assertEqual((d.holds_from, d.review_after), (NOW - 1 * DAY, None))

    def test_within_the_grace_period_kept_until_its_end(self):
        [d] = run([subject(8, [consent(W, 29)])])
        self.assertEqual(d.action, t.RetentionAction_Keep())
        self.assertEqual(d.review_after, NOW + 1 * DAY)
        self.assertTrue(d.reason.startswith("kept until 2026-06-02 (30 days of grace)"), d.reason)
        # Exactly at the end of the grace period the rule acts.
        [d] = run([subject(8, [consent(W, 30)])])
        self.assertEqual(d.action, t.RetentionAction_Erase())

    def test_a_granted_consent_or_another_basis_in_force_means_no_decision(self):
        self.assertEqual(run([
            subject(1, [consent(W, 400), consent(G, 500, channel="post")]),
            subject(2, [consent(W, 400)], [basis(t.LegalBasis.CONTRACT, 900)]),
            subject(3, [consent(W, 400)], [basis(t.LegalBasis.LEGITIMATE_INTEREST, 10)]),
        ]), [])

    def test_ended_or_future_bases_and_consent_periods_do_not_count(self):
        batch = [subject(4, [consent(W, 60)], [basis(t.LegalBasis.CONTRACT, 900, 100), basis(t.LegalBasis.CONSENT, 900),
                                               basis(t.LegalBasis.LEGAL_OBLIGATION, -5)])]
        [d] = run(batch)
        self.assertEqual(d.action, t.RetentionAction_Erase())

    def test_no_consent_and_no_basis_goes_to_review(self):
        [d] = run([subject(5, bases=[basis(t.LegalBasis.CONTRACT, 900, 10)])])
        self.assertEqual((d.action, d.legal_reference), (t.RetentionAction_Review(), "GDPR Art. 5(1)(a), Art. 6(1)"))
        self.assertIn("no consent and no legal basis in force", d.reason)

    def test_legal_hold_keeps_and_restriction_sends_to_review(self):
        held, restricted = run([subject(9, [consent(W, 90)], legal_hold=True), subject(10, [consent(W, 90)], restricted=True)])
        self.assertEqual((held.action, held.legal_reference), (t.RetentionAction_Keep(), "GDPR Art. 17(3)(e)"))
        self.assertTrue(held.reason.startswith("kept: under legal hold"))
        self.assertEqual(restricted.action, t.RetentionAction_Review())
        self.assertIn("restricted (Art. 18)", restricted.reason)

    def test_settings_change_the_grace_period_and_the_action(self):
        [d] = run([subject(11, [consent(W, 10)])], days="7", action="Anonymise")
        self.assertEqual(d.action, t.RetentionAction_Anonymise([t.DataCategory.CONTACT, t.DataCategory.MARKETING]))
        [d] = run([subject(11, [consent(W, 10)])], action="review")
        self.assertEqual(d.action, t.RetentionAction_Keep())
        [d] = run([subject(11, [consent(W, 40)])], action="review")
        self.assertEqual(d.action, t.RetentionAction_Review())

    def test_bad_settings_are_refused_with_the_fix(self):
        with self.assertRaisesRegex(ConfigError, r"setting `days`: 0 is out of range; write a number from 1 to 3650"):
            run([], days="0")
        with self.assertRaisesRegex(ConfigError, r"setting `action`: `delete` is not one of erase, anonymise, anonymize, review"):
            run([], action="delete")
        # The host asks when the settings are given: the same words then.
        self.assertEqual(ConsentWithdrawn.check_config(Config.from_pairs({"days": "7", "action": "review"})), [])
        with self.assertRaisesRegex(ConfigError, r"setting `days`: 0 is out of range"):
            ConsentWithdrawn.check_config(Config.from_pairs({"days": "0"}))

    def test_describe_lists_every_setting_read_and_the_version(self):
        info = ConsentWithdrawn.describe()
        config = Config.from_pairs({})
        ConsentWithdrawn.from_config(config)
        self.assertEqual([k.name for k in info.config_keys], config.keys_read())
        project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
        self.assertEqual((info.name, info.version, info.kind), (project["name"], project["version"], t.PluginKind.RETENTION_RULE))


if __name__ == "__main__":
    unittest.main()
