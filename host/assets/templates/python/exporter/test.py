import sys
import unittest
from pathlib import Path

from custode_sdk.testing import use_bindings

use_bindings("exporter")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wit_world.imports import types as t  # noqa: E402

from {{module}} import text  # noqa: E402


def package(request=None):
    def field(value, current):
        return t.FieldEntry(name="city", category=t.DataCategory.CONTACT, value=value, provenance=None,
                            recorded_at=0, current=current)

    return t.SubjectPackage(
        contact_id=42, generated_at=0, controller="Rossi S.r.l.", data_location="Milan, Italy (EU)", created_at=0,
        last_interaction=None, identities=[t.IdentityEntry(identity=t.Identity_Email("anna@example.it"), provenance=1)],
        fields=[field("Forlì", True), field("Milano", False)], provenance=[], purposes=[], consents=[], notices=[],
        retention=[], recipients=[], restricted=False, legal_hold=False, former_identities=[], restriction_periods=[],
        legal_hold_since=None, controller_contact=None, supervisory_authority=None, request=request)


class ExporterTest(unittest.TestCase):
    def test_lists_identities_and_current_values(self):
        self.assertEqual(text(package()), "Personal data held about contact 42\nController: Rossi S.r.l.\n\n"
                                          "email: anna@example.it\ncity: Forlì\n")

    def test_names_the_request_it_answers(self):
        request = t.RequestCase(id=17, kind=t.RequestKind.ACCESS, language=None, received_at=1767225600,
                                due_at=1769904000)
        self.assertIn("In answer to request 17, received on 2026-01-01", text(package(request)))


if __name__ == "__main__":
    unittest.main()
