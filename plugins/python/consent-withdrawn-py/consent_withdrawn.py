"""``consent-withdrawn-py``: data held only on consent goes once every consent has been withdrawn.

Consent can be withdrawn at any time, and processing based on it must then stop (GDPR Art. 7(3));
data whose only basis was consent must be erased (Art. 17(1)(b)). The rule leaves a grace period
(``days``, 30 by default) after the latest withdrawal, so that a late re-subscription, a complaint or
a request in progress can still be handled. For each subject, in this order:

1. another legal basis is in force now (a contract, a legal obligation, legitimate interest, ...),
   or some consent is currently granted: no decision (the subject is kept; other rules, such as the
   bundled ``legitimate-interest`` one, decide about those bases);
2. consents are recorded and every one is withdrawn (or objected to): within the grace period,
   **keep** with ``review-after`` at its end; after it, the setting ``action``: **erase** (the
   default; the host keeps what a legal obligation requires and the suppression hash), **anonymise**
   the categories the subject holds, or **review**;
3. no consent and no basis in force at all: **review** (a person finds the basis or erases);
4. whatever 2 or 3 decided other than keep: under legal hold it becomes **keep**, saying so
   (Art. 17(3)(e)); with processing restricted (Art. 18) an erasure or anonymisation becomes
   **review**.

A decision after the grace period holds from its end (``holds-from``), so a run evaluated ahead of
time shows when it falls due. Bad settings are refused when the admin gives them (``check_config``).
"""

from __future__ import annotations

from dataclasses import dataclass

from custode_sdk import Config, add_days, format_date
from custode_sdk.records import Action, config_key, decision, plugin_info, types

VERSION = "0.1.0"
CONSENT_REFERENCE = "GDPR Art. 7(3), Art. 17(1)(b)"
NO_BASIS_REFERENCE = "GDPR Art. 5(1)(a), Art. 6(1)"
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class ConsentWithdrawn:
    days: int = 30
    action: str = "erase"

    @staticmethod
    def describe():
        return plugin_info(
            "consent-withdrawn-py", VERSION, "retention-rule",
            "Erases contacts held only on consent once every consent has been withdrawn for 30 days; "
            "sends contacts with no legal basis to review",
            [
                config_key("days", "days after the latest withdrawal before acting, 1 to 3650", default_value="30"),
                config_key("action", "what to do after that: erase, anonymise or review", default_value="erase"),
            ],
        )

    @staticmethod
    def from_config(config: Config) -> "ConsentWithdrawn":
        days = config.integer("days", 1, 3650)
        action = config.choice("action", ["erase", "anonymise", "anonymize", "review"])
        return ConsentWithdrawn(days=30 if days is None else days,
                                action="anonymise" if action == "anonymize" else action or "erase")

    @staticmethod
    def check_config(config: Config):
        """Refuses a bad ``days`` or ``action`` when the admin gives it, not at the first run."""
        ConsentWithdrawn.from_config(config)
        return []

    @staticmethod
    def evaluate(now: int, batch, config: Config):
        rule = ConsentWithdrawn.from_config(config)
        return [d for d in (rule.decide(now, s) for s in batch) if d is not None]

    def decide(self, now: int, s):
        t = types()
        in_force = [b for b in s.legal_bases
                    if b.basis != t.LegalBasis.CONSENT and b.start <= now and (b.end is None or b.end > now)]
        if in_force or any(c.state == t.ConsentAction.GRANTED for c in s.consents):
            return None
        if not s.consents:
            return self._guarded(s, Action.review(), "no consent and no legal basis in force are recorded: "
                                 "a person must record the basis or erase the data", NO_BASIS_REFERENCE)
        last = max(c.at for c in s.consents)
        deadline = add_days(last, self.days)
        withdrawn = f"every consent was withdrawn, the last on {format_date(last)}, and no other legal basis is in force"
        if now < deadline:
            return decision(s.contact_id, Action.keep(), f"kept until {format_date(deadline)} ({self.days} days of grace): "
                            f"{withdrawn}", CONSENT_REFERENCE, deadline)
        if self.action == "review":
            action = Action.review()
        elif self.action == "anonymise":
            action = Action.anonymise(sorted({c.category for c in s.categories}, key=lambda c: c.value))
        else:
            action = Action.erase()
        days_ago = (now - last) // SECONDS_PER_DAY
        return self._guarded(s, action, f"{withdrawn} ({days_ago} days ago; grace {self.days} days)", CONSENT_REFERENCE,
                             holds_from=deadline)

    def _guarded(self, s, action, why: str, reference: str, holds_from=None):
        t = types()
        if s.legal_hold:
            return decision(s.contact_id, Action.keep(), f"kept: under legal hold, nothing may be erased; {why}",
                            "GDPR Art. 17(3)(e)")
        if s.restricted and isinstance(action, (t.RetentionAction_Erase, t.RetentionAction_Anonymise)):
            return decision(s.contact_id, Action.review(),
                            f"review: processing is restricted (Art. 18), a person decides; {why}", reference,
                            holds_from=holds_from)
        return decision(s.contact_id, action, why, reference, holds_from=holds_from)
