import type { ContactRecord, RowError } from 'custode:plugin/types';
import type { Config } from './index.js';

export declare function runImporter(
  impl: { open(config: Config): { push(chunk: Uint8Array): unknown; finish(): unknown } },
  chunks: Uint8Array[],
  settings?: Record<string, string>,
): { records: ContactRecord[]; rejected: RowError[] };
export declare function everySplit(input: Uint8Array): Generator<{ label: string; chunks: Uint8Array[] }>;
export declare function utf8(text: string): Uint8Array;
