//! A plugin's own checks of its settings, run when an admin configures or enables it, so a bad
//! value (`months=ten` for a number) is refused then, not at the first import or retention run.
//!
//! A plugin API 0.2.0 plugin answers `check-config` (called by [`Plugin::load`]); the 0.1.0 API
//! has no function for this, so for every plugin the host also uses what each world has: an
//! importer is asked to `open` an import (the SDK reads and checks the settings there), a
//! retention rule to `evaluate` an empty batch (it reads them before looking at subjects), an
//! exporter to `render` an empty subject package (no personal data: no identities, fields or
//! consents), reading its settings before it writes anything.

use super::error::{Failure, LoadError, PluginError, StartError};
use super::importer::ImportSession;
use super::info::PluginKind;
use super::plugin::{Plugin, PluginSettings};
use super::retention::RetentionJob;
use super::Runtime;
use crate::domain::{ContactId, SubjectPackage, Timestamp};
use std::sync::Arc;

impl Plugin {
    /// [`Plugin::load`], then the plugin's own checks of the settings.
    pub fn load_checked(
        runtime: &Arc<Runtime>,
        bytes: &[u8],
        settings: PluginSettings,
    ) -> Result<Plugin, LoadError> {
        let plugin = Plugin::load(runtime, bytes, settings)?;
        plugin.check_own_settings()?;
        Ok(plugin)
    }

    /// Asks the plugin whether it accepts its settings (see the module's comment).
    pub fn check_own_settings(&self) -> Result<(), LoadError> {
        let refused = |e: PluginError| match e.failure {
            Failure::Reported(reported) => LoadError::Settings(format!(
                "plugin `{}` {} refuses these settings: {reported}",
                self.name(),
                self.version()
            )),
            _ => LoadError::Plugin(e),
        };
        let started = |e: StartError| match e {
            StartError::Plugin(e) => refused(e),
            other => LoadError::Settings(other.to_string()),
        };
        match self.kind() {
            PluginKind::Importer => ImportSession::open(self).map(drop).map_err(started),
            PluginKind::RetentionRule => RetentionJob::start(self)
                .map_err(started)?
                .evaluate(Timestamp::now(), &[])
                .map(drop)
                .map_err(refused),
            PluginKind::Exporter => super::exporter::render(self, &empty_package())
                .map(drop)
                .map_err(started),
        }
    }
}

/// A subject package with nothing in it: what an exporter renders to show it accepts its settings.
fn empty_package() -> SubjectPackage {
    let now = Timestamp::now();
    SubjectPackage {
        contact_id: ContactId(0),
        generated_at: now,
        controller: String::new(),
        data_location: String::new(),
        created_at: now,
        last_interaction: None,
        identities: vec![],
        fields: vec![],
        provenance: vec![],
        purposes: vec![],
        consents: vec![],
        notices: vec![],
        retention: vec![],
        recipients: vec![],
        former_identities: vec![],
        restrictions: vec![],
        legal_hold_since: None,
        controller_contact: None,
        supervisory_authority: None,
        request: None,
    }
}
