//! Per-core metrics and their Prometheus exposition.
//!
//! Each network core owns one [`CoreMetrics`] and updates it with plain
//! (non-atomic) adds: nothing on the hot path is shared between cores. A
//! scrape asks every core for a clone through its inbox, then
//! [`render_prometheus`] merges the clones (histograms added bucket by
//! bucket, so merged percentiles are exact to the histogram's precision) and
//! adds the engine's own per-shard statistics. [`spawn_http`] serves the text
//! on `GET /metrics`.
//!
//! Latencies are recorded in microseconds into HdrHistograms with two
//! significant digits (1% relative error) up to [`LATENCY_MAX_US`]; larger
//! values count as the maximum. A histogram is created the first time its
//! operation is seen, so a core pays only for the operations it serves.

mod http;
mod render;

#[cfg(test)]
mod tests;

use std::time::Duration;

use hdrhistogram::Histogram;

use crate::protocol::{ErrorCode, Opcode};

pub use http::spawn_http;
pub use render::render_prometheus;

/// Largest latency a histogram tells apart (60 s); anything slower is
/// recorded as this.
pub const LATENCY_MAX_US: u64 = 60_000_000;
/// Histogram precision: two significant digits.
const LATENCY_SIGNIFICANT_DIGITS: u8 = 2;

const OPCODE_COUNT: usize = Opcode::ALL.len();
const ERROR_CODE_COUNT: usize = ErrorCode::ALL.len();
const CLOSE_REASON_COUNT: usize = CloseReason::ALL.len();

/// Why a connection was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The peer closed it.
    Peer,
    /// No traffic and nothing in flight for the idle timeout.
    Idle,
    /// A frame was started but not finished within the read timeout.
    ReadTimeout,
    /// Replies made no progress within the write timeout.
    WriteTimeout,
    /// A malformed header (answered with an error frame first).
    ProtocolError,
    /// The server is shutting down.
    Shutdown,
    /// Over the connection limit (answered with `TooManyRequests` first).
    TooManyConnections,
    /// A socket error.
    Error,
}

impl CloseReason {
    /// Every reason, in label order.
    pub const ALL: [CloseReason; 8] = [
        CloseReason::Peer,
        CloseReason::Idle,
        CloseReason::ReadTimeout,
        CloseReason::WriteTimeout,
        CloseReason::ProtocolError,
        CloseReason::Shutdown,
        CloseReason::TooManyConnections,
        CloseReason::Error,
    ];

    /// The `reason` label value.
    pub fn label(self) -> &'static str {
        match self {
            CloseReason::Peer => "peer",
            CloseReason::Idle => "idle",
            CloseReason::ReadTimeout => "read_timeout",
            CloseReason::WriteTimeout => "write_timeout",
            CloseReason::ProtocolError => "protocol_error",
            CloseReason::Shutdown => "shutdown",
            CloseReason::TooManyConnections => "too_many_connections",
            CloseReason::Error => "error",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

fn opcode_index(opcode: Opcode) -> usize {
    Opcode::ALL
        .iter()
        .position(|candidate| *candidate == opcode)
        .unwrap_or(0)
}

fn error_index(code: ErrorCode) -> usize {
    ErrorCode::ALL
        .iter()
        .position(|candidate| *candidate == code)
        .unwrap_or(0)
}

/// A label value for an error code: its Rust name (`ConditionalCheckFailed`),
/// unique per code unlike the DynamoDB names.
pub(crate) fn error_label(code: ErrorCode) -> String {
    format!("{code:?}")
}

/// One operation's counters on one core.
#[derive(Debug, Clone, Default)]
pub(crate) struct OperationMetrics {
    pub(crate) requests: u64,
    /// Of those, requests forwarded to their owner on another core.
    pub(crate) forwarded: u64,
    /// Failed requests by error code (`ErrorCode::ALL` order).
    pub(crate) errors: [u64; ERROR_CODE_COUNT],
    /// Sum of latencies, for the summary's `_sum`.
    pub(crate) latency_sum_us: u64,
    /// `None` until the first request of this kind.
    pub(crate) latency_us: Option<Histogram<u64>>,
}

/// One network core's counters, gauges and latency histograms. Owned and
/// updated by that core's thread only; cloned for a scrape.
#[derive(Debug, Clone)]
pub struct CoreMetrics {
    pub(crate) shard: u16,
    /// By opcode (`Opcode::ALL` order).
    pub(crate) operations: [OperationMetrics; OPCODE_COUNT],
    pub(crate) forwards_executed: u64,
    /// Frames refused before execution, by code.
    pub(crate) frame_errors: [u64; ERROR_CODE_COUNT],
    /// DynamoDB API requests answered with an error before reaching the
    /// engine (bad HTTP, unknown operation, bad JSON, a refused signature).
    pub(crate) http_errors: u64,
    pub(crate) connections_opened: u64,
    /// By reason (`CloseReason::ALL` order).
    pub(crate) connections_closed: [u64; CLOSE_REASON_COUNT],
    pub(crate) read_bytes: u64,
    pub(crate) written_bytes: u64,
    pub(crate) open_connections: u64,
    pub(crate) in_flight: u64,
    pub(crate) buffered_out_bytes: u64,
}

/// A new latency histogram (µs).
pub(crate) fn new_latency_histogram() -> Histogram<u64> {
    // The bounds are constants that satisfy the crate's checks (low >= 1,
    // high >= 2 * low, digits <= 5), so this cannot fail.
    Histogram::new_with_bounds(1, LATENCY_MAX_US, LATENCY_SIGNIFICANT_DIGITS)
        .expect("constant histogram bounds are valid")
}

fn saturating_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl CoreMetrics {
    /// Empty metrics for core (and shard) `shard`.
    pub fn new(shard: u16) -> Self {
        CoreMetrics {
            shard,
            operations: Default::default(),
            forwards_executed: 0,
            frame_errors: [0; ERROR_CODE_COUNT],
            http_errors: 0,
            connections_opened: 0,
            connections_closed: [0; CLOSE_REASON_COUNT],
            read_bytes: 0,
            written_bytes: 0,
            open_connections: 0,
            in_flight: 0,
            buffered_out_bytes: 0,
        }
    }

    /// The shard this core serves.
    pub fn shard(&self) -> u16 {
        self.shard
    }

    /// One request answered: its opcode, time from its frame being complete
    /// to its reply being queued, whether it succeeded (error code
    /// otherwise), and whether it crossed cores (forwarded to its owner).
    pub fn record_request(
        &mut self,
        opcode: Opcode,
        latency: Duration,
        error: Option<ErrorCode>,
        forwarded: bool,
    ) {
        let operation = &mut self.operations[opcode_index(opcode)];
        operation.requests += 1;
        if forwarded {
            operation.forwarded += 1;
        }
        if let Some(code) = error {
            operation.errors[error_index(code)] += 1;
        }
        let latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        operation.latency_sum_us = operation.latency_sum_us.saturating_add(latency_us);
        operation
            .latency_us
            .get_or_insert_with(new_latency_histogram)
            .saturating_record(latency_us.min(LATENCY_MAX_US));
    }

    /// This core executed a request forwarded from another core.
    pub fn record_forward_executed(&mut self) {
        self.forwards_executed += 1;
    }

    /// A frame refused before execution (bad header, undecodable body,
    /// unknown opcode, over a limit).
    pub fn record_frame_error(&mut self, code: ErrorCode) {
        self.frame_errors[error_index(code)] += 1;
    }

    pub fn record_http_error(&mut self) {
        self.http_errors += 1;
    }

    pub fn connection_opened(&mut self) {
        self.connections_opened += 1;
    }

    pub fn connection_closed(&mut self, reason: CloseReason) {
        self.connections_closed[reason.index()] += 1;
    }

    pub fn bytes_read(&mut self, n: usize) {
        self.read_bytes = self.read_bytes.saturating_add(saturating_u64(n));
    }

    pub fn bytes_written(&mut self, n: usize) {
        self.written_bytes = self.written_bytes.saturating_add(saturating_u64(n));
    }

    /// The core's current state, set before a snapshot is taken.
    pub fn set_gauges(
        &mut self,
        open_connections: usize,
        in_flight: usize,
        buffered_out_bytes: usize,
    ) {
        self.open_connections = saturating_u64(open_connections);
        self.in_flight = saturating_u64(in_flight);
        self.buffered_out_bytes = saturating_u64(buffered_out_bytes);
    }

    /// Requests answered, all operations.
    pub fn request_count(&self) -> u64 {
        self.operations.iter().map(|op| op.requests).sum()
    }

    /// Requests answered that crossed cores.
    pub fn forwarded_count(&self) -> u64 {
        self.operations.iter().map(|op| op.forwarded).sum()
    }
}

/// One operation's latencies merged over `cores` (µs), or `None` if no core
/// served it.
pub fn merged_latency_us(cores: &[CoreMetrics], opcode: Opcode) -> Option<Histogram<u64>> {
    let index = opcode_index(opcode);
    let mut merged: Option<Histogram<u64>> = None;
    for histogram in cores
        .iter()
        .filter_map(|core| core.operations[index].latency_us.as_ref())
    {
        match &mut merged {
            None => merged = Some(histogram.clone()),
            // Same bounds on every core, so adding cannot fail; if it ever
            // did, the samples that did not fit are dropped, not the scrape.
            Some(total) => {
                let _ = total.add(histogram);
            }
        }
    }
    merged
}
