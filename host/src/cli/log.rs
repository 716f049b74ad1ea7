//! The process's log: text (or JSON lines) on stderr, one line per event, and nothing from the input
//! can break a line. Values that reach a log line may come from outside (a column name of an
//! imported file, a plugin's own log line): a newline in one would forge a second, made-up line,
//! and a terminal's control sequences could rewrite what an admin sees. So every control byte but
//! the line's final newline is written as `\xNN`; the colour codes Custode itself writes at a
//! terminal are kept (values' own escape characters are already escaped by `tracing_subscriber`).

use std::io::Write;

use tracing_subscriber::fmt::MakeWriter;

/// Sets up the log for this process: `RUST_LOG` if set, else `default` (e.g. `info`).
pub fn init(json: bool, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colour codes only for a person at a terminal: a log collector or a file would keep them as
    // noise around every field.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(SafeStderr { colour });
    // A second call (tests running several servers in one process) keeps the first subscriber.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Stderr, one whole event at a time, with control bytes escaped.
struct SafeStderr {
    colour: bool,
}

impl<'a> MakeWriter<'a> for SafeStderr {
    type Writer = SafeLine;

    fn make_writer(&'a self) -> SafeLine {
        SafeLine {
            colour: self.colour,
            bytes: Vec::with_capacity(256),
        }
    }
}

/// One event's text, collected and written escaped when the formatter is done with it.
struct SafeLine {
    colour: bool,
    bytes: Vec<u8>,
}

impl Write for SafeLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for SafeLine {
    fn drop(&mut self) {
        if self.bytes.is_empty() {
            return;
        }
        let line = escape_controls(&self.bytes, self.colour);
        let _ = std::io::stderr().lock().write_all(&line);
    }
}

/// `text` with every control byte written as `\xNN`, except a final newline and — when `keep_esc`
/// (the log's own colours) — the escape character.
fn escape_controls(text: &[u8], keep_esc: bool) -> Vec<u8> {
    let (body, end) = match text.strip_suffix(b"\n") {
        Some(body) => (body, &b"\n"[..]),
        None => (text, &b""[..]),
    };
    let mut out = Vec::with_capacity(text.len() + 8);
    for &b in body {
        let control = b < 0x20 || b == 0x7f;
        if control && !(keep_esc && b == 0x1b) {
            out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
        } else {
            out.push(b);
        }
    }
    out.extend_from_slice(end);
    out
}

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn input_cannot_start_a_line_or_drive_the_terminal() {
        let forged = b"WARN import failed column=\"E-mail\nINFO all good\r\x07\" \x1b[31mred\x7f\n";
        assert_eq!(
            String::from_utf8(escape_controls(forged, false)).unwrap(),
            "WARN import failed column=\"E-mail\\x0aINFO all good\\x0d\\x07\" \\x1b[31mred\\x7f\n"
        );
        // At a terminal the log's own colour codes stay; everything else is still escaped.
        assert_eq!(
            escape_controls(b"\x1b[33mWARN\x1b[0m a\tb\n", true),
            b"\x1b[33mWARN\x1b[0m a\\x09b\n"
        );
        assert_eq!(
            escape_controls("caffè".as_bytes(), false),
            "caffè".as_bytes()
        );
    }
}
