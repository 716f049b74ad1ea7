//! The `retention-rule` world: decide, for batches of subjects, what happens to their data (storage limitation, Art. 5(1)(e)).
//!
//! Implement [`RetentionRule`] and call [`export_retention_rule!`](crate::export_retention_rule).
//! A complete rule that sends every subject silent for more than three years to review, from the
//! day the three years ended, and refuses a setting it cannot read when the admin configures it:
//!
//! ```
//! use custode_sdk::config::Config;
//! use custode_sdk::retention::RetentionRule;
//! use custode_sdk::time::{add_months, months_between, Timestamp};
//! use custode_sdk::types::{
//!     ConfigProblem, PluginInfo, PluginKind, RetentionAction, RetentionDecision, SubjectView,
//! };
//!
//! struct Silent;
//!
//! fn months(config: &Config) -> Result<i64, ConfigProblem> {
//!     Ok(config.number::<i64>("months")?.unwrap_or(36))
//! }
//!
//! impl RetentionRule for Silent {
//!     fn describe() -> PluginInfo {
//!         PluginInfo::new("silent", env!("CARGO_PKG_VERSION"), PluginKind::RetentionRule,
//!                         "Review subjects silent for more than 36 months")
//!             .with_config_key("months", "Months of silence (a number)", false, Some("36"))
//!     }
//!     fn check_config(config: &Config) -> Result<(), Vec<ConfigProblem>> {
//!         months(config).map(drop).map_err(|problem| vec![problem])
//!     }
//!     fn evaluate(now: Timestamp, batch: Vec<SubjectView>) -> Result<Vec<RetentionDecision>, String> {
//!         let limit = months(&Config::from_host()).map_err(|p| p.message)?;
//!         Ok(batch
//!             .iter()
//!             .filter_map(|s| {
//!                 let last = s.last_interaction.unwrap_or(s.created_at);
//!                 (months_between(last, now) > limit).then(|| {
//!                     RetentionDecision::new(
//!                         s.contact_id,
//!                         RetentionAction::Review,
//!                         format!("no interaction for {} months (limit {limit})", months_between(last, now)),
//!                         "GDPR Art. 5(1)(e)",
//!                     )
//!                     .holds_from(add_months(last, limit))
//!                 })
//!             })
//!             .collect())
//!     }
//! }
//!
//! custode_sdk::export_retention_rule!(Silent);
//!
//! // Natively, in a test: the same check the host runs when the admin configures the plugin.
//! let problems = Silent::check_config(&Config::from_pairs(&[("months", "ten")])).unwrap_err();
//! assert_eq!(problems[0].key, "months");
//! ```

#[doc(hidden)]
pub mod bindings {
    crate::with_api!(
        world_bindings!,
        "retention-rule",
        "__export_retention_world",
        "custode_sdk::retention::bindings"
    );
}

#[cfg(not(any(feature = "api-0-1", feature = "api-0-2")))]
mod batch;

#[cfg(not(feature = "api-0-1"))]
use crate::config::Config;
#[cfg(not(feature = "api-0-1"))]
use crate::types::ConfigProblem;
use crate::types::{PluginInfo, RetentionDecision, SubjectView, Timestamp};

/// A retention rule plugin. Rules are pure functions of their input: no state is kept between calls.
pub trait RetentionRule {
    /// Who the plugin is and which settings it reads.
    fn describe() -> PluginInfo;
    /// Checks the values of the settings when the admin configures the plugin (the host has
    /// checked the keys already). The default accepts every value: override it to refuse a bad
    /// one then rather than at the first run.
    #[cfg(not(feature = "api-0-1"))]
    fn check_config(config: &Config) -> Result<(), Vec<ConfigProblem>> {
        let _ = config;
        Ok(())
    }
    /// Decides for a batch of subjects, as of `now`. Subjects without a decision are kept.
    fn evaluate(now: Timestamp, batch: Vec<SubjectView>) -> Result<Vec<RetentionDecision>, String>;
}

/// What the host passes `rule.evaluate`: from plugin API 0.3, the subjects in columns.
#[doc(hidden)]
#[cfg(not(any(feature = "api-0-1", feature = "api-0-2")))]
pub type __Batch = bindings::exports::custode::plugin::rule::SubjectBatch;
/// What the host passes `rule.evaluate`: before plugin API 0.3, a list of views.
#[doc(hidden)]
#[cfg(any(feature = "api-0-1", feature = "api-0-2"))]
pub type __Batch = Vec<SubjectView>;

/// `rule.evaluate` for [`export_retention_rule!`](crate::export_retention_rule): the batch as
/// subject views, whatever the version passes, to the rule.
#[doc(hidden)]
pub fn __evaluate<T: RetentionRule>(
    now: Timestamp,
    batch: __Batch,
) -> Result<Vec<RetentionDecision>, String> {
    crate::panic::install_hook();
    #[cfg(not(any(feature = "api-0-1", feature = "api-0-2")))]
    let batch = batch::views(&batch)?;
    T::evaluate(now, batch)
}

/// Exports a type implementing [`retention::RetentionRule`](crate::retention::RetentionRule) as the
/// plugin's `retention-rule` world. Call it once, at the top level of the plugin crate.
#[macro_export]
macro_rules! export_retention_rule {
    ($t:ty) => {
        #[doc(hidden)]
        struct __CustodeRetentionRule;
        $crate::__plugin_interface!(
            $crate::retention::bindings::exports::custode::plugin::plugin::Guest,
            __CustodeRetentionRule,
            $t,
            $crate::retention::RetentionRule
        );
        impl $crate::retention::bindings::exports::custode::plugin::rule::Guest for __CustodeRetentionRule {
            fn evaluate(
                now: $crate::types::Timestamp,
                batch: $crate::retention::__Batch,
            ) -> ::std::result::Result<::std::vec::Vec<$crate::types::RetentionDecision>, ::std::string::String> {
                $crate::retention::__evaluate::<$t>(now, batch)
            }
        }
        $crate::retention::bindings::__export_retention_world!(__CustodeRetentionRule with_types_in $crate::retention::bindings);
    };
}
