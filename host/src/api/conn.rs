//! Connections as the server accepts them: the client's address for the handlers (failed
//! authentication is limited per address), and problem details for the few errors hyper answers by
//! itself before any of Custode's code sees the request.
//!
//! hyper answers a request it cannot parse — a URI over 64 KiB (414), headers over its buffer or more
//! than 100 of them (431), a malformed request line or header (400) — with an empty body and closes
//! the connection; it has no hook to change that answer. Those answers are the only ones that leave
//! without a `Content-Type`: every answer of the router has one (problem details are
//! `application/problem+json`). So the connection's writes are watched, and such an answer is
//! replaced by the same status with a problem body. hyper writes a whole response head in one write
//! when the connection does not take vectored writes, which this one declares.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::problem::PROBLEM_PREFIX;

/// The address a request came from (the TCP peer), for `ConnectInfo<ClientAddr>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

/// A TCP listener whose connections answer hyper's own errors with problem details.
pub struct ProblemListener(pub TcpListener);

impl axum::serve::Listener for ProblemListener {
    type Io = ProblemIo<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.0).await;
        // Small answers should not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        (ProblemIo::new(stream), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

impl Connected<IncomingStream<'_, ProblemListener>> for ClientAddr {
    fn connect_info(stream: IncomingStream<'_, ProblemListener>) -> Self {
        ClientAddr(*stream.remote_addr())
    }
}

/// A connection whose automatic error answers (see the module) get a problem body.
pub struct ProblemIo<T> {
    inner: T,
    /// A replacement answer being written, and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<T> ProblemIo<T> {
    pub fn new(inner: T) -> Self {
        ProblemIo {
            inner,
            pending: None,
        }
    }
}

impl<T: AsyncWrite + Unpin> ProblemIo<T> {
    /// Writes what is left of the replacement answer.
    fn drive(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ProblemIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ProblemIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drive(cx))?;
        if let Some(status) = automatic_error(buf) {
            self.pending = Some((problem_answer(status), 0));
            // hyper's bytes count as written: the replacement goes out in their place.
            let _ = self.drive(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drive(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drive(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        // hyper then writes each response head whole, in one call: what `automatic_error` reads.
        false
    }
}

/// The status of an answer hyper made up itself: a response head with status 400, 414 or 431 and
/// no `Content-Type`.
fn automatic_error(buf: &[u8]) -> Option<u16> {
    let rest = buf
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| buf.strip_prefix(b"HTTP/1.0 "))?;
    let status = match rest.get(..4)? {
        b"400 " => 400,
        b"414 " => 414,
        b"431 " => 431,
        _ => return None,
    };
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    (!head.contains("\r\ncontent-type:")).then_some(status)
}

/// The replacement: the same status, a problem body, and the connection closed (as hyper would).
fn problem_answer(status: u16) -> Vec<u8> {
    let (title, kind, detail) = match status {
        414 => (
            "URI Too Long",
            "uri-too-long",
            "the request's URI (path and query) is longer than the server reads: put large values in a JSON body instead",
        ),
        431 => (
            "Request Header Fields Too Large",
            "headers-too-large",
            "the request's headers are larger, or more numerous (at most 100), than the server reads: send fewer or shorter headers",
        ),
        _ => (
            "Bad Request",
            "malformed-request",
            "the request is not valid HTTP/1.1 (its request line or a header cannot be read): check the client",
        ),
    };
    let body = serde_json::json!({
        "type": format!("{PROBLEM_PREFIX}{kind}"),
        "title": title,
        "status": status,
        "detail": detail,
    })
    .to_string();
    format!(
        "HTTP/1.1 {status} {title}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bodiless_error_heads_are_replaced() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(automatic_error(hyper), Some(431));
        assert_eq!(
            automatic_error(b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n\r\n"),
            Some(414)
        );
        let ours = b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(automatic_error(ours), None);
        assert_eq!(
            automatic_error(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"),
            None
        );
        assert_eq!(automatic_error(b"{\"a\": 1}"), None);
        let answer = String::from_utf8(problem_answer(414)).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["type"], "urn:custode:problem:uri-too-long");
        assert_eq!(body["status"], 414);
    }
}
