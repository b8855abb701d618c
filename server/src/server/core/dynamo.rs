//! The DynamoDB JSON API on a core's connections: HTTP/1.1 requests parsed
//! from the read buffer, answered through `crate::dynamodb::service`, the
//! engine request run here.
//!
//! One request per connection executes at a time, so answers leave in the
//! order the requests came (HTTP/1.1 has no request ids); a pipelining
//! client's next requests wait, parsed or in the socket, meanwhile. Requests
//! are not forwarded to their key's owner core: HTTP clients are not
//! shard-aware, and the engine routes the call itself (see
//! `docs/dynamodb-compat.md`). A malformed request is answered with its
//! status and the connection closes, since the stream cannot be
//! resynchronised.

use std::time::Instant;

use crate::dynamodb::service::{self, Answer, Context, Dispatch, Env};
use crate::exec::{self, ReplyResult};
use crate::http;

use super::super::poll::Token;
use super::{Core, ReplyTo};

/// A DynamoDB API request being executed: where and how to answer it.
#[derive(Debug)]
pub(crate) struct DynamoCall {
    token: Token,
    context: Context,
    keep_alive: bool,
    request_id: String,
}

impl Core {
    /// Parses and starts the requests buffered on an HTTP connection, one
    /// at a time: each answered at once (a read, an error) lets the next
    /// start in the same call; one still executing (a write waiting for
    /// its group commit) stops it until its answer is queued.
    ///
    /// Fix (found by an independent review): this started one request per
    /// call, so a client that pipelined requests and then half-closed had
    /// all but the first dropped: the connection was closed as read-closed
    /// and quiet with whole requests still buffered.
    pub(super) fn handle_http(&mut self, token: Token, now: Instant) {
        let max_out = self.shared.config.max_out_buffer_bytes;
        loop {
            let Some(conn) = self.conns.get_mut(&token) else {
                return;
            };
            if conn.close_after_flush || conn.in_flight > 0 || conn.out_len() >= max_out {
                return;
            }
            let available = &conn.inbuf[conn.in_start..];
            if available.is_empty() {
                conn.frame_started = None;
                return;
            }
            match http::parse(available, &self.shared.http_limits) {
                Ok(None) => {
                    conn.frame_started.get_or_insert(now);
                    return;
                }
                Err(error) => {
                    conn.in_flight += 1;
                    let answer = service::http_error(&error);
                    let request_id = self.next_request_id();
                    self.queue_http(token, &answer, &request_id, false, now);
                    if let Some(conn) = self.conns.get_mut(&token) {
                        conn.peer_asked_to_close = false;
                    }
                    self.metrics.record_http_error();
                    return;
                }
                Ok(Some((request, used))) => {
                    conn.in_start += used;
                    conn.frame_started = None;
                    conn.in_flight += 1;
                    self.http_request(token, request, now);
                }
            }
        }
    }

    fn http_request(&mut self, token: Token, request: http::Request, now: Instant) {
        let keep_alive = request.keep_alive();
        let request_id = self.next_request_id();
        let dispatch = {
            let env = Env {
                db: &self.shared.db,
                tags: &self.shared.tags,
                limits: &self.shared.http_limits,
                authenticate: self.shared.authenticate.as_deref(),
            };
            // A panic in this layer (a bug) must not end the core and
            // strand its connections: answer 500 instead, as exec::execute
            // does for the engine.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                service::dispatch(&request, &env)
            }))
            .unwrap_or_else(|_| Dispatch::Answer(service::internal_error()))
        };
        match dispatch {
            Dispatch::Answer(answer) => {
                if answer.status >= 400 {
                    self.metrics.record_http_error();
                }
                self.queue_http(token, &answer, &request_id, keep_alive, now);
            }
            Dispatch::Execute(engine_request, context) => {
                let call = DynamoCall {
                    token,
                    context,
                    keep_alive,
                    request_id,
                };
                let execution = exec::execute(&self.shared.db, *engine_request);
                let header = crate::protocol::FrameHeader::request(call.context.opcode(), 0, 0);
                self.settle(
                    execution,
                    header,
                    ReplyTo::DynamoDb(Box::new(call)),
                    now,
                    now,
                );
            }
        }
    }

    /// Answers an executed request.
    pub(super) fn answer_http(
        &mut self,
        call: DynamoCall,
        result: &ReplyResult,
        started: Instant,
        now: Instant,
    ) {
        let error = result.as_ref().err().map(|e| e.code);
        self.metrics.record_request(
            call.context.opcode(),
            now.duration_since(started),
            error,
            false,
        );
        let DynamoCall {
            token,
            context,
            keep_alive,
            request_id,
        } = call;
        let tags = &self.shared.tags;
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            context.finish(result, tags)
        }))
        .unwrap_or_else(|_| service::internal_error());
        self.queue_http(token, &answer, &request_id, keep_alive, now);
    }

    /// Queues an answer with DynamoDB's headers; without keep-alive the
    /// connection reads no more and closes once it is sent.
    fn queue_http(
        &mut self,
        token: Token,
        answer: &Answer,
        request_id: &str,
        keep_alive: bool,
        now: Instant,
    ) {
        let Some(conn) = self.conns.get_mut(&token) else {
            return;
        };
        let crc = http::crc32(&answer.body).to_string();
        let mut out = Vec::with_capacity(answer.body.len() + 200);
        http::write_response(
            &mut out,
            answer.status,
            &[
                ("Content-Type", answer.content_type),
                ("x-amzn-RequestId", request_id),
                ("x-amz-crc32", &crc),
            ],
            &answer.body,
            keep_alive,
        );
        conn.in_flight = conn.in_flight.saturating_sub(1);
        conn.queue_frame(&out, now);
        if !keep_alive {
            conn.read_closed = true;
            conn.close_after_flush = true;
            conn.peer_asked_to_close = true;
        }
        self.dirty.push(token);
    }

    /// A request id as DynamoDB's look: 52 characters of A–Z and 2–7,
    /// unique per server run (core, count, and the start time mixed).
    fn next_request_id(&mut self) -> String {
        self.dynamodb_requests += 1;
        request_id(
            self.shared.request_id_seed,
            self.index as u64,
            self.dynamodb_requests,
        )
    }
}

/// The request id of request `count` on core `core` of the run seeded
/// `run_seed`: 52 characters of 5 bits each, 25 from each of two 128-bit
/// hashes and the last 2 from a third (a hash holds 25 whole characters;
/// shifting one by 130 bits for the 27th overflowed).
fn request_id(run_seed: u64, core: u64, count: u64) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const CHARACTERS_PER_HASH: usize = 128 / 5;
    const LENGTH: usize = 52;
    let mut seed = [0u8; 24];
    seed[..8].copy_from_slice(&run_seed.to_le_bytes());
    seed[8..16].copy_from_slice(&core.to_le_bytes());
    seed[16..].copy_from_slice(&count.to_le_bytes());
    let hashes = [1, 2, 3].map(|n| xxhash_rust::xxh3::xxh3_128_with_seed(&seed, n));
    const _: () = assert!(3 * CHARACTERS_PER_HASH >= LENGTH);
    let mut id = String::with_capacity(LENGTH);
    for i in 0..LENGTH {
        let bits = hashes[i / CHARACTERS_PER_HASH] >> ((i % CHARACTERS_PER_HASH) * 5);
        id.push(ALPHABET[(bits & 31) as usize] as char);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::request_id;

    #[test]
    fn request_ids_are_52_characters_of_the_alphabet_and_differ() {
        let ids: std::collections::BTreeSet<String> = (0..1000)
            .flat_map(|count| [request_id(7, 0, count), request_id(7, 1, count)])
            .collect();
        assert_eq!(ids.len(), 2000);
        for id in &ids {
            assert_eq!(id.len(), 52);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
            );
        }
        assert_ne!(request_id(7, 0, 1), request_id(8, 0, 1));
    }
}
