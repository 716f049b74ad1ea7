// A chunk-safe CSV reader: `CsvReader`. Mirrors the Rust SDK's `custode_sdk::csv`.
//
// Feed it the input in chunks of any size; it returns every record completed so far, each with the
// 1-based line it starts on. It follows RFC 4180 (`"` quoting with `""` escapes; quoted fields may
// hold delimiters and line breaks) and what spreadsheets really write:
//
// - `\r\n`, `\n` or a lone `\r` ends a record; blank lines are skipped;
// - a UTF-8 byte order mark is dropped; Excel's `sep=;` first line sets the delimiter;
// - the delimiter (`,` `;` or tab) is detected from the header line unless set;
// - each record that is not valid UTF-8 is read as Windows-1252 (Excel's CSV on Italian systems),
//   or every record is, with `{ encoding: 'windows-1252' }`;
// - a quote inside an unquoted field, or text after a closing quote, is kept as written.

import { ByteBuffer } from './bytes.js';
import { decodeWindows1252, tryUtf8 } from './text.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** The largest record a reader holds by default before deciding a closing quote is missing. */
export const DEFAULT_MAX_RECORD_BYTES = 4 << 20;

/** A problem that stops reading: the input cannot be split into records any more. */
export class CsvError extends Error {
  /**
   * @param {number} line 1-based line where the problem starts
   * @param {string} message
   */
  constructor(line, message) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
    this.line = line;
    this.detail = message;
  }
}

/**
 * Reads a delimiter setting: `,` `;` `|`, or `tab` (also `\t` or a tab character).
 * @param {string} text
 * @returns {string} the delimiter character
 * @throws {Error} naming the accepted values
 */
export function parseDelimiter(text) {
  if (text === '\t') return '\t';
  const t = text.trim().toLowerCase();
  const known = { ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\\t': '\t', '|': '|', pipe: '|' };
  if (Object.hasOwn(known, t)) return known[t];
  throw new Error(`\`${t}\` is not a delimiter; use \`,\` \`;\` \`tab\` or \`|\``);
}

/**
 * @typedef {object} CsvRecord
 * @property {number} line the 1-based line of the input where the record starts
 * @property {string[]} fields the fields as written (not trimmed)
 * @property {boolean} windows1252 whether the record was decoded as Windows-1252
 */

/** Reads CSV records from chunked input. */
export class CsvReader {
  /**
   * @param {{ delimiter?: string, encoding?: 'auto' | 'windows-1252', maxRecordBytes?: number }} [options]
   *   `delimiter`: one ASCII character, detected from the header when not given; `encoding`:
   *   `auto` (UTF-8, a record that is not valid UTF-8 is read as Windows-1252) or `windows-1252`
   *   (every record); `maxRecordBytes`: a longer record is an error (most likely a missing closing
   *   quote), so that one stray `"` cannot make the reader hold the rest of a huge file in memory.
   */
  constructor(options = {}) {
    if (options.delimiter !== undefined && !/^[\x01-\x7f]$/.test(options.delimiter)) {
      throw new Error(`the delimiter must be one ASCII character, not \`${options.delimiter}\``);
    }
    this.delim = options.delimiter;
    this.encoding = options.encoding ?? 'auto';
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.buf = new ByteBuffer();
    this.line = 1;
    this.started = false;
  }

  /** The delimiter in use: the configured one, or the detected one once the header line is read. */
  get delimiter() {
    return this.delim;
  }

  /**
   * Adds a chunk; returns the records it completed.
   * @param {Uint8Array} chunk
   * @returns {CsvRecord[]}
   * @throws {CsvError}
   */
  push(chunk) {
    this.buf.append(chunk);
    return this.#read(false);
  }

  /**
   * The input has ended: returns the last record (one without a final line break).
   * @returns {CsvRecord[]}
   * @throws {CsvError}
   */
  finish() {
    return this.#read(true);
  }

  #read(eof) {
    const out = [];
    if (!this.started && !this.#start(eof)) return out;
    const buf = this.buf.view();
    const scan = new Scanner(buf, this.delim.charCodeAt(0));
    let pos = 0;
    while (pos < buf.length) {
      const step = scan.record(pos, eof, this.line);
      if (step === undefined) {
        if (buf.length - pos > this.maxRecordBytes) {
          throw new CsvError(
            this.line,
            `a record runs over ${this.maxRecordBytes >> 20} MiB; a closing quote \`"\` is probably missing in it`,
          );
        }
        break;
      }
      if (!step.blank) out.push(this.#record(buf.subarray(pos, step.end), step.quoted));
      this.line += step.lines;
      pos = step.next;
    }
    this.buf.consume(pos);
    return out;
  }

  /**
   * Handles what only the start of the input can hold: a BOM, `sep=`, the header to detect the
   * delimiter from. Returns false when more input is needed first.
   */
  #start(eof) {
    const view = this.buf.view();
    const bomPrefix = view.length > 0 && [0xef, 0xbb, 0xbf].slice(0, view.length).every((b, i) => view[i] === b);
    if (!eof && view.length < 3 && bomPrefix) return false;
    if ((view[0] === 0xff && view[1] === 0xfe) || (view[0] === 0xfe && view[1] === 0xff)) {
      throw new CsvError(1, 'the input is UTF-16 text (Excel\'s "Unicode text"); save it as "CSV UTF-8" or as CSV');
    }
    const bom = bomPrefix && view.length >= 3 ? 3 : 0;
    const body = view.subarray(bom);
    let consumed = bom;
    if (this.delim === undefined) {
      const range = firstLine(body);
      if (range !== undefined) {
        const [from, to] = range;
        const sep = excelSepLine(body.subarray(from, to));
        if (sep !== undefined) {
          this.delim = sep;
          this.line += 1;
          for (let i = 0; i < from; i++) if (body[i] === LF) this.line++;
          consumed = bom + to;
          if (body[to] === CR && body[to + 1] === LF) consumed += 2;
          else if (body[to] === CR || body[to] === LF) consumed += 1;
        } else {
          this.delim = detectDelimiter(body.subarray(from, to));
        }
      } else if (eof) {
        this.delim = detectDelimiter(body);
      } else if (body.length > this.maxRecordBytes) {
        throw new CsvError(1, 'the header line is longer than the largest record allowed');
      } else {
        return false;
      }
    }
    this.buf.consume(consumed);
    this.started = true;
    return true;
  }

  /** One record's bytes (without its line break) turned into fields. */
  #record(bytes, quoted) {
    let text = this.encoding === 'auto' ? tryUtf8(bytes) : undefined;
    const windows1252 = text === undefined;
    if (windows1252) text = decodeWindows1252(bytes);
    const fields = quoted ? splitQuoted(text, this.delim) : text.split(this.delim);
    return { line: this.line, fields, windows1252 };
  }
}

/**
 * Finds where records end. Searches with `indexOf` (native code) and remembers the next position
 * of each byte it looks for, so that the input is scanned once however many fields a line has.
 */
class Scanner {
  constructor(buf, delimiter) {
    this.buf = buf;
    this.delimiter = delimiter;
    this.next = new Map();
  }

  /** The first position of `byte` at or after `from`, or the end of the buffer. */
  find(byte, from) {
    const known = this.next.get(byte);
    if (known !== undefined && known >= from) return known;
    const at = this.buf.indexOf(byte, from);
    const found = at < 0 ? this.buf.length : at;
    this.next.set(byte, found);
    return found;
  }

  /**
   * The record starting at `start`: where its text ends, where the next one starts, how many line
   * breaks it spans, whether it is blank and whether any field is quoted; undefined when the buffer
   * ends inside it and more input may come.
   */
  record(start, eof, line) {
    const { buf, delimiter } = this;
    const n = buf.length;
    // The common case, a line without quotes: one search for its end.
    const lf = this.find(LF, start);
    const cr = this.find(CR, start);
    const quote = this.find(QUOTE, start);
    const stop = Math.min(lf, cr);
    if (quote > stop && stop < n) {
      return this.#ended(start, stop, 0, false, eof);
    }
    let p = start;
    let lines = 0;
    let quoted = false;
    let fields = 0;
    for (;;) {
      fields++;
      if (p < n && buf[p] === QUOTE) {
        quoted = true;
        p++;
        for (;;) {
          const q = this.find(QUOTE, p);
          if (q === n) {
            if (eof) throw new CsvError(line, 'a quoted field is not closed before the end of the input; add the missing `"`');
            return undefined;
          }
          for (let i = this.find(LF, p); i < q; i = this.find(LF, i + 1)) lines++;
          p = q + 1;
          if (p === n && !eof) return undefined; // `"` or `""`: the next byte decides.
          if (p < n && buf[p] === QUOTE) {
            p++;
          } else {
            break;
          }
        }
      }
      // Unquoted text, or what follows a closing quote, up to the delimiter or the line's end.
      p = Math.min(this.find(delimiter, p), this.find(LF, p), this.find(CR, p));
      if (p === n) {
        if (!eof) return undefined;
        return { end: p, next: p, lines, blank: fields === 1 && p === start && !quoted, quoted };
      }
      if (buf[p] === delimiter) {
        p++;
        continue;
      }
      const step = this.#ended(start, p, lines, quoted, eof);
      if (step) step.blank = fields === 1 && p === start && !quoted;
      return step;
    }
  }

  /** The record ends at the line break at `end`. */
  #ended(start, end, lines, quoted, eof) {
    const { buf } = this;
    let next = end + 1;
    if (buf[end] === CR) {
      if (next < buf.length && buf[next] === LF) next++;
      else if (next === buf.length && !eof) return undefined; // `\r` then maybe `\n` in the next chunk.
    }
    return { end, next, lines: lines + 1, blank: end === start, quoted };
  }
}

/** The fields of a record's text in which some field starts with a quote. */
function splitQuoted(text, delimiter) {
  const fields = [];
  let p = 0;
  const n = text.length;
  for (;;) {
    let field = '';
    if (text[p] === '"') {
      p++;
      for (;;) {
        const q = text.indexOf('"', p);
        field += text.slice(p, q);
        p = q + 1;
        if (text[p] === '"') {
          field += '"';
          p++;
        } else {
          break;
        }
      }
    }
    let end = text.indexOf(delimiter, p);
    if (end < 0) end = n;
    field += text.slice(p, end);
    fields.push(field);
    if (end === n) return fields;
    p = end + 1;
  }
}

/** The byte range of the first non-blank line (outside quotes), without its line break. */
function firstLine(buf) {
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === QUOTE) {
      inQuotes = !inQuotes;
    } else if (!inQuotes && (b === LF || b === CR)) {
      if (b === CR && i + 1 === buf.length) return undefined; // `\n` may follow
      let blank = true;
      for (let j = start; j < i; j++) {
        const c = buf[j];
        if (!(c === 0x20 || c === 0x09 || c === LF || c === CR || c === 0x0c)) blank = false;
      }
      if (!blank) return [start, i];
      start = i + 1;
    }
  }
  return undefined;
}

/** Excel's `sep=;` hint line, which sets the delimiter. */
function excelSepLine(line) {
  if (line.length !== 5 || line[3] !== 0x3d) return undefined;
  const word = String.fromCharCode(line[0], line[1], line[2]).toLowerCase();
  return word === 'sep' ? String.fromCharCode(line[4]) : undefined;
}

/** The most frequent of `,` `;` tab outside quotes; `,` when none occurs or on a tie with it. */
function detectDelimiter(header) {
  const counts = [0, 0, 0];
  let inQuotes = false;
  for (const b of header) {
    if (b === QUOTE) inQuotes = !inQuotes;
    else if (!inQuotes && b === 0x2c) counts[0]++;
    else if (!inQuotes && b === 0x3b) counts[1]++;
    else if (!inQuotes && b === 0x09) counts[2]++;
  }
  let best = 0;
  for (let i = 1; i < 3; i++) if (counts[i] > counts[best]) best = i;
  return [',', ';', '\t'][best];
}
