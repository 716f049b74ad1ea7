//! A plugin's log for one job: what it sends to `host.log` and, for WASI components, what it writes
//! to stdout and stderr. Both are capped, so a chatty plugin can neither exhaust the host's memory
//! nor flood the host's own log.

use bytes::Bytes;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// The message prefix the SDK's panic hook writes (see `sdk/src/panic.rs`).
pub const PANIC_LOG_PREFIX: &str = "panicked at ";
/// Lines a plugin may log in one job; more are counted, not kept nor forwarded to the host's log.
pub const MAX_LOG_LINES: usize = 1000;
/// Longest kept log line, in bytes.
pub const MAX_LOG_LINE: usize = 4096;
/// What a WASI output stream lets the guest write at once (`check-write`). The bytes are taken
/// whatever the log's state, so the stream never fills up: past the caps they are dropped.
const STDIO_PERMIT: usize = 64 << 10;

/// Severity of a plugin's log line (every API version's `log-level` converts to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// A plugin's log lines for one job, forwarded to the host's log while under [`MAX_LOG_LINES`].
#[derive(Debug)]
pub struct PluginLog {
    /// `name version` of the plugin, for the host's log.
    label: Arc<str>,
    pub lines: Vec<(LogLevel, String)>,
    /// Lines past [`MAX_LOG_LINES`]: neither kept nor forwarded.
    pub dropped: usize,
    /// The last panic message the SDK's hook reported, if any.
    pub panic: Option<String>,
    /// The unfinished last line of stdout and of stderr, at most [`MAX_LOG_LINE`] + 1 bytes each.
    partial: [Vec<u8>; 2],
}

/// Which WASI output stream bytes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stdio {
    Stdout = 0,
    Stderr = 1,
}

impl Stdio {
    fn level(self) -> LogLevel {
        match self {
            Stdio::Stdout => LogLevel::Info,
            Stdio::Stderr => LogLevel::Warn,
        }
    }
}

impl PluginLog {
    pub fn new(label: Arc<str>) -> PluginLog {
        PluginLog {
            label,
            lines: Vec::new(),
            dropped: 0,
            panic: None,
            partial: [Vec::new(), Vec::new()],
        }
    }

    /// Adds a line: kept and forwarded to the host's log under the cap, counted past it.
    pub fn push(&mut self, level: LogLevel, mut message: String) {
        if message.len() > MAX_LOG_LINE {
            let mut cut = MAX_LOG_LINE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        // Looked at even past the cap: the panic message is what the error will report.
        if level == LogLevel::Error {
            if let Some(rest) = message.strip_prefix(PANIC_LOG_PREFIX) {
                self.panic = Some(rest.to_string());
            }
        }
        if self.lines.len() >= MAX_LOG_LINES {
            self.dropped += 1;
            return;
        }
        let label = &*self.label;
        match level {
            LogLevel::Trace => tracing::trace!(plugin = label, "{message}"),
            LogLevel::Debug => tracing::debug!(plugin = label, "{message}"),
            LogLevel::Info => tracing::info!(plugin = label, "{message}"),
            LogLevel::Warn => tracing::warn!(plugin = label, "{message}"),
            LogLevel::Error => tracing::error!(plugin = label, "{message}"),
        }
        self.lines.push((level, message));
    }

    /// Takes bytes the plugin wrote to a WASI stream: each complete non-blank line becomes a log
    /// line (stdout at `info`, stderr at `warn`). A line longer than [`MAX_LOG_LINE`] keeps only
    /// its start, so what is buffered stays small whatever the plugin writes.
    pub fn write_stdio(&mut self, stream: Stdio, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let (text, rest, ends) = match bytes.iter().position(|&b| b == b'\n') {
                Some(i) => (&bytes[..i], &bytes[i + 1..], true),
                None => (bytes, &[][..], false),
            };
            let partial = &mut self.partial[stream as usize];
            // One byte over the limit is kept so `push` sees the line is long and marks the cut.
            let room = (MAX_LOG_LINE + 1).saturating_sub(partial.len());
            partial.extend_from_slice(&text[..text.len().min(room)]);
            if ends {
                self.end_line(stream);
            }
            bytes = rest;
        }
    }

    /// Ends the unfinished stdout and stderr lines, if any (at the end of each call, so nothing
    /// written without a final newline is lost).
    pub fn flush_stdio(&mut self) {
        self.end_line(Stdio::Stdout);
        self.end_line(Stdio::Stderr);
    }

    fn end_line(&mut self, stream: Stdio) {
        let line = std::mem::take(&mut self.partial[stream as usize]);
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches('\r');
        if !text.trim().is_empty() {
            self.push(stream.level(), text.to_string());
        }
    }
}

impl Drop for PluginLog {
    /// The one line that stands for everything dropped (the job is over when the store goes).
    fn drop(&mut self) {
        self.flush_stdio();
        if self.dropped > 0 {
            tracing::warn!(
                plugin = &*self.label,
                "{} more log lines dropped: a plugin's log keeps at most {MAX_LOG_LINES} lines per job",
                self.dropped
            );
        }
    }
}

/// The log of one job, shared by the store (for `host.log`) and the WASI output streams.
#[derive(Debug, Clone)]
pub struct SharedLog(Arc<Mutex<PluginLog>>);

impl SharedLog {
    pub fn new(label: Arc<str>) -> SharedLog {
        SharedLog(Arc::new(Mutex::new(PluginLog::new(label))))
    }

    pub fn lock(&self) -> MutexGuard<'_, PluginLog> {
        // Nothing panics while holding it; if something did, the lines are still worth having.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A WASI stdout or stderr that writes into this log.
    pub fn stdio(&self, stream: Stdio) -> LogStream {
        LogStream {
            log: self.clone(),
            stream,
        }
    }
}

/// WASI stdout or stderr of a plugin: always ready, never full, every byte handed to the log.
#[derive(Debug, Clone)]
pub struct LogStream {
    log: SharedLog,
    stream: Stdio,
}

impl IsTerminal for LogStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for LogStream {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for LogStream {
    async fn ready(&mut self) {}
}

impl OutputStream for LogStream {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.log.lock().write_stdio(self.stream, &bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(STDIO_PERMIT)
    }
}

impl tokio::io::AsyncWrite for LogStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.log.lock().write_stdio(self.stream, buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::fmt::MakeWriter;

    /// The host's log, captured.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    /// Runs `f` with the host's log captured, and returns its lines.
    fn host_log(f: impl FnOnce()) -> Vec<String> {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn a_flood_reaches_the_host_log_up_to_the_cap_then_as_one_count() {
        let mut kept = 0;
        let lines = host_log(|| {
            let mut log = PluginLog::new("chatty 0.1.0".into());
            for i in 0..MAX_LOG_LINES + 500 {
                log.push(LogLevel::Info, format!("line {i}"));
            }
            kept = log.lines.len();
            assert_eq!(log.dropped, 500);
        });
        assert_eq!(kept, MAX_LOG_LINES);
        let forwarded = lines.iter().filter(|l| l.contains("line ")).count();
        assert_eq!(
            forwarded, MAX_LOG_LINES,
            "only lines under the cap are forwarded"
        );
        let summary: Vec<&String> = lines.iter().filter(|l| l.contains("dropped")).collect();
        assert_eq!(summary.len(), 1, "{summary:?}");
        assert!(
            summary[0].contains("500 more log lines dropped")
                && summary[0].contains("chatty 0.1.0"),
            "{}",
            summary[0]
        );
        assert_eq!(lines.len(), MAX_LOG_LINES + 1);
    }

    #[test]
    fn a_panic_past_the_cap_is_still_seen() {
        let mut log = PluginLog::new("p 1".into());
        for _ in 0..MAX_LOG_LINES {
            log.push(LogLevel::Debug, "x".into());
        }
        log.push(
            LogLevel::Error,
            format!("{PANIC_LOG_PREFIX}src/lib.rs:1:1: boom"),
        );
        assert_eq!(log.panic.as_deref(), Some("src/lib.rs:1:1: boom"));
        assert_eq!(log.dropped, 1);
    }

    #[test]
    fn stdio_becomes_lines_across_writes() {
        let mut log = PluginLog::new("p 1".into());
        log.write_stdio(Stdio::Stdout, b"hel");
        log.write_stdio(Stdio::Stderr, b"careful\r\n\n   \n");
        log.write_stdio(Stdio::Stdout, b"lo\nworld");
        assert_eq!(
            log.lines,
            [
                (LogLevel::Warn, "careful".to_string()),
                (LogLevel::Info, "hello".to_string())
            ]
        );
        log.flush_stdio();
        assert_eq!(log.lines[2], (LogLevel::Info, "world".to_string()));
        log.flush_stdio();
        assert_eq!(log.lines.len(), 3, "an empty flush adds nothing");
    }

    #[test]
    fn a_line_without_end_keeps_only_its_start() {
        let mut log = PluginLog::new("p 1".into());
        let chunk = vec![b'a'; 1000];
        for _ in 0..1000 {
            log.write_stdio(Stdio::Stdout, &chunk);
        }
        assert!(log.partial[0].len() <= MAX_LOG_LINE + 1);
        log.write_stdio(Stdio::Stdout, b"\n");
        let (_, line) = &log.lines[0];
        assert!(line.ends_with('…') && line.len() == MAX_LOG_LINE + '…'.len_utf8());
    }

    #[test]
    fn the_wasi_stream_never_refuses_bytes() {
        let log = SharedLog::new("p 1".into());
        let mut stream = log.stdio(Stdio::Stdout);
        let line = Bytes::from(format!("{:<99}\n", "chatty"));
        // Far past what a fixed-size pipe would hold.
        for _ in 0..5000 {
            assert_eq!(stream.check_write().unwrap(), STDIO_PERMIT);
            stream.write(line.clone()).unwrap();
        }
        let log = log.lock();
        assert_eq!(log.lines.len(), MAX_LOG_LINES);
        assert_eq!(log.dropped, 5000 - MAX_LOG_LINES);
    }
}
