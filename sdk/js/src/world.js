// The world adapters: turn a plugin written against this SDK into the exports a world expects.
// Import this module only from a plugin's entry file (the one given to `custode-plugin build`):
// it imports the host's functions, which exist only inside a component.
//
//   import { importer } from '@custode/plugin-sdk/world';
//   import { EmailList } from './email-list.js';
//   export const { plugin, source } = importer(EmailList);

// `custode-plugin build` resolves this to the host interface of the WIT package it builds against
// (`custode:plugin/host@0.3.0` for the folder `wit/since_v0.3.0`).
import { config as hostConfig, log as hostLog } from 'custode:plugin/host';
import { Config, ConfigError } from './config.js';
import { CsvError } from './csv.js';
import { setLogSink, write } from './log.js';
import { subjectViews } from './batch.js';
import { ImportError, configProblem } from './records.js';

setLogSink((level, message) => hostLog(level, message));

/** The settings the admin gave this plugin, read through the host. */
export function hostSettings() {
  return Config.fromFn((key) => hostConfig(key));
}

/**
 * The `importer` world. `Impl` is a class with `static describe()`, `static open(config)` returning
 * an instance, and the instance methods `push(chunk)` and `finish()` returning
 * `{ records, rejected? }`. Throw `ImportError` (or let a `ConfigError` or `CsvError` through) to
 * stop the import with a message; any other exception is a bug: it is logged and the call traps.
 */
export function importer(Impl) {
  class Session {
    constructor(inner) {
      this.inner = inner;
    }
    static open() {
      return attempt(() => new Session(Impl.open(hostSettings())), importFailure);
    }
    push(chunk) {
      return attempt(() => chunkResult(this.inner.push(chunk)), importFailure);
    }
    finish() {
      return attempt(() => chunkResult(this.inner.finish()), importFailure);
    }
  }
  return { plugin: pluginExport(Impl), source: { Session } };
}

/**
 * The `retention-rule` world. `Impl` has `describe()` and `evaluate(now, batch, config)` returning
 * the decisions (subjects without one are kept); `batch` is the subject views, rebuilt from the
 * columns plugin API 0.3.0 passes (`subjectViews`). Throw `ConfigError` (or let a `RangeError` from
 * the date helpers through) to fail the run with its message; anything else is a bug.
 */
export function retentionRule(Impl) {
  return {
    plugin: pluginExport(Impl),
    rule: {
      evaluate(now, batch) {
        return attempt(() => Impl.evaluate(now, subjectViews(batch), hostSettings()), messageFailure);
      },
    },
  };
}

/**
 * The `exporter` world. `Impl` has `describe()` and `render(subject, config)` returning
 * `{ fileName, mediaType, bytes }`.
 */
export function exporter(Impl) {
  return {
    plugin: pluginExport(Impl),
    render: {
      render(subject) {
        return attempt(() => Impl.render(subject, hostSettings()), (e) => {
          const message = messageFailure(e);
          return message === undefined ? undefined : { message };
        });
      },
    },
  };
}

function pluginExport(Impl) {
  return {
    describe() {
      try {
        return Impl.describe();
      } catch (e) {
        bug('describe', e);
      }
    },
    // Plugin API 0.2.0: the host asks when the settings are given, so a bad value is refused then.
    checkConfig() {
      if (typeof Impl.checkConfig !== 'function') return { tag: 'ok', val: undefined };
      let problems;
      try {
        problems = Impl.checkConfig(hostSettings()) ?? [];
      } catch (e) {
        if (!(e instanceof ConfigError)) bug('checkConfig', e);
        problems = [configProblem(e.key, e.problem)];
      }
      return problems.length === 0 ? { tag: 'ok', val: undefined } : { tag: 'err', val: problems };
    },
  };
}

/** Runs `f`; a failure the plugin meant becomes the WIT `err`, anything else traps after a log line. */
function attempt(f, failure) {
  try {
    return { tag: 'ok', val: f() };
  } catch (e) {
    const err = failure(e);
    if (err === undefined) bug('a call', e);
    return { tag: 'err', val: err };
  }
}

function chunkResult(result) {
  return { records: result?.records ?? [], rejected: result?.rejected ?? [] };
}

function importFailure(e) {
  if (e instanceof ImportError) return e.toRecord();
  if (e instanceof CsvError) return { row: BigInt(e.line), column: undefined, message: e.detail };
  if (e instanceof ConfigError) return { row: undefined, column: undefined, message: e.message };
  return undefined;
}

function messageFailure(e) {
  if (e instanceof ConfigError || e instanceof RangeError || e instanceof CsvError) return e.message;
  return undefined;
}

function bug(where, e) {
  // The host reports a trap without the exception: say what it was first.
  write('error', `uncaught exception in ${where}: ${e?.stack ?? e}`);
  throw e instanceof Error ? e : new Error(String(e));
}
