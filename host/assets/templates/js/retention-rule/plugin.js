// The component's entry file: connects the rule to the retention-rule world.
import { retentionRule } from '@custode/plugin-sdk/world';
import { Rule } from './rule.js';

export const { plugin, rule } = retentionRule(Rule);
