import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config, fromCivil } from '@custode/plugin-sdk';
import { Rule } from '../src/rule.js';

const subject = (contactId, lastInteraction, legalHold = false) => ({
  contactId, createdAt: fromCivil(2020, 1, 1), lastInteraction, sources: [], legalBases: [], consents: [],
  objections: [], categories: [], restricted: false, legalHold,
});

test('silent past the limit is erased, from the day the limit was reached', () => {
  const batch = [
    subject(1n, fromCivil(2024, 3, 10)),
    subject(2n, fromCivil(2025, 1, 1)),
    subject(3n, undefined),
    subject(4n, undefined, true),
  ];
  const decisions = Rule.evaluate(fromCivil(2026, 6, 1), batch, Config.fromPairs({}));
  assert.deepEqual(decisions.map((d) => d.contactId), [1n, 3n], '2 is within 24 months; 4 is under legal hold');
  assert.equal(decisions[0].action.tag, 'erase');
  assert.equal(decisions[0].holdsFrom, fromCivil(2026, 3, 10));
  assert.match(decisions[0].reason, /2024-03-10/);
});

test('months is a setting and a bad value is refused', () => {
  const decisions = Rule.evaluate(fromCivil(2025, 8, 1), [subject(2n, fromCivil(2025, 1, 1))], Config.fromPairs({ months: '6' }));
  assert.equal(decisions.length, 1);
  assert.throws(() => Rule.checkConfig(Config.fromPairs({ months: '0' })), { name: 'ConfigError', message: /months/ });
});
