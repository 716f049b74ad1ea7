"""``{{name}}``: a Custode retention rule. A contact silent for ``months`` months (default 24) is
erased: storage limitation, GDPR Art. 5(1)(e). A contact under legal hold gets no decision.

The host calls ``evaluate`` with the time of the run (seconds) and a batch of subjects; a subject
with no decision is kept. Each decision says from when it holds (the day the limit was reached).
"""

from __future__ import annotations

from custode_sdk import Config, add_months, format_date
from custode_sdk.records import Action, config_key, decision, plugin_info

REFERENCE = "GDPR Art. 5(1)(e)"


def _months(config: Config) -> int:
    months = config.integer("months", 1, 1200)
    return 24 if months is None else months


class Rule:
    @staticmethod
    def describe():
        return plugin_info("{{name}}", "0.1.0", "retention-rule",
                           "Erases contacts silent for 24 months (storage limitation)",
                           [config_key("months", "Months without interaction before erasure, 1 to 1200",
                                       default_value="24")])

    @staticmethod
    def check_config(config: Config):
        """Refuses a bad ``months`` when the admin sets it, not at the first run."""
        _months(config)
        return []

    @staticmethod
    def evaluate(now: int, batch, config: Config):
        months = _months(config)
        decisions = []
        for s in batch:
            if s.legal_hold:
                continue
            last = s.last_interaction if s.last_interaction is not None else s.created_at
            limit = add_months(last, months)
            if now < limit:
                continue
            reason = (f"no interaction since {format_date(last)} "
                      f"(limit {months} months, reached on {format_date(limit)})")
            decisions.append(decision(s.contact_id, Action.erase(), reason, REFERENCE, holds_from=limit))
        return decisions
