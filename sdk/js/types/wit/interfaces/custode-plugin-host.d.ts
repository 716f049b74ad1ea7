/// <reference path="./custode-plugin-types.d.ts" />
declare module 'custode:plugin/host@0.3.0' {
  /**
   * Writes a line to the plugin's log (shown in the host's log with the plugin's name and version).
   * 
   * Example: `log(log-level.warn, "row 12: unknown date format, left empty")`.
   */
  export function log(level: LogLevel, message: string): void;
  /**
   * Reads a setting the admin gave this plugin, or none when it is not set.
   * Only keys the plugin lists in `plugin-info.config-keys` can be set.
   * 
   * Example: `config("delimiter")` returns `some(";")`.
   */
  export function config(key: string): string | undefined;
  export type LogLevel = import('custode:plugin/types@0.3.0').LogLevel;
}
