"""The component's app module: connects the rule to the retention-rule world."""

from custode_sdk.world import retention_rule
from {{module}} import Rule

Plugin, Rule = retention_rule(Rule)
