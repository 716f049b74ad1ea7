use super::Rule;
use custode_sdk::config::Config;
use custode_sdk::time::{days_from_civil, Timestamp};
use custode_sdk::types::{RetentionAction, SubjectView};

fn day(year: i64, month: u32, day: u32) -> Timestamp {
    days_from_civil(year, month, day) * 86_400
}

fn subject(contact_id: u64, last_interaction: Option<Timestamp>, legal_hold: bool) -> SubjectView {
    SubjectView {
        contact_id,
        created_at: day(2020, 1, 1),
        last_interaction,
        sources: vec![],
        legal_bases: vec![],
        consents: vec![],
        objections: vec![],
        categories: vec![],
        restricted: false,
        legal_hold,
    }
}

#[test]
fn silent_past_the_limit_is_erased_from_the_day_it_was_reached() {
    let rule = Rule::from_config(&Config::from_pairs(&[])).unwrap();
    let batch = [
        subject(1, Some(day(2024, 3, 10)), false),
        subject(2, Some(day(2025, 1, 1)), false),
        subject(3, None, false),
        subject(4, None, true),
    ];
    let decisions = rule.evaluate(day(2026, 6, 1), &batch);
    let ids: Vec<u64> = decisions.iter().map(|d| d.contact_id).collect();
    assert_eq!(ids, vec![1, 3], "2 is within 24 months; 4 is under legal hold");
    assert!(matches!(decisions[0].action, RetentionAction::Erase));
    assert_eq!(decisions[0].holds_from, Some(day(2026, 3, 10)));
    assert!(decisions[0].reason.contains("2024-03-10"), "{}", decisions[0].reason);
}

#[test]
fn months_is_a_setting_and_a_bad_value_is_refused() {
    let rule = Rule::from_config(&Config::from_pairs(&[("months", "6")])).unwrap();
    let decisions = rule.evaluate(day(2025, 8, 1), &[subject(2, Some(day(2025, 1, 1)), false)]);
    assert_eq!(decisions.len(), 1);
    let error = Rule::from_config(&Config::from_pairs(&[("months", "0")])).err().unwrap();
    assert!(error.to_string().contains("months"), "{error}");
}
