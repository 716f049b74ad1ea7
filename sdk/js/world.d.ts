/// <reference path="./index.d.ts" />
import type { ChunkResult } from 'custode:plugin/source@0.3.0';
import type { ConfigProblem, Document, PluginInfo, RetentionDecision, SubjectPackage, SubjectView, Timestamp } from 'custode:plugin/types';
import type { Config } from './index.js';

/** What `push` and `finish` return; `rejected` may be left out. */
export type Chunk = Omit<ChunkResult, 'rejected'> & Partial<Pick<ChunkResult, 'rejected'>>;

/** Optional on every plugin (plugin API 0.2.0): the problems with the settings, or none; may throw `ConfigError`. */
export interface ChecksConfig {
  checkConfig?(config: Config): ConfigProblem[] | undefined;
}
export interface ImporterClass<T extends { push(chunk: Uint8Array): Chunk; finish(): Chunk }> extends ChecksConfig {
  describe(): PluginInfo;
  open(config: Config): T;
}
export interface RetentionRulePlugin extends ChecksConfig {
  describe(): PluginInfo;
  evaluate(now: Timestamp, batch: SubjectView[], config: Config): RetentionDecision[];
}
export interface ExporterPlugin extends ChecksConfig {
  describe(): PluginInfo;
  render(subject: SubjectPackage, config: Config): Document;
}

type Result<T, E> = { tag: 'ok'; val: T } | { tag: 'err'; val: E };
type PluginExport = { describe(): PluginInfo; checkConfig(): Result<undefined, ConfigProblem[]> };

export declare function hostSettings(): Config;
export declare function importer<T extends { push(chunk: Uint8Array): Chunk; finish(): Chunk }>(impl: ImporterClass<T>): {
  plugin: PluginExport;
  source: { Session: unknown };
};
export declare function retentionRule(impl: RetentionRulePlugin): {
  plugin: PluginExport;
  rule: { evaluate(now: Timestamp, batch: SubjectView[]): Result<RetentionDecision[], string> };
};
export declare function exporter(impl: ExporterPlugin): {
  plugin: PluginExport;
  render: { render(subject: SubjectPackage): Result<Document, { message: string }> };
};
