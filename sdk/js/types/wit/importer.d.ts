/// <reference path="./interfaces/custode-plugin-host.d.ts" />
/// <reference path="./interfaces/custode-plugin-plugin.d.ts" />
/// <reference path="./interfaces/custode-plugin-source.d.ts" />
/// <reference path="./interfaces/custode-plugin-types.d.ts" />
declare module 'custode:plugin/importer@0.3.0' {
  export type * as CustodePluginHost030 from 'custode:plugin/host@0.3.0'; // import custode:plugin/host@0.3.0
  export type * as CustodePluginTypes030 from 'custode:plugin/types@0.3.0'; // import custode:plugin/types@0.3.0
  export * as plugin from 'custode:plugin/plugin@0.3.0'; // export custode:plugin/plugin@0.3.0
  export * as source from 'custode:plugin/source@0.3.0'; // export custode:plugin/source@0.3.0
}
