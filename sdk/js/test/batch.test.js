// The columns of plugin API 0.3.0 turned back into subject views (src/batch.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subjectViews } from '../src/batch.js';
import { columns } from './columns.js';

/** The example of retention.wit. */
const example = () => columns({
  names: ['marketing'], contactIds: [42n], createdAt: [1700000000n], lastInteraction: [0n], flags: [1],
  sourceCounts: [0], basisCounts: [1], basisPurposes: [0], basisKinds: [6], basisStarts: [1700000000n], basisEnds: [0n], basisHasEnd: [0],
  consentCounts: [0], objectionCounts: [0], categoryCounts: [0],
});

test('the documented example is one restricted subject on legitimate interest', () => {
  assert.deepEqual(subjectViews(example()), [{
    contactId: 42n, createdAt: 1700000000n, lastInteraction: undefined, sources: [],
    legalBases: [{ purpose: 'marketing', basis: 'legitimate-interest', start: 1700000000n, end: undefined }],
    consents: [], objections: [], categories: [], restricted: true, legalHold: false,
  }]);
});

test('rows go to their own subject, in order, every column read', () => {
  const views = subjectViews(columns({
    names: ['Fiera', 'marketing', 'email', 'any'],
    contactIds: [1n, 2n, 3n], createdAt: [10n, 20n, 30n], lastInteraction: [11n, 0n, 33n], flags: [4, 2, 5],
    sourceCounts: [0, 1, 0], sourceLabels: [0], sourceChannels: [4], sourceCollectedAt: [21n],
    basisCounts: [0, 0, 1], basisPurposes: [1], basisKinds: [3], basisStarts: [31n], basisEnds: [32n], basisHasEnd: [1],
    consentCounts: [2, 0, 0], consentPurposes: [1, 1], consentChannels: [2, 3], consentStates: [0, 1], consentAt: [12n, 13n],
    objectionCounts: [0, 0, 1], objectionPurposes: [1], objectionChannels: [2], objectionStates: [2], objectionAt: [34n],
    categoryCounts: [1, 0, 0], categoryKinds: [2], categoryValues: [5], categoryOldest: [14n],
  }));
  assert.equal(views.length, 3);
  assert.deepEqual([views[0].lastInteraction, views[1].lastInteraction], [11n, undefined]);
  assert.deepEqual(views[0].consents[1], { purpose: 'marketing', channel: 'any', state: 'withdrawn', at: 13n });
  assert.deepEqual(views[0].categories, [{ category: 'financial', values: 5, oldest: 14n }]);
  assert.deepEqual(views[1].sources, [{ label: 'Fiera', channel: 'fair', collectedAt: 21n }]);
  assert.equal(views[1].legalHold && !views[1].restricted, true);
  assert.deepEqual(views[2].legalBases, [{ purpose: 'marketing', basis: 'legal-obligation', start: 31n, end: 32n }]);
  assert.equal(views[2].objections[0].state, 'objected');
  assert.equal(views[2].restricted, true);
});

test('an inconsistent batch is refused with the column named', () => {
  assert.throws(() => subjectViews({ ...example(), basisKinds: new Uint8Array() }), /`basisKinds` has 0 entries for 1 rows/);
  assert.throws(() => subjectViews({ ...example(), basisPurposes: new Uint32Array([7]) }), /name 7/);
  assert.throws(() => subjectViews({ ...example(), basisKinds: new Uint8Array([9]) }), /`basisKinds` holds 9/);
  assert.throws(() => subjectViews({ ...example(), flags: new Uint8Array() }), /`flags` has 0/);
});
