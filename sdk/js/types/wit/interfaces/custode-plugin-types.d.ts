declare module 'custode:plugin/types@0.3.0' {
  /**
   * Seconds since 1970-01-01T00:00:00Z (UTC). Negative values are before 1970.
   */
  export type Timestamp = bigint;
  /**
   * The host's identifier of a contact (data subject). Stable for the contact's lifetime; never reused.
   */
  export type ContactId = bigint;
  /**
   * Which world a plugin implements.
   * # Variants
   * 
   * ## `"importer"`
   * 
   * Turns bytes from a source (a file, an export, a webhook body) into contact records.
   * ## `"retention-rule"`
   * 
   * Decides, for batches of subjects, whether their data is kept, erased, anonymised or reviewed.
   * ## `"exporter"`
   * 
   * Renders everything known about one subject as a document (access and portability requests).
   */
  export type PluginKind = 'importer' | 'retention-rule' | 'exporter';
  /**
   * One setting a plugin reads through `host.config`.
   */
  export interface ConfigKey {
    /**
     * The key, e.g. `delimiter`.
     */
    name: string,
    /**
     * One line saying what the setting does and which values it takes.
     */
    doc: string,
    /**
     * Whether the plugin refuses to run without it.
     */
    required: boolean,
    /**
     * The value used when the admin gave none, for display.
     */
    defaultValue?: string,
  }
  /**
   * A setting the plugin refuses, as `plugin.check-config` reports it. Added in 0.2.0.
   * 
   * Example: `{ key: "months", message: "`ten` is not a number; write a number of months from 1 to 1200" }`.
   */
  export interface ConfigProblem {
    /**
     * The setting, as listed in `plugin-info.config-keys`.
     */
    key: string,
    /**
     * What is wrong with its value and which values it takes.
     */
    message: string,
  }
  /**
   * What a plugin says about itself. The host shows it on install and in `custode plugin inspect`.
   */
  export interface PluginInfo {
    /**
     * Short kebab-case name, unique per installation, e.g. `csv`.
     */
    name: string,
    /**
     * Semantic version of the plugin, e.g. `0.1.0`.
     */
    version: string,
    /**
     * The world it implements; must match the world the component exports.
     */
    kind: PluginKind,
    /**
     * One sentence for admins.
     */
    summary: string,
    /**
     * Every setting the plugin reads. The host refuses configuration keys not listed here.
     */
    configKeys: Array<ConfigKey>,
  }
  /**
   * Severity of a log line written by a plugin.
   * # Variants
   * 
   * ## `"trace"`
   * 
   * ## `"debug"`
   * 
   * ## `"info"`
   * 
   * ## `"warn"`
   * 
   * ## `"error"`
   */
  export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /**
   * How a contact's data was collected: what a person asking where their contact was acquired is told.
   * # Variants
   * 
   * ## `"phone"`
   * 
   * ## `"email"`
   * 
   * ## `"lead-generation"`
   * 
   * ## `"public-database"`
   * 
   * ## `"fair"`
   * 
   * ## `"business-card"`
   * 
   * ## `"web-form"`
   * 
   * ## `"newsletter"`
   * 
   * ## `"erp"`
   * 
   * ## `"referral"`
   * 
   * ## `"manual"`
   * 
   * ## `"other"`
   */
  export type SourceChannel = 'phone' | 'email' | 'lead-generation' | 'public-database' | 'fair' | 'business-card' | 'web-form' | 'newsletter' | 'erp' | 'referral' | 'manual' | 'other';
  /**
   * The six lawful bases of Art. 6(1) GDPR, with contract split in two as the seeds do.
   * # Variants
   * 
   * ## `"consent"`
   * 
   * Art. 6(1)(a).
   * ## `"contract"`
   * 
   * Art. 6(1)(b), performance of a contract.
   * ## `"pre-contract"`
   * 
   * Art. 6(1)(b), steps at the data subject's request before entering a contract.
   * ## `"legal-obligation"`
   * 
   * Art. 6(1)(c), e.g. keeping accounting records for 10 years.
   * ## `"vital-interest"`
   * 
   * Art. 6(1)(d).
   * ## `"public-task"`
   * 
   * Art. 6(1)(e).
   * ## `"legitimate-interest"`
   * 
   * Art. 6(1)(f).
   */
  export type LegalBasis = 'consent' | 'contract' | 'pre-contract' | 'legal-obligation' | 'vital-interest' | 'public-task' | 'legitimate-interest';
  /**
   * An event in the consent ledger.
   * # Variants
   * 
   * ## `"granted"`
   * 
   * Consent given (Art. 7).
   * ## `"withdrawn"`
   * 
   * Consent withdrawn (Art. 7(3)); processing based on it must stop.
   * ## `"objected"`
   * 
   * Objection to processing (Art. 21); absolute for direct marketing.
   */
  export type ConsentAction = 'granted' | 'withdrawn' | 'objected';
  /**
   * The categories of personal data the seeds name. Each catalogue field belongs to one.
   * # Variants
   * 
   * ## `"contact"`
   * 
   * Names, email addresses, phone numbers, postal addresses.
   * ## `"commercial"`
   * 
   * Commercial and profiling data: company, role, segments, preferences.
   * ## `"financial"`
   * 
   * Financial and accounting data: VAT/tax ids, billing data.
   * ## `"marketing"`
   * 
   * Marketing data: campaign preferences, newsletter state.
   * ## `"notes"`
   * 
   * Free-text notes.
   */
  export type DataCategory = 'contact' | 'commercial' | 'financial' | 'marketing' | 'notes';
  /**
   * An external system's identifier for a contact, e.g. `{ system: "erp", id: "C-00042" }`.
   */
  export interface ExternalId {
    /**
     * The source system, e.g. `erp`, `mailchimp`.
     */
    system: string,
    /**
     * The identifier inside that system.
     */
    id: string,
  }
  /**
   * Something that identifies a person. The host normalises emails to lower case and phones to E.164.
   */
  export type Identity = IdentityEmail | IdentityPhone | IdentityExternal;
  export interface IdentityEmail {
    tag: 'email',
    val: string,
  }
  export interface IdentityPhone {
    tag: 'phone',
    val: string,
  }
  export interface IdentityExternal {
    tag: 'external',
    val: ExternalId,
  }
  /**
   * A named field value, e.g. `{ name: "company", value: "Rossi S.r.l." }`.
   * Names come from the installation's field catalogue; the host drops or rejects unknown names.
   */
  export interface FieldValue {
    name: string,
    value: string,
  }
  /**
   * Where in the input an imported consent was read: what lets the controller show later which
   * exact input it came from (Art. 7(1)). The host stores it with the consent's evidence, next to
   * the import batch and the file's SHA-256. Added in 0.2.0.
   * 
   * Example (a CSV row whose `newsletter` column says `sì`):
   * `{ row: none, column: "newsletter", value: "sì" }`.
   */
  export interface ConsentOrigin {
    /**
     * 1-based row or line of the input; the record's `row` when absent (set it when the consent
     * is on another line than the record's first, as in a multi-line vCard).
     */
    row?: bigint,
    /**
     * The column the consent came from: a header name or a column number, or the field name of a
     * structured input (`consents.marketing` in a JSON body).
     */
    column: string,
    /**
     * The value exactly as the source wrote it, e.g. `sì`, `1`, `x`, `unsubscribed`.
     */
    value: string,
  }
  /**
   * A consent, withdrawal or objection stated by the source.
   */
  export interface ConsentClaim {
    /**
     * Purpose name, e.g. `marketing`.
     */
    purpose: string,
    /**
     * Consent channel, e.g. `email`; `any` for all channels.
     */
    channel: string,
    action: ConsentAction,
    /**
     * When it happened; the host uses the record's collection time when absent.
     */
    at?: Timestamp,
    /**
     * Evidence in words (Art. 7(1)): how it was given, e.g. `checkbox "newsletter" on /signup`.
     */
    evidence?: string,
    /**
     * Version of the privacy notice the person saw, e.g. `2026-01`.
     */
    noticeVersion?: string,
    /**
     * Where in the input the consent was read. Added in 0.2.0.
     */
    origin?: ConsentOrigin,
  }
  /**
   * A legal basis the source states for a purpose.
   */
  export interface LegalBasisClaim {
    purpose: string,
    basis: LegalBasis,
    /**
     * When the basis starts; the record's collection time when absent.
     */
    start?: Timestamp,
    /**
     * When it ends, if known (e.g. a contract's end).
     */
    end?: Timestamp,
  }
  /**
   * Where the record came from. Unset parts are filled by the host from the import's options.
   */
  export interface SourceDetails {
    /**
     * A label a person recognises, e.g. `Fiera Milano 2026`.
     */
    label?: string,
    channel?: SourceChannel,
    /**
     * When the data was collected.
     */
    collectedAt?: Timestamp,
  }
  /**
   * The privacy notice (informativa) a person received (Art. 13–14).
   */
  export interface NoticeReceipt {
    /**
     * Notice version, e.g. `2026-01`.
     */
    version: string,
    /**
     * When it was given; the record's collection time when absent.
     */
    at?: Timestamp,
  }
  /**
   * One contact as read from a source.
   */
  export interface ContactRecord {
    /**
     * 1-based row or line number in the input where the record starts (for error messages).
     */
    row: bigint,
    identities: Array<Identity>,
    fields: Array<FieldValue>,
    consents: Array<ConsentClaim>,
    legalBases: Array<LegalBasisClaim>,
    notices: Array<NoticeReceipt>,
    source: SourceDetails,
    /**
     * Last interaction with the person (last order, last reply, ...), drives retention.
     */
    lastInteraction?: Timestamp,
  }
  /**
   * A row the importer could not read. With `--on-error skip` the host reports it and goes on.
   */
  export interface RowError {
    /**
     * 1-based row or line number.
     */
    row: bigint,
    /**
     * Column name or number, when the problem is in one column.
     */
    column?: string,
    /**
     * What is wrong and, where possible, how to fix it.
     */
    message: string,
  }
  /**
   * A failure that stops an import (bad configuration, unreadable input).
   */
  export interface ImportError {
    row?: bigint,
    column?: string,
    message: string,
  }
  /**
   * Where a contact came from, as a retention rule sees it.
   */
  export interface SourceSummary {
    label: string,
    channel: SourceChannel,
    collectedAt: Timestamp,
  }
  /**
   * A legal basis for a purpose over a period.
   */
  export interface BasisPeriod {
    purpose: string,
    basis: LegalBasis,
    start: Timestamp,
    /**
     * None while the basis lasts.
     */
    end?: Timestamp,
  }
  /**
   * The current state of consent for (purpose, channel), derived from the ledger. In
   * `subject-view.objections` (added in 0.2.0), the latest objection to a purpose instead.
   */
  export interface ConsentState {
    purpose: string,
    channel: string,
    /**
     * The latest event's action.
     */
    state: ConsentAction,
    /**
     * When the latest event happened.
     */
    at: Timestamp,
  }
  /**
   * A data category the host holds for a subject, and how old its oldest value is.
   */
  export interface CategoryHeld {
    category: DataCategory,
    /**
     * How many field values of the category are held.
     */
    values: number,
    /**
     * When the oldest of them was recorded.
     */
    oldest: Timestamp,
  }
  /**
   * What a retention rule sees of one subject: enough to decide, no names, no addresses (minimisation).
   * 
   * `consents` and `objections` together are what the host reads of the consent ledger to answer
   * `can-process`: consent and its withdrawal are per channel (the later of a channel's latest
   * event and the latest on `any` wins, a refusal wins a tie), and an objection (Art. 21) is to
   * the purpose: it counts on every channel until a later grant on that channel (or on `any`).
   * 
   * Example: consent to `marketing` by email granted in 2024, withdrawn on `any` in 2025:
   * `consents: [{ purpose: "marketing", channel: "email", state: granted, at: 2024-… },
   *             { purpose: "marketing", channel: "any", state: withdrawn, at: 2025-… }]`:
   * no consent is in force, since the 2025 withdrawal.
   */
  export interface SubjectView {
    contactId: ContactId,
    createdAt: Timestamp,
    lastInteraction?: Timestamp,
    sources: Array<SourceSummary>,
    legalBases: Array<BasisPeriod>,
    /**
     * The latest ledger event of each (purpose, channel).
     */
    consents: Array<ConsentState>,
    /**
     * The latest objection to each purpose, on whatever channel, even when a later grant on the
     * same channel hides it from `consents`: it still counts on the other channels. Added in 0.2.0.
     */
    objections: Array<ConsentState>,
    categories: Array<CategoryHeld>,
    /**
     * Processing restricted (Art. 18): only storage is allowed.
     */
    restricted: boolean,
    /**
     * Under a legal hold: nothing may be erased.
     */
    legalHold: boolean,
  }
  /**
   * What a retention rule wants done with a subject's data.
   */
  export type RetentionAction = RetentionActionKeep | RetentionActionErase | RetentionActionAnonymise | RetentionActionReview;
  /**
   * Keep everything as it is.
   */
  export interface RetentionActionKeep {
    tag: 'keep',
  }
  /**
   * Erase the subject (the host keeps what a legal obligation requires and the suppression hash).
   */
  export interface RetentionActionErase {
    tag: 'erase',
  }
  /**
   * Replace the values of these categories so no person can be identified.
   */
  export interface RetentionActionAnonymise {
    tag: 'anonymise',
    val: Array<DataCategory>,
  }
  /**
   * A person must look at it.
   */
  export interface RetentionActionReview {
    tag: 'review',
  }
  /**
   * A retention rule's decision for one subject.
   * 
   * Example (evaluated as of 2026-12-01, silent since 2024-03-10):
   * `{ contact-id: 42, action: erase, reason: "no interaction for 32 months (limit 24)",
   *    legal-reference: "GDPR Art. 5(1)(e)", review-after: none, holds-from: some(2026-03-10) }`.
   */
  export interface RetentionDecision {
    contactId: ContactId,
    action: RetentionAction,
    /**
     * Why, in words, e.g. `no interaction for 26 months (limit 24)`.
     */
    reason: string,
    /**
     * The legal reference, e.g. `GDPR Art. 5(1)(e); Garante guidance on CRM retention`.
     */
    legalReference: string,
    /**
     * When to look at the subject again, if the rule knows.
     */
    reviewAfter?: Timestamp,
    /**
     * The date from which the decision holds: when the condition behind it was (or will be)
     * met, e.g. the day 24 months of silence were reached, or the end of a consent's grace
     * period. It may be before `now` (the subject has been due since then) and, in a run
     * evaluated ahead (`now` in the future), it tells when between today and `now` the decision
     * falls due. None: the rule cannot say; the decision holds as of `now`. Added in 0.2.0.
     */
    holdsFrom?: Timestamp,
  }
  /**
   * Where a piece of data came from, as shown to the data subject (Art. 15(1)(g)).
   */
  export interface ProvenanceEntry {
    id: bigint,
    sourceLabel: string,
    channel: SourceChannel,
    collectedAt: Timestamp,
    /**
     * Import batch id, when the data came from an import.
     */
    batch?: bigint,
    /**
     * SHA-256 (hex) of the imported file.
     */
    fileDigest?: string,
    /**
     * Importer plugin `name@version`, and the SHA-256 of its component.
     */
    plugin?: string,
    pluginDigest?: string,
    /**
     * Who ran the import or entered the data.
     */
    operator: string,
  }
  /**
   * One stored identity with its provenance.
   */
  export interface IdentityEntry {
    identity: Identity,
    provenance?: bigint,
  }
  /**
   * An identity a rectification removed: it no longer finds the contact, but it was held, and
   * where it came from and when it was removed are part of an access report (Art. 15). Added in 0.2.0.
   * 
   * Example: `{ identity: email("mario@old-company.it"), provenance: some(3), removed-at: 1767225600,
   *             removed-by: 9 }`.
   */
  export interface FormerIdentity {
    identity: Identity,
    /**
     * The provenance entry that brought it.
     */
    provenance?: bigint,
    /**
     * When the rectification removed it.
     */
    removedAt: Timestamp,
    /**
     * The provenance entry of the rectification that removed it (its source label says why).
     */
    removedBy: bigint,
  }
  /**
   * One field value, current or historical, with its provenance.
   */
  export interface FieldEntry {
    name: string,
    category: DataCategory,
    value: string,
    provenance?: bigint,
    recordedAt: Timestamp,
    /**
     * False for a value replaced by a rectification (kept as history).
     */
    current: boolean,
  }
  /**
   * A purpose the subject's data is processed for, with the bases that make it lawful.
   */
  export interface PurposeEntry {
    purpose: string,
    description: string,
    bases: Array<BasisPeriod>,
    /**
     * Whether processing for the purpose is allowed now, and why (the host's `can-process`).
     */
    allowedNow: boolean,
    reason: string,
  }
  /**
   * One event of the consent ledger with its evidence (Art. 7(1)).
   */
  export interface ConsentEvent {
    purpose: string,
    channel: string,
    action: ConsentAction,
    at: Timestamp,
    method: string,
    noticeVersion?: string,
    evidence?: string,
    collectedBy: string,
  }
  /**
   * How long a category of data is kept, and why (Art. 15(1)(d)).
   */
  export interface RetentionEntry {
    category: DataCategory,
    period: string,
    basis: string,
  }
  /**
   * A period during which processing was restricted (Art. 18): only storage was allowed. Added in 0.2.0.
   */
  export interface RestrictionPeriod {
    start: Timestamp,
    /**
     * None while the restriction lasts.
     */
    end?: Timestamp,
  }
  /**
   * The kinds of request a data subject can make (Art. 15–21). Added in 0.2.0.
   * # Variants
   * 
   * ## `"access"`
   * 
   * Art. 15: a copy of the data and the information about its processing.
   * ## `"portability"`
   * 
   * Art. 20: the data in a structured, machine-readable format.
   * ## `"erasure"`
   * 
   * Art. 17.
   * ## `"rectification"`
   * 
   * Art. 16.
   * ## `"restriction"`
   * 
   * Art. 18.
   * ## `"objection"`
   * 
   * Art. 21.
   */
  export type RequestKind = 'access' | 'portability' | 'erasure' | 'rectification' | 'restriction' | 'objection';
  /**
   * The data subject's request a document answers. Added in 0.2.0.
   * 
   * Example: `{ id: 17, kind: access, language: some("it"), received-at: 1767225600,
   *             due-at: 1769904000 }`.
   */
  export interface RequestCase {
    /**
     * The host's identifier of the case.
     */
    id: bigint,
    kind: RequestKind,
    /**
     * The language the person asked to be answered in, as a BCP 47 tag (`it`, `en`); none: the
     * installation's default. An exporter writes in it when it can.
     */
    language?: string,
    /**
     * When the request was received.
     */
    receivedAt: Timestamp,
    /**
     * When the answer is due (Art. 12(3): one month, or more if extended).
     */
    dueAt: Timestamp,
  }
  /**
   * Everything Custode knows about one subject (Art. 15 and 20).
   * 
   * Added in 0.2.0: `former-identities`, `restriction-periods`, `legal-hold-since`,
   * `controller-contact`, `supervisory-authority` and `request`.
   */
  export interface SubjectPackage {
    contactId: ContactId,
    generatedAt: Timestamp,
    /**
     * The controller's name, as configured.
     */
    controller: string,
    /**
     * Where the data is stored, e.g. `Milan, Italy (EU)`.
     */
    dataLocation: string,
    createdAt: Timestamp,
    lastInteraction?: Timestamp,
    identities: Array<IdentityEntry>,
    fields: Array<FieldEntry>,
    provenance: Array<ProvenanceEntry>,
    purposes: Array<PurposeEntry>,
    consents: Array<ConsentEvent>,
    notices: Array<NoticeReceipt>,
    retention: Array<RetentionEntry>,
    /**
     * Recipients or categories of recipients (Art. 15(1)(c)).
     */
    recipients: Array<string>,
    /**
     * Processing is restricted now (Art. 18).
     */
    restricted: boolean,
    /**
     * Under a legal hold now: nothing may be erased.
     */
    legalHold: boolean,
    /**
     * Identities rectifications removed, oldest removal first. Added in 0.2.0.
     */
    formerIdentities: Array<FormerIdentity>,
    /**
     * Every period of restriction, oldest first; the last one is open while `restricted`. Added in 0.2.0.
     */
    restrictionPeriods: Array<RestrictionPeriod>,
    /**
     * Since when the legal hold applies, while `legal-hold`. Added in 0.2.0.
     */
    legalHoldSince?: Timestamp,
    /**
     * How to reach the controller about personal data (Art. 13(1)(a)), as configured,
     * e.g. `privacy@rossi.it, Via Roma 1, 20121 Milano`. Added in 0.2.0.
     */
    controllerContact?: string,
    /**
     * The supervisory authority a person can complain to (Art. 15(1)(f), Art. 77), as
     * configured, e.g. `Garante per la protezione dei dati personali, www.garanteprivacy.it`. Added in 0.2.0.
     */
    supervisoryAuthority?: string,
    /**
     * The request this document answers, when the host renders it for a request case. Added in 0.2.0.
     */
    request?: RequestCase,
  }
  /**
   * A rendered document.
   */
  export interface Document {
    /**
     * Suggested file name, e.g. `subject-42.json`.
     */
    fileName: string,
    /**
     * Media type, e.g. `application/json`.
     */
    mediaType: string,
    bytes: Uint8Array,
  }
}
