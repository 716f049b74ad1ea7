/// <reference path="./custode-plugin-types.d.ts" />
declare module 'custode:plugin/render@0.3.0' {
  /**
   * Renders the package. The document must be complete: the host hands it to the data subject as is.
   * When the package answers a request (`subject.request`), write in the language it asks for
   * when the exporter can.
   * 
   * Example result: `{ file-name: "subject-42.json", media-type: "application/json", bytes: [...] }`.
   */
  export function render(subject: SubjectPackage): Document;
  export type SubjectPackage = import('custode:plugin/types@0.3.0').SubjectPackage;
  export type Document = import('custode:plugin/types@0.3.0').Document;
  /**
   * Why a document could not be made.
   */
  export interface ExportError {
    message: string,
  }
}
