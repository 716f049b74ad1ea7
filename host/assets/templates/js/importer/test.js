import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { everySplit, runImporter, utf8 } from '@custode/plugin-sdk/testing';
import { Importer } from '../src/importer.js';

const SAMPLE = new Uint8Array(readFileSync(new URL('../sample.csv', import.meta.url)));
const read = ({ records, rejected }) => ({
  records: records.map((r) => [r.row, r.identities[0].val]),
  rejected: rejected.map((r) => r.row),
});

test('reads the sample, refusing the row without an address', () => {
  assert.deepEqual(read(runImporter(Importer, [SAMPLE])), {
    records: [[2n, 'anna.rossi@example.com'], [4n, 'luca@example.com']],
    rejected: [5n],
  });
});

test('the same rows however the input is cut, even inside a quoted field or a character', () => {
  const whole = read(runImporter(Importer, [SAMPLE]));
  for (const { label, chunks } of everySplit(SAMPLE)) {
    assert.deepEqual(read(runImporter(Importer, chunks)), whole, label);
  }
});

test('a missing column is named with the fix', () => {
  assert.throws(() => runImporter(Importer, [utf8('email,name\na@example.com,A\n')], { column: 'mail' }), {
    name: 'ImportError',
    message: /no column `mail`.*set `column`/,
  });
});
