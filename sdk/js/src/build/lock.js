// One build at a time per machine: builds share a work folder at a fixed path.

import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';

/**
 * Runs `f` holding `${dir}.lock`, waiting for another build that holds it. A lock left by a build
 * that died (its process is gone) is taken over.
 */
export async function withBuildLock(dir, f) {
  const path = `${dir}.lock`;
  for (let waited = 0; ; waited++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (!alive(path)) {
        rmSync(path, { force: true });
        continue;
      }
      if (waited === 0) process.stderr.write(`waiting for another plugin build (${path})\n`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await f();
  } finally {
    rmSync(path, { force: true });
  }
}

function alive(path) {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    if (!pid) return true; // being written right now
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}
