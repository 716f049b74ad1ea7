// Typed settings with errors an admin can act on: `Config`. Mirrors the Rust SDK's
// `custode_sdk::config`.
//
// A plugin reads its settings through the host (the world adapters pass `Config.fromHost()` to the
// plugin); its tests give them as pairs or a function (`Config.fromPairs`, `Config.fromFn`), so
// the same parsing code runs in both. Values are trimmed; an empty value counts as not set.

/** A setting with a value the plugin cannot use. */
export class ConfigError extends Error {
  /**
   * @param {string} key the setting, e.g. `delimiter`
   * @param {string} problem what is wrong and what to write instead
   */
  constructor(key, problem) {
    super(`setting \`${key}\`: ${problem}`);
    this.name = 'ConfigError';
    this.key = key;
    this.problem = problem;
  }
}

/** A plugin's settings. */
export class Config {
  /** @param {(key: string) => string | undefined | null} lookup */
  constructor(lookup) {
    this.lookup = lookup;
    this.read = [];
  }

  /** Settings looked up by a function, for tests and tools. */
  static fromFn(lookup) {
    return new Config(lookup);
  }

  /**
   * Settings from pairs or a plain object.
   * @param {Record<string, string> | Array<[string, string]>} pairs
   */
  static fromPairs(pairs) {
    const map = new Map(Array.isArray(pairs) ? pairs : Object.entries(pairs));
    return new Config((key) => map.get(key));
  }

  /** Every key read so far, in order, without repeats: a plugin's tests check `describe()` lists them. */
  keysRead() {
    return [...this.read];
  }

  /**
   * The value, trimmed; undefined when not set or empty.
   * @param {string} key
   * @returns {string | undefined}
   */
  string(key) {
    if (!this.read.includes(key)) this.read.push(key);
    const value = this.lookup(key);
    if (value === undefined || value === null) return undefined;
    const trimmed = String(value).trim();
    return trimmed === '' ? undefined : trimmed;
  }

  /**
   * A yes/no setting: `true`/`false`, `yes`/`no`, `1`/`0`, `on`/`off` (any case).
   * @returns {boolean | undefined}
   * @throws {ConfigError}
   */
  bool(key) {
    const v = this.string(key);
    if (v === undefined) return undefined;
    const lower = v.toLowerCase();
    if (['true', 'yes', '1', 'on'].includes(lower)) return true;
    if (['false', 'no', '0', 'off'].includes(lower)) return false;
    throw new ConfigError(key, `\`${v}\` is not a yes/no value; write true or false`);
  }

  /**
   * A whole number, optionally within `[min, max]`.
   * @param {string} key
   * @param {{ min?: number, max?: number }} [range]
   * @returns {number | undefined}
   * @throws {ConfigError}
   */
  integer(key, range = {}) {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
      throw new ConfigError(key, `\`${v}\` is not a valid number`);
    }
    const n = Number(v);
    const { min = -Infinity, max = Infinity } = range;
    if (n < min || n > max) {
      throw new ConfigError(key, `${n} is out of range; write a number from ${min} to ${max}`);
    }
    return n;
  }

  /**
   * One of a fixed set of words (compared case-insensitively); returns the allowed spelling.
   * @template {string} T
   * @param {string} key
   * @param {readonly T[]} allowed
   * @returns {T | undefined}
   * @throws {ConfigError}
   */
  choice(key, allowed) {
    const v = this.string(key);
    if (v === undefined) return undefined;
    const found = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    if (found === undefined) throw new ConfigError(key, `\`${v}\` is not one of ${allowed.join(', ')}`);
    return found;
  }

  /**
   * A list split on `separator`, items trimmed, empty items dropped; empty when not set.
   * @returns {string[]}
   */
  list(key, separator = ',') {
    const v = this.string(key);
    if (v === undefined) return [];
    return v.split(separator).map((s) => s.trim()).filter((s) => s !== '');
  }

  /**
   * A map written `key=value, key=value` (commas or line breaks between items), in the order
   * written; empty when not set. A key or value containing a comma or `=` goes in double quotes.
   * @returns {Array<[string, string]>}
   * @throws {ConfigError}
   */
  map(key) {
    const v = this.string(key);
    if (v === undefined) return [];
    const out = [];
    for (const item of splitOutsideQuotes(v, (c) => c === ',' || c === '\n')) {
      if (item.trim() === '') continue;
      const parts = splitOutsideQuotes(item, (c) => c === '=');
      if (parts.length !== 2) {
        throw new ConfigError(
          key,
          `\`${item.trim()}\` is not a \`name=value\` pair; write items like \`E-mail=email, Nome=first_name\``,
        );
      }
      const [k, val] = parts.map(unquote);
      if (k === '') throw new ConfigError(key, `\`${item.trim()}\` has nothing before \`=\``);
      out.push([k, val]);
    }
    return out;
  }
}

function splitOutsideQuotes(s, isSep) {
  const parts = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && isSep(c)) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function unquote(s) {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}
