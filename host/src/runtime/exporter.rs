//! Calling an exporter plugin to render one subject's package.

use super::error::{Failure, StartError};
use super::info::PluginKind;
use super::limits::{self, excerpt};
use super::plugin::Plugin;
use crate::domain::{Document, SubjectPackage};

/// Renders `package` with `plugin`, an exporter, on a fresh instance.
pub fn render(plugin: &Plugin, package: &SubjectPackage) -> Result<Document, StartError> {
    plugin.expect_kind(PluginKind::Exporter)?;
    let mut store = plugin.new_store()?;
    let instance = plugin.start(&mut store)?;
    let result = plugin.call(&mut store, "render", |s| instance.render(s, package))?;
    let document =
        result.map_err(|e| plugin.error("render", super::limits::reported(e, None, None)))?;
    check_document(&document).map_err(|failure| plugin.error("render", failure))?;
    Ok(document)
}

/// A document goes to a data subject as is, its name and media type in HTTP headers: the name must
/// be a plain file name, both one short line.
fn check_document(document: &Document) -> Result<(), Failure> {
    let name = &document.file_name;
    limits::FILE_NAME.check_line(name)?;
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(Failure::Contract(format!(
            "document file name {:?} must be a plain file name (no folders, not hidden)",
            excerpt(name)
        )));
    }
    limits::MEDIA_TYPE.check_line(&document.media_type)?;
    if !document.media_type.contains('/') {
        return Err(Failure::Contract(format!(
            "document media type {:?} is not a media type like `application/json`",
            excerpt(&document.media_type)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(file_name: &str, media_type: &str) -> Document {
        Document {
            file_name: file_name.into(),
            media_type: media_type.into(),
            bytes: Vec::new(),
        }
    }

    #[test]
    fn a_document_must_have_a_short_plain_name_and_media_type() {
        assert_eq!(
            check_document(&document("s.json", "application/json")),
            Ok(())
        );
        let refused = |d: Document| check_document(&d).unwrap_err().to_string();
        assert!(refused(document("a\r\nb.json", "text/plain")).contains("control character"));
        assert!(refused(document("a.json", "text/plain\r\nX: y")).contains("control character"));
        assert_eq!(
            refused(document(&"a".repeat(40 << 20), "text/plain")),
            "returned a document file name of 41943040 bytes (the cap is 255 bytes)"
        );
        assert_eq!(
            refused(document("a.json", &"a".repeat(1000))),
            "returned a document media type of 1000 bytes (the cap is 127 bytes)"
        );
        assert!(refused(document("../a.json", "text/plain")).contains("plain file name"));
    }
}
