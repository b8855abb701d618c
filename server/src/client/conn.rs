//! One pipelined connection: many requests in flight, replies matched to
//! their callers by request id, in whatever order they arrive.
//!
//! Read side (leader/follower): a connection has at most one *reader* at a
//! time, the thread that owns [`FrameReader`]. A blocking caller waiting
//! for its reply that finds no reader becomes the reader itself: it reads
//! frames, files other callers' replies in their slots (unparking or
//! waking them) and, when its own reply arrives, gives up the role and
//! unparks one other blocking waiter to take it over. So a lone blocking
//! caller reads its own reply on its own thread: no hand-off, no wake-up of
//! a parked thread on another core (40–60 µs on the target VM, more than
//! the round trip). Followers park until their slot is filled or the role
//! is free.
//!
//! Async callers cannot read a socket from `poll` without blocking the
//! executor, so on the first async use the connection starts one reader
//! thread that takes the role for good (once the current leader lets go)
//! and completes futures through their [`Waker`]s. Blocking callers on that
//! connection then simply park. The thread also expires async requests
//! past their deadline (it reads with a short timeout to notice them).
//!
//! Writes are blocking for both kinds of caller (`write_all` under the
//! writer lock, bounded by the request timeout); the kernel's send buffer
//! absorbs them unless the server stops reading. The client does not cap
//! requests in flight itself: the server answers past its `max_in_flight`
//! with `TooManyRequests`.
//!
//! Errors: a read or write error, a bad header or an undecodable frame
//! marks the connection broken; every request in flight on it fails with
//! that error and the pool replaces the connection on next use.
//! Invariants: a slot is inserted before its frame is written, and removed
//! by its caller (reply taken, timeout, or future dropped).

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};

use crate::protocol::{
    DEFAULT_MAX_BODY_BYTES, ErrorReply, FrameHeader, HEADER_LEN, Opcode, Request, Response,
    encode_frame,
};

use super::ClientError;

/// How often the async reader thread wakes to expire overdue requests.
const READER_TICK: Duration = Duration::from_millis(50);

/// The wall clock for request deadlines. Deadlines here bound waits on a
/// real socket (the kernel's read timeouts are wall-clock too), so a
/// simulated `dynacore::io::Clock` would not drive them.
#[allow(clippy::disallowed_methods)]
fn now() -> Instant {
    Instant::now()
}

/// A raw reply frame: its header and body.
type Frame = (FrameHeader, Vec<u8>);

/// Where a caller's reply lands.
struct Slot {
    reply: Option<Result<Frame, ClientError>>,
    thread: Option<Thread>,
    waker: Option<Waker>,
    /// For async requests, expired by the reader thread.
    deadline: Option<Instant>,
}

impl Slot {
    fn fill(&mut self, reply: Result<Frame, ClientError>) {
        self.reply = Some(reply);
        if let Some(thread) = self.thread.take() {
            thread.unpark();
        }
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

#[derive(Default)]
struct State {
    slots: HashMap<u64, Slot>,
    /// Someone (a blocking leader or the reader thread) owns the socket's
    /// read side.
    reading: bool,
    /// The async reader thread, once started; it waits for `reading` to
    /// be free and then keeps it.
    reader_thread: Option<Thread>,
    /// Set once the connection broke; every later call fails with it.
    broken: Option<ClientError>,
}

/// The read side: the socket and the bytes of a frame read so far (kept
/// across a reader's timeout so the stream stays in step).
struct FrameReader {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl FrameReader {
    /// Reads one whole frame, waiting at most until `deadline` (`None`:
    /// [`READER_TICK`], for the reader thread). `Ok(None)` on timeout.
    fn read_frame(&mut self, deadline: Option<Instant>) -> Result<Option<Frame>, ClientError> {
        loop {
            if let Some(frame) = self.take_frame()? {
                return Ok(Some(frame));
            }
            let wait = match deadline {
                Some(deadline) => match deadline.checked_duration_since(now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => return Ok(None),
                },
                None => READER_TICK,
            };
            self.stream.set_read_timeout(Some(wait))?;
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(ClientError::Closed),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if deadline.is_none() {
                        return Ok(None);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ClientError::Io(e)),
            }
        }
    }

    /// A whole frame from the front of the buffer, if there is one.
    fn take_frame(&mut self) -> Result<Option<Frame>, ClientError> {
        if self.buf.len() < HEADER_LEN {
            return Ok(None);
        }
        let header_bytes: &[u8; HEADER_LEN] = self.buf[..HEADER_LEN]
            .try_into()
            .map_err(|_| ClientError::Protocol("short header".into()))?;
        let header = FrameHeader::decode(header_bytes, DEFAULT_MAX_BODY_BYTES)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        if !header.is_response() {
            return Err(ClientError::Protocol(format!(
                "frame {} from the server is not a reply",
                header.request_id
            )));
        }
        let total = HEADER_LEN + header.body_len as usize;
        if self.buf.len() < total {
            self.buf.reserve(total - self.buf.len());
            return Ok(None);
        }
        let body = self.buf[HEADER_LEN..total].to_vec();
        self.buf.drain(..total);
        Ok(Some((header, body)))
    }
}

/// One connection to one shard's address.
pub struct Conn {
    /// The shard whose core serves this connection (its Hello's
    /// `this_shard`; 0 before the Hello, or against a server without one).
    pub served_by: u16,
    writer: Mutex<TcpStream>,
    reader: Mutex<FrameReader>,
    /// A third handle on the socket, to shut it down without waiting for
    /// the writer's or the reader's lock.
    control: TcpStream,
    state: Mutex<State>,
    next_id: AtomicU64,
    /// Quick check for the pool, mirrors `state.broken.is_some()`.
    failed: AtomicBool,
    request_timeout: Duration,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("served_by", &self.served_by)
            .field("failed", &self.is_broken())
            .finish()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Conn {
    /// Connects to `addr` (no Hello yet).
    pub fn open(
        addr: &str,
        connect_timeout: Duration,
        request_timeout: Duration,
    ) -> Result<Conn, ClientError> {
        use std::net::ToSocketAddrs;
        let mut last = None;
        let mut stream = None;
        for sockaddr in addr.to_socket_addrs()? {
            match TcpStream::connect_timeout(&sockaddr, connect_timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let stream = match (stream, last) {
            (Some(s), _) => s,
            (None, Some(e)) => return Err(ClientError::Io(e)),
            (None, None) => {
                return Err(ClientError::Io(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{addr}: no address"),
                )));
            }
        };
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(request_timeout))?;
        let read_half = stream.try_clone()?;
        let control = stream.try_clone()?;
        Ok(Conn {
            control,
            served_by: 0,
            writer: Mutex::new(stream),
            reader: Mutex::new(FrameReader {
                stream: read_half,
                buf: Vec::new(),
            }),
            state: Mutex::new(State::default()),
            next_id: AtomicU64::new(1),
            failed: AtomicBool::new(false),
            request_timeout,
        })
    }

    /// Whether the connection broke (the pool then replaces it).
    pub fn is_broken(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// Requests waiting for a reply on this connection.
    pub fn in_flight(&self) -> usize {
        lock(&self.state).slots.len()
    }

    /// Sends `request` and waits for its reply on this thread.
    pub fn call(&self, request: &Request) -> Result<Response, ClientError> {
        let opcode = request.opcode();
        let id = self.send(request, None)?;
        let frame = self.wait(id, now() + self.request_timeout)?;
        decode_reply(opcode, frame)
    }

    /// Sends `request`; the future completes with its reply. The reader
    /// thread is started on first use.
    pub fn call_async(self: &Arc<Self>, request: &Request) -> ReplyFuture {
        let opcode = request.opcode();
        self.ensure_reader_thread();
        let deadline = now() + self.request_timeout;
        match self.send(request, Some(deadline)) {
            Ok(id) => ReplyFuture {
                conn: Some(Arc::clone(self)),
                id,
                opcode,
                early: None,
            },
            Err(e) => ReplyFuture {
                conn: None,
                id: 0,
                opcode,
                early: Some(e),
            },
        }
    }

    /// Registers a slot and writes the frame; returns the request id.
    fn send(&self, request: &Request, deadline: Option<Instant>) -> Result<u64, ClientError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = request.to_body();
        let body_len = u32::try_from(body.len())
            .map_err(|_| ClientError::Protocol("request body over 4 GiB".into()))?;
        let frame = encode_frame(FrameHeader::request(request.opcode(), id, body_len), &body);
        {
            let mut state = lock(&self.state);
            if let Some(e) = &state.broken {
                return Err(e.duplicate());
            }
            state.slots.insert(
                id,
                Slot {
                    reply: None,
                    thread: None,
                    waker: None,
                    deadline,
                },
            );
        }
        let written = lock(&self.writer).write_all(&frame);
        if let Err(e) = written {
            let error = ClientError::Io(e);
            self.fail(error.duplicate());
            lock(&self.state).slots.remove(&id);
            return Err(error);
        }
        Ok(id)
    }

    /// Waits for the reply to `id` as leader or follower.
    fn wait(&self, id: u64, deadline: Instant) -> Result<Frame, ClientError> {
        loop {
            let mut state = lock(&self.state);
            let Some(slot) = state.slots.get_mut(&id) else {
                return Err(ClientError::Protocol(format!("request {id} has no slot")));
            };
            if let Some(reply) = slot.reply.take() {
                state.slots.remove(&id);
                return reply;
            }
            if now() >= deadline {
                state.slots.remove(&id);
                return Err(ClientError::Timeout);
            }
            if !state.reading {
                state.reading = true;
                drop(state);
                return self.lead(id, deadline);
            }
            if let Some(slot) = state.slots.get_mut(&id) {
                slot.thread = Some(std::thread::current());
            }
            drop(state);
            std::thread::park_timeout(deadline.saturating_duration_since(now()));
        }
    }

    /// Reads the socket until the reply to `id` arrives (or the deadline,
    /// or an error), filing every other reply in its slot.
    fn lead(&self, id: u64, deadline: Instant) -> Result<Frame, ClientError> {
        let mut reader = lock(&self.reader);
        let outcome = loop {
            match reader.read_frame(Some(deadline)) {
                Ok(Some(frame)) if frame.0.request_id == id => break Ok(frame),
                Ok(Some(frame)) => self.deliver(frame),
                Ok(None) => break Err(ClientError::Timeout),
                Err(e) => {
                    self.fail(e.duplicate());
                    break Err(e);
                }
            }
        };
        drop(reader);
        let mut state = lock(&self.state);
        state.reading = false;
        state.slots.remove(&id);
        // Hand the role on: to the reader thread if there is one, else to
        // one blocking waiter still without a reply.
        if let Some(thread) = &state.reader_thread {
            thread.unpark();
        } else if let Some(thread) = state
            .slots
            .values()
            .filter(|slot| slot.reply.is_none())
            .find_map(|slot| slot.thread.clone())
        {
            thread.unpark();
        }
        outcome
    }

    /// Files a reply in its caller's slot (a reply nobody waits for any
    /// more, after a timeout, is dropped).
    fn deliver(&self, frame: Frame) {
        let mut state = lock(&self.state);
        if let Some(slot) = state.slots.get_mut(&frame.0.request_id) {
            slot.fill(Ok(frame));
        }
    }

    /// Marks the connection broken and fails every request in flight.
    fn fail(&self, error: ClientError) {
        let mut state = lock(&self.state);
        self.failed.store(true, Ordering::Release);
        for slot in state.slots.values_mut() {
            if slot.reply.is_none() {
                slot.fill(Err(error.duplicate()));
            }
        }
        if state.broken.is_none() {
            state.broken = Some(error);
        }
        let _ = self.control.shutdown(std::net::Shutdown::Both);
    }

    fn ensure_reader_thread(self: &Arc<Self>) {
        let mut state = lock(&self.state);
        if state.reader_thread.is_some() || state.broken.is_some() {
            return;
        }
        let conn = Arc::downgrade(self);
        let spawned = std::thread::Builder::new()
            .name("dynacore-client-reader".into())
            .spawn(move || reader_thread(conn));
        match spawned {
            Ok(handle) => state.reader_thread = Some(handle.thread().clone()),
            Err(e) => {
                drop(state);
                self.fail(ClientError::Io(e));
            }
        }
    }

    /// Expires async requests past their deadline.
    fn expire(&self) {
        let now = now();
        let mut state = lock(&self.state);
        for slot in state.slots.values_mut() {
            if slot.reply.is_none() && slot.deadline.is_some_and(|d| d <= now) {
                slot.fill(Err(ClientError::Timeout));
            }
        }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        let _ = self.control.shutdown(std::net::Shutdown::Both);
    }
}

/// The async reader: waits for the read role, then keeps it, until the
/// connection breaks or every handle to it is gone.
fn reader_thread(conn: std::sync::Weak<Conn>) {
    loop {
        let Some(c) = conn.upgrade() else { return };
        {
            let mut state = lock(&c.state);
            if state.broken.is_some() {
                return;
            }
            if state.reading {
                drop(state);
                drop(c);
                std::thread::park_timeout(READER_TICK);
                continue;
            }
            state.reading = true;
        }
        break;
    }
    // Expire at least every tick, also under steady traffic (when reads
    // never time out).
    let mut expired_at = now();
    loop {
        let Some(c) = conn.upgrade() else { return };
        let result = lock(&c.reader).read_frame(None);
        match result {
            Ok(Some(frame)) => c.deliver(frame),
            Ok(None) => {}
            Err(e) => {
                c.fail(e);
                return;
            }
        }
        if now().duration_since(expired_at) >= READER_TICK {
            c.expire();
            expired_at = now();
        }
    }
}

/// Decodes a reply frame for a request with `opcode`.
pub fn decode_reply(opcode: Opcode, (header, body): Frame) -> Result<Response, ClientError> {
    if header.opcode != opcode as u8 {
        return Err(ClientError::Protocol(format!(
            "reply to a {} request has opcode {:#04x}",
            opcode.name(),
            header.opcode
        )));
    }
    if header.is_error() {
        let reply = ErrorReply::decode(&body).map_err(|e| ClientError::Protocol(e.to_string()))?;
        return Err(ClientError::Server(reply));
    }
    Response::decode(opcode, &body).map_err(|e| ClientError::Protocol(e.to_string()))
}

/// The reply to an async request: runtime-agnostic, completed by the
/// connection's reader thread through the task's [`Waker`].
#[derive(Debug)]
pub struct ReplyFuture {
    conn: Option<Arc<Conn>>,
    id: u64,
    opcode: Opcode,
    /// The request failed before it was sent.
    early: Option<ClientError>,
}

impl std::future::Future for ReplyFuture {
    type Output = Result<Response, ClientError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<Self::Output> {
        if let Some(e) = self.early.take() {
            return Poll::Ready(Err(e));
        }
        let Some(conn) = self.conn.clone() else {
            return Poll::Ready(Err(ClientError::Closed));
        };
        let mut state = lock(&conn.state);
        let Some(slot) = state.slots.get_mut(&self.id) else {
            drop(state);
            self.conn = None;
            return Poll::Ready(Err(ClientError::Closed));
        };
        match slot.reply.take() {
            Some(reply) => {
                state.slots.remove(&self.id);
                drop(state);
                self.conn = None;
                Poll::Ready(reply.and_then(|frame| decode_reply(self.opcode, frame)))
            }
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for ReplyFuture {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            lock(&conn.state).slots.remove(&self.id);
        }
    }
}
