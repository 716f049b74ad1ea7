/// <reference path="./custode-plugin-types.d.ts" />
declare module 'custode:plugin/plugin@0.3.0' {
  /**
   * Describes the plugin. Must not fail and must not depend on configuration.
   * 
   * Example result: `{ name: "csv", version: "0.1.0", kind: importer, summary: "...", config-keys: [...] }`.
   */
  export function describe(): PluginInfo;
  /**
   * Checks the settings the admin gave, read through `host.config` as in any other call. The host
   * calls it when a plugin is installed or configured, and when it is loaded, so a bad value is
   * refused then, with the setting named, instead of failing the first import or run. The host
   * has already checked that every key given is one `describe` lists and that the required ones
   * are set; this checks the values. Must not depend on anything but the settings.
   * Added in 0.2.0 (a 0.1.0 plugin has no check: its settings are checked when it runs).
   * 
   * Example: with `months = "ten"`, returns
   * `err([{ key: "months", message: "`ten` is not a number; write a number of months from 1 to 1200" }])`.
   */
  export function checkConfig(): void;
  export type PluginInfo = import('custode:plugin/types@0.3.0').PluginInfo;
  export type ConfigProblem = import('custode:plugin/types@0.3.0').ConfigProblem;
}
