// Plugin API 0.3.0 passes a retention rule its subjects in columns (`subject-batch`, documented in
// wit/since_v0.3.0/retention.wit): typed arrays of numbers the host copies in one piece each, far
// cheaper than a list of views. `subjectViews` turns them back into the subject views a rule
// reads, as jco would have lifted them from 0.2.0, so rules are written the same either way.

import { CONSENT_ACTIONS, DATA_CATEGORIES, LEGAL_BASES, SOURCE_CHANNELS } from './records.js';

const RESTRICTED = 1;
const LEGAL_HOLD = 2;
const INTERACTED = 4;

function malformed(what) {
  return new TypeError(`the host sent a malformed subject batch: ${what} (this SDK reads plugin API 0.3.0)`);
}

function same(column, length, expected, of) {
  if (length !== expected) throw malformed(`\`${column}\` has ${length} entries for ${expected} ${of}`);
}

/** One table's rows, handed out subject by subject, its columns checked against the counts. */
function table(batch, counts, columns) {
  const rows = batch[counts].reduce((sum, c) => sum + Number(c), 0);
  for (const column of columns) same(column, batch[column].length, rows, 'rows');
  let next = 0;
  return (i, row) => {
    const out = [];
    const end = next + Number(batch[counts][i]);
    for (let j = next; j < end; j++) out.push(row(j));
    next = end;
    return out;
  };
}

/**
 * The subject views of a `subject-batch`, in its order. An inconsistent batch (columns of
 * different lengths, an index out of range) throws: the host never sends one.
 */
export function subjectViews(batch) {
  const b = batch;
  const n = b.contactIds.length;
  for (const column of ['createdAt', 'lastInteraction', 'flags', 'sourceCounts', 'basisCounts', 'consentCounts', 'objectionCounts', 'categoryCounts']) {
    same(column, b[column].length, n, 'subjects');
  }
  const name = (i) => {
    if (i >= b.names.length) throw malformed(`name ${i} is not in \`names\` (${b.names.length})`);
    return b.names[i];
  };
  const nth = (all, code, column) => {
    if (code >= all.length) throw malformed(`\`${column}\` holds ${code}, which is no case of its enum`);
    return all[code];
  };
  const sources = table(b, 'sourceCounts', ['sourceLabels', 'sourceChannels', 'sourceCollectedAt']);
  const bases = table(b, 'basisCounts', ['basisPurposes', 'basisKinds', 'basisStarts', 'basisEnds', 'basisHasEnd']);
  const consents = table(b, 'consentCounts', ['consentPurposes', 'consentChannels', 'consentStates', 'consentAt']);
  const objections = table(b, 'objectionCounts', ['objectionPurposes', 'objectionChannels', 'objectionStates', 'objectionAt']);
  const categories = table(b, 'categoryCounts', ['categoryKinds', 'categoryValues', 'categoryOldest']);
  const views = [];
  for (let i = 0; i < n; i++) {
    const flags = b.flags[i];
    views.push({
      contactId: b.contactIds[i],
      createdAt: b.createdAt[i],
      lastInteraction: flags & INTERACTED ? b.lastInteraction[i] : undefined,
      sources: sources(i, (j) => ({
        label: name(b.sourceLabels[j]),
        channel: nth(SOURCE_CHANNELS, b.sourceChannels[j], 'sourceChannels'),
        collectedAt: b.sourceCollectedAt[j],
      })),
      legalBases: bases(i, (j) => ({
        purpose: name(b.basisPurposes[j]),
        basis: nth(LEGAL_BASES, b.basisKinds[j], 'basisKinds'),
        start: b.basisStarts[j],
        end: b.basisHasEnd[j] ? b.basisEnds[j] : undefined,
      })),
      consents: consents(i, (j) => ({
        purpose: name(b.consentPurposes[j]),
        channel: name(b.consentChannels[j]),
        state: nth(CONSENT_ACTIONS, b.consentStates[j], 'consentStates'),
        at: b.consentAt[j],
      })),
      objections: objections(i, (j) => ({
        purpose: name(b.objectionPurposes[j]),
        channel: name(b.objectionChannels[j]),
        state: nth(CONSENT_ACTIONS, b.objectionStates[j], 'objectionStates'),
        at: b.objectionAt[j],
      })),
      categories: categories(i, (j) => ({
        category: nth(DATA_CATEGORIES, b.categoryKinds[j], 'categoryKinds'),
        values: b.categoryValues[j],
        oldest: b.categoryOldest[j],
      })),
      restricted: (flags & RESTRICTED) !== 0,
      legalHold: (flags & LEGAL_HOLD) !== 0,
    });
  }
  return views;
}
