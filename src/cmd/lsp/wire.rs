//! The protocol's framing on stdin: headers, a blank line, `Content-Length`
//! bytes of JSON.
//!
//! Whatever arrives, the reader holds at most one header line's worth of
//! bytes ([`MAX_LINE`]) while looking for headers and at most [`MAX_MESSAGE`]
//! for a body, and it never stops before stdin ends. A line that is not a
//! header (not UTF-8, too long, an unknown name, a bad number) is logged and
//! skipped; a header block without a usable `Content-Length` is answered
//! with a parse error. A wrong `Content-Length` cannot desynchronise it for
//! good: bytes left over from a short one are skipped up to the next
//! `Content-Length:`, wherever it starts in its line, and bytes read past
//! the end of a message by a long one are read again as the next header.

use std::io::{self, BufRead, Read, Write};

use serde::de::IgnoredAny;

/// Longest header line kept, in bytes: of a longer line only its last
/// `MAX_LINE` bytes are kept, where a `Content-Length:` glued to junk is.
pub const MAX_LINE: usize = 8 * 1024;

/// Largest message accepted, in bytes.
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// The header that frames every message, as it is matched: lower case.
const LENGTH: &[u8] = b"content-length:";

/// What the reader hands on.
pub enum Incoming {
    /// A JSON object: the bytes of one message, read by its type
    /// (protocol.rs) once its method is known.
    Message(Vec<u8>),
    /// Bytes that were not a message, and why: answered with a parse error.
    Garbage(String),
    /// The input ended.
    End,
}

/// The framing reader over stdin (or any buffered input).
pub struct Reader<R> {
    /// The input.
    input: R,
    /// Bytes read past the end of a message, to be read again first.
    again: Vec<u8>,
    /// How much of `again` was read.
    at: usize,
}

/// What was wrong with the headers of one message: the first fault and a
/// count of the others, so that a flood of junk lines is not held.
#[derive(Default)]
struct Faults {
    /// The first fault.
    first: Option<String>,
    /// How many more there were.
    more: usize,
}

impl Faults {
    /// Notes a fault.
    fn add(&mut self, why: String) {
        if self.first.is_none() {
            self.first = Some(why);
        } else {
            self.more += 1;
        }
    }

    /// The faults in one line, if any.
    fn summary(&self) -> Option<String> {
        let first = self.first.as_deref()?;
        Some(match self.more {
            0 => first.to_string(),
            n => format!("{first} (and {n} more lines that were not headers)"),
        })
    }
}

/// A header line, without its line end.
struct Line {
    /// Its bytes: the whole line, or its last `MAX_LINE` bytes.
    bytes: Vec<u8>,
    /// How many bytes were dropped from its start.
    dropped: usize,
}

impl<R: BufRead> Reader<R> {
    /// A reader of `input`.
    pub fn new(input: R) -> Self {
        Self {
            input,
            again: Vec::new(),
            at: 0,
        }
    }

    /// Reads the next message. Lines that are not headers are logged to
    /// stderr and skipped; only the end of the input ends the reading.
    pub fn next_message(&mut self) -> Incoming {
        let mut length: Option<usize> = None;
        let mut headers = false;
        let mut faults = Faults::default();
        loop {
            let Some(line) = self.line() else {
                return Incoming::End;
            };
            let (skipped, header) = header_of(&line);
            if skipped > 0 {
                faults.add(format!(
                    "{skipped} bytes that are not a header were skipped"
                ));
            }
            if header.is_empty() {
                if skipped > 0 {
                    continue;
                }
                if length.is_some() {
                    break;
                }
                if headers || faults.first.is_some() {
                    return Incoming::Garbage(format!(
                        "a header without a usable Content-Length{}",
                        faults
                            .summary()
                            .map(|s| format!(": {s}"))
                            .unwrap_or_default()
                    ));
                }
                // Blank lines between messages are harmless.
                continue;
            }
            headers = true;
            match parse_header(header) {
                Ok(Some(n)) => length = Some(n),
                Ok(None) => {}
                Err(why) => {
                    // A bad length: what follows is read as headers again,
                    // up to the next `Content-Length:`.
                    length = None;
                    faults.add(why);
                }
            }
        }
        if let Some(summary) = faults.summary() {
            eprintln!("auditpress lsp: {summary}");
        }
        self.body(length.unwrap_or(0))
    }

    /// Reads a body of `length` bytes and parses it.
    fn body(&mut self, length: usize) -> Incoming {
        let mut body = Vec::new();
        match Read::take(&mut *self, length as u64).read_to_end(&mut body) {
            Ok(n) if n == length => {}
            _ => return Incoming::End,
        }
        // Checked as JSON here, without building it: what it means is read
        // into the types of its method.
        let mut values = serde_json::Deserializer::from_slice(&body).into_iter::<IgnoredAny>();
        match values.next() {
            Some(Ok(_)) => {}
            Some(Err(e)) => return Incoming::Garbage(format!("not JSON ({e})")),
            None => return Incoming::Garbage("an empty message".into()),
        }
        let end = values.byte_offset();
        if body[end..].iter().any(|b| !b.is_ascii_whitespace()) {
            // The length was too long: what follows the message is the
            // start of the next one.
            eprintln!(
                "auditpress lsp: Content-Length {length} is {} bytes longer than its message; \
                 they are read again as the next header",
                length - end
            );
            self.give_back(&body[end..]);
        }
        body.truncate(end);
        // A JSON value that starts with `{` is an object.
        if body.trim_ascii_start().starts_with(b"{") {
            Incoming::Message(body)
        } else {
            Incoming::Garbage("a message must be a JSON object".into())
        }
    }

    /// Puts bytes back in front of the input.
    fn give_back(&mut self, bytes: &[u8]) {
        let mut again = bytes.to_vec();
        again.extend_from_slice(&self.again[self.at..]);
        self.again = again;
        self.at = 0;
    }

    /// Reads one line, keeping at most its last `MAX_LINE` bytes; `None` at
    /// the end of the input (a last line without its end is dropped).
    fn line(&mut self) -> Option<Line> {
        let mut line = Line {
            bytes: Vec::new(),
            dropped: 0,
        };
        loop {
            let chunk = match self.fill_buf() {
                Ok([]) => return None,
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return None,
            };
            let newline = chunk.iter().position(|&b| b == b'\n');
            let taken = newline.map_or(chunk.len(), |i| i + 1);
            let part = &chunk[..taken];
            if part.len() >= MAX_LINE {
                line.dropped += line.bytes.len() + part.len() - MAX_LINE;
                line.bytes.clear();
                line.bytes.extend_from_slice(&part[part.len() - MAX_LINE..]);
            } else {
                line.bytes.extend_from_slice(part);
                let over = line.bytes.len().saturating_sub(MAX_LINE);
                line.bytes.drain(..over);
                line.dropped += over;
            }
            self.consume(taken);
            if newline.is_some() {
                line.bytes.pop();
                if line.bytes.last() == Some(&b'\r') {
                    line.bytes.pop();
                }
                return Some(line);
            }
        }
    }
}

/// The header of a line and how many bytes before it are not a header:
/// a `Content-Length:` is found wherever it starts, since bytes left over
/// by a short message (or a line too long to keep) are glued to it.
fn header_of(line: &Line) -> (usize, &[u8]) {
    let bytes = &line.bytes;
    let start = bytes
        .windows(LENGTH.len())
        .rposition(|w| w.eq_ignore_ascii_case(LENGTH))
        .unwrap_or(if line.dropped > 0 { bytes.len() } else { 0 });
    (line.dropped + start, &bytes[start..])
}

/// A header: `Ok(Some(length))` for a `Content-Length`, `Ok(None)` for a
/// `Content-Type`, an error for anything else.
fn parse_header(header: &[u8]) -> Result<Option<usize>, String> {
    let shown = String::from_utf8_lossy(header);
    let Some(colon) = header.iter().position(|&b| b == b':') else {
        return Err(format!(
            "a line that is not a header was skipped: {shown:.80}"
        ));
    };
    let (name, value) = (&header[..colon], header[colon + 1..].trim_ascii());
    if name.eq_ignore_ascii_case(b"content-type") {
        return Ok(None);
    }
    if !name.eq_ignore_ascii_case(b"content-length") {
        return Err(format!("an unknown header was skipped: {shown:.80}"));
    }
    let length = std::str::from_utf8(value)
        .ok()
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<usize>().ok())
        .ok_or_else(|| format!("Content-Length is not a number: {shown:.80}"))?;
    if length > MAX_MESSAGE {
        // Not skipped by its length, which may be a lie: what follows is
        // read as headers again, up to the next `Content-Length:`.
        return Err(format!(
            "a message of {length} bytes is over the limit of {MAX_MESSAGE}"
        ));
    }
    Ok(Some(length))
}

/// Writes one message, framed: `Content-Length`, a blank line, its JSON.
pub fn send(out: &mut dyn Write, message: &impl serde::Serialize) {
    // Our messages are plain data: they always serialise.
    let body = serde_json::to_string(message).expect("a message serialises");
    // A closed stdout leaves no one to answer.
    let _ = write!(out, "Content-Length: {}\r\n\r\n{body}", body.len());
    let _ = out.flush();
}

impl<R: BufRead> Read for Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let chunk = self.fill_buf()?;
        let n = chunk.len().min(buf.len());
        buf[..n].copy_from_slice(&chunk[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Reader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.at < self.again.len() {
            return Ok(&self.again[self.at..]);
        }
        self.input.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if self.at < self.again.len() {
            self.at += n;
            if self.at >= self.again.len() {
                self.again = Vec::new();
                self.at = 0;
            }
        } else {
            self.input.consume(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message of a stream, as JSON or `garbage`, up to its end.
    fn all(input: &[u8]) -> Vec<String> {
        let mut reader = Reader::new(input);
        let mut out = Vec::new();
        loop {
            match reader.next_message() {
                Incoming::Message(v) => out.push(String::from_utf8(v).unwrap()),
                Incoming::Garbage(_) => out.push("garbage".into()),
                Incoming::End => return out,
            }
        }
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn wrong_lengths_bad_headers_and_long_lines_do_not_desynchronise() {
        let a = r#"{"id":1}"#;
        let b = r#"{"id":2}"#;
        // Three bytes short: a parse error, then the next message.
        let short = format!("Content-Length: {}\r\n\r\n{a}", a.len() - 3);
        assert_eq!(
            all(format!("{short}{}", framed(b)).as_bytes()),
            ["garbage", b]
        );
        // Three bytes long: both messages.
        let long = format!("Content-Length: {}\r\n\r\n{a}", a.len() + 3);
        assert_eq!(all(format!("{long}{}", framed(b)).as_bytes()), [a, b]);
        // Not UTF-8, an unknown header, a bad number, none at all.
        let mut bytes = b"\xff\xfe\r\nX-Thing: \xff\r\n".to_vec();
        bytes.extend_from_slice(framed(a).as_bytes());
        bytes.extend_from_slice(b"Content-Length: 1\xff\r\n\r\n{}");
        bytes.extend_from_slice(b"Content-Length: -4\r\n\r\n");
        bytes.extend_from_slice(b"Content-Length: 99999999999999999999999\r\n\r\n");
        bytes.extend_from_slice(b"Content-Type: x\r\n\r\n");
        bytes.extend_from_slice(framed(b).as_bytes());
        let garbage = ["garbage"; 4];
        assert_eq!(all(&bytes), [&[a][..], &garbage, &[b]].concat());
        // A line far longer than the limit, with a header glued to its end.
        let mut bytes = vec![b'x'; 10 * MAX_LINE + 7];
        bytes.extend_from_slice(framed(a).as_bytes());
        assert_eq!(all(&bytes), [a]);
        // A million junk lines: counted, not held.
        let mut bytes = b"junk\n".repeat(1_000_000);
        bytes.extend_from_slice(framed(a).as_bytes());
        assert_eq!(all(&bytes), [a]);
        // Over the limit: not skipped by its length.
        let huge = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1);
        assert_eq!(
            all(format!("{huge}{}", framed(b)).as_bytes()),
            ["garbage", b]
        );
        // Not an object, and trailing whitespace.
        assert_eq!(
            all(format!("{}{}{}", framed("[1]"), framed(" 7"), framed("{} \n")).as_bytes()),
            ["garbage", "garbage", "{}"]
        );
    }
}
