// Splitting chunked input into lines, and decoding text.
//
// Importers receive their input in chunks that end anywhere: in the middle of a line, of a `\r\n`
// pair, of a UTF-8 sequence. `Lines` and `RawLines` keep the incomplete tail between calls, so the
// plugin only ever sees whole lines. Mirrors the Rust SDK's `custode_sdk::text`.

import { ByteBuffer } from './bytes.js';

const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Windows-1252 differs from Latin-1 only in 0x80-0x9F.
const HIGH = [
  '€', '\u0081', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u008d', 'Ž', '\u008f',
  '\u0090', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u009d', 'ž', 'Ÿ',
];

/**
 * Decodes bytes as Windows-1252, which also reads ISO-8859-1 (Latin-1) text correctly except for
 * the rarely used control characters 0x80-0x9F.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function decodeWindows1252(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += b >= 0x80 && b <= 0x9f ? HIGH[b - 0x80] : String.fromCharCode(b);
  }
  return out;
}

/**
 * Decodes bytes as UTF-8, or, when they are not valid UTF-8, as Windows-1252 (the encoding of
 * Excel's CSV exports on Italian and other Western European systems).
 *
 * @example decode(new Uint8Array([0x63, 0x69, 0x74, 0x74, 0xe0])) === 'città'
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function decode(bytes) {
  return tryUtf8(bytes) ?? decodeWindows1252(bytes);
}

/**
 * The bytes as UTF-8 text, or undefined when they are not valid UTF-8.
 * @param {Uint8Array} bytes
 * @returns {string | undefined}
 */
export function tryUtf8(bytes) {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Splits chunked input into lines of raw bytes, numbered from 1. `\n` and `\r\n` end a line; a
 * UTF-8 byte order mark at the very start is dropped.
 *
 * With `{ unfold: true }`, a line that starts with a space or a tab continues the previous one
 * (RFC 5322, RFC 6350 folding): the line break and that one whitespace character are removed, even
 * when the break falls inside a UTF-8 sequence. An unfolded line carries the number of its first
 * physical line.
 */
export class RawLines {
  /** @param {{ unfold?: boolean }} [options] */
  constructor(options = {}) {
    this.unfold = options.unfold === true;
    this.tail = new ByteBuffer();
    this.nextLine = 1;
    this.started = false;
    /** The last complete line, held back until we know whether the next one continues it. */
    this.held = undefined;
  }

  /**
   * Adds a chunk; returns the lines it completed as `[lineNumber, bytes]` pairs.
   * @param {Uint8Array} chunk
   * @returns {Array<[number, Uint8Array]>}
   */
  push(chunk) {
    const out = [];
    this.tail.append(chunk);
    if (!this.started && !this.#start(false)) {
      return out;
    }
    const view = this.tail.view();
    let start = 0;
    for (;;) {
      const end = view.indexOf(LF, start);
      if (end < 0) break;
      this.#emit(stripCr(view.subarray(start, end)), out);
      start = end + 1;
    }
    const rest = view.length - start;
    this.tail.consume(start);
    // The first byte of the next line decides whether a held line is complete.
    if (this.unfold && rest > 0) {
      const first = this.tail.view()[0];
      if (first !== 0x20 && first !== 0x09) this.#release(out);
    }
    return out;
  }

  /**
   * The input ended: returns the remaining lines (the last one may have had no line break).
   * @returns {Array<[number, Uint8Array]>}
   */
  finish() {
    const out = [];
    if (!this.started) this.#start(true);
    const view = this.tail.view();
    if (view.length > 0) {
      this.#emit(stripCr(view), out);
      this.tail.consume(view.length);
    }
    this.#release(out);
    this.started = false;
    return out;
  }

  #start(eof) {
    this.started = dropBom(this.tail, eof);
    return this.started;
  }

  #emit(line, out) {
    const number = this.nextLine++;
    if (!this.unfold) {
      out.push([number, line.slice()]);
      return;
    }
    if (this.held && line.length > 0 && (line[0] === 0x20 || line[0] === 0x09)) {
      const [n, held] = this.held;
      const joined = new Uint8Array(held.length + line.length - 1);
      joined.set(held);
      joined.set(line.subarray(1), held.length);
      this.held = [n, joined];
      return;
    }
    this.#release(out);
    this.held = [number, line.slice()];
  }

  #release(out) {
    if (this.held) {
      out.push(this.held);
      this.held = undefined;
    }
  }
}

/**
 * Drops a UTF-8 byte order mark at the start of the input; returns false while the input is too
 * short to tell whether it starts with one (and more may come).
 * @param {ByteBuffer} buffer
 */
export function dropBom(buffer, eof) {
  const view = buffer.view();
  const prefix = Math.min(view.length, 3);
  let bomSoFar = true;
  for (let i = 0; i < prefix; i++) bomSoFar &&= view[i] === BOM[i];
  if (bomSoFar && view.length < 3 && !eof) return false;
  if (bomSoFar && view.length >= 3) buffer.consume(3);
  return true;
}

function stripCr(line) {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
}

/**
 * Splits chunked input into decoded lines, numbered from 1. `\n` and `\r\n` both end a line; a
 * UTF-8 byte order mark at the start is dropped; a line that is not valid UTF-8 is decoded as
 * Windows-1252 (see `decode`).
 *
 * @example
 * const lines = new Lines();
 * const utf8 = (s) => new TextEncoder().encode(s);
 * [...lines.push(utf8('anna@example.com\r\nmar')), ...lines.push(utf8('co@example.com')), ...lines.finish()];
 * // [[1, 'anna@example.com'], [2, 'marco@example.com']]
 */
export class Lines {
  constructor() {
    this.tail = new ByteBuffer();
    this.nextLine = 1;
    this.started = false;
  }

  /**
   * Adds a chunk; returns the lines it completed, each with its line number.
   * @param {Uint8Array} chunk
   * @returns {Array<[number, string]>}
   */
  push(chunk) {
    this.tail.append(chunk);
    if (!this.started && !(this.started = dropBom(this.tail, false))) return [];
    const view = this.tail.view();
    const last = view.lastIndexOf(LF);
    if (last < 0) return [];
    const out = this.#lines(view.subarray(0, last));
    this.tail.consume(last + 1);
    return out;
  }

  /**
   * The input ended: returns the last line if it had no line break.
   * @returns {Array<[number, string]>}
   */
  finish() {
    if (!this.started) dropBom(this.tail, true);
    const view = this.tail.view();
    const out = view.length > 0 ? this.#lines(view) : [];
    this.tail.consume(view.length);
    this.started = false;
    return out;
  }

  /** The lines of a block that ends where a line ends. */
  #lines(block) {
    const out = [];
    // One decoder call for the whole block is much faster than one per line, and gives the same
    // text: a line break never falls inside a UTF-8 sequence, so the block is valid exactly when
    // every line is.
    const text = tryUtf8(block);
    if (text !== undefined) {
      for (const line of text.split('\n')) {
        out.push([this.nextLine++, line.endsWith('\r') ? line.slice(0, -1) : line]);
      }
      return out;
    }
    let start = 0;
    for (;;) {
      const end = block.indexOf(LF, start);
      const line = block.subarray(start, end < 0 ? block.length : end);
      out.push([this.nextLine++, decode(stripCr(line))]);
      if (end < 0) return out;
      start = end + 1;
    }
  }
}
