// `custode-plugin build`: a plugin's entry file to a component that imports nothing but the
// `custode:plugin` interfaces.
//
// 1. Bundle the entry and everything it imports (this SDK included) into one ES module with
//    Rolldown; `custode:plugin/host` is left as an import, versioned from the WIT folder.
// 2. componentize-js embeds the bundle in the StarlingMonkey JavaScript engine, runs its top level
//    under Wizer and snapshots the result, with every WASI feature disabled: no clock, no
//    randomness, no stdio, no HTTP. The component imports only `custode:plugin/host` and `types`.
// 3. Check the component's imports, and write it.
//
// The same sources give the same bytes (CI checks it): the bundle has no paths in it; the work
// folder componentize-js creates, whose path ends up in the engine's memory, is at a fixed place
// with a fixed name; its stub clock reads 0 instead of the build time; and Wizer runs the engine
// with a clock and a random source that are the same on every build (see deterministic-wasi.wat).

import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentize } from '@bytecodealliance/componentize-js';
import { componentWit } from '@bytecodealliance/jco';
import { rolldown } from 'rolldown';
import { withBuildLock } from './lock.js';
import { SDK_DIR, WORLDS, witPackage } from './settings.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Where builds work. Fixed, because the path is recorded in the component (see above). */
export const WORK_DIR = '/tmp/custode-js-build';

/**
 * Builds a component.
 * @param {{ entry: string, world: string, out: string, log?: (line: string) => void }} options
 * @returns {Promise<{ bytes: number, imports: string[], exports: string[] }>}
 */
export async function build({ entry, world, out, log = () => {} }) {
  if (!WORLDS[world]) {
    throw new Error(`unknown world \`${world}\`; use one of ${Object.keys(WORLDS).join(', ')}`);
  }
  if (!existsSync(entry)) throw new Error(`the entry file ${entry} does not exist`);
  const wit = witPackage();
  log(`bundling ${entry} for custode:plugin/${world}@${wit.version}`);
  const source = await bundle(resolve(entry), wit.version);
  const missing = WORLDS[world].filter((name) => !new RegExp(`\\bexport\\s*\\{[^}]*\\b${name}\\b`).test(source));
  if (missing.length > 0) {
    throw new Error(`${entry} must export ${missing.map((m) => `\`${m}\``).join(' and ')} for the ${world} world, e.g. \`export const { ${WORLDS[world].join(', ')} } = ${worldFunction(world)}(MyPlugin);\``);
  }
  log('componentizing (the JavaScript engine is embedded and pre-initialised; this takes a minute)');
  const component = await withBuildLock(WORK_DIR, () => componentizeDeterministically(source, wit.dir, world));
  const surface = interfacesOf(await componentWit(component));
  const foreign = surface.imports.filter((i) => !i.startsWith('custode:plugin/'));
  if (foreign.length > 0) {
    throw new Error(`the component imports ${foreign.join(', ')}; a Custode plugin may import only custode:plugin interfaces`);
  }
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, component);
  return { bytes: component.length, ...surface };
}

function worldFunction(world) {
  return { importer: 'importer', 'retention-rule': 'retentionRule', exporter: 'exporter' }[world];
}

/** The entry file and everything it imports as one ES module, with no path of this machine in it. */
export async function bundle(entry, version) {
  const bundler = await rolldown({
    input: entry,
    platform: 'neutral',
    logLevel: 'warn',
    treeshake: true,
    plugins: [
      {
        name: 'custode-wit',
        resolveId(id) {
          if (id === 'custode:plugin/host') return { id: `custode:plugin/host@${version}`, external: true };
          if (id.startsWith('custode:')) return { id, external: true };
          return null;
        },
      },
    ],
  });
  try {
    const { output } = await bundler.generate({ format: 'esm', sourcemap: false, comments: false });
    if (output.length !== 1) throw new Error(`the bundle of ${entry} has ${output.length} parts; dynamic import() is not supported`);
    // Rolldown heads each module's code with a comment naming its path relative to the working
    // directory: the same sources in another folder would give another component.
    const headers = new Set(output[0].moduleIds.map((id) => `// ${relative(process.cwd(), id)}`));
    return output[0].code
      .split('\n')
      .filter((line) => !headers.has(line))
      .join('\n');
  } finally {
    await bundler.close();
  }
}

async function componentizeDeterministically(source, witDir, world) {
  // componentize-js names its work folder from Math.random() under os.tmpdir(), and stamps its
  // stub clock with Date.now(): pin all three for the duration of the call. It also mangles the
  // script's path when the working directory contains the work folder, so work from this SDK's
  // folder, which does not.
  const saved = { tmpdir: process.env.TMPDIR, random: Math.random, now: Date.now, cwd: process.cwd() };
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  const wizer = join(WORK_DIR, 'wizer');
  writeFileSync(wizer, `#!/bin/sh\nexec "${process.execPath}" "${join(here, 'wizer-deterministic.js')}" "$@"\n`);
  chmodSync(wizer, 0o755);
  process.env.TMPDIR = WORK_DIR;
  Math.random = () => 0.5;
  Date.now = () => 0;
  process.chdir(SDK_DIR);
  try {
    const { component } = await componentize(source, {
      witPath: witDir,
      worldName: world,
      disableFeatures: ['random', 'stdio', 'clocks', 'http', 'fetch-event'],
      wizerBin: wizer,
    });
    return component;
  } finally {
    process.chdir(saved.cwd);
    if (saved.tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved.tmpdir;
    Math.random = saved.random;
    Date.now = saved.now;
    rmSync(WORK_DIR, { recursive: true, force: true });
  }
}

/** The `import` and `export` lines of a component's WIT. */
export function interfacesOf(wit) {
  const pick = (kind) => [...wit.matchAll(new RegExp(`^\\s*${kind}\\s+([^;]+);`, 'gm'))].map((m) => m[1].trim());
  return { imports: pick('import'), exports: pick('export') };
}

/** The `custode` settings of a plugin's package.json: which world, which entry file. */
export function pluginManifest(dir) {
  const path = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  const settings = manifest.custode ?? {};
  if (!settings.world || !settings.entry) {
    throw new Error(`${path} needs a "custode" section naming the world and the entry file, e.g. "custode": { "world": "importer", "entry": "src/plugin.js" }`);
  }
  return { name: manifest.name.replace(/^@[^/]+\//, ''), ...settings };
}
