import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lines, RawLines, decode } from '../src/index.js';
import { everySplit, utf8 } from '../src/testing.js';

const bytes = (...parts) => {
  const chunks = parts.map((p) => (typeof p === 'string' ? utf8(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

function read(make, chunks) {
  const reader = make();
  const out = chunks.flatMap((c) => reader.push(c));
  return [...out, ...reader.finish()].map(([n, l]) => [n, typeof l === 'string' ? l : Buffer.from(l).toString('latin1')]);
}

test('lines survive any chunking, including inside CRLF and multi-byte characters', () => {
  const input = utf8('\uFEFFuno\r\ndue\n\nquattro è\r\n');
  const expected = [[1, 'uno'], [2, 'due'], [3, ''], [4, 'quattro è']];
  for (const { label, chunks } of everySplit(input)) {
    assert.deepEqual(read(() => new Lines(), chunks), expected, label);
  }
});

test('raw lines and unfolding survive any chunking, even a fold inside a UTF-8 sequence', () => {
  // "è" (C3 A8) folded between its two bytes, as RFC 6350 warns simple writers do.
  const input = bytes('BEGIN:VCARD\r\nFN:Nicol', [0xc3], '\r\n ', [0xa8], ' Rossi\r\n\tjr\r\nEND:VCARD\r\n');
  const expected = [[1, 'BEGIN:VCARD'], [2, Buffer.from('FN:Nicolè Rossijr').toString('latin1')], [5, 'END:VCARD']];
  for (const { label, chunks } of everySplit(input)) {
    assert.deepEqual(read(() => new RawLines({ unfold: true }), chunks), expected, label);
  }
  const plain = read(() => new RawLines(), [utf8('a\r\n b\n')]);
  assert.deepEqual(plain, [[1, 'a'], [2, ' b']]);
});

test('a byte order mark is dropped only at the start', () => {
  const got = read(() => new Lines(), [bytes([0xef, 0xbb]), bytes([0xbf], 'a\n', [0xef, 0xbb, 0xbf], 'b')]);
  assert.deepEqual(got, [[1, 'a'], [2, '\uFEFFb']]);
});

test('a line that is not UTF-8 is read as Windows-1252, line by line', () => {
  const got = read(() => new Lines(), [bytes('Citt', [0xe0], ';', [0x80], ' 10\nCitt', [0xc3, 0xa0], '\n')]);
  assert.deepEqual(got, [[1, 'Città;€ 10'], [2, 'Città']]);
  assert.equal(decode(bytes([0x93], 'ok', [0x94])), '“ok”');
  assert.equal(decode(utf8('città')), 'città');
});

test('no trailing newline, a lone CR at the end, and empty input', () => {
  assert.deepEqual(read(() => new Lines(), [utf8('a\r\nb\r')]), [[1, 'a'], [2, 'b']]);
  assert.deepEqual(read(() => new Lines(), []), []);
  assert.deepEqual(read(() => new Lines(), [bytes([0xef, 0xbb])]), [[1, 'ï»']]);
});

test('many lines across many chunks keep their numbers', () => {
  const text = Array.from({ length: 5000 }, (_, i) => `user${i}@example.com`).join('\r\n');
  const input = utf8(text);
  const lines = new Lines();
  const got = [];
  for (let i = 0; i < input.length; i += 997) got.push(...lines.push(input.subarray(i, i + 997)));
  got.push(...lines.finish());
  assert.equal(got.length, 5000);
  got.forEach(([n, line], i) => assert.deepEqual([n, line], [i + 1, `user${i}@example.com`]));
});
