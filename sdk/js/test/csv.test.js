import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError, CsvReader, parseDelimiter } from '../src/index.js';
import { everySplit, utf8 } from '../src/testing.js';

const latin = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const rows = (records) => records.map((r) => [r.line, r.fields]);

function readChunks(make, chunks) {
  const reader = make();
  const out = chunks.flatMap((c) => reader.push(c));
  out.push(...reader.finish());
  return rows(out);
}

/** Reads the input whole, cut in two at every position, and one byte at a time; all must agree. */
function readEveryWay(make, input) {
  const whole = readChunks(make, [input]);
  for (const { label, chunks } of everySplit(input)) {
    assert.deepEqual(readChunks(make, chunks), whole, label);
  }
  return whole;
}

test('a messy Excel export reads the same however it is chunked', () => {
  const input = utf8(
    '\uFEFFNome;Città;Note\r\n' +
      'Anna;Milano;"riga uno\r\nriga due; con ;"\r\n' +
      '\r\n' +
      '"Marco ""il rosso""";Forlì;\r\n' +
      ';;\r\n' +
      'Lucia;Torino;fine',
  );
  assert.deepEqual(readEveryWay(() => new CsvReader(), input), [
    [1, ['Nome', 'Città', 'Note']],
    [2, ['Anna', 'Milano', 'riga uno\r\nriga due; con ;']],
    [5, ['Marco "il rosso"', 'Forlì', '']],
    [6, ['', '', '']],
    [7, ['Lucia', 'Torino', 'fine']],
  ]);
});

test('the delimiter is detected from the header line', () => {
  const detect = (text) => {
    const reader = new CsvReader();
    reader.push(utf8(text));
    reader.finish();
    return reader.delimiter;
  };
  assert.equal(detect('a,b,c\n1;2,3\n'), ',');
  assert.equal(detect('a;b;"c,d,e"\n'), ';');
  assert.equal(detect('a\tb\tc\n'), '\t');
  assert.equal(detect('\n\n  \nemail\n'), ',');
  assert.equal(detect('only;header'), ';');
  // Detection waits for the whole header line.
  const reader = new CsvReader();
  assert.deepEqual(reader.push(utf8('a,b;c;d')), []);
  assert.equal(reader.delimiter, undefined);
  assert.deepEqual(rows(reader.push(utf8(';e\n'))), [[1, ['a,b', 'c', 'd', 'e']]]);
});

test('a configured delimiter wins; a bad one is refused', () => {
  assert.deepEqual(readChunks(() => new CsvReader({ delimiter: ',' }), [utf8('a;b,c\n')]), [[1, ['a;b', 'c']]]);
  assert.throws(() => new CsvReader({ delimiter: '::' }), /one ASCII character/);
  assert.equal(parseDelimiter('tab'), '\t');
  assert.equal(parseDelimiter(' ; '), ';');
  assert.throws(() => parseDelimiter('::'), /`::` is not a delimiter/);
});

test("Excel's sep= line sets the delimiter and is not a record", () => {
  assert.deepEqual(readEveryWay(() => new CsvReader(), utf8('sep=,\r\nNome;Cognome,Note\r\nA;B,C\r\n')), [
    [2, ['Nome;Cognome', 'Note']],
    [3, ['A;B', 'C']],
  ]);
});

test('LF, CRLF and a lone CR all end a record', () => {
  assert.deepEqual(readEveryWay(() => new CsvReader(), utf8('a,b\rc,d\r\ne,f\ng,h\r')), [
    [1, ['a', 'b']], [2, ['c', 'd']], [3, ['e', 'f']], [4, ['g', 'h']],
  ]);
});

test('each record that is not UTF-8 is read as Windows-1252', () => {
  // Row 2 is Windows-1252 (an Italian Excel export), row 3 is UTF-8: each is read right.
  const input = latin('nome,citt\xC3\xA0\nNicol\xF2,Forl\xEC \x80\nJos\xC3\xA9,Cant\xC3\xB9\n');
  const reader = new CsvReader();
  const records = [...reader.push(input), ...reader.finish()];
  assert.deepEqual(rows(records), [[1, ['nome', 'città']], [2, ['Nicolò', 'Forlì €']], [3, ['José', 'Cantù']]]);
  assert.deepEqual(records.map((r) => r.windows1252), [false, true, false]);
  // A Windows-1252 record split inside what looks like a UTF-8 sequence still reads right.
  assert.deepEqual(readEveryWay(() => new CsvReader(), latin('a,b\n\xC3,\xA9\n'))[1], [2, ['Ã', '©']]);
  assert.deepEqual(readChunks(() => new CsvReader({ encoding: 'windows-1252' }), [utf8('é\n')]), [[1, ['Ã©']]]);
});

test('multi-byte characters and quoted fields survive every cut', () => {
  const input = utf8('nome,note\r\n"Zoë, la ""prima""","日本語\r\n🙂"\r\nJosé,ok\n');
  assert.deepEqual(readEveryWay(() => new CsvReader(), input), [
    [1, ['nome', 'note']],
    [2, ['Zoë, la "prima"', '日本語\r\n🙂']],
    [4, ['José', 'ok']],
  ]);
});

test('stray quotes are kept as written', () => {
  assert.deepEqual(readEveryWay(() => new CsvReader(), utf8('a,b\nsay "hi","x"y\n"",z\n')), [
    [1, ['a', 'b']], [2, ['say "hi"', 'xy']], [3, ['', 'z']],
  ]);
});

test('a trailing delimiter gives an empty last field', () => {
  assert.deepEqual(readEveryWay(() => new CsvReader(), utf8('a,b,\n1,2,')), [[1, ['a', 'b', '']], [2, ['1', '2', '']]]);
});

test('blank lines are skipped but counted', () => {
  assert.deepEqual(readEveryWay(() => new CsvReader(), utf8('\r\n\nh\n\n\r\nv\n\n')), [[3, ['h']], [6, ['v']]]);
  assert.deepEqual(readEveryWay(() => new CsvReader(), utf8('')), []);
  assert.deepEqual(readEveryWay(() => new CsvReader(), utf8('\uFEFF')), []);
});

test('an unclosed quote is an error naming its line', () => {
  assert.throws(
    () => readChunks(() => new CsvReader(), [utf8('a,b\n1,2\n3,"open\n4,5\n')]),
    (e) => e instanceof CsvError && e.line === 3 && /not closed/.test(e.detail) && e.message === `line 3: ${e.detail}`,
  );
});

test('a runaway quote stops at the size limit instead of eating memory', () => {
  const reader = new CsvReader({ maxRecordBytes: 1 << 20 });
  reader.push(utf8('a,b\n1,"never closed\n'));
  const line = new Uint8Array(1000).fill(0x78);
  let error;
  for (let i = 0; i < 2000 && !error; i++) {
    try {
      reader.push(line);
    } catch (e) {
      error = e;
    }
  }
  assert.ok(error instanceof CsvError, 'the reader must give up');
  assert.equal(error.line, 2);
  assert.match(error.detail, /closing quote/);
});

test('UTF-16 input is refused with the fix', () => {
  assert.throws(() => new CsvReader().push(latin('\xFF\xFEn\0o\0')), /CSV UTF-8/);
});

test('many rows keep their line numbers', () => {
  let input = 'email,note\n';
  for (let i = 0; i < 1000; i++) input += i % 10 === 0 ? `u${i}@example.com,"two\nlines"\n` : `u${i}@example.com,plain\n`;
  const bytes = utf8(input);
  const reader = new CsvReader();
  const records = [];
  for (let i = 0; i < bytes.length; i += 4093) records.push(...reader.push(bytes.subarray(i, i + 4093)));
  records.push(...reader.finish());
  assert.equal(records.length, 1001);
  let line = 2;
  records.slice(1).forEach((rec, i) => {
    assert.equal(rec.line, line);
    assert.equal(rec.fields[0], `u${i}@example.com`);
    line += i % 10 === 0 ? 2 : 1;
  });
});

test('fields of every length with every delimiter', () => {
  for (const delimiter of [',', ';', '\t', '|']) {
    const fields = Array.from({ length: 40 }, (_, n) => 'xè'.repeat(n >> 1) + 'y'.repeat(n % 2));
    let input = '';
    const expected = [];
    for (let row = 0; row * 3 < fields.length; row++) {
      const cells = fields.slice(row * 3, row * 3 + 3);
      input += cells.join(delimiter) + (row % 2 === 0 ? '\r\n' : '\n');
      if (cells.some((f) => f !== '') || cells.length > 1) expected.push([row + 1, cells]);
    }
    assert.deepEqual(readChunks(() => new CsvReader({ delimiter }), [utf8(input)]), expected, `delimiter ${JSON.stringify(delimiter)}`);
  }
});
