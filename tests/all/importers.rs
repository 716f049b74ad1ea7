//! Every bundled importer on real-looking, messy files, through the import service and the store:
//! all-or-nothing, idempotence, merge across sources, suppression, minimisation.

use crate::support::repo_root;
use custode::bundled;
use custode::domain::{Actor, Role, Settings, SourceChannel, SuppressionScope, Timestamp};
use custode::runtime::{Plugin, PluginSettings, Runtime};
use custode::service::import::{
    FieldPolicy, ImportError, ImportOptions, ImportReport, JobHandle, OnError, RejectKind,
};
use custode::service::{Compliance, Subject};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

struct Installation {
    _dir: tempfile::TempDir,
    compliance: Compliance,
    runtime: Arc<Runtime>,
}

impl Installation {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let compliance = Compliance::open(dir.path(), &Settings::default()).unwrap();
        Installation {
            _dir: dir,
            compliance,
            runtime: crate::support::runtime(),
        }
    }

    fn import(
        &self,
        plugin: &str,
        fixture: &str,
        on_error: OnError,
    ) -> Result<ImportReport, ImportError> {
        let path = repo_root().join("tests/fixtures").join(fixture);
        let source = format!("fixture {fixture}");
        self.import_path(plugin, &path, &source, on_error, FieldPolicy::Drop)
    }

    fn import_path(
        &self,
        plugin: &str,
        path: &Path,
        source: &str,
        on_error: OnError,
        unknown_fields: FieldPolicy,
    ) -> Result<ImportReport, ImportError> {
        let plugin = Plugin::load(
            &self.runtime,
            bundled::get(plugin).unwrap().bytes,
            PluginSettings::default(),
        )
        .unwrap();
        let options = ImportOptions {
            source_label: source.to_string(),
            channel: SourceChannel::Other,
            on_error,
            unknown_fields,
            actor: Actor::new("operator@test", Role::Operator),
            collected_at: Timestamp::parse("at", "2026-03-14").unwrap(),
        };
        self.compliance
            .import_file(&plugin, path, &options, &JobHandle::default())
    }

    /// Imports `text` as a CSV file of its own.
    fn import_csv(
        &self,
        text: &str,
        source: &str,
        on_error: OnError,
        unknown_fields: FieldPolicy,
    ) -> Result<ImportReport, ImportError> {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        self.import_path("csv", file.path(), source, on_error, unknown_fields)
    }

    fn contact_of(&self, identity: &str) -> Option<custode::domain::ContactDetails> {
        let identity = self.compliance.parse_identity(identity).unwrap();
        let id = self.compliance.store().find_contact(&identity).unwrap()?;
        Some(self.compliance.contact(id).unwrap())
    }

    fn contacts(&self) -> usize {
        self.compliance
            .list_contacts(&Default::default(), None)
            .unwrap()
            .items
            .len()
    }

    fn allowed(&self, identity: &str, purpose: &str, channel: &str) -> bool {
        let subject = Subject::Identity(self.compliance.parse_identity(identity).unwrap());
        self.compliance
            .can_process(&subject, purpose, channel, None)
            .unwrap()
            .allowed
    }
}

#[test]
fn an_invalid_email_aborts_the_whole_excel_import_and_names_row_and_column() {
    let i = Installation::new();
    let err = i
        .import("csv", "excel-it.csv", OnError::Abort)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("row 9, column `email`"),
        "the bad row is named by the line it starts on: {err}"
    );
    assert!(err.contains("paolo.gialli@"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(i.contacts(), 0, "all or nothing: the database is as it was");
    assert!(
        i.compliance
            .audit_list(&Default::default())
            .unwrap()
            .is_empty(),
        "not even a batch record"
    );
}

#[test]
fn skipping_bad_rows_imports_a_messy_windows_1252_excel_file() {
    let i = Installation::new();
    let report = i.import("csv", "excel-it.csv", OnError::Skip).unwrap();
    assert_eq!(report.rejected, 1, "{report:#?}");
    assert_eq!(report.rejected_rows[0].row, 9);
    assert_eq!(
        (report.created, report.merged, report.unchanged),
        (3, 0, 1),
        "the duplicate Mario row is recognised as the same record: {report:#?}"
    );
    let mario = i.contact_of("mario.rossi@example.it").unwrap();
    assert_eq!(mario.current("city"), Some("Milano"));
    assert_eq!(
        mario.current("notes"),
        Some("Cliente dal 2019;\r\npreferisce email"),
        "quoted newline kept"
    );
    let niccolo = i.contact_of("niccolo.verdi@example.com").unwrap();
    assert_eq!(
        niccolo.current("first_name"),
        Some("Niccolò"),
        "Windows-1252 decoded"
    );
    assert_eq!(niccolo.current("city"), Some("Cefalù"));
    assert_eq!(niccolo.current("notes"), Some("Caffè € 2"));
    assert!(
        i.contact_of("+393331234567").is_some(),
        "phones normalised to E.164"
    );
    assert!(i.allowed("mario.rossi@example.it", "marketing", "email"));
    assert!(
        !i.allowed("giulia.bianchi@example.it", "marketing", "email"),
        "`no` is not a consent"
    );
}

#[test]
fn importing_the_same_file_again_changes_nothing_and_says_so() {
    let i = Installation::new();
    i.import("csv", "bom-utf8.csv", OnError::Abort).unwrap();
    let anna_before = i.contact_of("anna.neri@example.org").unwrap();
    let again = i.import("csv", "bom-utf8.csv", OnError::Abort).unwrap();
    assert!(again.already_imported, "{again:#?}");
    assert_eq!((again.created, again.merged, again.unchanged), (0, 0, 2));
    let anna_after = i.contact_of("anna.neri@example.org").unwrap();
    assert_eq!(
        anna_before.fields, anna_after.fields,
        "no new value, no new history"
    );
    assert_eq!(
        anna_after.current("company"),
        Some("Neri, Bianchi & Co"),
        "a quoted comma stays in the cell"
    );
}

#[test]
fn reimporting_a_file_with_a_suppressed_and_an_invalid_row_changes_nothing_and_says_so() {
    let i = Installation::new();
    let giulia = i
        .compliance
        .parse_identity("giulia.bianchi@example.it")
        .unwrap();
    i.compliance
        .suppress(
            &Actor::new("dpo@test", Role::Dpo),
            &giulia,
            "asked never to be contacted",
            &SuppressionScope::All,
        )
        .unwrap();
    let first = i.import("csv", "excel-it.csv", OnError::Skip).unwrap();
    assert_eq!(
        (first.created, first.suppressed, first.rejected),
        (2, 1, 1),
        "{first:#?}"
    );
    assert!(!first.already_imported, "{first:#?}");
    let mario_before = i.contact_of("mario.rossi@example.it").unwrap();

    let again = i.import("csv", "excel-it.csv", OnError::Skip).unwrap();
    assert_eq!((again.created, again.merged), (0, 0), "{again:#?}");
    assert_eq!(
        (again.unchanged, again.suppressed, again.rejected),
        (3, 1, 1),
        "{again:#?}"
    );
    assert!(again.already_imported, "{again:#?}");
    assert!(
        again.summary().contains("nothing changed"),
        "{}",
        again.summary()
    );
    assert_eq!(i.contacts(), 2);
    assert_eq!(
        i.contact_of("mario.rossi@example.it").unwrap(),
        mario_before
    );
}

#[test]
fn a_business_card_merges_with_the_spreadsheet_contact_that_shares_its_phone() {
    let i = Installation::new();
    i.import("csv", "excel-it.csv", OnError::Skip).unwrap();
    let report = i.import("vcard", "cards.vcf", OnError::Abort).unwrap();
    assert_eq!((report.created, report.merged), (1, 1), "{report:#?}");
    let mario = i.contact_of("mario.rossi@example.it").unwrap();
    assert_eq!(
        mario.current("company"),
        Some("Rossi Forniture S.r.l."),
        "the card's values are added"
    );
    assert_eq!(
        mario.current("city"),
        Some("Milano"),
        "the spreadsheet's values stay"
    );
    assert!(
        mario.provenance.len() >= 2,
        "both sources are on record: {:#?}",
        mario.provenance
    );
    let sara = i.contact_of("sara.viola@example.net").unwrap();
    assert!(
        sara.current("notes").unwrap().contains("più righe"),
        "folded line unfolded"
    );
}

#[test]
fn newsletter_opt_outs_become_withdrawals_and_objections() {
    let i = Installation::new();
    i.import("csv", "excel-it.csv", OnError::Skip).unwrap();
    assert!(i.allowed("mario.rossi@example.it", "marketing", "email"));
    i.import(
        "newsletter-optouts",
        "mailchimp-unsubscribed.csv",
        OnError::Abort,
    )
    .unwrap();
    assert!(
        !i.allowed("mario.rossi@example.it", "marketing", "email"),
        "unsubscribed: consent withdrawn"
    );
    let report = i
        .import(
            "newsletter-optouts",
            "sendgrid-events.jsonl",
            OnError::Abort,
        )
        .unwrap();
    assert_eq!(
        report.merged, 1,
        "the spam report; the open event is not an opt-out: {report:#?}"
    );
    let niccolo = Subject::Identity(
        i.compliance
            .parse_identity("niccolo.verdi@example.com")
            .unwrap(),
    );
    let decision = i
        .compliance
        .can_process(&niccolo, "marketing", "email", None)
        .unwrap();
    assert!(
        !decision.allowed && decision.reason.contains("object"),
        "{}",
        decision.reason
    );
}

#[test]
fn a_web_form_submission_records_consent_with_its_evidence_and_notice() {
    let i = Installation::new();
    let report = i
        .import("web-form", "web-form.jsonl", OnError::Abort)
        .unwrap();
    assert_eq!(report.created, 1);
    assert!(i.allowed("elena.rosa@example.it", "marketing", "email"));
    assert!(
        !i.allowed("elena.rosa@example.it", "profiling", "email"),
        "an unticked box is no consent"
    );
    let id = i.contact_of("elena.rosa@example.it").unwrap().id;
    let history = i.compliance.consent_history(id).unwrap();
    let evidence = history[0].evidence.text.clone().unwrap_or_default();
    assert!(
        evidence.contains("https://example.it/contatti"),
        "evidence names the page: {evidence}"
    );
    assert_eq!(
        history[0].evidence.notice_version.as_deref(),
        Some("2026-01")
    );
}

#[test]
fn a_suppressed_email_is_never_imported_again() {
    let i = Installation::new();
    let identity = i.compliance.parse_identity("luca.blu@example.org").unwrap();
    i.compliance
        .suppress(
            &Actor::new("dpo@test", Role::Dpo),
            &identity,
            "asked never to be contacted",
            &SuppressionScope::All,
        )
        .unwrap();
    let report = i.import("csv", "bom-utf8.csv", OnError::Abort).unwrap();
    assert_eq!((report.created, report.suppressed), (1, 1), "{report:#?}");
    assert!(i.contact_of("luca.blu@example.org").is_none());
}

#[test]
fn fields_without_a_purpose_are_dropped_and_counted() {
    let i = Installation::new();
    let report = i.import("vcard", "cards.vcf", OnError::Abort).unwrap();
    // ORG's unit becomes `department`, ADR's region `province`: neither is in the catalogue. TITLE's
    // `role`, ADR's `city` are, and the UID becomes an external id.
    assert_eq!(
        report.fields_dropped,
        BTreeMap::from([("department".to_string(), 1), ("province".to_string(), 1)]),
        "{report:#?}"
    );
    let sara = i
        .contact_of("vcard:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1")
        .unwrap();
    assert_eq!(sara.current("city"), Some("Torino"));
    assert!(sara.fields.iter().all(|f| f.name != "province"));
}

#[test]
fn unknown_fields_set_to_reject_refuse_the_row_that_has_one() {
    let file =
        "email,first_name,shoe_size\nanna.neri@example.org,Anna,38\nbruno.blu@example.org,Bruno,\n";
    let i = Installation::new();
    let err = i
        .import_csv(file, "shoe shop", OnError::Abort, FieldPolicy::Reject)
        .unwrap_err()
        .to_string();
    assert!(err.contains("row 2, column `shoe_size`"), "{err}");
    assert!(
        err.contains("no purpose justifies collecting it") && err.contains("nothing was imported"),
        "{err}"
    );
    assert_eq!(i.contacts(), 0);

    let report = i
        .import_csv(file, "shoe shop", OnError::Skip, FieldPolicy::Reject)
        .unwrap();
    assert_eq!((report.created, report.rejected), (1, 1), "{report:#?}");
    let rejected = &report.rejected_rows[0];
    assert_eq!(
        (rejected.row, rejected.column.as_deref(), rejected.kind),
        (2, Some("shoe_size"), RejectKind::UnknownField)
    );
    assert!(report.fields_dropped.is_empty(), "rejected, not dropped");
    assert!(i.contact_of("anna.neri@example.org").is_none());
    assert!(
        i.contact_of("bruno.blu@example.org").is_some(),
        "an empty cell is no field"
    );
}

#[test]
fn a_second_source_with_another_value_makes_it_current_and_keeps_the_old_one_as_history() {
    let i = Installation::new();
    let fair = "email,first_name,city\nmario.rossi@example.it,Mario,Milano\n";
    i.import_csv(fair, "Fiera Milano 2026", OnError::Abort, FieldPolicy::Drop)
        .unwrap();
    let crm = "email,city\nMario.Rossi@Example.it,Torino\n";
    let report = i
        .import_csv(crm, "CRM export 2026", OnError::Abort, FieldPolicy::Drop)
        .unwrap();
    assert_eq!((report.created, report.merged), (0, 1), "{report:#?}");
    assert!(!report.already_imported);

    let mario = i.contact_of("mario.rossi@example.it").unwrap();
    assert_eq!(
        mario.current("city"),
        Some("Torino"),
        "the newer value is current"
    );
    assert_eq!(
        mario.current("first_name"),
        Some("Mario"),
        "a value not given again stays"
    );
    let source_of = |value: &str| {
        let entry = mario
            .fields
            .iter()
            .find(|f| f.name == "city" && f.value == value)
            .unwrap_or_else(|| panic!("no city {value}: {:#?}", mario.fields));
        let provenance = mario
            .provenance
            .iter()
            .find(|p| Some(p.id) == entry.provenance)
            .unwrap_or_else(|| panic!("city {value} has no provenance: {mario:#?}"));
        (entry.current, provenance.source_label.as_str())
    };
    assert_eq!(source_of("Torino"), (true, "CRM export 2026"));
    assert_eq!(
        source_of("Milano"),
        (false, "Fiera Milano 2026"),
        "the old value is history, with where it came from"
    );
}

/// A suppressed person, an invalid address, a duplicate and blank lines in one messy export of each
/// importer: the suppressed one is not imported, the invalid row is reported by row with a reason,
/// the duplicate makes no second contact, and importing the same file again changes nothing.
fn messy(plugin: &str, fixture: &str) -> (Installation, ImportReport) {
    let i = Installation::new();
    let luca = i.compliance.parse_identity("luca.blu@example.org").unwrap();
    i.compliance
        .suppress(
            &Actor::new("dpo@test", Role::Dpo),
            &luca,
            "asked never to be contacted",
            &SuppressionScope::All,
        )
        .unwrap();
    let report = i.import(plugin, fixture, OnError::Skip).unwrap();
    assert_eq!(report.suppressed, 1, "{report:#?}");
    assert_eq!(report.unchanged, 1, "the duplicate: {report:#?}");
    assert!(i.contact_of("luca.blu@example.org").is_none());
    assert_eq!(report.rejected, 1, "{report:#?}");
    assert!(!report.rejected_rows[0].reason.is_empty());
    let again = i.import(plugin, fixture, OnError::Skip).unwrap();
    assert!(again.already_imported, "{again:#?}");
    assert_eq!((again.created, again.merged), (0, 0), "{again:#?}");
    (i, report)
}

#[test]
fn a_messy_web_form_log_with_crlf_blank_lines_and_a_duplicate_submission() {
    let (i, report) = messy("web-form", "messy-web-form.jsonl");
    assert_eq!(report.created, 2, "{report:#?}");
    assert_eq!(report.rejected_rows[0].row, 4, "{report:#?}");
    assert_eq!(i.contacts(), 2);
    assert!(i.allowed("paolo.gialli@example.it", "marketing", "email"));
    assert!(
        !i.allowed("chiara.neri@example.it", "marketing", "email"),
        "an unticked box is no consent"
    );
}

#[test]
fn a_messy_vcard_file_with_a_bom_crlf_folded_lines_and_a_duplicate_card() {
    let (i, report) = messy("vcard", "messy-cards.vcf");
    assert_eq!(report.created, 2, "{report:#?}");
    assert_eq!(report.rejected_rows[0].column.as_deref(), Some("email"));
    assert_eq!(i.contacts(), 2);
    let marco = i.contact_of("marco.bruni@example.it").unwrap();
    assert_eq!(marco.current("last_name"), Some("Bruni"));
    assert!(
        marco.current("notes").unwrap_or_default().contains("caffè"),
        "{marco:#?}"
    );
    let giorgia = i.contact_of("giorgia.ferri@example.com").unwrap();
    assert!(
        giorgia
            .current("notes")
            .unwrap_or_default()
            .contains("due righe"),
        "{giorgia:#?}"
    );
}

#[test]
fn a_messy_mailchimp_export_with_a_bom_a_duplicate_and_a_quoted_newline() {
    let i = Installation::new();
    i.import("csv", "excel-it.csv", OnError::Skip).unwrap();
    let before = i.contacts();
    let luca = i.compliance.parse_identity("luca.blu@example.org").unwrap();
    i.compliance
        .suppress(
            &Actor::new("dpo@test", Role::Dpo),
            &luca,
            "asked never to be contacted",
            &SuppressionScope::All,
        )
        .unwrap();
    let report = i
        .import("newsletter-optouts", "messy-mailchimp.csv", OnError::Skip)
        .unwrap();
    println!("{report:#?}");
    assert_eq!(report.rejected, 1, "{report:#?}");
    assert_eq!(report.suppressed, 1, "{report:#?}");
    assert!(i.contact_of("luca.blu@example.org").is_none());
    assert!(
        !i.allowed("anna.neri@example.org", "marketing", "email"),
        "unsubscribed"
    );
    assert!(
        i.contacts() <= before + 1,
        "the duplicate row made no second contact"
    );
    let again = i
        .import("newsletter-optouts", "messy-mailchimp.csv", OnError::Skip)
        .unwrap();
    assert!(again.already_imported, "{again:#?}");
}
