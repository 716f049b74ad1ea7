/// <reference path="./index.d.ts" />
import type { ChunkResult } from 'custode:plugin/source@0.1.0';
import type { Document, PluginInfo, RetentionDecision, SubjectPackage, SubjectView, Timestamp } from 'custode:plugin/types';
import type { Config } from './index.js';

/** What `push` and `finish` return; `rejected` may be left out. */
export type Chunk = Omit<ChunkResult, 'rejected'> & Partial<Pick<ChunkResult, 'rejected'>>;

export interface ImporterClass<T extends { push(chunk: Uint8Array): Chunk; finish(): Chunk }> {
  describe(): PluginInfo;
  open(config: Config): T;
}
export interface RetentionRulePlugin {
  describe(): PluginInfo;
  evaluate(now: Timestamp, batch: SubjectView[], config: Config): RetentionDecision[];
}
export interface ExporterPlugin {
  describe(): PluginInfo;
  render(subject: SubjectPackage, config: Config): Document;
}

type Result<T, E> = { tag: 'ok'; val: T } | { tag: 'err'; val: E };

export declare function hostSettings(): Config;
export declare function importer<T extends { push(chunk: Uint8Array): Chunk; finish(): Chunk }>(impl: ImporterClass<T>): {
  plugin: { describe(): PluginInfo };
  source: { Session: unknown };
};
export declare function retentionRule(impl: RetentionRulePlugin): {
  plugin: { describe(): PluginInfo };
  rule: { evaluate(now: Timestamp, batch: SubjectView[]): Result<RetentionDecision[], string> };
};
export declare function exporter(impl: ExporterPlugin): {
  plugin: { describe(): PluginInfo };
  render: { render(subject: SubjectPackage): Result<Document, { message: string }> };
};
