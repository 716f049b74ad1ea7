// `{{name}}`: a Custode importer. Reads a CSV file with a header line; the column named by the
// setting `column` (default `email`) holds each contact's email address. A row without an address
// is reported as a refused row and the import goes on.
//
// The host calls `open`, then `push` with the input in chunks of any size (a row, or a UTF-8
// character, may be split between two chunks: `CsvReader` keeps the incomplete part), then `finish`.

import { CsvReader, ImportError, configKey, contactRecord, email, pluginInfo, rowError } from '@custode/plugin-sdk';

export class Importer {
  static describe() {
    return pluginInfo({
      name: '{{name}}',
      version: '0.1.0',
      kind: 'importer',
      summary: 'Contacts from a CSV file: one email address per row',
      configKeys: [configKey('column', 'The header of the column holding the email addresses', { defaultValue: 'email' })],
    });
  }

  /** @param {import('@custode/plugin-sdk').Config} config */
  static open(config) {
    return new Importer(config.string('column') ?? 'email');
  }

  constructor(column) {
    this.column = column;
    this.reader = new CsvReader();
    this.index = undefined;
  }

  /** @param {Uint8Array} chunk */
  push(chunk) {
    return this.rows(this.reader.push(chunk));
  }

  finish() {
    return this.rows(this.reader.finish());
  }

  rows(rows) {
    const records = [];
    const rejected = [];
    for (const { line, fields } of rows) {
      if (this.index === undefined) {
        const headers = fields.map((h) => h.trim());
        this.index = headers.findIndex((h) => h.toLowerCase() === this.column.toLowerCase());
        if (this.index < 0) {
          throw new ImportError(
            `the header has no column \`${this.column}\` (it has: ${headers.join(', ')}); set \`column\` to the one holding the email addresses`,
            { row: line },
          );
        }
        continue;
      }
      const address = (fields[this.index] ?? '').trim();
      if (address.includes('@')) records.push(contactRecord(line, { identities: [email(address)] }));
      else rejected.push(rowError(line, `\`${address}\` is not an email address`, this.column));
    }
    return { records, rejected };
  }
}
