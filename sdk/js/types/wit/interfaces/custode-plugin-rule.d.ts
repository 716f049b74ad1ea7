/// <reference path="./custode-plugin-types.d.ts" />
declare module 'custode:plugin/rule@0.3.0' {
  /**
   * Decides for a batch of subjects. Returns at most one decision per subject in the batch;
   * a subject without a decision is kept. `now` is the time the decision is made for: the plugin
   * has no clock, so the same inputs always give the same decisions (and a dry run can look ahead).
   * 
   * Example: a subject whose `last-interaction` is 26 months before `now`, under legitimate interest,
   * gets `{ action: erase, reason: "no interaction for 26 months (limit 24)", holds-from: some(t), ... }`
   * where `t` is the day its 24th month of silence ended, two months before `now`.
   */
  export function evaluate(now: Timestamp, batch: SubjectBatch): Array<RetentionDecision>;
  export type Timestamp = import('custode:plugin/types@0.3.0').Timestamp;
  export type ContactId = import('custode:plugin/types@0.3.0').ContactId;
  export type RetentionDecision = import('custode:plugin/types@0.3.0').RetentionDecision;
  /**
   * A batch of subjects, column by column: the same facts as a list of `subject-view`s (in
   * `types.wit`, which documents each one), laid out as lists of numbers the host copies into
   * the plugin's memory in one piece each, where a list of views costs an allocation in the
   * plugin for every list and string of every subject. Changed in 0.3.0 (0.2.0 passes
   * `list<subject-view>`). SDKs turn it back into subject views, so a rule written with one
   * sees no difference; an SDK author reads it like this:
   * 
   * - **Subjects.** Subject `i`, for `i` from 0 to `len(contact-ids) - 1`, is `contact-ids[i]`,
   *   created at `created-at[i]`. `flags[i]` holds bits: 1 = restricted, 2 = legal hold,
   *   4 = `last-interaction[i]` is its last interaction (without bit 4 it has none, and
   *   `last-interaction[i]` is 0). Every subject list has one entry per subject.
   * - **Rows.** Each list a subject view has (sources, legal bases, consents, objections,
   *   categories) is a table of rows grouped by subject in batch order: `X-counts[i]` rows
   *   belong to subject `i`, following those of subjects `0..i`, in the order the view lists
   *   them. Every column of a table has one entry per row: as many as the counts add up to.
   * - **Names.** Purposes, consent channels and source labels are indexes into `names`, each
   *   distinct string once per batch.
   * - **Enums** are the case's position in its WIT declaration, from 0: `source-channel`
   *   (phone = 0, email = 1, ...), `legal-basis` (consent = 0, contract = 1, ...),
   *   `consent-action` (granted = 0, withdrawn = 1, objected = 2), `data-category`
   *   (contact = 0, commercial = 1, ...).
   * 
   * Example: subject 42, created at 1700000000, restricted, never interacted with, with one
   * legal basis (`marketing` on legitimate interest since 1700000000, no end) and nothing else:
   * 
   * ```text
   * names: ["marketing"], contact-ids: [42], created-at: [1700000000],
   * last-interaction: [0], flags: [1],
   * basis-counts: [1], basis-purposes: [0], basis-kinds: [6], basis-starts: [1700000000],
   * basis-ends: [0], basis-has-end: [0],
   * source-counts: [0], consent-counts: [0], objection-counts: [0], category-counts: [0],
   * (and every other column empty)
   * ```
   */
  export interface SubjectBatch {
    /**
     * The strings the other columns point to.
     */
    names: Array<string>,
    contactIds: BigUint64Array,
    createdAt: BigInt64Array,
    lastInteraction: BigInt64Array,
    /**
     * 1: restricted; 2: under a legal hold; 4: `last-interaction` is set.
     */
    flags: Uint8Array,
    /**
     * `subject-view.sources`: label (into `names`), channel (`source-channel`), collected at.
     */
    sourceCounts: Uint32Array,
    sourceLabels: Uint32Array,
    sourceChannels: Uint8Array,
    sourceCollectedAt: BigInt64Array,
    /**
     * `subject-view.legal-bases`: purpose (into `names`), basis (`legal-basis`), start, and the
     * end when `basis-has-end` is 1 (0: the basis lasts, and `basis-ends` is 0).
     */
    basisCounts: Uint32Array,
    basisPurposes: Uint32Array,
    basisKinds: Uint8Array,
    basisStarts: BigInt64Array,
    basisEnds: BigInt64Array,
    basisHasEnd: Uint8Array,
    /**
     * `subject-view.consents`: purpose and channel (into `names`), state (`consent-action`), at.
     */
    consentCounts: Uint32Array,
    consentPurposes: Uint32Array,
    consentChannels: Uint32Array,
    consentStates: Uint8Array,
    consentAt: BigInt64Array,
    /**
     * `subject-view.objections`, laid out as the consents.
     */
    objectionCounts: Uint32Array,
    objectionPurposes: Uint32Array,
    objectionChannels: Uint32Array,
    objectionStates: Uint8Array,
    objectionAt: BigInt64Array,
    /**
     * `subject-view.categories`: category (`data-category`), how many values, the oldest's time.
     */
    categoryCounts: Uint32Array,
    categoryKinds: Uint8Array,
    categoryValues: Uint32Array,
    categoryOldest: BigInt64Array,
  }
}
