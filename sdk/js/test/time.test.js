import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addMonths, civilFromDays, daysFromCivil, daysInMonth, epochSecondsOrMillis, formatDate, formatIso,
  fromCivil, isLeapYear, monthsBetween, parseDate, toCivil,
} from '../src/index.js';

const iso = (text, options) => formatIso(parseDate(text, options));

test('civil dates round-trip over many centuries', () => {
  let days = daysFromCivil(1600, 1, 1);
  const end = daysFromCivil(2400, 12, 31);
  let [y, m, d] = [1600, 1, 1];
  for (; days <= end; days++) {
    assert.deepEqual(civilFromDays(days), [y, m, d]);
    if (++d > daysInMonth(y, m)) {
      d = 1;
      if (++m > 12) [m, y] = [1, y + 1];
    }
  }
});

test('known timestamps and formats', () => {
  assert.equal(fromCivil(2026, 1, 15, 10, 30, 0), 1768473000n);
  assert.deepEqual(toCivil(1768473000n), { year: 2026, month: 1, day: 15, hour: 10, minute: 30, second: 0 });
  assert.equal(formatIso(951782400n), '2000-02-29T00:00:00Z');
  assert.equal(formatIso(-1n), '1969-12-31T23:59:59Z');
  assert.equal(formatIso(-62135596800n), '0001-01-01T00:00:00Z');
  assert.equal(formatIso(253402300800n), '+10000-01-01T00:00:00Z');
  assert.equal(formatDate(1768473000), '2026-01-15');
});

test('leap years and checked parts', () => {
  assert.ok(isLeapYear(2000) && isLeapYear(2024) && !isLeapYear(1900) && !isLeapYear(2026));
  assert.throws(() => fromCivil(1900, 2, 29), { message: 'February 1900 has 28 days' });
  assert.throws(() => fromCivil(2026, 13, 1), { message: 'there is no month 13' });
  assert.throws(() => fromCivil(2026, 1, 1, 24), { message: '24:00:00 is not a time of day' });
});

test('addMonths clamps to the last day and keeps the time', () => {
  const t = fromCivil(2024, 2, 29, 23, 59, 59);
  assert.equal(formatIso(addMonths(t, 12)), '2025-02-28T23:59:59Z');
  assert.equal(formatIso(addMonths(t, 48)), '2028-02-29T23:59:59Z');
  assert.equal(formatIso(addMonths(t, -24)), '2022-02-28T23:59:59Z');
  assert.equal(addMonths(t, 0), t);
});

test('monthsBetween counts whole months only', () => {
  const at = (y, m, d, h) => fromCivil(y, m, d, h);
  assert.equal(monthsBetween(at(2024, 1, 15, 12), at(2026, 1, 15, 11)), 23);
  assert.equal(monthsBetween(at(2024, 1, 15, 12), at(2026, 1, 15, 12)), 24);
  assert.equal(monthsBetween(at(2024, 1, 31, 0), at(2024, 2, 29, 0)), 1);
  assert.equal(monthsBetween(at(2024, 1, 31, 0), at(2024, 2, 28, 0)), 0);
  assert.equal(monthsBetween(at(2026, 5, 10, 0), at(2026, 3, 11, 0)), -1);
  for (let i = 0; i < 200; i++) {
    const from = at(2023, 1, 1, 0) + BigInt(i) * 37003n;
    for (let j = 0; j < 40; j++) {
      const to = from + BigInt(j) * 1000003n;
      const n = monthsBetween(from, to);
      assert.ok(addMonths(from, n) <= to && addMonths(from, n + 1) > to);
    }
  }
});

test('ISO, European and American forms parse', () => {
  assert.equal(iso('2026-01-15'), '2026-01-15T00:00:00Z');
  assert.equal(iso(' 2026/1/5 '), '2026-01-05T00:00:00Z');
  assert.equal(iso('20260115'), '2026-01-15T00:00:00Z');
  assert.equal(iso('2026-01-15T10:30'), '2026-01-15T10:30:00Z');
  assert.equal(iso('2026-01-15 10:30:45'), '2026-01-15T10:30:45Z');
  assert.equal(iso('2026-01-15T10:30:45.123456Z'), '2026-01-15T10:30:45Z');
  assert.equal(iso('2026-01-15T00:30:00+01:00'), '2026-01-14T23:30:00Z');
  assert.equal(iso('2026-01-15T10:30:00-0530'), '2026-01-15T16:00:00Z');
  assert.equal(iso('2026-01-15T10:30:00+02'), '2026-01-15T08:30:00Z');
  assert.equal(iso('2026-01-15 10:30:00 +0000'), '2026-01-15T10:30:00Z');
  assert.equal(iso('20260115T103000Z'), '2026-01-15T10:30:00Z');
  assert.equal(iso('20260115T1030'), '2026-01-15T10:30:00Z');
  assert.equal(iso('15/01/2026'), '2026-01-15T00:00:00Z');
  assert.equal(iso('5/1/2026'), '2026-01-05T00:00:00Z');
  assert.equal(iso('15.01.2026'), '2026-01-15T00:00:00Z');
  assert.equal(iso('15/01/2026  09:05:07'), '2026-01-15T09:05:07Z');
  assert.equal(iso('01/15/2026 10:30', { order: 'month-first' }), '2026-01-15T10:30:00Z');
  assert.throws(() => parseDate('01/15/2026'));
});

test('date errors say what is wrong and which forms work', () => {
  const err = (s, o) => {
    try {
      parseDate(s, o);
    } catch (e) {
      assert.ok(e instanceof RangeError);
      return e.message;
    }
    assert.fail(`${s} should be rejected`);
  };
  assert.equal(err('31/02/2026'), '`31/02/2026` is not a date (February 2026 has 28 days); use YYYY-MM-DD or dd/mm/yyyy');
  assert.equal(err('2026-13-01'), '`2026-13-01` is not a date (there is no month 13); use YYYY-MM-DD or dd/mm/yyyy');
  assert.equal(err('15/01/26'), '`15/01/26` is not a date (the year has two digits; write all four); use YYYY-MM-DD or dd/mm/yyyy');
  assert.equal(err('ieri'), '`ieri` is not a date; use YYYY-MM-DD or dd/mm/yyyy');
  assert.equal(err('2026-01-15 25:00', { order: 'month-first' }), '`2026-01-15 25:00` is not a date (25:00:00 is not a time of day); use YYYY-MM-DD or mm/dd/yyyy');
  for (const bad of ['', '2026-01', '2026-01-15T', '2026-01-15X10:00', '15/01-2026', '2026-01-15T10', '2026-01-15T10:30:00+1',
    '15/01/2026 10:30 pm', '2026-01-15T10:30:00.Z', '1768473000', '2026-1-15-', '2026-01-15T10:30+24:00']) {
    assert.throws(() => parseDate(bad), RangeError, `${bad} should be rejected`);
  }
});

test('epoch numbers in seconds or milliseconds', () => {
  assert.equal(epochSecondsOrMillis(0), 0n);
  assert.equal(epochSecondsOrMillis(99999999999), 99999999999n);
  assert.equal(epochSecondsOrMillis(100000000000), 100000000n);
  assert.equal(epochSecondsOrMillis(1768473000123n), 1768473000n);
  assert.equal(epochSecondsOrMillis(-1500), -1500n);
});
