//! A tiny HTTP/1.1 server for `GET /metrics`, on its own thread.
//!
//! One request per connection (`Connection: close`), served one connection
//! at a time: a scrape is rare and small, and serving serially bounds the
//! thread's memory to one request buffer. Each request is read with a size
//! limit ([`REQUEST_BYTES_MAX`]) and an overall deadline
//! ([`REQUEST_TIMEOUT`]), so a slow or hostile client holds the thread for
//! at most that long.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use dynacore::io::{Clock, SystemClock};

/// Largest request head (request line and headers) read; larger is a 400.
pub const REQUEST_BYTES_MAX: usize = 8 * 1024;
/// How long one connection may take to send its request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);
/// How often the accept loop looks at `stop`.
const STOP_POLL_INTERVAL_MS: libc::c_int = 50;

/// A tiny HTTP/1.1 server on its own thread: `GET /metrics` → 200
/// `text/plain; version=0.0.4` with `scrape()`'s text; any other method or
/// path → 404; a request that is not HTTP/1.x, too large, or not UTF-8 →
/// 400. Reads a request with a size limit and a read timeout; one request per
/// connection (`Connection: close`). Stops within about 50 ms of `stop`
/// being set.
///
/// Errors: the listener cannot be made non-blocking, or the thread cannot
/// be spawned.
pub fn spawn_http(
    listener: TcpListener,
    scrape: Arc<dyn Fn() -> String + Send + Sync>,
    stop: Arc<AtomicBool>,
) -> io::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    std::thread::Builder::new()
        .name("dynacore-metrics".into())
        .spawn(move || serve(&listener, &*scrape, &stop))
}

fn serve(listener: &TcpListener, scrape: &(dyn Fn() -> String + Send + Sync), stop: &AtomicBool) {
    while !stop.load(Ordering::Acquire) {
        if !wait_acceptable(listener) {
            continue;
        }
        match listener.accept() {
            Ok((stream, _)) => {
                // A failing client affects only its own connection.
                let _ = answer(stream, scrape);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // Out of fds or similar: wait for the next round rather than spin.
            Err(_) => {
                wait_acceptable(listener);
            }
        }
    }
}

/// Waits up to the stop-poll interval for a connection to accept.
fn wait_acceptable(listener: &TcpListener) -> bool {
    let mut poll_fd = libc::pollfd {
        fd: listener.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one live pollfd.
    let ready = unsafe { libc::poll(&mut poll_fd, 1, STOP_POLL_INTERVAL_MS) };
    ready > 0
}

enum Head {
    /// A complete request head.
    Complete(Vec<u8>),
    /// Over the limit.
    TooLarge,
    /// The peer closed or timed out before finishing.
    Incomplete,
}

fn read_head(stream: &mut TcpStream) -> io::Result<Head> {
    let clock = SystemClock;
    let deadline = clock.now() + REQUEST_TIMEOUT;
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(clock.now());
        if left.is_zero() {
            return Ok(Head::Incomplete);
        }
        stream.set_read_timeout(Some(left))?;
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Ok(Head::Incomplete),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(Head::Incomplete);
            }
            Err(e) => return Err(e),
        };
        // Look for the end from a little before the new bytes, in case
        // "\r\n\r\n" straddles two reads.
        let search_from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = find_head_end(&head[search_from..]) {
            head.truncate(search_from + end);
            return Ok(Head::Complete(head));
        }
        if head.len() >= REQUEST_BYTES_MAX {
            return Ok(Head::TooLarge);
        }
    }
}

fn find_head_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n")
}

/// What a request head asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Metrics,
    NotFound,
    BadRequest,
}

/// Routes a request head (without its final blank line).
pub(crate) fn route(head: &[u8]) -> Route {
    let Ok(text) = std::str::from_utf8(head) else {
        return Route::BadRequest;
    };
    let request_line = text.split("\r\n").next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Route::BadRequest;
    };
    let method_is_token = !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase());
    if !method_is_token || !target.starts_with('/') || !version.starts_with("HTTP/1.") {
        return Route::BadRequest;
    }
    let path = target.split('?').next().unwrap_or(target);
    if method == "GET" && path == "/metrics" {
        Route::Metrics
    } else {
        Route::NotFound
    }
}

fn answer(mut stream: TcpStream, scrape: &(dyn Fn() -> String + Send + Sync)) -> io::Result<()> {
    // Accepted sockets may inherit non-blocking mode; serve this one blocking
    // under timeouts.
    stream.set_nonblocking(false)?;
    stream.set_write_timeout(Some(REQUEST_TIMEOUT))?;
    let (status, body) = match read_head(&mut stream)? {
        Head::Incomplete => return Ok(()),
        Head::TooLarge => ("400 Bad Request", "request too large\n".to_string()),
        Head::Complete(head) => match route(&head) {
            Route::Metrics => {
                let scraped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(scrape));
                match scraped {
                    Ok(text) => ("200 OK", text),
                    Err(_) => (
                        "500 Internal Server Error",
                        "the scrape failed\n".to_string(),
                    ),
                }
            }
            Route::NotFound => ("404 Not Found", "not found; try GET /metrics\n".to_string()),
            Route::BadRequest => ("400 Bad Request", "bad request\n".to_string()),
        },
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}
