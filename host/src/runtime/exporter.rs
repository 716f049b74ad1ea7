//! Calling an exporter plugin to render one subject's package.

use super::error::{Failure, StartError};
use super::info::PluginKind;
use super::plugin::Plugin;
use crate::domain::{Document, SubjectPackage};

/// Renders `package` with `plugin`, an exporter, on a fresh instance.
pub fn render(plugin: &Plugin, package: &SubjectPackage) -> Result<Document, StartError> {
    plugin.expect_kind(PluginKind::Exporter)?;
    let mut store = plugin.new_store();
    let instance = plugin.start(&mut store)?;
    let result = plugin.call(&mut store, "render", |s| instance.render(s, package))?;
    let document = result.map_err(|e| plugin.error("render", Failure::reported(e, None, None)))?;
    check_document(&document)
        .map_err(|problem| plugin.error("render", Failure::Contract(problem)))?;
    Ok(document)
}

/// A document goes to a data subject as is: its name must be a plain file name.
fn check_document(document: &Document) -> Result<(), String> {
    let name = &document.file_name;
    if name.is_empty()
        || name.len() > 255
        || name.contains(['/', '\\', '\0'])
        || name.starts_with('.')
    {
        return Err(format!(
            "document file name {name:?} must be a plain file name (no folders, not hidden)"
        ));
    }
    if !document.media_type.contains('/') {
        return Err(format!(
            "document media type {:?} is not a media type like `application/json`",
            document.media_type
        ));
    }
    Ok(())
}
