//! Socket helpers of the runtime: the clock, and ending or refusing a
//! connection politely.

use std::time::{Duration, Instant};

use crate::protocol::{ErrorCode, ErrorReply, FrameHeader, VERSION};

use super::core::encode_reply;

/// The network loop's clock: real monotonic time (timeouts and latencies
/// are about the real world; the engine's `Clock` is for driving storage
/// tests).
#[allow(clippy::disallowed_methods)]
pub(crate) fn now() -> Instant {
    Instant::now()
}

#[allow(clippy::disallowed_methods)] // Only after a failed wait, never per request.
pub(crate) fn pause_after_failure() {
    std::thread::sleep(Duration::from_millis(10));
}

/// Before closing a connection whose replies must reach the peer (shutdown,
/// an error frame): sends the FIN after the queued replies, then discards
/// the input already waiting (bounded, without blocking).
///
/// Fix (found by tests/server_robustness.rs): closing a socket with unread
/// input makes the kernel send a reset instead of a FIN, so a pipelining
/// client saw ECONNRESET after a graceful shutdown (and a reset may drop
/// replies not yet transmitted) instead of every reply and then EOF.
pub(crate) fn end_gracefully(stream: &std::net::TcpStream) {
    use std::io::Read;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut sink = [0u8; 16 * 1024];
    let mut reader = stream;
    for _ in 0..64 {
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Tells a connection over the limit why it is refused, without waiting.
pub(crate) fn refuse(mut stream: std::net::TcpStream, max: usize) {
    use std::io::Write;
    let _ = stream.set_nonblocking(true);
    let header = FrameHeader {
        version: VERSION,
        opcode: 0,
        flags: 0,
        request_id: 0,
        body_len: 0,
    };
    let reply = ErrorReply::new(
        ErrorCode::TooManyRequests,
        format!("the server has its maximum of {max} connections; try again later"),
    );
    let _ = stream.write_all(&encode_reply(&header, &Err(reply)));
}

/// The DynamoDB API's refusal of a connection over the limit: a 503 with a
/// DynamoDB-shaped error, which SDKs retry, then the close.
pub(crate) fn refuse_http(mut stream: std::net::TcpStream, max: usize) {
    use std::io::Write;
    let _ = stream.set_nonblocking(true);
    let answer = crate::dynamodb::service::too_many_connections(max);
    let crc = crate::http::crc32(&answer.body).to_string();
    let mut out = Vec::new();
    crate::http::write_response(
        &mut out,
        answer.status,
        &[("Content-Type", answer.content_type), ("x-amz-crc32", &crc)],
        &answer.body,
        false,
    );
    let _ = stream.write_all(&out);
    end_gracefully(&stream);
}

/// A seed that differs between runs (the wall clock and the process id),
/// for ids that must not repeat across restarts; not a secret.
pub(crate) fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}
