// The world adapters, with the host's functions replaced by a fake `custode:plugin/host` module
// (inside a component the real one is linked in).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';

const fakeHost = `
  export const log = (level, message) => globalThis.hostLog.push([level, message]);
  export const config = (key) => globalThis.hostConfig[key];
`;
register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (specifier === 'custode:plugin/host') {
        return { url: 'data:text/javascript,' + ${JSON.stringify(encodeURIComponent(fakeHost))}, shortCircuit: true };
      }
      return next(specifier, context);
    }`)}`,
);
globalThis.hostLog = [];
globalThis.hostConfig = {};

const { importer, retentionRule, exporter } = await import('../src/world.js');
const { columns } = await import('./columns.js');
const { ConfigError, CsvReader, ImportError, log, parseDate, pluginInfo, decision, Action, configProblem } = await import('../src/index.js');

class Echo {
  static describe() {
    return pluginInfo({ name: 'echo', version: '1.0.0', kind: 'importer', summary: 'test' });
  }
  static open(config) {
    if (config.string('fail') === 'config') throw new ConfigError('fail', 'told to fail');
    return new Echo(config.string('prefix') ?? '');
  }
  constructor(prefix) {
    this.prefix = prefix;
    this.csv = new CsvReader();
  }
  push(chunk) {
    const text = new TextDecoder().decode(chunk);
    if (text === 'stop') throw new ImportError('stopped here', { row: 3, column: 'email' });
    if (text === 'bug') return undefined.boom;
    this.csv.push(chunk);
    log.info(`${this.prefix}${text}`);
    return { records: [] };
  }
  finish() {
    this.csv.finish();
    return { records: [], rejected: [] };
  }
}

test('importer: settings come from the host, results are wrapped, logs go to the host', () => {
  globalThis.hostConfig = { prefix: '>>' };
  globalThis.hostLog = [];
  const { plugin, source } = importer(Echo);
  assert.equal(plugin.describe().name, 'echo');
  const opened = source.Session.open();
  assert.equal(opened.tag, 'ok');
  assert.ok(opened.val instanceof source.Session, 'open returns the exported resource class');
  assert.deepEqual(opened.val.push(new TextEncoder().encode('a,b\n')), { tag: 'ok', val: { records: [], rejected: [] } });
  assert.deepEqual(globalThis.hostLog, [['info', '>>a,b\n']]);
});

test('importer: ImportError, ConfigError and CsvError become the import-error record', () => {
  globalThis.hostConfig = { fail: 'config' };
  const { source } = importer(Echo);
  assert.deepEqual(source.Session.open(), {
    tag: 'err',
    val: { row: undefined, column: undefined, message: 'setting `fail`: told to fail' },
  });
  globalThis.hostConfig = {};
  const session = source.Session.open().val;
  assert.deepEqual(session.push(new TextEncoder().encode('stop')), {
    tag: 'err',
    val: { row: 3n, column: 'email', message: 'stopped here' },
  });
  const quoted = source.Session.open().val;
  quoted.push(new TextEncoder().encode('a\n"open'));
  assert.deepEqual(quoted.finish(), {
    tag: 'err',
    val: { row: 2n, column: undefined, message: 'a quoted field is not closed before the end of the input; add the missing `"`' },
  });
});

test('importer: a bug is logged with its message, then traps', () => {
  globalThis.hostLog = [];
  const { source } = importer(Echo);
  const session = source.Session.open().val;
  assert.throws(() => session.push(new TextEncoder().encode('bug')), TypeError);
  assert.equal(globalThis.hostLog.length, 1);
  assert.equal(globalThis.hostLog[0][0], 'error');
  assert.match(globalThis.hostLog[0][1], /^uncaught exception in a call: TypeError: Cannot read properties of undefined/);
});

test('retention rule and exporter: settings reach the plugin, a ConfigError is the error string', () => {
  const Rule = {
    describe: () => pluginInfo({ name: 'r', version: '1.0.0', kind: 'retention-rule', summary: 's' }),
    evaluate: (now, batch, config) => {
      const months = config.integer('months', { min: 1, max: 12 });
      return batch.map((s) => decision(s.contactId, Action.review, `months ${months} at ${now}`, 'ref'));
    },
  };
  const { plugin, rule } = retentionRule(Rule);
  assert.equal(plugin.describe().kind, 'retention-rule');
  globalThis.hostConfig = { months: '6' };
  assert.deepEqual(rule.evaluate(5n, columns({ contactIds: [9n], createdAt: [0n], lastInteraction: [0n], flags: [0], sourceCounts: [0], basisCounts: [0], consentCounts: [0], objectionCounts: [0], categoryCounts: [0] })), {
    tag: 'ok',
    val: [{ contactId: 9n, action: { tag: 'review' }, reason: 'months 6 at 5', legalReference: 'ref', reviewAfter: undefined, holdsFrom: undefined }],
  });
  globalThis.hostConfig = { months: '60' };
  assert.deepEqual(rule.evaluate(5n, columns()), { tag: 'err', val: 'setting `months`: 60 is out of range; write a number from 1 to 12' });
  const Dated = { ...Rule, evaluate: () => [parseDate('31/02/2026')] };
  assert.deepEqual(retentionRule(Dated).rule.evaluate(5n, columns()), {
    tag: 'err',
    val: '`31/02/2026` is not a date (February 2026 has 28 days); use YYYY-MM-DD or dd/mm/yyyy',
  });
  const Buggy = { ...Rule, evaluate: () => null.x };
  assert.throws(() => retentionRule(Buggy).rule.evaluate(5n, columns()), TypeError);

  const Doc = {
    describe: () => pluginInfo({ name: 'd', version: '1.0.0', kind: 'exporter', summary: 's' }),
    render: (subject, config) => {
      if (config.string('format') === 'pdf') throw new ConfigError('format', 'pdf is not supported');
      return { fileName: `subject-${subject.contactId}.txt`, mediaType: 'text/plain', bytes: new Uint8Array() };
    },
  };
  const { render } = exporter(Doc);
  globalThis.hostConfig = {};
  assert.equal(render.render({ contactId: 4n }).val.fileName, 'subject-4.txt');
  globalThis.hostConfig = { format: 'pdf' };
  assert.deepEqual(render.render({ contactId: 4n }), { tag: 'err', val: { message: 'setting `format`: pdf is not supported' } });
});

test('checkConfig: accepts without one; problems and a ConfigError become the error list; a bug traps', () => {
  const describe = () => pluginInfo({ name: 'c', version: '1.0.0', kind: 'retention-rule', summary: 's' });
  const evaluate = () => [];
  assert.deepEqual(retentionRule({ describe, evaluate }).plugin.checkConfig(), { tag: 'ok', val: undefined });
  const Checked = {
    describe,
    evaluate,
    checkConfig: (config) => {
      const months = config.integer('months', { min: 1, max: 12 });
      return config.string('mode') === 'loud' ? [configProblem('mode', 'write quiet or verbose')] : months && [];
    },
  };
  const { plugin } = retentionRule(Checked);
  globalThis.hostConfig = { months: '6' };
  assert.deepEqual(plugin.checkConfig(), { tag: 'ok', val: undefined });
  globalThis.hostConfig = { months: 'ten' };
  const refused = plugin.checkConfig();
  assert.equal(refused.tag, 'err');
  assert.equal(refused.val.length, 1);
  assert.equal(refused.val[0].key, 'months');
  assert.match(refused.val[0].message, /ten/);
  globalThis.hostConfig = { months: '6', mode: 'loud' };
  assert.deepEqual(plugin.checkConfig(), { tag: 'err', val: [{ key: 'mode', message: 'write quiet or verbose' }] });
  const Buggy = { describe, evaluate, checkConfig: () => null.x };
  assert.throws(() => retentionRule(Buggy).plugin.checkConfig(), TypeError);
  globalThis.hostConfig = {};
});

test('decision: review-after as before, or both dates by name', () => {
  assert.equal(decision(1, Action.keep, 'r', 'ref', 7).reviewAfter, 7n);
  const d = decision(1, Action.erase, 'r', 'ref', { holdsFrom: 5 });
  assert.equal(d.holdsFrom, 5n);
  assert.equal(d.reviewAfter, undefined);
});
