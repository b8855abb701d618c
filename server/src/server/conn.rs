//! One client connection on a core: its socket, the bytes read but not yet
//! parsed, the replies not yet sent, and the counts and clocks the limits
//! and timeouts are checked against.
//!
//! Reading never allocates ahead of a checked header: bytes arrive in
//! chunks of at most [`READ_CHUNK`], and a frame's body is waited for only
//! once [`FrameHeader::decode`] has accepted its length.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use crate::protocol::{FrameError, FrameHeader, HEADER_LEN};

/// Bytes read from a socket per `read` call.
pub const READ_CHUNK: usize = 64 * 1024;

/// What the parser found at the front of the read buffer.
#[derive(Debug)]
pub enum Parsed {
    /// A whole frame: its header and the range of its body in the buffer.
    Frame(FrameHeader, std::ops::Range<usize>),
    /// Not enough bytes yet.
    Incomplete,
    /// A header that cannot be accepted; the request id if it was readable.
    Bad(FrameError, u64),
}

/// Which protocol a connection speaks, decided by the listener that
/// accepted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// dynacore's binary frames (`docs/protocol.md`).
    Binary,
    /// HTTP/1.1 carrying DynamoDB's JSON API (`docs/dynamodb-compat.md`).
    /// One request executes at a time, so answers leave in request order.
    DynamoDb,
}

#[derive(Debug)]
pub struct Conn {
    pub stream: TcpStream,
    pub protocol: Protocol,
    /// Read but not yet parsed: `inbuf[in_start..]`.
    pub inbuf: Vec<u8>,
    pub in_start: usize,
    /// Replies not yet sent: `outbuf[out_start..]`.
    pub outbuf: Vec<u8>,
    pub out_start: usize,
    /// Requests read and not yet answered.
    pub in_flight: usize,
    /// The peer closed its side, or an error frame was sent that ends the
    /// connection: read no more, close once everything is answered.
    pub read_closed: bool,
    /// Close as soon as the replies are flushed (a bad header, or an HTTP
    /// request that asked for it).
    pub close_after_flush: bool,
    /// The close after flushing is the client's wish (`Connection: close`),
    /// not a protocol error: counted as the peer's close.
    pub peer_asked_to_close: bool,
    pub last_activity: Instant,
    /// When the frame at the front of `inbuf` began arriving.
    pub frame_started: Option<Instant>,
    /// When the replies last made progress (or became pending).
    pub last_write_progress: Instant,
    /// Whether the last write hit a full socket buffer.
    pub write_blocked: bool,
    /// Interest registered with the poller: (readable, writable).
    pub registered: (bool, bool),
}

impl Conn {
    pub fn new(stream: TcpStream, protocol: Protocol, now: Instant) -> Self {
        Conn {
            stream,
            protocol,
            inbuf: Vec::new(),
            in_start: 0,
            outbuf: Vec::new(),
            out_start: 0,
            in_flight: 0,
            read_closed: false,
            close_after_flush: false,
            peer_asked_to_close: false,
            last_activity: now,
            frame_started: None,
            last_write_progress: now,
            write_blocked: false,
            registered: (true, false),
        }
    }

    /// Unsent reply bytes.
    pub fn out_len(&self) -> usize {
        self.outbuf.len() - self.out_start
    }

    /// Reads what the socket has, in chunks, until it would block, it is
    /// closed, or `max_chunks` chunks were read (so one busy connection does
    /// not starve the others). Returns bytes read; sets `read_closed` at EOF.
    pub fn fill(&mut self, max_chunks: usize) -> io::Result<usize> {
        self.compact_in();
        let mut total = 0;
        for _ in 0..max_chunks {
            let len = self.inbuf.len();
            self.inbuf.resize(len + READ_CHUNK, 0);
            match self.stream.read(&mut self.inbuf[len..]) {
                Ok(0) => {
                    self.inbuf.truncate(len);
                    self.read_closed = true;
                    break;
                }
                Ok(n) => {
                    self.inbuf.truncate(len + n);
                    total += n;
                    if n < READ_CHUNK {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.inbuf.truncate(len);
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    self.inbuf.truncate(len);
                }
                Err(e) => {
                    self.inbuf.truncate(len);
                    return Err(e);
                }
            }
        }
        Ok(total)
    }

    /// Drops parsed bytes from the front of the read buffer.
    fn compact_in(&mut self) {
        if self.in_start > 0 {
            self.inbuf.drain(..self.in_start);
            self.in_start = 0;
        }
        // A burst can leave a large, empty buffer behind: give it back.
        if self.inbuf.is_empty() && self.inbuf.capacity() > 4 * READ_CHUNK {
            self.inbuf = Vec::new();
        }
    }

    /// The next frame at the front of the read buffer, if complete.
    pub fn parse(&mut self, max_body: u32, now: Instant) -> Parsed {
        let available = &self.inbuf[self.in_start..];
        if available.is_empty() {
            self.frame_started = None;
            return Parsed::Incomplete;
        }
        if available.len() < HEADER_LEN {
            self.frame_started.get_or_insert(now);
            return Parsed::Incomplete;
        }
        let bytes: &[u8; HEADER_LEN] = available[..HEADER_LEN].try_into().expect("20 bytes");
        let header = match FrameHeader::decode(bytes, max_body) {
            Ok(header) => header,
            Err(error) => {
                // The id is only trusted from a header whose magic matched.
                let id = if bytes[..2] == crate::protocol::MAGIC {
                    u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"))
                } else {
                    0
                };
                return Parsed::Bad(error, id);
            }
        };
        let total = HEADER_LEN + header.body_len as usize;
        if available.len() < total {
            self.frame_started.get_or_insert(now);
            return Parsed::Incomplete;
        }
        let body = self.in_start + HEADER_LEN..self.in_start + total;
        self.in_start += total;
        self.frame_started = None;
        Parsed::Frame(header, body)
    }

    /// Queues a whole reply frame.
    pub fn queue(&mut self, header: FrameHeader, body: &[u8], now: Instant) {
        if self.out_len() == 0 {
            self.last_write_progress = now;
        }
        self.outbuf.extend_from_slice(&header.encode());
        self.outbuf.extend_from_slice(body);
    }

    /// Queues bytes already framed (a reply encoded on another core).
    pub fn queue_frame(&mut self, frame: &[u8], now: Instant) {
        if self.out_len() == 0 {
            self.last_write_progress = now;
        }
        self.outbuf.extend_from_slice(frame);
    }

    /// Writes queued replies until done or the socket is full; returns the
    /// bytes written.
    pub fn flush(&mut self, now: Instant) -> io::Result<usize> {
        let mut total = 0;
        self.write_blocked = false;
        while self.out_start < self.outbuf.len() {
            match self.stream.write(&self.outbuf[self.out_start..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.out_start += n;
                    total += n;
                    self.last_write_progress = now;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.write_blocked = true;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if self.out_start == self.outbuf.len() {
            self.outbuf.clear();
            self.out_start = 0;
            if self.outbuf.capacity() > 4 * READ_CHUNK {
                self.outbuf = Vec::new();
            }
        } else if self.out_start > READ_CHUNK {
            self.outbuf.drain(..self.out_start);
            self.out_start = 0;
        }
        if total > 0 {
            self.last_activity = now;
        }
        Ok(total)
    }

    /// Whether the connection has nothing left to do: no request in
    /// flight and no reply unsent.
    pub fn is_quiet(&self) -> bool {
        self.in_flight == 0 && self.out_len() == 0
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // Real sockets, real time.
mod tests {
    use super::*;
    use crate::protocol::{Opcode, encode_frame};
    use std::net::TcpListener;

    fn pair() -> (Conn, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        server.set_nonblocking(true).unwrap();
        (Conn::new(server, Protocol::Binary, Instant::now()), client)
    }

    #[test]
    fn frames_split_across_reads_are_parsed_whole_and_in_order() {
        let (mut conn, mut client) = pair();
        let first = encode_frame(FrameHeader::request(Opcode::Stats, 1, 0), &[]);
        let second = encode_frame(FrameHeader::request(Opcode::GetItem, 2, 3), &[7, 8, 9]);
        let mut bytes = first.clone();
        bytes.extend_from_slice(&second);
        client.write_all(&bytes[..25]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        conn.fill(4).unwrap();
        let now = Instant::now();
        assert!(matches!(conn.parse(100, now), Parsed::Frame(h, _) if h.request_id == 1));
        assert!(matches!(conn.parse(100, now), Parsed::Incomplete));
        assert!(conn.frame_started.is_some());
        client.write_all(&bytes[25..]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        conn.fill(4).unwrap();
        match conn.parse(100, now) {
            Parsed::Frame(h, body) => {
                assert_eq!(h.request_id, 2);
                assert_eq!(&conn.inbuf[body], &[7, 8, 9]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(conn.parse(100, now), Parsed::Incomplete));
    }

    #[test]
    fn a_header_announcing_a_huge_body_is_refused_from_its_20_bytes() {
        let (mut conn, mut client) = pair();
        let mut header = FrameHeader::request(Opcode::PutItem, 9, 0).encode();
        header[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        client.write_all(&header).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        conn.fill(4).unwrap();
        match conn.parse(1024, Instant::now()) {
            Parsed::Bad(FrameError::BodyTooLarge { .. }, 9) => {}
            other => panic!("{other:?}"),
        }
        assert!(conn.inbuf.capacity() <= 2 * READ_CHUNK);
    }
}
