"""Plugin API 0.3.0 passes a retention rule its subjects in columns (``subject-batch``, documented in
``wit/since_v0.3.0/retention.wit``): lists of numbers the host copies in one piece each, far cheaper
than a list of views. :func:`subject_views` turns them back into the ``SubjectView`` records a rule
reads, so rules are written the same whatever the version."""

from __future__ import annotations

RESTRICTED = 1
LEGAL_HOLD = 2
INTERACTED = 4


class MalformedBatch(ValueError):
    """The host sent columns that do not hold together (it never does)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"the host sent a malformed subject batch: {what} (this SDK reads plugin API 0.3.0)")


def _same(column: str, length: int, expected: int, of: str) -> None:
    if length != expected:
        raise MalformedBatch(f"`{column}` has {length} entries for {expected} {of}")


class _Table:
    """One table's rows, handed out subject by subject, its columns checked against the counts."""

    def __init__(self, batch, counts: str, columns: list[str]) -> None:
        self.counts = getattr(batch, counts)
        rows = sum(self.counts)
        for column in columns:
            _same(column, len(getattr(batch, column)), rows, "rows")
        self.next = 0

    def of(self, i: int) -> range:
        start = self.next
        self.next += self.counts[i]
        return range(start, self.next)


def subject_views(batch, types) -> list:
    """The subject views of ``batch`` (a ``SubjectBatch``), in its order, as records of ``types``
    (the bindings' ``wit_world.imports.types``). An inconsistent batch raises :class:`MalformedBatch`."""
    b = batch
    n = len(b.contact_ids)
    for column in ("created_at", "last_interaction", "flags", "source_counts", "basis_counts",
                   "consent_counts", "objection_counts", "category_counts"):
        _same(column, len(getattr(b, column)), n, "subjects")
    sources = _Table(b, "source_counts", ["source_labels", "source_channels", "source_collected_at"])
    bases = _Table(b, "basis_counts", ["basis_purposes", "basis_kinds", "basis_starts", "basis_ends", "basis_has_end"])
    consents = _Table(b, "consent_counts", ["consent_purposes", "consent_channels", "consent_states", "consent_at"])
    objections = _Table(b, "objection_counts",
                        ["objection_purposes", "objection_channels", "objection_states", "objection_at"])
    categories = _Table(b, "category_counts", ["category_kinds", "category_values", "category_oldest"])

    def name(i: int) -> str:
        if i >= len(b.names):
            raise MalformedBatch(f"name {i} is not in `names` ({len(b.names)})")
        return b.names[i]

    def nth(enum, code: int, column: str):
        try:
            return enum(code)
        except ValueError:
            raise MalformedBatch(f"`{column}` holds {code}, which is no case of its enum") from None

    def state(purposes, channels, states, at, column: str):
        return lambda j: types.ConsentState(purpose=name(purposes[j]), channel=name(channels[j]),
                                            state=nth(types.ConsentAction, states[j], column), at=at[j])

    consent = state(b.consent_purposes, b.consent_channels, b.consent_states, b.consent_at, "consent_states")
    objection = state(b.objection_purposes, b.objection_channels, b.objection_states, b.objection_at,
                      "objection_states")
    views = []
    for i in range(n):
        flags = b.flags[i]
        views.append(types.SubjectView(
            contact_id=b.contact_ids[i],
            created_at=b.created_at[i],
            last_interaction=b.last_interaction[i] if flags & INTERACTED else None,
            sources=[types.SourceSummary(label=name(b.source_labels[j]),
                                         channel=nth(types.SourceChannel, b.source_channels[j], "source_channels"),
                                         collected_at=b.source_collected_at[j]) for j in sources.of(i)],
            legal_bases=[types.BasisPeriod(purpose=name(b.basis_purposes[j]),
                                           basis=nth(types.LegalBasis, b.basis_kinds[j], "basis_kinds"),
                                           start=b.basis_starts[j],
                                           end=b.basis_ends[j] if b.basis_has_end[j] else None)
                         for j in bases.of(i)],
            consents=[consent(j) for j in consents.of(i)],
            objections=[objection(j) for j in objections.of(i)],
            categories=[types.CategoryHeld(category=nth(types.DataCategory, b.category_kinds[j], "category_kinds"),
                                           values=b.category_values[j], oldest=b.category_oldest[j])
                        for j in categories.of(i)],
            restricted=bool(flags & RESTRICTED),
            legal_hold=bool(flags & LEGAL_HOLD),
        ))
    return views
