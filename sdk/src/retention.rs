//! The `retention-rule` world: decide, for batches of subjects, what happens to their data (storage limitation, Art. 5(1)(e)).
//!
//! Implement [`RetentionRule`] and call [`export_retention_rule!`](crate::export_retention_rule).
//! A complete rule that sends every subject silent for more than three years to review:
//!
//! ```
//! use custode_sdk::retention::RetentionRule;
//! use custode_sdk::time::{months_between, Timestamp};
//! use custode_sdk::types::{PluginInfo, PluginKind, RetentionAction, RetentionDecision, SubjectView};
//!
//! struct ThreeYears;
//!
//! impl RetentionRule for ThreeYears {
//!     fn describe() -> PluginInfo {
//!         PluginInfo::new("three-years", env!("CARGO_PKG_VERSION"), PluginKind::RetentionRule,
//!                         "Review subjects silent for more than 36 months")
//!     }
//!     fn evaluate(now: Timestamp, batch: Vec<SubjectView>) -> Result<Vec<RetentionDecision>, String> {
//!         Ok(batch
//!             .iter()
//!             .filter_map(|s| {
//!                 let last = s.last_interaction.unwrap_or(s.created_at);
//!                 (months_between(last, now) > 36).then(|| RetentionDecision {
//!                     contact_id: s.contact_id,
//!                     action: RetentionAction::Review,
//!                     reason: format!("no interaction for {} months (limit 36)", months_between(last, now)),
//!                     legal_reference: "GDPR Art. 5(1)(e)".into(),
//!                     review_after: None,
//!                 })
//!             })
//!             .collect())
//!     }
//! }
//!
//! custode_sdk::export_retention_rule!(ThreeYears);
//! ```

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "retention-rule",
        path: "../wit/since_v0.1.0",
        with: {
            "custode:plugin/types@0.1.0": crate::types,
            "custode:plugin/host@0.1.0": crate::host,
        },
        pub_export_macro: true,
        export_macro_name: "__export_retention_world",
        default_bindings_module: "custode_sdk::retention::bindings",
        runtime_path: "::custode_sdk::wit_bindgen::rt",
    });
}

use crate::types::{PluginInfo, RetentionDecision, SubjectView, Timestamp};

/// A retention rule plugin. Rules are pure functions of their input: no state is kept between calls.
pub trait RetentionRule {
    /// Who the plugin is and which settings it reads.
    fn describe() -> PluginInfo;
    /// Decides for a batch of subjects, as of `now`. Subjects without a decision are kept.
    fn evaluate(now: Timestamp, batch: Vec<SubjectView>) -> Result<Vec<RetentionDecision>, String>;
}

/// Exports a type implementing [`retention::RetentionRule`](crate::retention::RetentionRule) as the
/// plugin's `retention-rule` world. Call it once, at the top level of the plugin crate.
#[macro_export]
macro_rules! export_retention_rule {
    ($t:ty) => {
        #[doc(hidden)]
        struct __CustodeRetentionRule;
        impl $crate::retention::bindings::exports::custode::plugin::plugin::Guest for __CustodeRetentionRule {
            fn describe() -> $crate::types::PluginInfo {
                $crate::panic::install_hook();
                <$t as $crate::retention::RetentionRule>::describe()
            }
        }
        impl $crate::retention::bindings::exports::custode::plugin::rule::Guest for __CustodeRetentionRule {
            fn evaluate(
                now: $crate::types::Timestamp,
                batch: ::std::vec::Vec<$crate::types::SubjectView>,
            ) -> ::std::result::Result<::std::vec::Vec<$crate::types::RetentionDecision>, ::std::string::String> {
                $crate::panic::install_hook();
                <$t as $crate::retention::RetentionRule>::evaluate(now, batch)
            }
        }
        $crate::retention::bindings::__export_retention_world!(__CustodeRetentionRule with_types_in $crate::retention::bindings);
    };
}
