#!/usr/bin/env node
// custode-plugin: build a Custode plugin written in JavaScript or TypeScript, and keep the SDK's
// TypeScript declarations in step with the WIT files. Run `custode-plugin help`.

import { resolve } from 'node:path';
import { build, pluginManifest } from '../src/build/build.js';
import { TYPES_DIR, generateTypes, staleTypes } from '../src/build/types.js';

const USAGE = `usage:
  custode-plugin build [DIR] [--out FILE]   build the plugin in DIR (default: .) into a component;
                                            DIR/package.json says "custode": { "world", "entry" };
                                            FILE defaults to dist/<package name>.wasm in DIR
  custode-plugin build --entry FILE --world WORLD --out FILE
                                            the same without a package.json
  custode-plugin types [--check]            regenerate the SDK's WIT declarations (types/wit/),
                                            or fail when they differ from what the WIT folder gives`;

function option(args, name) {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) fail(`${name} needs a value`);
  args.splice(i, 2);
  return value;
}

function fail(message) {
  process.stderr.write(`custode-plugin: ${message}\n`);
  process.exit(2);
}

async function main(argv) {
  const [command, ...args] = argv;
  switch (command) {
    case 'build': {
      let entry = option(args, '--entry');
      let world = option(args, '--world');
      let out = option(args, '--out');
      const dir = resolve(args.shift() ?? '.');
      if (args.length > 0) fail(`unexpected arguments: ${args.join(' ')}\n${USAGE}`);
      if (!entry || !world) {
        const manifest = pluginManifest(dir);
        entry ??= resolve(dir, manifest.entry);
        world ??= manifest.world;
        out ??= resolve(dir, 'dist', `${manifest.name}.wasm`);
      }
      if (!out) fail('--out is needed with --entry');
      const started = process.hrtime.bigint();
      const result = await build({ entry, world, out, log: (line) => process.stderr.write(`${line}\n`) });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      process.stdout.write(`${out}: ${result.bytes} bytes in ${seconds.toFixed(1)} s\n  imports ${result.imports.join(', ')}\n  exports ${result.exports.join(', ')}\n`);
      return;
    }
    case 'types': {
      if (args[0] === '--check') {
        const stale = staleTypes();
        if (stale.length > 0) {
          fail(`the WIT declarations in ${TYPES_DIR} are not what the WIT folder gives: ${stale.join(', ')}; run \`npm run types\` in the SDK and commit them`);
        }
        process.stdout.write(`${TYPES_DIR} matches the WIT folder\n`);
      } else {
        const files = generateTypes();
        process.stdout.write(`wrote ${files.length} files to ${TYPES_DIR}\n`);
      }
      return;
    }
    case 'help':
    case '--help':
    case undefined:
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      fail(`unknown command \`${command}\`\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((e) => fail(e.message));
