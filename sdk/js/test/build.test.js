// The build's first step, checked without the minute-long componentize step (sdk/build-examples.sh
// builds real components twice and compares them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, interfacesOf } from '../src/build/build.js';

const sdk = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The fixture plugin in a fresh folder, with the SDK linked in as npm links a `file:` dependency. */
function fixtureAt(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(sdk, 'test', 'fixtures', 'plugin'), dir, { recursive: true });
  mkdirSync(join(dir, 'node_modules', '@custode'), { recursive: true });
  symlinkSync(sdk, join(dir, 'node_modules', '@custode', 'plugin-sdk'));
  return dir;
}

test('the bundle names no path, so the same sources bundle the same anywhere', async () => {
  const a = fixtureAt('custode-bundle-a-');
  const b = fixtureAt('custode-bundle-b-longer-name-');
  try {
    const first = await bundle(join(a, 'src', 'plugin.js'), '0.1.0');
    const second = await bundle(join(b, 'src', 'plugin.js'), '0.1.0');
    assert.equal(first, second);
    for (const path of [sdk, a, 'src/', 'node_modules', 'sdk/js']) assert.ok(!first.includes(path), `the bundle mentions ${path}`);
    // The host interface is imported at the version of the WIT folder; the exports are there.
    assert.match(first, /from "custode:plugin\/host@0\.1\.0"/);
    assert.match(first, /export \{ plugin, source \}/);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('the imports and exports are read from the WIT of a component', () => {
  const wit = `package root:component;\n\nworld root {\n  import custode:plugin/types@0.1.0;\n  import wasi:clocks/wall-clock@0.2.3;\n\n  export custode:plugin/plugin@0.1.0;\n}\n`;
  assert.deepEqual(interfacesOf(wit), {
    imports: ['custode:plugin/types@0.1.0', 'wasi:clocks/wall-clock@0.2.3'],
    exports: ['custode:plugin/plugin@0.1.0'],
  });
});
