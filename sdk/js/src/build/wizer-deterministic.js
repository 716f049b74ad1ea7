// Stands in for the `wizer` binary that componentize-js runs (its `wizerBin` option): merges
// deterministic-wasi.wat into the engine module (binaryen's wasm-merge), then runs the real Wizer
// on the result with the same arguments. Wizer reads its runtime arguments from stdin, which is
// passed through. See deterministic-wasi.wat for why.

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wizer from '@bytecodealliance/wizer';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const wasmMerge = join(dirname(require.resolve('binaryen/package.json')), 'bin', 'wasm-merge');

const args = process.argv.slice(2);
const input = args.at(-1);
const merged = `${input}.deterministic.wasm`;
const merge = spawnSync(
  process.execPath,
  [wasmMerge, input, 'main', join(here, 'deterministic-wasi.wat'), 'wasi_snapshot_preview1', '--all-features', '-o', merged],
  { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' },
);
if (merge.status !== 0) {
  process.stderr.write(`wasm-merge failed:\n${merge.stderr}`);
  process.exit(1);
}
args[args.length - 1] = merged;
// Wizer passes its environment to the engine (--inherit-env), whose snapshot then holds it: keep
// what componentize-js set and drop what the shell that started this script added (PWD names the
// folder the build ran in).
const env = { ...process.env };
for (const name of ['PWD', 'OLDPWD', 'SHLVL', '_']) delete env[name];
const run = spawnSync(wizer, args, { stdio: 'inherit', env });
process.exit(run.status ?? 1);
