// Where the SDK finds the WIT package it builds against: the one setting to change when a new
// plugin API version lands (`custode.wit` in this package's package.json, a folder relative to it;
// the environment variable CUSTODE_WIT_DIR overrides it).

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The SDK's own folder (the one holding its package.json). */
export const SDK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The worlds a plugin can implement, and the exports each one's entry file must have. */
export const WORLDS = Object.freeze({
  importer: ['plugin', 'source'],
  'retention-rule': ['plugin', 'rule'],
  exporter: ['plugin', 'render'],
});

/** The WIT folder and the version of the `custode:plugin` package in it. */
export function witPackage() {
  const manifest = JSON.parse(readFileSync(join(SDK_DIR, 'package.json'), 'utf8'));
  const dir = resolve(SDK_DIR, process.env.CUSTODE_WIT_DIR ?? manifest.custode.wit);
  let files;
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.wit'));
  } catch (e) {
    throw new Error(`the WIT folder ${dir} cannot be read (${e.code}); set \`custode.wit\` in ${join(SDK_DIR, 'package.json')} or CUSTODE_WIT_DIR`);
  }
  const versions = new Set();
  for (const f of files) {
    const m = /^\s*package\s+custode:plugin@([0-9A-Za-z.+-]+)\s*;/m.exec(readFileSync(join(dir, f), 'utf8'));
    if (m) versions.add(m[1]);
  }
  if (versions.size !== 1) {
    throw new Error(`the WIT folder ${dir} must hold one version of the package custode:plugin, found ${[...versions].join(', ') || 'none'}`);
  }
  return { dir, version: [...versions][0] };
}
