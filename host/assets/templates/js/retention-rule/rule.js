// `{{name}}`: a Custode retention rule. A contact silent for `months` months (default 24) is
// erased: storage limitation, GDPR Art. 5(1)(e). A contact under legal hold gets no decision.
//
// The host calls `evaluate` with the time of the run (seconds, a bigint) and a batch of subjects;
// a subject with no decision is kept. Each decision says from when it holds.

import { Action, addMonths, configKey, decision, formatDate, pluginInfo } from '@custode/plugin-sdk';

const REFERENCE = 'GDPR Art. 5(1)(e)';

export const Rule = {
  describe() {
    return pluginInfo({
      name: '{{name}}',
      version: '0.1.0',
      kind: 'retention-rule',
      summary: 'Erases contacts silent for 24 months (storage limitation)',
      configKeys: [configKey('months', 'Months without interaction before erasure, 1 to 1200', { defaultValue: '24' })],
    });
  },

  /** Refuses a bad `months` when the admin sets it, not at the first run (throws a ConfigError). */
  checkConfig(config) {
    months(config);
    return [];
  },

  /**
   * @param {bigint} now
   * @param {import('@custode/plugin-sdk').SubjectView[]} batch
   * @param {import('@custode/plugin-sdk').Config} config
   */
  evaluate(now, batch, config) {
    const limitMonths = months(config);
    const decisions = [];
    for (const s of batch) {
      if (s.legalHold) continue;
      const last = s.lastInteraction ?? s.createdAt;
      const limit = addMonths(last, limitMonths);
      if (now < limit) continue;
      const reason = `no interaction since ${formatDate(last)} (limit ${limitMonths} months, reached on ${formatDate(limit)})`;
      decisions.push(decision(s.contactId, Action.erase, reason, REFERENCE, { holdsFrom: limit }));
    }
    return decisions;
  },
};

function months(config) {
  return config.integer('months', { min: 1, max: 1200 }) ?? 24;
}
