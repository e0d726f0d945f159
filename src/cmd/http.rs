//! The HTTP front of `serve`, bounded against hostile clients.
//!
//! One thread accepts connections and reads their request heads, all at
//! once, with `poll(2)`: an idle or slow connection (slowloris) costs a file
//! descriptor and a small buffer, never a thread. At most [`Limits::pending`]
//! connections wait for their head; a new one closes the oldest. A head must
//! arrive whole within [`Limits::head_deadline`] and within
//! [`Limits::max_head`] bytes, and may name one Host. Complete requests go to
//! a fixed pool of [`Limits::workers`] threads through a bounded queue; when
//! the queue is full the connection gets 503 at once. Nothing here knows
//! what is served: the handler answers each [`Request`].

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::{self, TrySendError};
use std::time::{Duration, Instant};

/// The bounds of the server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections that may wait for their request head at once.
    pub pending: usize,
    /// Time a connection has to send its whole head.
    pub head_deadline: Duration,
    /// Most bytes of a request head.
    pub max_head: usize,
    /// Threads answering complete requests.
    pub workers: usize,
    /// Complete requests that may wait for a worker.
    pub queue: usize,
    /// Time a whole response may take to be written (a client that does not
    /// read, or reads slowly).
    pub write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            pending: 512,
            head_deadline: Duration::from_secs(5),
            max_head: 16 * 1024,
            workers: 8,
            queue: 64,
            write_timeout: Duration::from_secs(10),
        }
    }
}

/// A request whose head arrived whole.
pub struct Request {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The Host header, when there is exactly one.
    pub host: Option<String>,
    /// The connection, for the answer.
    pub stream: TcpStream,
}

/// Writes a whole response and closes the connection: one request each.
/// The stream's write timeout is the time the whole response may take, not
/// each write: a client that reads a byte now and then (a slow reader)
/// cannot hold an answering thread longer than that.
pub fn respond(mut out: TcpStream, status: &str, kind: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let budget = out
        .write_timeout()
        .ok()
        .flatten()
        .unwrap_or(Limits::default().write_timeout);
    let deadline = Instant::now() + budget;
    let _ = write_by(&mut out, head.as_bytes(), deadline)
        .and_then(|()| write_by(&mut out, body, deadline));
}

/// Writes all of `bytes` before `deadline`, or gives up.
fn write_by(out: &mut TcpStream, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
    while !bytes.is_empty() {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(io::ErrorKind::TimedOut)?;
        out.set_write_timeout(Some(left))?;
        match out.write(&bytes[..bytes.len().min(64 * 1024)]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// What came of a request head.
enum Head {
    /// Not whole yet.
    Partial,
    /// A request.
    Done(String, String, Option<String>),
    /// Not a request: answered with this status and dropped.
    Bad(&'static str),
}

/// Parses a head once its blank line arrived.
fn parse(buf: &[u8]) -> Head {
    let Some(end) = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| buf.windows(2).position(|w| w == b"\n\n"))
    else {
        return Head::Partial;
    };
    let Ok(text) = std::str::from_utf8(&buf[..end]) else {
        return Head::Bad("400 Bad Request");
    };
    let mut lines = text.lines();
    let mut parts = lines.next().unwrap_or("").split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Head::Bad("400 Bad Request");
    };
    let hosts: Vec<&str> = lines
        .filter_map(|l| l.split_once(':'))
        // A header name is a protocol word, ASCII case-insensitive (RFC 9110).
        .filter(|(name, _)| {
            #[allow(clippy::disallowed_methods)]
            name.trim().eq_ignore_ascii_case("host")
        })
        .map(|(_, value)| value.trim())
        .collect();
    // Two Host headers are how a request smuggles a second name past a check.
    if hosts.len() > 1 {
        return Head::Bad("400 Bad Request");
    }
    let path = target.split('?').next().unwrap_or("").to_string();
    Head::Done(
        method.to_string(),
        path,
        hosts.first().map(|h| h.to_string()),
    )
}

/// A connection waiting for its head.
struct Waiting {
    stream: TcpStream,
    since: Instant,
    buf: Vec<u8>,
}

/// Answers a connection that broke a limit, without waiting on it.
fn refuse(stream: TcpStream, status: &str) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    respond(
        stream,
        status,
        "text/plain",
        format!("{status}\n").as_bytes(),
    );
}

/// Starts the handler threads; requests go to them through the returned queue.
fn start_handlers(
    limits: &Limits,
    handler: Arc<dyn Fn(Request) + Send + Sync>,
) -> mpsc::SyncSender<Request> {
    let (tx, rx) = mpsc::sync_channel::<Request>(limits.queue);
    let rx = Arc::new(std::sync::Mutex::new(rx));
    for _ in 0..limits.workers {
        let rx = Arc::clone(&rx);
        let handler = Arc::clone(&handler);
        std::thread::spawn(move || {
            loop {
                let next = rx.lock().map(|r| r.recv());
                match next {
                    Ok(Ok(request)) => handler(request),
                    _ => return,
                }
            }
        });
    }
    tx
}

/// Takes every connection waiting on the listener; the oldest waiting one
/// makes room when too many wait for their heads.
fn accept(listener: &TcpListener, limits: &Limits, waiting: &mut VecDeque<Waiting>) {
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                if stream.set_nonblocking(true).is_err() {
                    continue;
                }
                // The oldest waiting connection makes room.
                if waiting.len() >= limits.pending {
                    waiting.pop_front();
                }
                waiting.push_back(Waiting {
                    stream,
                    since: Instant::now(),
                    buf: Vec::new(),
                });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // Out of descriptors, or a connection reset before it was
            // taken: the next round tries again.
            Err(_) => break,
        }
    }
}

/// Waits up to `timeout` for the listener and the waiting connections
/// (poll(2)); tells, in that order, which are ready to read or closed.
fn ready(
    listener: &TcpListener,
    waiting: &VecDeque<Waiting>,
    timeout: Duration,
) -> io::Result<Vec<bool>> {
    use rustix::event::{PollFd, PollFlags, Timespec};
    let mut fds: Vec<PollFd> = std::iter::once(PollFd::new(listener, PollFlags::IN))
        .chain(
            waiting
                .iter()
                .map(|w| PollFd::new(&w.stream, PollFlags::IN)),
        )
        .collect();
    let timeout = Timespec::try_from(timeout).map_err(|_| io::ErrorKind::InvalidInput)?;
    rustix::event::poll(&mut fds, Some(&timeout))?;
    Ok(fds.iter().map(|fd| !fd.revents().is_empty()).collect())
}

/// Serves forever: accepts, reads heads and hands requests to the handler's
/// pool. Returns only if the listener fails.
pub fn serve(
    listener: TcpListener,
    limits: Limits,
    handler: Arc<dyn Fn(Request) + Send + Sync>,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let tx = start_handlers(&limits, handler);
    let mut waiting: VecDeque<Waiting> = VecDeque::new();
    loop {
        let next_deadline = waiting
            .iter()
            .map(|w| (w.since + limits.head_deadline).saturating_duration_since(Instant::now()))
            .min()
            .unwrap_or(Duration::from_secs(1));
        let timeout = next_deadline.min(Duration::from_secs(1)) + Duration::from_millis(1);
        let ready = match ready(&listener, &waiting, timeout) {
            Ok(ready) => ready,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        // Read what arrived, oldest connections first; settle each.
        let mut keep: VecDeque<Waiting> = VecDeque::with_capacity(waiting.len());
        for (mut w, ready) in waiting.drain(..).zip(&ready[1..]) {
            // A head is parsed again only when bytes arrived; a connection
            // that sent nothing is only checked against its deadline.
            let mut arrived = false;
            if *ready {
                let mut chunk = [0u8; 4096];
                match w.stream.read(&mut chunk) {
                    Ok(0) => continue,
                    Ok(n) => {
                        w.buf.extend_from_slice(&chunk[..n]);
                        arrived = true;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(_) => continue,
                }
            }
            let head = if arrived {
                parse(&w.buf)
            } else {
                Head::Partial
            };
            match head {
                Head::Done(method, path, host) => {
                    let _ = w.stream.set_nonblocking(false);
                    let _ = w.stream.set_write_timeout(Some(limits.write_timeout));
                    let request = Request {
                        method,
                        path,
                        host,
                        stream: w.stream,
                    };
                    match tx.try_send(request) {
                        Ok(()) => {}
                        Err(TrySendError::Full(r) | TrySendError::Disconnected(r)) => {
                            refuse(r.stream, "503 Service Unavailable");
                        }
                    }
                }
                Head::Bad(status) => refuse(w.stream, status),
                Head::Partial if w.buf.len() >= limits.max_head => {
                    refuse(w.stream, "431 Request Header Fields Too Large");
                }
                Head::Partial if w.since.elapsed() >= limits.head_deadline => {
                    refuse(w.stream, "408 Request Timeout");
                }
                Head::Partial => keep.push_back(w),
            }
        }
        waiting = keep;
        if ready[0] {
            accept(&listener, &limits, &mut waiting);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_parsed_and_two_hosts_refused() {
        assert!(matches!(parse(b"GET / HTTP/1.1\r\nHost: a"), Head::Partial));
        match parse(b"GET /state?x=1 HTTP/1.1\r\nHost: localhost:1\r\n\r\n") {
            Head::Done(m, p, h) => {
                assert_eq!((m.as_str(), p.as_str()), ("GET", "/state"));
                assert_eq!(h.as_deref(), Some("localhost:1"));
            }
            _ => panic!("not parsed"),
        }
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nHost: evil:1\r\nHost: localhost:1\r\n\r\n"),
            Head::Bad(_)
        ));
        assert!(matches!(
            parse(b"\xff\xfe / HTTP/1.1\r\n\r\n"),
            Head::Bad(_)
        ));
    }
}
