"""``{{name}}``: a Custode exporter. Writes what is held about one person as plain text: the
identities and the current field values, one per line (a short access copy, GDPR Art. 15). When
the document answers a request, its number is on the first lines.
"""

from __future__ import annotations

from custode_sdk import format_date
from custode_sdk.records import plugin_info, types


def text(subject) -> str:
    t = types()
    out = f"Personal data held about contact {subject.contact_id}\n"
    if subject.request is not None:
        out += f"In answer to request {subject.request.id}, received on {format_date(subject.request.received_at)}\n"
    out += f"Controller: {subject.controller}\n\n"
    for entry in subject.identities:
        identity = entry.identity
        if isinstance(identity, t.Identity_External):
            out += f"{identity.value.system}: {identity.value.id}\n"
        elif isinstance(identity, t.Identity_Phone):
            out += f"phone: {identity.value}\n"
        else:
            out += f"email: {identity.value}\n"
    for field in subject.fields:
        if field.current:
            out += f"{field.name}: {field.value}\n"
    return out


class Exporter:
    @staticmethod
    def describe():
        return plugin_info("{{name}}", "0.1.0", "exporter", "A plain-text copy of a person's identities and data")

    @staticmethod
    def render(subject, config):
        return types().Document(file_name=f"contact-{subject.contact_id}.txt",
                                media_type="text/plain; charset=utf-8", bytes=text(subject).encode("utf-8"))
