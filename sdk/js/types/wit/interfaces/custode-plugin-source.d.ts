/// <reference path="./custode-plugin-types.d.ts" />
declare module 'custode:plugin/source@0.3.0' {
  export type ContactRecord = import('custode:plugin/types@0.3.0').ContactRecord;
  export type RowError = import('custode:plugin/types@0.3.0').RowError;
  export type ImportError = import('custode:plugin/types@0.3.0').ImportError;
  /**
   * Records completed by one call, and rows that could not be read.
   */
  export interface ChunkResult {
    records: Array<ContactRecord>,
    rejected: Array<RowError>,
  }
  
  export class Session {
    /**
     * This type does not have a public constructor.
     */
    private constructor();
    /**
    * Starts an import, reading the plugin's configuration through `host.config`.
    * Fails with a clear message when the configuration is wrong.
    */
    static open(): Session;
    /**
    * Feeds the next chunk of the input. Returns every record completed so far that was not
    * returned before. A chunk may end in the middle of a line, a quoted field, or a UTF-8 sequence:
    * the session keeps the incomplete tail for the next call.
    */
    push(chunk: Uint8Array): ChunkResult;
    /**
    * The input has ended: returns the remaining records.
    */
    finish(): ChunkResult;
  }
}
