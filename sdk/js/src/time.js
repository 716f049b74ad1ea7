// Dates and times without a clock: civil-date arithmetic, parsing, formatting. Mirrors the Rust
// SDK's `custode_sdk::time`.
//
// A timestamp is whole seconds since 1970-01-01T00:00:00Z as a `bigint`, the form every timestamp
// takes when it crosses the plugin boundary (WIT `s64`). Functions here also accept a `number` of
// seconds. Plugins have no clock: "now" is always an argument. The calendar is the proleptic
// Gregorian one, in UTC; a date without a time means midnight UTC.

/** Seconds in a day (no leap seconds, as in Unix time). */
export const SECONDS_PER_DAY = 86400n;

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

const floorDiv = (a, b) => {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
};
const mod = (a, b) => a - floorDiv(a, b) * b;

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
 * @param {number} year @param {number} month 1-12 @param {number} day 1-31
 * @returns {number}
 */
export function daysFromCivil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * The proleptic Gregorian date `[year, month, day]` of a day count since 1970-01-01.
 * @param {number} days
 * @returns {[number, number, number]}
 */
export function civilFromDays(days) {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** Whether `year` is a leap year in the Gregorian calendar. */
export function isLeapYear(year) {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** The number of days in a month (`month` from 1 to 12). */
export function daysInMonth(year, month) {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * @typedef {object} Civil A date and time of day in UTC, broken into its parts.
 * @property {number} year @property {number} month 1-12 @property {number} day 1-31
 * @property {number} hour @property {number} minute @property {number} second
 */

/**
 * The parts of a timestamp.
 * @param {bigint | number} ts
 * @returns {Civil}
 */
export function toCivil(ts) {
  const t = BigInt(ts);
  const days = Number(floorDiv(t, SECONDS_PER_DAY));
  const secs = Number(mod(t, SECONDS_PER_DAY));
  const [year, month, day] = civilFromDays(days);
  return { year, month, day, hour: Math.floor(secs / 3600), minute: Math.floor(secs / 60) % 60, second: secs % 60 };
}

/**
 * The timestamp of checked parts.
 * @param {number} year @param {number} month @param {number} day
 * @param {number} [hour] @param {number} [minute] @param {number} [second]
 * @returns {bigint}
 * @throws {RangeError} naming the part out of range, e.g. "February 2026 has 28 days"
 */
export function fromCivil(year, month, day, hour = 0, minute = 0, second = 0) {
  const problem = civilProblem(year, month, day, hour, minute, second);
  if (problem) throw new RangeError(problem);
  return civilTimestamp(year, month, day, hour, minute, second);
}

function civilTimestamp(year, month, day, hour, minute, second) {
  return BigInt(daysFromCivil(year, month, day)) * SECONDS_PER_DAY + BigInt(hour * 3600 + minute * 60 + second);
}

function civilProblem(year, month, day, hour, minute, second) {
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const last = daysInMonth(year, month);
  if (day < 1 || day > last) return `${MONTH_NAMES[month - 1]} ${year} has ${last} days`;
  if (hour > 23 || minute > 59 || second > 59) return `${pad2(hour)}:${pad2(minute)}:${pad2(second)} is not a time of day`;
  return undefined;
}

/**
 * The same time of day `months` calendar months later (earlier when negative). A day that does
 * not exist in the target month becomes its last day: 31 January plus one month is 28 (or 29)
 * February.
 * @param {bigint | number} ts
 * @param {number} months
 * @returns {bigint}
 */
export function addMonths(ts, months) {
  const c = toCivil(ts);
  const index = c.year * 12 + c.month - 1 + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const day = Math.min(c.day, daysInMonth(year, month));
  return civilTimestamp(year, month, day, c.hour, c.minute, c.second);
}

/**
 * Whole calendar months from `from` to `to`: the largest `n` with `addMonths(from, n) <= to`.
 * Negative (by the same rule, backwards) when `to` is before `from`.
 * @param {bigint | number} from
 * @param {bigint | number} to
 * @returns {number}
 */
export function monthsBetween(from, to) {
  const f = BigInt(from);
  const t = BigInt(to);
  if (t < f) return -monthsBetween(t, f);
  const a = toCivil(f);
  const b = toCivil(t);
  let n = (b.year - a.year) * 12 + b.month - a.month;
  if (addMonths(f, n) > t) n -= 1;
  return n;
}

/**
 * `days` whole days later (earlier when negative).
 * @param {bigint | number} ts
 * @param {number} days
 * @returns {bigint}
 */
export function addDays(ts, days) {
  return BigInt(ts) + BigInt(days) * SECONDS_PER_DAY;
}

/**
 * RFC 3339 / ISO 8601 in UTC: `2026-01-15T10:30:00Z`.
 * @param {bigint | number} ts
 */
export function formatIso(ts) {
  const c = toCivil(ts);
  return `${year4(c.year)}-${pad2(c.month)}-${pad2(c.day)}T${pad2(c.hour)}:${pad2(c.minute)}:${pad2(c.second)}Z`;
}

/**
 * The UTC date of a timestamp: `2026-01-15`.
 * @param {bigint | number} ts
 */
export function formatDate(ts) {
  const c = toCivil(ts);
  return `${year4(c.year)}-${pad2(c.month)}-${pad2(c.day)}`;
}

function pad2(v) {
  return String(v).padStart(2, '0');
}

function year4(year) {
  if (year >= 0 && year <= 9999) return String(year).padStart(4, '0');
  // ISO 8601 expanded years carry a sign.
  return (year < 0 ? '-' : '+') + String(Math.abs(year)).padStart(4, '0');
}

/**
 * A Unix time given as a number, in seconds or milliseconds: values of 100 000 000 000 and more
 * (after the year 5138 in seconds) are taken as milliseconds, as webhook payloads often send them.
 * @param {bigint | number} n
 * @returns {bigint}
 */
export function epochSecondsOrMillis(n) {
  const v = BigInt(n);
  const abs = v < 0n ? -v : v;
  return abs >= 100000000000n ? floorDiv(v, 1000n) : v;
}

/**
 * Parses a date, or a date and time, into a timestamp. Accepted, with surrounding spaces ignored:
 * ISO dates (`2026-01-15`, `2026/01/15`, `20260115`); ISO date and time with `T` or a space
 * (`2026-01-15T10:30`, `2026-01-15 10:30:00`, `20260115T103000Z`), fractions of a second dropped,
 * a zone (`Z`, `±HH:MM`, `±HHMM`, `±HH`; none means UTC); day first (`15/01/2026`, `15-01-2026`,
 * `15.1.2026`) or month first with `{ order: 'month-first' }`, optionally with a time.
 *
 * @example parseDate('2026-01-15T11:30:00+01:00') === 1768473000n
 * @param {string} text
 * @param {{ order?: 'day-first' | 'month-first' }} [options]
 * @returns {bigint}
 * @throws {RangeError} a sentence naming the text and the accepted forms
 */
export function parseDate(text, options = {}) {
  const order = options.order ?? 'day-first';
  const trimmed = text.trim();
  const result = parse(trimmed, order);
  if (typeof result === 'bigint') return result;
  const forms = order === 'month-first' ? 'YYYY-MM-DD or mm/dd/yyyy' : 'YYYY-MM-DD or dd/mm/yyyy';
  const detail = result.detail ? ` (${result.detail})` : '';
  throw new RangeError(`\`${trimmed}\` is not a date${detail}; use ${forms}`);
}

const UNKNOWN = { detail: undefined };

class Cursor {
  constructor(s) {
    this.s = s;
    this.i = 0;
  }
  peek() {
    return this.s[this.i];
  }
  eat(c) {
    if (this.s[this.i] === c) {
      this.i++;
      return true;
    }
    return false;
  }
  digitsRun() {
    let j = this.i;
    while (j < this.s.length && this.s[j] >= '0' && this.s[j] <= '9') j++;
    return j - this.i;
  }
  /** Exactly `n` digits, or undefined. */
  number(n) {
    if (this.digitsRun() < n) return undefined;
    const v = Number(this.s.slice(this.i, this.i + n));
    this.i += n;
    return v;
  }
  /** One or two digits, or undefined. */
  small() {
    const run = this.digitsRun();
    return run === 1 || run === 2 ? this.number(run) : undefined;
  }
  done() {
    return this.i === this.s.length;
  }
}

/** A timestamp, or `{ detail }`: undefined when the form is unknown, a reason when out of range. */
function parse(s, order) {
  const c = new Cursor(s);
  const run = c.digitsRun();
  let year, month, day;
  let basic = false;
  if (run === 4) {
    year = c.number(4);
    const sep = c.peek();
    if (sep !== '-' && sep !== '/') return UNKNOWN;
    c.i++;
    month = c.small();
    if (month === undefined || !c.eat(sep)) return UNKNOWN;
    day = c.small();
  } else if (run === 8) {
    [year, month, day, basic] = [c.number(4), c.number(2), c.number(2), true];
  } else if (run === 1 || run === 2) {
    const first = c.small();
    const sep = c.peek();
    if (sep !== '/' && sep !== '-' && sep !== '.') return UNKNOWN;
    c.i++;
    const second = c.small();
    if (second === undefined || !c.eat(sep)) return UNKNOWN;
    const yearDigits = c.digitsRun();
    if (yearDigits === 2) return { detail: 'the year has two digits; write all four' };
    if (yearDigits !== 4) return UNKNOWN;
    year = c.number(4);
    [month, day] = order === 'month-first' ? [first, second] : [second, first];
  } else {
    return UNKNOWN;
  }
  if (day === undefined) return UNKNOWN;

  let hour = 0, minute = 0, second = 0, offset = 0;
  if (!c.done()) {
    const sep = c.peek();
    if (sep !== 'T' && sep !== 't' && sep !== ' ') return UNKNOWN;
    while (c.eat(' ')) {}
    if (sep !== ' ') c.i++;
    const time = timeOfDay(c, basic);
    if (time === undefined) return UNKNOWN;
    [hour, minute, second] = time;
    const zoneOffset = zone(c);
    if (typeof zoneOffset !== 'number') return zoneOffset;
    offset = zoneOffset;
    if (!c.done()) return UNKNOWN;
  }
  const problem = civilProblem(year, month, day, hour, minute, second);
  if (problem) return { detail: problem };
  return civilTimestamp(year, month, day, hour, minute, second) - BigInt(offset);
}

/** `HH:MM[:SS[.fff]]`, or `HHMM[SS]` after a basic-format date. */
function timeOfDay(c, basic) {
  const hour = c.digitsRun() >= 2 ? c.number(2) : c.small();
  if (hour === undefined) return undefined;
  const colon = c.eat(':');
  if (!colon && !basic) return undefined;
  const minute = c.number(2);
  if (minute === undefined) return undefined;
  let second = 0;
  if ((colon && c.eat(':')) || (!colon && c.digitsRun() >= 2)) {
    second = c.number(2);
    if (second === undefined) return undefined;
    if (c.eat('.') || c.eat(',')) {
      const fraction = c.digitsRun();
      if (fraction === 0) return undefined;
      c.i += fraction;
    }
  }
  return [hour, minute, second];
}

/** The zone suffix as seconds east of UTC: `Z`, `±HH:MM`, `±HHMM`, `±HH`, optionally after a space. */
function zone(c) {
  while (c.eat(' ')) {}
  if (c.eat('Z') || c.eat('z') || c.done()) return 0;
  const sign = c.peek() === '+' ? 1 : c.peek() === '-' ? -1 : 0;
  if (sign === 0) return UNKNOWN;
  c.i++;
  const hours = c.number(2);
  if (hours === undefined) return UNKNOWN;
  let minutes = 0;
  if (c.eat(':') || c.digitsRun() === 2) {
    minutes = c.number(2);
    if (minutes === undefined) return UNKNOWN;
  }
  if (hours > 23 || minutes > 59) return { detail: `the zone offset ${pad2(hours)}:${pad2(minutes)} is out of range` };
  return sign * (hours * 3600 + minutes * 60);
}
