//! What the cores send each other through their inboxes, and the waker
//! that brings a pending write's future back to its core.

use std::sync::Arc;
use std::sync::mpsc;
use std::task::Wake;
use std::time::Instant;

use crate::exec::PendingReply;
use crate::metrics::CoreMetrics;
use crate::protocol::{ErrorCode, FrameHeader, Opcode, Request};

use super::Shared;
use super::poll::Token;

/// What cores send each other.
pub(crate) enum Message {
    /// A request whose key this core owns, read on core `origin`.
    Execute {
        origin: usize,
        conn: Token,
        header: FrameHeader,
        request: Box<Request>,
        started: Instant,
    },
    /// The encoded reply frame to a request this core read.
    Reply {
        conn: Token,
        frame: Vec<u8>,
        opcode: Opcode,
        started: Instant,
        error: Option<ErrorCode>,
        forwarded: bool,
    },
    /// A pending write's future was woken.
    Woken(u64),
    /// Send a copy of this core's metrics.
    Snapshot(mpsc::Sender<CoreMetrics>),
}

/// A Stats request, handed to the metrics thread.
pub(crate) struct StatsJob {
    pub origin: usize,
    pub conn: Token,
    pub header: FrameHeader,
    pub started: Instant,
}

/// Where a pending reply goes.
pub(crate) enum ReplyTo {
    Local(Token),
    /// A DynamoDB API request on this core's connection.
    DynamoDb(Box<super::core::DynamoCall>),
    Remote {
        origin: usize,
        conn: Token,
    },
}

pub(crate) struct Pending {
    pub future: PendingReply,
    pub header: FrameHeader,
    pub reply_to: ReplyTo,
    pub started: Instant,
}

/// Wakes a pending future: queues its id on its core and wakes the poller.
pub(crate) struct PendingWake {
    pub shared: Arc<Shared>,
    pub core: usize,
    pub id: u64,
}

impl Wake for PendingWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let link = &self.shared.cores[self.core];
        link.inbox.push(Message::Woken(self.id));
        link.waker.wake();
    }
}
