"""The columns of plugin API 0.3.0 turned back into subject views (``custode_sdk.batch``)."""

import unittest

from custode_sdk.testing import use_bindings

use_bindings("retention-rule")

from wit_world.imports import types  # noqa: E402

from custode_sdk.batch import MalformedBatch, subject_views  # noqa: E402

from batch_columns import columns  # noqa: E402


def example():
    """The example of retention.wit."""
    return columns(names=["marketing"], contact_ids=[42], created_at=[1700000000], flags=[1],
                   basis_counts=[1], basis_purposes=[0], basis_kinds=[6], basis_starts=[1700000000],
                   basis_ends=[0], basis_has_end=[0])


class SubjectViewsTest(unittest.TestCase):
    def test_the_documented_example_is_one_restricted_subject_on_legitimate_interest(self):
        [view] = subject_views(example(), types)
        self.assertEqual(view, types.SubjectView(
            contact_id=42, created_at=1700000000, last_interaction=None, sources=[],
            legal_bases=[types.BasisPeriod(purpose="marketing", basis=types.LegalBasis.LEGITIMATE_INTEREST,
                                           start=1700000000, end=None)],
            consents=[], objections=[], categories=[], restricted=True, legal_hold=False))

    def test_rows_go_to_their_own_subject_in_order(self):
        v = subject_views(columns(
            names=["Fiera", "marketing", "email", "any"],
            contact_ids=[1, 2, 3], created_at=[10, 20, 30], last_interaction=[11, 0, 33], flags=[4, 2, 5],
            source_counts=[0, 1, 0], source_labels=[0], source_channels=[4], source_collected_at=[21],
            basis_counts=[0, 0, 1], basis_purposes=[1], basis_kinds=[3], basis_starts=[31], basis_ends=[32],
            basis_has_end=[1],
            consent_counts=[2, 0, 0], consent_purposes=[1, 1], consent_channels=[2, 3], consent_states=[0, 1],
            consent_at=[12, 13],
            objection_counts=[0, 0, 1], objection_purposes=[1], objection_channels=[2], objection_states=[2],
            objection_at=[34],
            category_counts=[1, 0, 0], category_kinds=[2], category_values=[5], category_oldest=[14],
        ), types)
        self.assertEqual(len(v), 3)
        self.assertEqual((v[0].last_interaction, v[1].last_interaction), (11, None))
        self.assertEqual(v[0].consents[1], types.ConsentState(purpose="marketing", channel="any",
                                                              state=types.ConsentAction.WITHDRAWN, at=13))
        self.assertEqual(v[0].categories, [types.CategoryHeld(category=types.DataCategory.FINANCIAL, values=5,
                                                              oldest=14)])
        self.assertEqual(v[1].sources, [types.SourceSummary(label="Fiera", channel=types.SourceChannel.FAIR,
                                                            collected_at=21)])
        self.assertTrue(v[1].legal_hold and not v[1].restricted)
        self.assertEqual((v[2].legal_bases[0].basis, v[2].legal_bases[0].end), (types.LegalBasis.LEGAL_OBLIGATION, 32))
        self.assertEqual(v[2].objections[0].state, types.ConsentAction.OBJECTED)
        self.assertTrue(v[2].restricted)

    def test_an_inconsistent_batch_is_refused_with_the_column_named(self):
        for change, words in [
            ({"basis_kinds": b""}, "`basis_kinds` has 0 entries for 1 rows"),
            ({"basis_purposes": [7]}, "name 7"),
            ({"basis_kinds": bytes([9])}, "`basis_kinds` holds 9"),
            ({"flags": b""}, "`flags` has 0"),
        ]:
            batch = example()
            for key, value in change.items():
                setattr(batch, key, value)
            with self.assertRaises(MalformedBatch) as e:
                subject_views(batch, types)
            self.assertIn(words, str(e.exception))


if __name__ == "__main__":
    unittest.main()
