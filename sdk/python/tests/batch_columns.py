"""A test helper: a ``SubjectBatch`` (plugin API 0.3.0) as componentize-py lifts one, for the
subjects given (each with no rows unless the columns say otherwise)."""


def columns(**fields):
    from wit_world.exports.rule import SubjectBatch

    n = len(fields.get("contact_ids", []))
    subject = {"created_at": [0] * n, "last_interaction": [0] * n, "flags": bytes(n)}
    counts = {f"{t}_counts": [0] * n for t in ("source", "basis", "consent", "objection", "category")}
    empty = {name: [] for name in SubjectBatch.__dataclass_fields__}
    for name in ("flags", "source_channels", "basis_kinds", "basis_has_end", "consent_states",
                 "objection_states", "category_kinds"):
        empty[name] = b""
    values = {**empty, **subject, **counts, **fields}
    for name, value in values.items():
        if isinstance(empty[name], bytes) and isinstance(value, list):
            values[name] = bytes(value)
    return SubjectBatch(**values)
