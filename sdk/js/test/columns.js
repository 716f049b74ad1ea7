// A test helper: a `subject-batch` (plugin API 0.3.0) as jco lifts one, from plain arrays.

/** A `subject-batch` as jco lifts one: typed arrays, names as strings. */
export function columns(fields = {}) {
  const b = {
    names: [],
    contactIds: new BigUint64Array(), createdAt: new BigInt64Array(), lastInteraction: new BigInt64Array(), flags: new Uint8Array(),
    sourceCounts: new Uint32Array(), sourceLabels: new Uint32Array(), sourceChannels: new Uint8Array(), sourceCollectedAt: new BigInt64Array(),
    basisCounts: new Uint32Array(), basisPurposes: new Uint32Array(), basisKinds: new Uint8Array(), basisStarts: new BigInt64Array(),
    basisEnds: new BigInt64Array(), basisHasEnd: new Uint8Array(),
    consentCounts: new Uint32Array(), consentPurposes: new Uint32Array(), consentChannels: new Uint32Array(), consentStates: new Uint8Array(), consentAt: new BigInt64Array(),
    objectionCounts: new Uint32Array(), objectionPurposes: new Uint32Array(), objectionChannels: new Uint32Array(), objectionStates: new Uint8Array(), objectionAt: new BigInt64Array(),
    categoryCounts: new Uint32Array(), categoryKinds: new Uint8Array(), categoryValues: new Uint32Array(), categoryOldest: new BigInt64Array(),
  };
  for (const [key, value] of Object.entries(fields)) {
    b[key] = Array.isArray(value) && key !== 'names' ? new b[key].constructor(value) : value;
  }
  return b;
}

