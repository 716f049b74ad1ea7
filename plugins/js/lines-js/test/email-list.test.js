import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { everySplit, runImporter, utf8 } from '@custode/plugin-sdk/testing';
import { EmailList, VERSION } from '../src/email-list.js';

const emails = (result) => result.records.map((r) => [r.row, r.identities.map((i) => `${i.tag}:${i.val}`)]);

test('one record per non-blank line, numbered by line, trimmed', () => {
  const input = utf8('\uFEFFanna@example.com\r\n\r\n  marco@example.com  \nlucia@example.com');
  assert.deepEqual(emails(runImporter(EmailList, [input])), [
    [1n, ['email:anna@example.com']],
    [3n, ['email:marco@example.com']],
    [4n, ['email:lucia@example.com']],
  ]);
});

test('the same records however the input is cut, even inside a character or a CRLF', () => {
  const input = utf8('zoë@example.com\r\nnicolò@esempio.it\r\n\r\n日本@example.jp\n');
  const whole = emails(runImporter(EmailList, [input]));
  assert.equal(whole.length, 3);
  for (const { label, chunks } of everySplit(input)) {
    assert.deepEqual(emails(runImporter(EmailList, chunks)), whole, label);
  }
});

test('a line that is not UTF-8 is read as Windows-1252, not dropped', () => {
  const input = Uint8Array.from([...utf8('citt'), 0xe0, ...utf8('@example.com\n')]);
  assert.deepEqual(emails(runImporter(EmailList, [input])), [[1n, ['email:città@example.com']]]);
});

test('no input, no records; records carry no invented data', () => {
  assert.deepEqual(runImporter(EmailList, []), { records: [], rejected: [] });
  const [record] = runImporter(EmailList, [utf8('a@example.com')]).records;
  assert.deepEqual(
    { fields: record.fields, consents: record.consents, legalBases: record.legalBases, lastInteraction: record.lastInteraction },
    { fields: [], consents: [], legalBases: [], lastInteraction: undefined },
  );
});

test('describe names the plugin and its version from package.json', () => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  assert.deepEqual(EmailList.describe(), {
    name: manifest.name,
    version: manifest.version,
    kind: 'importer',
    summary: 'One email address per line (written in JavaScript)',
    configKeys: [],
  });
  assert.equal(VERSION, manifest.version);
});
