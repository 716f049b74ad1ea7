// Type-checked by `npm run typecheck` (never run): the declarations describe the helpers and every
// WIT record a plugin builds, and they reject what the host would refuse.
import {
  Action, Config, CsvReader, Lines, configProblem, contactRecord, decision, email, fromCivil, monthsBetween, pluginInfo,
  type ConfigProblem, type ContactRecord, type RetentionDecision, type SubjectView,
} from '@custode/plugin-sdk';
import { importer, retentionRule } from '@custode/plugin-sdk/world';

class Importer {
  lines = new Lines();
  csv = new CsvReader({ delimiter: ';' });
  static describe() {
    return pluginInfo({ name: 'typed', version: '1.0.0', kind: 'importer', summary: 'typed' });
  }
  static open(_config: Config) {
    return new Importer();
  }
  push(chunk: Uint8Array) {
    const records: ContactRecord[] = this.lines.push(chunk).map(([row, line]) => contactRecord(row, { identities: [email(line)] }));
    return { records };
  }
  finish() {
    return { records: [], rejected: [] };
  }
}
export const { plugin, source } = importer(Importer);

export const rule = retentionRule({
  describe: () => pluginInfo({ name: 'r', version: '1.0.0', kind: 'retention-rule', summary: 's' }),
  evaluate(now: bigint, batch: SubjectView[]): RetentionDecision[] {
    return batch
      .filter((s) => monthsBetween(s.lastInteraction ?? s.createdAt, now) > 36)
      .map((s) => decision(s.contactId, Action.anonymise(['contact', 'notes']), 'silent', 'GDPR Art. 5(1)(e)', fromCivil(2027, 1, 1)));
  },
  checkConfig: (config) => (config.string('mode') === 'loud' ? [configProblem('mode', 'write quiet')] : []),
});
decision(1n, Action.erase, 'silent', 'GDPR Art. 5(1)(e)', { holdsFrom: fromCivil(2026, 3, 10) });
// @ts-expect-error: a config problem has a message
const problem: ConfigProblem = { key: 'mode' };

// @ts-expect-error: not a plugin kind
pluginInfo({ name: 'x', version: '1', kind: 'importers', summary: '' });
// @ts-expect-error: not a data category
Action.anonymise(['names']);
// @ts-expect-error: an identity is a tagged variant, not a string
contactRecord(1, { identities: ['a@example.com'] });
