// `lines-js`: one email address per line, the JavaScript twin of the bundled Rust `lines`
// importer. `Lines` keeps an incomplete line (or half of a UTF-8 character) between chunks, blank
// lines are skipped, and every other line becomes a record with an email identity. The host checks
// the addresses; this plugin only reads them.

import { Lines, contactRecord, email, pluginInfo } from '@custode/plugin-sdk';

export const VERSION = '0.1.0';

export class EmailList {
  static describe() {
    return pluginInfo({
      name: 'lines-js',
      version: VERSION,
      kind: 'importer',
      summary: 'One email address per line (written in JavaScript)',
    });
  }

  /** @param {import('@custode/plugin-sdk').Config} _config this plugin has no settings */
  static open(_config) {
    return new EmailList();
  }

  constructor() {
    this.lines = new Lines();
  }

  /** @param {Uint8Array} chunk */
  push(chunk) {
    return records(this.lines.push(chunk));
  }

  finish() {
    return records(this.lines.finish());
  }
}

/** @param {Array<[number, string]>} lines */
function records(lines) {
  const out = [];
  for (const [row, line] of lines) {
    const address = line.trim();
    if (address !== '') out.push(contactRecord(row, { identities: [email(address)] }));
  }
  return { records: out, rejected: [] };
}
