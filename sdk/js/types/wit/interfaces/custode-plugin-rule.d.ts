/// <reference path="./custode-plugin-types.d.ts" />
declare module 'custode:plugin/rule@0.2.0' {
  /**
   * Decides for a batch of subjects. Returns at most one decision per subject in the batch;
   * a subject without a decision is kept. `now` is the time the decision is made for: the plugin
   * has no clock, so the same inputs always give the same decisions (and a dry run can look ahead).
   * 
   * Example: a subject whose `last-interaction` is 26 months before `now`, under legitimate interest,
   * gets `{ action: erase, reason: "no interaction for 26 months (limit 24)", holds-from: some(t), ... }`
   * where `t` is the day its 24th month of silence ended, two months before `now`.
   */
  export function evaluate(now: Timestamp, batch: Array<SubjectView>): Array<RetentionDecision>;
  export type Timestamp = import('custode:plugin/types@0.2.0').Timestamp;
  export type SubjectView = import('custode:plugin/types@0.2.0').SubjectView;
  export type RetentionDecision = import('custode:plugin/types@0.2.0').RetentionDecision;
}
