/// <reference path="./custode-plugin-types.d.ts" />
declare module 'custode:plugin/plugin@0.1.0' {
  /**
   * Describes the plugin. Must not fail and must not depend on configuration.
   * 
   * Example result: `{ name: "csv", version: "0.1.0", kind: importer, summary: "...", config-keys: [...] }`.
   */
  export function describe(): PluginInfo;
  export type PluginInfo = import('custode:plugin/types@0.1.0').PluginInfo;
}
