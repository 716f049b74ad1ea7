//! Calling an importer plugin: open a session, push chunks, finish.

use super::error::{Failure, PluginError, Reported, StartError};
use super::info::PluginKind;
use super::limits;
use super::log::LogLevel;
use super::plugin::Plugin;
use super::state::PluginState;
use super::wit;
use crate::domain::SourceChunk;
use wasmtime::component::ResourceAny;
use wasmtime::Store;

/// Most records and row errors, together, the host accepts from one `push` or `finish`. Inputs are
/// fed in chunks of [`CHUNK_SIZE`], so an honest importer stays far below it.
pub const MAX_RECORDS_PER_CALL: usize = 250_000;
/// Bytes fed to an importer per `push`: big enough to amortise the call, small enough that a
/// 64 MiB plugin never holds much of the input.
pub const CHUNK_SIZE: usize = 1 << 20;

/// One import running inside a plugin instance. Dropping it ends the session.
pub struct ImportSession<'p> {
    plugin: &'p Plugin,
    store: Store<PluginState>,
    instance: wit::Instance,
    session: Option<ResourceAny>,
}

impl<'p> ImportSession<'p> {
    /// Starts an import session on a fresh instance of `plugin`, an importer.
    pub fn open(plugin: &'p Plugin) -> Result<ImportSession<'p>, StartError> {
        plugin.expect_kind(PluginKind::Importer)?;
        let mut store = plugin.new_store()?;
        let instance = plugin.start(&mut store)?;
        let opened = plugin.call(&mut store, "open", |s| instance.open(s))?;
        let session = opened.map_err(|e| plugin.error("open", reported(e)))?;
        Ok(ImportSession {
            plugin,
            store,
            instance,
            session: Some(session),
        })
    }
}

impl ImportSession<'_> {
    /// Feeds the next chunk; returns the records the plugin completed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<SourceChunk, PluginError> {
        let session = self.session.ok_or_else(|| self.closed("push"))?;
        let instance = &self.instance;
        let result = self.plugin.call(&mut self.store, "push", |s| {
            instance.push(s, session, chunk)
        })?;
        self.check("push", result)
    }

    /// Ends the input; returns the remaining records and closes the session.
    pub fn finish(&mut self) -> Result<SourceChunk, PluginError> {
        let session = self.session.ok_or_else(|| self.closed("finish"))?;
        let instance = &self.instance;
        let result = self
            .plugin
            .call(&mut self.store, "finish", |s| instance.finish(s, session))?;
        let checked = self.check("finish", result)?;
        self.session = None;
        let _ = session.resource_drop(&mut self.store);
        Ok(checked)
    }

    /// The plugin's log lines so far (those under the cap are also forwarded to the host's log
    /// as they arrive).
    pub fn log(&self) -> Vec<(LogLevel, String)> {
        self.store.data().log().lines.clone()
    }

    /// Log lines the plugin wrote past the cap of [`super::log::MAX_LOG_LINES`] per job, counted
    /// but not kept.
    pub fn dropped_log_lines(&self) -> usize {
        self.store.data().log().dropped
    }

    fn check(
        &self,
        function: &'static str,
        result: Result<SourceChunk, Reported>,
    ) -> Result<SourceChunk, PluginError> {
        let chunk = result.map_err(|e| self.plugin.error(function, reported(e)))?;
        let count = chunk.records.len() + chunk.rejected.len();
        if count > MAX_RECORDS_PER_CALL {
            let what = match (chunk.records.len(), chunk.rejected.len()) {
                (_, 0) => "records",
                (0, _) => "row errors",
                _ => "records and row errors",
            };
            return Err(self.plugin.error(
                function,
                Failure::OutputTooLarge {
                    what,
                    count,
                    limit: MAX_RECORDS_PER_CALL,
                    counted: "records and row errors together",
                },
            ));
        }
        for rejected in &chunk.rejected {
            limits::ROW_ERROR_MESSAGE
                .check(&rejected.message)
                .and_then(|()| {
                    rejected
                        .column
                        .as_deref()
                        .map_or(Ok(()), |c| limits::ERROR_COLUMN.check(c))
                })
                .map_err(|too_long| self.plugin.error(function, too_long))?;
        }
        Ok(chunk)
    }

    fn closed(&self, function: &'static str) -> PluginError {
        self.plugin.error(
            function,
            Failure::Contract("the import session was already finished or failed".into()),
        )
    }
}

fn reported(e: Reported) -> Failure {
    super::limits::reported(e.message, e.row, e.column)
}
