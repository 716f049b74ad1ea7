// Builders for the records of the `custode:plugin` WIT types, with the defaults the Rust SDK's
// builders have. WIT names map to JavaScript as jco maps them: records are plain objects with
// camelCase fields, enums are their kebab-case names as strings, variants are `{ tag, val }`,
// `option<T>` is a value or `undefined`, and `u64`/`s64` (rows, ids, timestamps) are `bigint`.

/** The world kinds, source channels, legal bases, consent actions and data categories by WIT name. */
export const PLUGIN_KINDS = Object.freeze(['importer', 'retention-rule', 'exporter']);
export const SOURCE_CHANNELS = Object.freeze([
  'phone', 'email', 'lead-generation', 'public-database', 'fair', 'business-card',
  'web-form', 'newsletter', 'erp', 'referral', 'manual', 'other',
]);
export const LEGAL_BASES = Object.freeze([
  'consent', 'contract', 'pre-contract', 'legal-obligation', 'vital-interest', 'public-task', 'legitimate-interest',
]);
export const CONSENT_ACTIONS = Object.freeze(['granted', 'withdrawn', 'objected']);
export const DATA_CATEGORIES = Object.freeze(['contact', 'commercial', 'financial', 'marketing', 'notes']);

const optionalBigInt = (v) => (v === undefined || v === null ? undefined : BigInt(v));

/**
 * What a plugin says about itself.
 * @param {{ name: string, version: string, kind: string, summary: string, configKeys?: object[] }} info
 */
export function pluginInfo({ name, version, kind, summary, configKeys = [] }) {
  if (!PLUGIN_KINDS.includes(kind)) {
    throw new TypeError(`plugin kind \`${kind}\` is not one of ${PLUGIN_KINDS.join(', ')}`);
  }
  return { name, version, kind, summary, configKeys };
}

/**
 * One setting a plugin reads.
 * @param {string} name
 * @param {string} doc one line: what it does, which values it takes
 * @param {{ required?: boolean, defaultValue?: string }} [options]
 */
export function configKey(name, doc, { required = false, defaultValue = undefined } = {}) {
  return { name, doc, required, defaultValue };
}

/** Identities: `email('anna@example.com')`, `phone('+39 02 1234567')`, `externalId('erp', 'C-42')`. */
export const email = (address) => ({ tag: 'email', val: address });
export const phone = (number) => ({ tag: 'phone', val: number });
export const externalId = (system, id) => ({ tag: 'external', val: { system, id } });

/**
 * One contact as read from a source: `row` is the 1-based line where it starts; every list starts
 * empty and the source details unset (the host fills them from the import's options).
 * @param {number | bigint} row
 * @param {object} [parts] any of the record's fields, e.g. `{ identities: [email(x)] }`
 */
export function contactRecord(row, parts = {}) {
  // Spelled out rather than spread: this runs once per record in an interpreter.
  return {
    row: BigInt(row),
    identities: parts.identities ?? [],
    fields: parts.fields ?? [],
    consents: parts.consents ?? [],
    legalBases: parts.legalBases ?? [],
    notices: parts.notices ?? [],
    source: parts.source ?? { label: undefined, channel: undefined, collectedAt: undefined },
    lastInteraction: parts.lastInteraction,
  };
}

/**
 * A consent, withdrawal or objection stated by the source.
 * @param {string} purpose e.g. `marketing`
 * @param {string} channel e.g. `email`, or `any`
 * @param {'granted' | 'withdrawn' | 'objected'} action
 * @param {{ at?: bigint | number, evidence?: string, noticeVersion?: string, origin?: object }} [details]
 *   `origin`: where in the input it was read, see `consentOrigin`
 */
export function consentClaim(purpose, channel, action, { at, evidence, noticeVersion, origin } = {}) {
  if (!CONSENT_ACTIONS.includes(action)) {
    throw new TypeError(`consent action \`${action}\` is not one of ${CONSENT_ACTIONS.join(', ')}`);
  }
  return { purpose, channel, action, at: optionalBigInt(at), evidence, noticeVersion, origin };
}

/**
 * Where in the input a consent was read (plugin API 0.2.0): the column (a header name, a column
 * number or a field name) and the value exactly as written; `row` only when it is not the record's.
 * @example consentOrigin('newsletter', 'sì')
 * @param {string} column
 * @param {string} value
 * @param {number | bigint} [row]
 */
export function consentOrigin(column, value, row = undefined) {
  return { row: optionalBigInt(row), column, value };
}

/**
 * A setting the plugin refuses, returned from `checkConfig` (plugin API 0.2.0).
 * @example configProblem('months', '`ten` is not a number; write a number of months from 1 to 1200')
 * @param {string} key the setting, as listed in `describe().configKeys`
 * @param {string} message what is wrong with its value and which values it takes
 */
export function configProblem(key, message) {
  return { key, message };
}

/**
 * A legal basis the source states for a purpose, with an optional period.
 * @param {string} purpose
 * @param {string} basis one of `LEGAL_BASES`
 * @param {{ start?: bigint | number, end?: bigint | number }} [period]
 */
export function legalBasisClaim(purpose, basis, { start, end } = {}) {
  if (!LEGAL_BASES.includes(basis)) {
    throw new TypeError(`legal basis \`${basis}\` is not one of ${LEGAL_BASES.join(', ')}`);
  }
  return { purpose, basis, start: optionalBigInt(start), end: optionalBigInt(end) };
}

/**
 * A row the importer could not read (the import goes on with `--on-error skip`).
 * @param {number | bigint} row
 * @param {string} message what is wrong and, where possible, how to fix it
 * @param {string} [column]
 */
export function rowError(row, message, column = undefined) {
  return { row: BigInt(row), column, message };
}

/**
 * A failure that stops an import. Throw it from `open`, `push` or `finish`.
 * @example throw new ImportError('setting `delimiter`: `::` is not a delimiter', { row: 12 })
 */
export class ImportError extends Error {
  /**
   * @param {string} message
   * @param {{ row?: number | bigint, column?: string }} [where]
   */
  constructor(message, { row, column } = {}) {
    super(message);
    this.name = 'ImportError';
    this.row = optionalBigInt(row);
    this.column = column;
  }

  /** The WIT `import-error` record. */
  toRecord() {
    return { row: this.row, column: this.column, message: this.message };
  }
}

/** Retention actions: `Action.keep`, `Action.erase`, `Action.review`, `Action.anonymise(['contact'])`. */
export const Action = Object.freeze({
  keep: Object.freeze({ tag: 'keep' }),
  erase: Object.freeze({ tag: 'erase' }),
  review: Object.freeze({ tag: 'review' }),
  /** @param {string[]} categories data categories to anonymise */
  anonymise: (categories) => ({ tag: 'anonymise', val: categories }),
});

/**
 * A retention rule's decision for one subject.
 * @example decision(s.contactId, Action.erase, 'silent for 26 months (limit 24)', 'GDPR Art. 5(1)(e)', { holdsFrom: limitReached })
 * @param {bigint | number} contactId
 * @param {{ tag: string, val?: string[] }} action one of `Action`
 * @param {string} reason why, in words
 * @param {string} legalReference e.g. `GDPR Art. 5(1)(e)`
 * @param {bigint | number | { reviewAfter?: bigint | number, holdsFrom?: bigint | number }} [when]
 *   `reviewAfter`: when to look at the subject again; `holdsFrom` (plugin API 0.2.0): from when the
 *   decision holds, e.g. the day a limit was reached (unset: as of the run). A bare number or
 *   bigint is `reviewAfter`, as before.
 */
export function decision(contactId, action, reason, legalReference, when = undefined) {
  const { reviewAfter, holdsFrom } = typeof when === 'object' && when !== null ? when : { reviewAfter: when };
  return {
    contactId: BigInt(contactId),
    action,
    reason,
    legalReference,
    reviewAfter: optionalBigInt(reviewAfter),
    holdsFrom: optionalBigInt(holdsFrom),
  };
}
