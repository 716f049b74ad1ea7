"""The component's app module: connects ConsentWithdrawn to the retention-rule world."""

from consent_withdrawn import ConsentWithdrawn
from custode_sdk.world import retention_rule

Plugin, Rule = retention_rule(ConsentWithdrawn)
