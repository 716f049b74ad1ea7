// Logging: `log.info('read 12 rows')`. Inside a plugin the line goes to the host's log, tagged with
// the plugin's name and version (the world adapters connect it); in a plugin's unit tests under
// Node.js it goes to stderr, so the same code runs in both.

/** @type {(level: string, message: string) => void} */
let sink = (level, message) => {
  // Node.js only: inside a component the world adapter replaces this sink before any plugin code runs.
  globalThis.console?.error(`[${level}] ${message}`);
};

/** Where log lines go. Called by the world adapters with the host's `log` function. */
export function setLogSink(write) {
  sink = write;
}

/**
 * Writes one line to the plugin's log.
 * @param {'trace' | 'debug' | 'info' | 'warn' | 'error'} level
 * @param {string} message
 */
export function write(level, message) {
  sink(level, message);
}

export const log = Object.freeze({
  trace: (message) => write('trace', message),
  debug: (message) => write('debug', message),
  info: (message) => write('info', message),
  warn: (message) => write('warn', message),
  error: (message) => write('error', message),
});
