// Helpers for a plugin's unit tests under Node.js (`node --test`): run an importer over chunks the
// way the host does, and check that it gives the same records however its input is cut.

import { Config } from './config.js';

/**
 * Runs an importer class over `chunks` as the host would: `open`, `push` each chunk, `finish`.
 * @param {any} Impl the importer class (as given to `importer()`)
 * @param {Uint8Array[]} chunks
 * @param {Record<string, string>} [settings]
 * @returns {{ records: object[], rejected: object[] }}
 */
export function runImporter(Impl, chunks, settings = {}) {
  const session = Impl.open(Config.fromPairs(settings));
  const records = [];
  const rejected = [];
  for (const result of [...chunks.map((c) => session.push(c)), session.finish()]) {
    records.push(...(result?.records ?? []));
    rejected.push(...(result?.rejected ?? []));
  }
  return { records, rejected };
}

/**
 * Every way of cutting `input` in two, then one byte at a time: the chunkings an importer must
 * read identically. Cuts fall inside `\r\n` pairs, quoted fields and multi-byte characters.
 * @param {Uint8Array} input
 * @returns {Generator<{ label: string, chunks: Uint8Array[] }>}
 */
export function* everySplit(input) {
  for (let i = 0; i <= input.length; i++) {
    yield { label: `cut at byte ${i}`, chunks: [input.subarray(0, i), input.subarray(i)] };
  }
  const bytes = [];
  for (let i = 0; i < input.length; i++) bytes.push(input.subarray(i, i + 1));
  yield { label: 'one byte at a time', chunks: bytes };
}

/** UTF-8 bytes of a string. */
export function utf8(text) {
  return new TextEncoder().encode(text);
}
