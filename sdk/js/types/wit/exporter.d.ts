/// <reference path="./interfaces/custode-plugin-host.d.ts" />
/// <reference path="./interfaces/custode-plugin-plugin.d.ts" />
/// <reference path="./interfaces/custode-plugin-render.d.ts" />
/// <reference path="./interfaces/custode-plugin-types.d.ts" />
declare module 'custode:plugin/exporter@0.2.0' {
  export type * as CustodePluginHost020 from 'custode:plugin/host@0.2.0'; // import custode:plugin/host@0.2.0
  export type * as CustodePluginTypes020 from 'custode:plugin/types@0.2.0'; // import custode:plugin/types@0.2.0
  export * as plugin from 'custode:plugin/plugin@0.2.0'; // export custode:plugin/plugin@0.2.0
  export * as render from 'custode:plugin/render@0.2.0'; // export custode:plugin/render@0.2.0
}
