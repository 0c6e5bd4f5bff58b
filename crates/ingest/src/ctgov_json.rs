//! ClinicalTrials.gov API v2 JSON: one study object (`{"protocolSection":…}`),
//! an array of studies, a search page (`{"studies":[…],"nextPageToken":…}`)
//! or NDJSON (one study or page per line).
//!
//! Streaming: the input is never parsed into one big `serde_json::Value`. A
//! small structural scanner (string- and bracket-aware, no allocation) cuts
//! the input into one byte span per study; each span is parsed on its own
//! (a few kB) and mapped to a [`Trial`]. `read_stream` (used by
//! `tm_ingest::read_file`) reads a top-level array element by element and
//! NDJSON line by line from the file, holding one study plus at most a read
//! chunk or two in memory; a single study or page is read whole. A broken
//! element costs only that element: its error names the record index and
//! the byte offset (counted from the start of the file), and the scanner
//! resynchronises at the next line that starts with `{` when the structure
//! itself is broken.
//!
//! Record locators: `record N` (0-based index in an array or page),
//! `line N` (1-based NDJSON line), none for a file holding one study.
//! `SourceRef::content_hash` hashes the study's own JSON text (its span).
//!
//! Secondary ids: `RegistryId::kind` is the registry recognised from the id's
//! shape (`eudract`, `euct`, `isrctn`, `chictr`, `jrct`, `ctr`, `nct`, … by
//! [`crate::identity::classify_registry_id`]), else from the API v2
//! `secondaryIdInfos` type (`EUDRACT_NUMBER` → `eudract`, `CTIS` → `euct`),
//! else `other` (docs/contracts.md keeps the kind set closed). `source` is
//! the `domain`; without one, the registry's name or the API v2 type (`NIH`,
//! `FDA`, `OTHER_GRANT` …). When id and domain are swapped in the source (a
//! registry id in `domain`), they are swapped back. The org study id has
//! kind `org`, source the organisation.
//!
//! `Design::observational_model` holds the observational model, followed by
//! `; ` and the time perspective when the source gives one
//! (`COHORT; PROSPECTIVE`).

use crate::detect::{strip_bom, Format};
use crate::identity::content_hash_lf;
use crate::repair::repair_text;
use crate::{RecordError, RecordResult};
use serde_json::Value;
use tm_model::{
    AgeLimit, Arm, Design, Eligibility, Enrollment, GeoPoint, Intervention, Location, Official,
    Outcome, OverallStatus, Phase, Reference, RegistryId, ResponsibleParty, SexEligibility,
    SourceRef, Sponsor, Trial, TrialDates,
};

/// Reads API v2 JSON bytes, calling `sink` once per study.
pub fn read(bytes: &[u8], file: &str, sink: &mut dyn FnMut(RecordResult)) {
    let base = bytes.len() - strip_bom(bytes).len();
    let mut r = Reader {
        b: bytes,
        base: 0,
        file,
        sink,
    };
    let start = skip_ws(bytes, base);
    match bytes.get(start) {
        None => r.error(None, "empty file".into()),
        Some(b'[') => {
            let end = r.array(start, &|i| format!("record {i}"));
            r.trailing(end);
        }
        Some(b'{') if looks_like_ndjson(&bytes[start..]) => r.ndjson(start),
        Some(b'{') => {
            // One study or one page; a few concatenated objects are read too.
            let mut pos = start;
            let mut k = 0usize;
            let mut several = false;
            while let Some(b'{') = bytes.get(pos) {
                match value_end(bytes, pos) {
                    Ok(end) => {
                        let next = skip_ws(bytes, end);
                        several |= bytes.get(next) == Some(&b'{');
                        let label = several.then(|| format!("record {k}"));
                        r.object(pos, end, label, &|i| format!("record {i}"));
                        pos = next;
                        k += 1;
                    }
                    Err(e) => {
                        // A cut or broken page: its `studies` array is still
                        // read element by element, so the complete studies
                        // before the damage are kept and the broken one is
                        // reported with its index and byte offset.
                        if let Some(vstart) = find_member(bytes, pos, bytes.len(), b"studies")
                            .filter(|&v| bytes.get(v) == Some(&b'['))
                        {
                            r.array(vstart, &|i| format!("record {i}"));
                            return;
                        }
                        let label = several.then(|| format!("record {k}"));
                        r.error(
                            label,
                            format!("invalid JSON: {} at byte {}", e.reason, e.at),
                        );
                        return;
                    }
                }
            }
            r.trailing(pos);
        }
        Some(_) => r.error(
            None,
            format!("not JSON: expected '{{' or '[' at byte {start}"),
        ),
    }
}

/// Bytes requested from the source per read when streaming.
const CHUNK: usize = 1 << 20;

/// Reads API v2 JSON from a stream whose first bytes (`head`, at least what
/// format detection looked at) were already read. A top-level array is read
/// element by element and NDJSON line by line, so memory holds one study
/// (plus one read chunk) at a time; other shapes (one study, one page) are
/// read whole and handed to [`read`].
pub(crate) fn read_stream(
    head: Vec<u8>,
    src: &mut dyn std::io::Read,
    file: &str,
    sink: &mut dyn FnMut(RecordResult),
) {
    let mut s = Stream {
        src,
        buf: head,
        scratch: Vec::new(),
        base: 0,
        eof: false,
        io_error: None,
        oversized: None,
    };
    let bom = s.buf.len() - strip_bom(&s.buf).len();
    let start = s.skip_ws(bom);
    match s.buf.get(start) {
        Some(b'[') => stream_array(&mut s, start, file, sink),
        Some(b'{') if looks_like_ndjson(&s.buf[start..]) => stream_ndjson(&mut s, file, sink),
        _ => {
            while s.fill() {}
            if s.io_error.is_none() {
                read(&s.buf, file, sink);
            }
        }
    }
    if let Some(e) = s.io_error.take() {
        sink(Err(RecordError {
            file: file.to_string(),
            record: None,
            reason: format!("read error at byte {}: {e}", s.base + s.buf.len()),
        }));
    }
}

/// A window on a byte stream: `buf` holds the bytes from file offset `base`.
struct Stream<'r> {
    src: &'r mut dyn std::io::Read,
    buf: Vec<u8>,
    /// Read buffer (one chunk), allocated on first use.
    scratch: Vec<u8>,
    base: usize,
    eof: bool,
    io_error: Option<std::io::Error>,
    /// Set by `value_end` for an element over the size limit, which was
    /// skipped rather than kept: (file offset, length).
    oversized: Option<(usize, usize)>,
}

impl Stream<'_> {
    /// Appends the next chunk; false at end of input (or on a read error,
    /// kept in `io_error`).
    fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        if self.scratch.is_empty() {
            self.scratch = vec![0; CHUNK];
        }
        loop {
            match self.src.read(&mut self.scratch) {
                Ok(n) => {
                    self.buf.extend_from_slice(&self.scratch[..n.min(CHUNK)]);
                    self.eof = n == 0;
                    return n > 0;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.io_error = Some(e);
                    self.eof = true;
                    return false;
                }
            }
        }
    }

    /// Marks the bytes before `pos` as done and returns the index `pos` now
    /// has. They are dropped once they make up half a chunk, so memory stays
    /// bounded and the copying linear.
    fn consume(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.buf.len());
        if pos < CHUNK / 2 {
            return pos;
        }
        self.buf.drain(..pos);
        self.base += pos;
        0
    }

    fn skip_ws(&mut self, mut pos: usize) -> usize {
        loop {
            pos = skip_ws(&self.buf, pos);
            if pos < self.buf.len() || !self.fill() {
                return pos;
            }
        }
    }

    /// The end of the value at `pos`, reading more input as needed. An
    /// object or array is scanned once, incrementally (linear in its size);
    /// one larger than [`crate::MAX_RECORD_BYTES`] is not kept: its bytes
    /// are dropped as they are scanned, `oversized` records where it began
    /// and how long it was, and the returned end is in the shortened buffer.
    fn value_end(&mut self, mut pos: usize) -> Result<usize, ScanError> {
        if matches!(self.buf.get(pos), Some(b'{' | b'[')) {
            let mut stack: Vec<u8> = Vec::with_capacity(16);
            let (mut in_str, mut esc) = (false, false);
            let (abs_start, mut i) = (self.base + pos, pos);
            loop {
                while i < self.buf.len() {
                    let c = self.buf[i];
                    if in_str {
                        if esc {
                            esc = false;
                        } else if c == b'\\' {
                            esc = true;
                        } else if c == b'"' {
                            in_str = false;
                        }
                    } else {
                        match c {
                            b'"' => in_str = true,
                            b'{' => stack.push(b'}'),
                            b'[' => stack.push(b']'),
                            b'}' | b']' => {
                                if stack.pop() != Some(c) {
                                    return Err(ScanError {
                                        at: i,
                                        reason: "mismatched bracket",
                                    });
                                }
                                if stack.is_empty() {
                                    let len = self.base + i + 1 - abs_start;
                                    if len > crate::MAX_RECORD_BYTES {
                                        self.oversized = Some((abs_start, len));
                                    }
                                    return Ok(i + 1);
                                }
                            }
                            _ => {}
                        }
                    }
                    i += 1;
                }
                if self.base + i - abs_start > crate::MAX_RECORD_BYTES && i > 0 {
                    // Too large to keep: drop what was scanned.
                    self.buf.drain(..i);
                    self.base += i;
                    pos = 0;
                    i = 0;
                }
                if !self.fill() {
                    return Err(ScanError {
                        at: self.buf.len().max(pos),
                        reason: if in_str {
                            "unexpected end of input inside a string"
                        } else {
                            "unexpected end of input (unclosed object or array)"
                        },
                    });
                }
            }
        }
        loop {
            match value_end(&self.buf, pos) {
                // A scalar or error cut by the window's end: read on.
                Ok(end) if end < self.buf.len() || self.eof => return Ok(end),
                Err(e) if e.at < self.buf.len() || self.eof => return Err(e),
                r => {
                    if !self.fill() {
                        return r;
                    }
                }
            }
        }
    }

    /// Like [`resync`], reading more input as needed.
    fn resync(&mut self, from: usize) -> Option<usize> {
        loop {
            if let Some(p) = resync(&self.buf, from) {
                if p < self.buf.len() {
                    return Some(p);
                }
            }
            if !self.fill() {
                return None;
            }
        }
    }
}

fn stream_array(s: &mut Stream, start: usize, file: &str, sink: &mut dyn FnMut(RecordResult)) {
    let mut pos = s.skip_ws(start + 1);
    let mut i = 0usize;
    let mut expect_elem = true;
    loop {
        let mut r = Reader {
            b: &[],
            base: s.base,
            file,
            sink: &mut *sink,
        };
        match s.buf.get(pos) {
            None => {
                r.error(
                    Some(format!("record {i}")),
                    format!("truncated JSON: array not closed at byte {}", s.base + pos),
                );
                return;
            }
            Some(b']') if !expect_elem || i == 0 => {
                let end = s.skip_ws(pos + 1);
                if end < s.buf.len() {
                    r.base = s.base;
                    r.error(
                        None,
                        format!(
                            "unexpected content after the JSON value at byte {}",
                            s.base + end
                        ),
                    );
                }
                return;
            }
            Some(b',') if !expect_elem => {
                expect_elem = true;
                pos = s.skip_ws(pos + 1);
            }
            Some(_) if !expect_elem => {
                r.error(
                    Some(format!("record {i}")),
                    format!("invalid JSON: expected ',' or ']' at byte {}", s.base + pos),
                );
                match s.resync(pos) {
                    Some(p) => pos = p,
                    None => return,
                }
                expect_elem = true;
            }
            Some(_) => match s.value_end(pos) {
                Ok(end) => {
                    let mut r = Reader {
                        b: &s.buf,
                        base: s.base,
                        file,
                        sink: &mut *sink,
                    };
                    match s.oversized.take() {
                        Some((at, len)) => {
                            r.error(Some(format!("record {i}")), crate::too_large(len, at))
                        }
                        None => r.study(pos, end, Some(format!("record {i}"))),
                    }
                    i += 1;
                    expect_elem = false;
                    pos = s.consume(end);
                    pos = s.skip_ws(pos);
                }
                Err(e) => {
                    let mut r = Reader {
                        b: &s.buf,
                        base: s.base,
                        file,
                        sink: &mut *sink,
                    };
                    r.error(
                        Some(format!("record {i}")),
                        format!(
                            "invalid JSON in element starting at byte {}: {} at byte {}",
                            s.base + pos,
                            e.reason,
                            s.base + e.at
                        ),
                    );
                    i += 1;
                    match s.resync(pos + 1) {
                        Some(p) => pos = s.consume(p),
                        None => return,
                    }
                }
            },
        }
    }
}

fn stream_ndjson(s: &mut Stream, file: &str, sink: &mut dyn FnMut(RecordResult)) {
    let mut line_no = 1usize;
    let mut pos = 0usize;
    loop {
        // Find the end of the current line, reading on as needed; each byte
        // is looked at once, and a line over the size limit is dropped as
        // it is read.
        let (line_start, mut from) = (s.base + pos, pos);
        let mut oversized = false;
        let line_end = loop {
            if let Some(p) = s.buf[from..].iter().position(|&c| c == b'\n') {
                break from + p;
            }
            from = s.buf.len();
            if s.base + from - line_start > crate::MAX_RECORD_BYTES {
                oversized = true;
                s.buf.clear();
                s.base += from;
                (pos, from) = (0, 0);
            }
            if !s.fill() {
                break s.buf.len();
            }
        };
        if pos >= s.buf.len() && !oversized {
            return;
        }
        let mut r = Reader {
            b: &s.buf,
            base: s.base,
            file,
            sink: &mut *sink,
        };
        let len = s.base + line_end - line_start;
        if oversized || len > crate::MAX_RECORD_BYTES {
            r.error(
                Some(format!("line {line_no}")),
                crate::too_large(len, line_start),
            );
        } else {
            r.ndjson_line(pos, line_end, line_no);
        }
        line_no += 1;
        pos = s.consume(line_end + 1);
    }
}

/// NDJSON when the first two non-blank lines both start with `{` and the
/// first is not a lone `{` (pretty-printed JSON).
fn looks_like_ndjson(b: &[u8]) -> bool {
    let mut lines = b
        .split(|&c| c == b'\n')
        .map(|l| l.trim_ascii())
        .filter(|l| !l.is_empty());
    match (lines.next(), lines.next()) {
        (Some(first), Some(second)) => {
            first != b"{" && first.starts_with(b"{") && second.starts_with(b"{")
        }
        _ => false,
    }
}

struct Reader<'a, 's> {
    b: &'a [u8],
    /// Offset of `b[0]` in the file (streaming reads hold a window).
    base: usize,
    file: &'a str,
    sink: &'s mut dyn FnMut(RecordResult),
}

impl Reader<'_, '_> {
    fn error(&mut self, record: Option<String>, reason: String) {
        (self.sink)(Err(RecordError {
            file: self.file.to_string(),
            record,
            reason,
        }));
    }

    fn trailing(&mut self, pos: usize) {
        let pos = skip_ws(self.b, pos);
        if pos < self.b.len() {
            self.error(
                None,
                format!(
                    "unexpected content after the JSON value at byte {}",
                    self.base + pos
                ),
            );
        }
    }

    /// Reads the array starting at `start` (`[`), one study per element;
    /// returns the offset after the array (or the input end on failure).
    fn array(&mut self, start: usize, label: &dyn Fn(usize) -> String) -> usize {
        let b = self.b;
        let mut pos = skip_ws(b, start + 1);
        if b.get(pos) == Some(&b']') {
            return pos + 1;
        }
        let mut i = 0usize;
        loop {
            match value_end(b, pos) {
                Ok(end) => {
                    self.study(pos, end, Some(label(i)));
                    let after = skip_ws(b, end);
                    match b.get(after) {
                        Some(b',') => pos = skip_ws(b, after + 1),
                        Some(b']') => return after + 1,
                        Some(_) => {
                            self.error(
                                Some(label(i + 1)),
                                format!(
                                    "invalid JSON: expected ',' or ']' at byte {}",
                                    self.base + after
                                ),
                            );
                            match resync(b, after) {
                                Some(p) => pos = p,
                                None => return b.len(),
                            }
                        }
                        None => {
                            self.error(
                                Some(label(i + 1)),
                                format!(
                                    "truncated JSON: array not closed at byte {}",
                                    self.base + after
                                ),
                            );
                            return b.len();
                        }
                    }
                }
                Err(e) => {
                    let (base, reason) = (self.base, e.reason);
                    self.error(
                        Some(label(i)),
                        format!(
                            "invalid JSON in element starting at byte {}: {reason} at byte {}",
                            base + pos,
                            base + e.at
                        ),
                    );
                    match resync(b, pos + 1) {
                        Some(p) => pos = p,
                        None => return b.len(),
                    }
                }
            }
            i += 1;
        }
    }

    /// A top-level object: a page (`studies` array) or one study.
    fn object(
        &mut self,
        start: usize,
        end: usize,
        label: Option<String>,
        elem_label: &dyn Fn(usize) -> String,
    ) {
        match find_member(self.b, start, end, b"studies") {
            Some(vstart) if self.b.get(vstart) == Some(&b'[') => {
                self.array(vstart, elem_label);
            }
            _ => self.study(start, end, label),
        }
    }

    fn ndjson(&mut self, start: usize) {
        let b = self.b;
        let mut line_start = start;
        // Line numbers count from the start of the file.
        let mut line_no = 1 + b[..start].iter().filter(|&&c| c == b'\n').count();
        while line_start < b.len() {
            let line_end = b[line_start..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| line_start + p);
            self.ndjson_line(line_start, line_end, line_no);
            line_start = line_end + 1;
            line_no += 1;
        }
    }

    /// One NDJSON line, `b[line_start..line_end]`: a study or a page.
    fn ndjson_line(&mut self, line_start: usize, line_end: usize, line_no: usize) {
        let b = &self.b[..line_end];
        let s = skip_ws(b, line_start);
        if s >= line_end {
            return;
        }
        let label = format!("line {line_no}");
        match value_end(b, s) {
            Ok(e) if skip_ws(b, e) == line_end => {
                let page_label = label.clone();
                self.object(s, e, Some(label), &|i| format!("{page_label} record {i}"));
            }
            Ok(e) => {
                let at = self.base + skip_ws(b, e);
                self.error(
                    Some(label),
                    format!("invalid JSON: unexpected content after the value at byte {at}"),
                )
            }
            Err(e) => {
                let at = self.base + e.at;
                self.error(
                    Some(label),
                    format!("invalid JSON: {} at byte {at}", e.reason),
                )
            }
        }
    }

    fn study(&mut self, start: usize, end: usize, record: Option<String>) {
        let span = &self.b[start..end];
        if span.len() > crate::MAX_RECORD_BYTES {
            let reason = crate::too_large(span.len(), self.base + start);
            return self.error(record, reason);
        }
        let result = match serde_json::from_slice::<Value>(span) {
            Ok(v) => map_study(&v, self.file, record.clone(), content_hash_lf(span)),
            Err(e) => Err(format!(
                "invalid JSON at byte {}: {e}",
                self.base + start + offset_of(span, e.line(), e.column())
            )),
        };
        let file = self.file;
        (self.sink)(result.map_err(|reason| RecordError {
            file: file.to_string(),
            record,
            reason,
        }));
    }
}

/// Where a line/column (1-based, as serde_json reports) is in `span`.
fn offset_of(span: &[u8], line: usize, column: usize) -> usize {
    let mut off = 0usize;
    for _ in 1..line {
        match span[off..].iter().position(|&c| c == b'\n') {
            Some(p) => off += p + 1,
            None => return span.len(),
        }
    }
    (off + column.saturating_sub(1)).min(span.len())
}

/// The next line start (after `from`) whose first non-blank byte is `{`.
fn resync(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        let nl = i + b[i..].iter().position(|&c| c == b'\n')?;
        let s = nl
            + 1
            + b[nl + 1..]
                .iter()
                .take_while(|c| **c == b' ' || **c == b'\t')
                .count();
        if b.get(s) == Some(&b'{') {
            return Some(s);
        }
        i = nl + 1;
    }
    None
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(c) = b.get(i) {
        if !matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            break;
        }
        i += 1;
    }
    i
}

#[derive(Debug)]
struct ScanError {
    at: usize,
    reason: &'static str,
}

/// End (exclusive) of the string starting at `start` (`"`).
fn string_end(b: &[u8], start: usize) -> Result<usize, ScanError> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Ok(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    Err(ScanError {
        at: b.len(),
        reason: "unexpected end of input inside a string",
    })
}

/// End (exclusive) of the JSON value starting at `start`. Checks brackets
/// and strings only; the value's grammar is left to serde_json.
fn value_end(b: &[u8], start: usize) -> Result<usize, ScanError> {
    match b.get(start) {
        None => Err(ScanError {
            at: start,
            reason: "unexpected end of input",
        }),
        Some(b'"') => string_end(b, start),
        Some(b'{') | Some(b'[') => {
            let mut stack: Vec<u8> = Vec::with_capacity(16);
            let mut i = start;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = string_end(b, i)?;
                        continue;
                    }
                    b'{' => stack.push(b'}'),
                    b'[' => stack.push(b']'),
                    c @ (b'}' | b']') => {
                        if stack.pop() != Some(c) {
                            return Err(ScanError {
                                at: i,
                                reason: "mismatched bracket",
                            });
                        }
                        if stack.is_empty() {
                            return Ok(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            Err(ScanError {
                at: b.len(),
                reason: "unexpected end of input (unclosed object or array)",
            })
        }
        Some(_) => {
            let mut i = start;
            while i < b.len() && !matches!(b[i], b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n')
            {
                i += 1;
            }
            if i == start {
                Err(ScanError {
                    at: start,
                    reason: "unexpected character",
                })
            } else {
                Ok(i)
            }
        }
    }
}

/// The start of the value of member `key` of the object spanning
/// `start..end` (top level of that object only).
fn find_member(b: &[u8], start: usize, end: usize, key: &[u8]) -> Option<usize> {
    let b = &b[..end];
    let mut pos = skip_ws(b, start + 1);
    loop {
        if b.get(pos) != Some(&b'"') {
            return None;
        }
        let kend = string_end(b, pos).ok()?;
        let k = &b[pos + 1..kend - 1];
        let colon = skip_ws(b, kend);
        if b.get(colon) != Some(&b':') {
            return None;
        }
        let vstart = skip_ws(b, colon + 1);
        if k == key {
            return Some(vstart);
        }
        let vend = value_end(b, vstart).ok()?;
        let next = skip_ws(b, vend);
        if b.get(next) != Some(&b',') {
            return None;
        }
        pos = skip_ws(b, next + 1);
    }
}

// ---------------------------------------------------------------------------
// Mapping one study to a Trial.

fn get<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for k in path {
        cur = cur.get(*k)?;
    }
    Some(cur)
}

/// A non-empty string at `path`, as the source has it.
fn raw(v: &Value, path: &[&str]) -> Option<String> {
    get(v, path)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

/// A non-empty human-text string at `path`, through text repair.
fn text(v: &Value, path: &[&str]) -> Option<String> {
    get(v, path)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(repair_text)
}

fn arr<'v>(v: &'v Value, path: &[&str]) -> &'v [Value] {
    get(v, path)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn text_list(v: &Value, path: &[&str]) -> Vec<String> {
    arr(v, path)
        .iter()
        .filter_map(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(repair_text)
        .collect()
}

fn raw_list(v: &Value, path: &[&str]) -> Vec<String> {
    arr(v, path)
        .iter()
        .filter_map(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The registry an identifier belongs to, from its shape alone (the one
/// rule set, in [`crate::identity::classify_registry_id`]).
fn registry_kind(id: &str) -> Option<&'static str> {
    crate::identity::classify_registry_id(id)
}

/// A secondary id as written plus what the source says of its type.
/// EudraCT numbers written with a `EudraCT` prefix keep the bare number.
pub(crate) fn secondary_registry_id(
    id: &str,
    source_type: Option<&str>,
    domain: Option<&str>,
) -> RegistryId {
    let id = id.trim();
    let mut id_str = id.to_string();
    let mut domain = domain
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let mut kind = registry_kind(id).map(str::to_string);
    if kind.is_none() {
        let lower = id.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("eudract") {
            let bare = rest.trim_start_matches([' ', ':', '-', '#', '.']);
            if registry_kind(bare) == Some("eudract") {
                id_str = bare.to_string();
                kind = Some("eudract".into());
            }
        }
    }
    if kind.is_none() {
        // A registry id in `domain` and free text in `id`: swapped at entry.
        if let Some(k) = domain.as_deref().and_then(registry_kind) {
            let d = domain.take().unwrap_or_default();
            domain = Some(std::mem::replace(&mut id_str, d));
            kind = Some(k.to_string());
        }
    }
    let kind = kind.unwrap_or_else(|| match source_type {
        Some("EUDRACT_NUMBER") => "eudract".into(),
        Some("CTIS") => "euct".into(),
        _ => "other".into(),
    });
    if domain.is_none() {
        // No domain: the registry's name, else the API v2 type (`NIH`,
        // `FDA`, `OTHER_GRANT` …) unless it says nothing (`OTHER`).
        domain = crate::identity::registry_name(&kind)
            .map(str::to_string)
            .or_else(|| {
                source_type
                    .map(str::trim)
                    .filter(|t| !t.is_empty() && *t != "OTHER")
                    .map(str::to_string)
            });
    }
    RegistryId {
        id: id_str,
        kind,
        source: domain,
    }
}

/// Picks the trial id: the NCT id, else another registry id (not `org`),
/// else the derived id of title and lead sponsor
/// ([`crate::identity::derived_id`]).
pub(crate) fn pick_id(t: &Trial) -> String {
    let ids = &t.registry_ids;
    ids.iter()
        .find(|r| r.kind == "nct")
        .or_else(|| {
            ids.iter()
                .find(|r| crate::identity::is_registry_kind(&r.kind))
        })
        .map(|r| r.id.clone())
        .unwrap_or_else(|| {
            crate::identity::derived_id(t.title.as_deref().unwrap_or(""), t.lead_sponsor())
        })
}

fn outcomes(v: &Value, key: &str) -> Vec<Outcome> {
    arr(v, &["protocolSection", "outcomesModule", key])
        .iter()
        .filter_map(|o| {
            Some(Outcome {
                measure: text(o, &["measure"])?,
                description: text(o, &["description"]),
                time_frame: text(o, &["timeFrame"]),
                raw: None,
            })
        })
        .collect()
}

fn date(v: &Value, key: &str) -> Option<String> {
    raw(v, &["protocolSection", "statusModule", key, "date"])
}

fn map_study(v: &Value, file: &str, record: Option<String>, hash: String) -> Result<Trial, String> {
    let ps = match v.get("protocolSection") {
        Some(ps) if ps.is_object() => ps,
        _ => {
            return Err(if v.is_object() {
                "not a CT.gov API v2 study: no protocolSection".into()
            } else {
                "not a CT.gov API v2 study: not a JSON object".into()
            })
        }
    };
    let idm = &["identificationModule"];
    let mut t = Trial::default();

    // Identifiers.
    if let Some(nct) = raw(ps, &[idm[0], "nctId"]) {
        t.registry_ids.push(RegistryId {
            id: nct.trim().to_string(),
            kind: "nct".into(),
            source: Some("ClinicalTrials.gov".into()),
        });
    }
    for s in arr(ps, &[idm[0], "secondaryIdInfos"]) {
        if let Some(id) = raw(s, &["id"]) {
            t.registry_ids.push(secondary_registry_id(
                &id,
                s.get("type").and_then(Value::as_str),
                s.get("domain").and_then(Value::as_str),
            ));
        }
    }
    if let Some(org) = raw(ps, &[idm[0], "orgStudyIdInfo", "id"]) {
        t.registry_ids.push(RegistryId {
            id: org.trim().to_string(),
            kind: "org".into(),
            source: raw(ps, &[idm[0], "organization", "fullName"]),
        });
    }
    t.aliases = raw_list(ps, &[idm[0], "nctIdAliases"]);

    t.title = text(ps, &[idm[0], "briefTitle"]);
    t.official_title = text(ps, &[idm[0], "officialTitle"]);
    t.acronym = text(ps, &[idm[0], "acronym"]);

    // Status and dates.
    t.status = raw(ps, &["statusModule", "overallStatus"]).and_then(|s| OverallStatus::parse(&s));
    t.dates = TrialDates {
        start: date(v, "startDateStruct"),
        primary_completion: date(v, "primaryCompletionDateStruct"),
        completion: date(v, "completionDateStruct"),
        first_posted: date(v, "studyFirstPostDateStruct"),
        last_update: date(v, "lastUpdatePostDateStruct"),
    };

    // Design.
    let dm = "designModule";
    let mut phases: Vec<Phase> = arr(ps, &[dm, "phases"])
        .iter()
        .filter_map(Value::as_str)
        .flat_map(Phase::parse_list)
        .collect();
    phases.sort();
    phases.dedup();
    t.phase = phases;
    t.study_type = raw(ps, &[dm, "studyType"]);
    t.enrollment = get(ps, &[dm, "enrollmentInfo", "count"])
        .and_then(Value::as_u64)
        .and_then(|c| u32::try_from(c).ok())
        .map(|count| Enrollment {
            count,
            kind: raw(ps, &[dm, "enrollmentInfo", "type"]),
        });
    let di = |k: &str| raw(ps, &[dm, "designInfo", k]);
    let observational_model = match (di("observationalModel"), di("timePerspective")) {
        (Some(m), Some(tp)) => Some(format!("{m}; {tp}")),
        (m, tp) => m.or(tp),
    };
    t.design = Design {
        allocation: di("allocation"),
        intervention_model: di("interventionModel"),
        masking: raw(ps, &[dm, "designInfo", "maskingInfo", "masking"]),
        primary_purpose: di("primaryPurpose"),
        observational_model,
    };

    t.conditions = text_list(ps, &["conditionsModule", "conditions"]);
    t.keywords = text_list(ps, &["conditionsModule", "keywords"]);

    // Arms and interventions.
    let aim = "armsInterventionsModule";
    t.arms = arr(ps, &[aim, "armGroups"])
        .iter()
        .filter_map(|a| {
            Some(Arm {
                label: text(a, &["label"])?,
                kind: raw(a, &["type"]),
                description: text(a, &["description"]),
                interventions: text_list(a, &["interventionNames"]),
            })
        })
        .collect();
    t.interventions = arr(ps, &[aim, "interventions"])
        .iter()
        .filter_map(|i| {
            Some(Intervention {
                kind: raw(i, &["type"]).unwrap_or_else(|| "OTHER".into()),
                name: text(i, &["name"])?,
                description: text(i, &["description"]),
                other_names: text_list(i, &["otherNames"]),
                arm_labels: text_list(i, &["armGroupLabels"]),
            })
        })
        .collect();

    t.outcomes.primary = outcomes(v, "primaryOutcomes");
    t.outcomes.secondary = outcomes(v, "secondaryOutcomes");
    t.outcomes.other = outcomes(v, "otherOutcomes");

    // Eligibility.
    let em = "eligibilityModule";
    t.eligibility = Eligibility {
        min_age: raw(ps, &[em, "minimumAge"]).and_then(|s| AgeLimit::parse(&s)),
        max_age: raw(ps, &[em, "maximumAge"]).and_then(|s| AgeLimit::parse(&s)),
        sex: raw(ps, &[em, "sex"]).and_then(|s| SexEligibility::parse(&s)),
        healthy_volunteers: get(ps, &[em, "healthyVolunteers"]).and_then(Value::as_bool),
        criteria_text: get(ps, &[em, "eligibilityCriteria"])
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(repair_text),
        std_ages: raw_list(ps, &[em, "stdAges"]),
    };

    // Sponsors, responsible party, officials.
    let scm = "sponsorCollaboratorsModule";
    if let Some(name) = text(ps, &[scm, "leadSponsor", "name"]) {
        t.sponsors.push(Sponsor {
            name,
            role: "lead".into(),
            class: raw(ps, &[scm, "leadSponsor", "class"]),
            description: None,
        });
    }
    for c in arr(ps, &[scm, "collaborators"]) {
        if let Some(name) = text(c, &["name"]) {
            t.sponsors.push(Sponsor {
                name,
                role: "collaborator".into(),
                class: raw(c, &["class"]),
                description: None,
            });
        }
    }
    if let Some(rp) = get(ps, &[scm, "responsibleParty"]) {
        let party = ResponsibleParty {
            kind: raw(rp, &["type"]),
            name: text(rp, &["investigatorFullName"]).or_else(|| text(rp, &["oldNameTitle"])),
            affiliation: text(rp, &["investigatorAffiliation"])
                .or_else(|| text(rp, &["oldOrganization"])),
        };
        if party != ResponsibleParty::default() {
            t.responsible_party = Some(party);
        }
    }
    let clm = "contactsLocationsModule";
    t.officials = arr(ps, &[clm, "overallOfficials"])
        .iter()
        .filter_map(|o| {
            Some(Official {
                name: text(o, &["name"])?,
                affiliation: text(o, &["affiliation"]),
                role: raw(o, &["role"]),
            })
        })
        .collect();
    let locs = match get(ps, &[clm, "locations"]) {
        Some(l) => l.as_array().map_or(&[][..], Vec::as_slice),
        None => arr(ps, &[clm, "locations_nested"]),
    };
    t.locations = locs
        .iter()
        .map(|l| Location {
            facility: text(l, &["facility"]),
            city: text(l, &["city"]),
            state: text(l, &["state"]),
            zip: raw(l, &["zip"]),
            country: text(l, &["country"]),
            status: raw(l, &["status"]),
            geo: match (
                get(l, &["geoPoint", "lat"]).and_then(Value::as_f64),
                get(l, &["geoPoint", "lon"]).and_then(Value::as_f64),
            ) {
                (Some(lat), Some(lon)) => Some(GeoPoint { lat, lon }),
                _ => None,
            },
        })
        .collect();

    t.references = arr(ps, &["referencesModule", "references"])
        .iter()
        .map(|r| Reference {
            citation: text(r, &["citation"]),
            pmid: raw(r, &["pmid"]),
            kind: raw(r, &["type"]),
        })
        .filter(|r| r.citation.is_some() || r.pmid.is_some())
        .collect();

    t.has_results = v.get("hasResults").and_then(Value::as_bool);
    t.results = v.get("resultsSection").and_then(crate::results::from_json);
    t.brief_summary = text(ps, &["descriptionModule", "briefSummary"]);
    t.detailed_description = text(ps, &["descriptionModule", "detailedDescription"]);

    t.id = pick_id(&t);
    t.sources.push(SourceRef {
        format: Format::CtgovJson.name().into(),
        file: file.into(),
        record,
        content_hash: hash,
        current_as_of: None,
    });
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::content_hash;

    const STUDY_A: &str = r#"{"protocolSection":{"identificationModule":{"nctId":"NCT00000001","orgStudyIdInfo":{"id":"ORG-1"},"organization":{"fullName":"Org"},"secondaryIdInfos":[{"id":"2022-002898-28","type":"EUDRACT_NUMBER"},{"id":"Chinadrugtrials","type":"OTHER","domain":"CTR20231827"},{"id":"R01 CA1","type":"NIH"}],"briefTitle":"A"},"statusModule":{"overallStatus":"RECRUITING","startDateStruct":{"date":"2023-05"}},"designModule":{"studyType":"INTERVENTIONAL","phases":["PHASE1","PHASE2"],"enrollmentInfo":{"count":40,"type":"ESTIMATED"}},"eligibilityModule":{"eligibilityCriteria":"Inclusion Criteria:\n\n* Age \u2265 18","minimumAge":"18 Years","sex":"ALL","healthyVolunteers":false,"stdAges":["ADULT"]},"contactsLocationsModule":{"locations":[{"facility":"H","city":"C","country":"US","status":"RECRUITING","geoPoint":{"lat":1.5,"lon":-2.0}}]}},"hasResults":false}"#;
    const STUDY_B: &str =
        r#"{"protocolSection":{"identificationModule":{"nctId":"NCT00000002","briefTitle":"B"}}}"#;

    fn run(input: &str) -> Vec<RecordResult> {
        let mut out = Vec::new();
        read(input.as_bytes(), "t.json", &mut |r| out.push(r));
        out
    }

    #[test]
    fn single_study_maps_fields() {
        let out = run(STUDY_A);
        assert_eq!(out.len(), 1);
        let t = out[0].as_ref().expect("study A reads");
        assert_eq!(t.id, "NCT00000001");
        assert_eq!(t.status, Some(OverallStatus::Recruiting));
        assert_eq!(t.phase, vec![Phase::Phase1, Phase::Phase2]);
        assert_eq!(t.enrollment.as_ref().map(|e| e.count), Some(40));
        assert_eq!(t.dates.start.as_deref(), Some("2023-05"));
        assert_eq!(
            t.eligibility.criteria_text.as_deref(),
            Some("Inclusion Criteria:\n\n* Age \u{2265} 18")
        );
        assert_eq!(t.eligibility.min_age.as_ref().map(|a| a.value), Some(18.0));
        assert_eq!(
            t.locations[0].geo,
            Some(GeoPoint {
                lat: 1.5,
                lon: -2.0
            })
        );
        let kinds: Vec<(&str, &str)> = t
            .registry_ids
            .iter()
            .map(|r| (r.id.as_str(), r.kind.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("NCT00000001", "nct"),
                ("2022-002898-28", "eudract"),
                ("CTR20231827", "ctr"),
                ("R01 CA1", "other"),
                ("ORG-1", "org"),
            ]
        );
        assert_eq!(t.registry_ids[3].source.as_deref(), Some("NIH"));
        assert_eq!(t.registry_ids[2].source.as_deref(), Some("Chinadrugtrials"));
        assert_eq!(t.sources.len(), 1);
        assert_eq!(t.sources[0].record, None);
        assert_eq!(t.sources[0].content_hash, content_hash(STUDY_A.as_bytes()));
    }

    #[test]
    fn a_cut_page_keeps_its_complete_studies() {
        let page = format!("{{\"studies\":[{STUDY_A},{STUDY_B}");
        let cut = &page[..page.len() - 10];
        let out = run(cut);
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(
            out[0].as_ref().map(|t| t.id.as_str()).ok(),
            Some("NCT00000001")
        );
        let e = out[1].as_ref().expect_err("the cut study is reported");
        assert_eq!(e.record.as_deref(), Some("record 1"));
        assert!(e.reason.contains("byte"), "{}", e.reason);
    }

    #[test]
    fn array_page_and_ndjson() {
        let arr = format!("[\n{STUDY_A},\n{STUDY_B}\n]");
        let out = run(&arr);
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|r| r.is_ok()));
        let b = out[1].as_ref().expect("B reads");
        assert_eq!(b.sources[0].record.as_deref(), Some("record 1"));
        assert_eq!(b.sources[0].content_hash, content_hash(STUDY_B.as_bytes()));

        let page = format!("{{\"studies\":[{STUDY_A},{STUDY_B}],\"nextPageToken\":\"abc\"}}");
        let ids: Vec<String> = run(&page)
            .into_iter()
            .filter_map(|r| r.ok().map(|t| t.id))
            .collect();
        assert_eq!(ids, vec!["NCT00000001", "NCT00000002"]);

        let nd = format!("{STUDY_A}\n{{\"protocolSection\": broken\n{STUDY_B}\n");
        let out = run(&nd);
        assert_eq!(out.len(), 3);
        assert!(out[0].is_ok() && out[2].is_ok());
        let e = out[1].as_ref().expect_err("line 2 is broken");
        assert_eq!(e.record.as_deref(), Some("line 2"));
        assert_eq!(
            out[2]
                .as_ref()
                .map(|t| t.sources[0].record.clone())
                .ok()
                .flatten()
                .as_deref(),
            Some("line 3")
        );
    }

    #[test]
    fn broken_array_element_reports_index_and_offset() {
        // Element 1 has a trailing comma (balanced); element 2 is unbalanced.
        let bad1 = r#"{"protocolSection":{"identificationModule":{"nctId":"NCT00000003",}}}"#;
        let bad2 = r#"{"protocolSection":{"identificationModule":{"nctId":"NCT00000004"}"#;
        let input = format!("[\n{STUDY_A},\n{bad1},\n{bad2},\n{STUDY_B}\n]");
        let out = run(&input);
        let oks: Vec<String> = out
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|t| t.id.clone()))
            .collect();
        assert_eq!(oks, vec!["NCT00000001", "NCT00000002"]);
        let errs: Vec<&RecordError> = out.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].record.as_deref(), Some("record 1"));
        assert!(errs[0].reason.contains("at byte"), "{}", errs[0].reason);
        assert_eq!(errs[1].record.as_deref(), Some("record 2"));
        assert!(errs[1].reason.contains("byte"), "{}", errs[1].reason);
        assert_eq!(errs[0].file, "t.json");
    }

    #[test]
    fn bad_json_and_non_study() {
        let out = run("{\"protocolSection\": {\"identificationModule\": ");
        assert_eq!(out.len(), 1);
        let e = out[0].as_ref().expect_err("truncated");
        assert!(e.reason.contains("unexpected end of input"), "{}", e.reason);

        let out = run("[{\"foo\": 1}]");
        let e = out[0].as_ref().expect_err("not a study");
        assert!(e.reason.contains("no protocolSection"));
        assert_eq!(e.record.as_deref(), Some("record 0"));

        let out = run("[1, 2");
        assert!(out.iter().all(|r| r.is_err()));
        assert!(!out.is_empty());
    }

    /// A source that hands out a few bytes per read, to cross every window
    /// boundary.
    struct Trickle<'a>(&'a [u8], usize);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(self.0.len()).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn describe(out: &[RecordResult]) -> Vec<String> {
        out.iter()
            .map(|r| match r {
                Ok(t) => format!(
                    "{} {:?} {}",
                    t.id, t.sources[0].record, t.sources[0].content_hash
                ),
                Err(e) => e.to_string(),
            })
            .collect()
    }

    #[test]
    fn streaming_matches_in_memory() {
        let bad1 = r#"{"protocolSection":{"identificationModule":{"nctId":"NCT00000003",}}}"#;
        let bad2 = r#"{"protocolSection":{"identificationModule":{"nctId":"NCT00000004"}"#;
        let inputs = [
            format!("[\n{STUDY_A},\n{STUDY_B}\n]\n"),
            format!("\u{feff}[\n{STUDY_A},\n{bad1},\n{bad2},\n{STUDY_B}\n]"),
            format!("[\n{STUDY_A},\n{STUDY_B}"),
            format!("[{STUDY_A}] trailing"),
            "[]".to_string(),
            format!("{STUDY_A}\n{{\"protocolSection\": broken\n\n{STUDY_B}"),
            format!("{{\"studies\":[{STUDY_A},{STUDY_B}],\"nextPageToken\":\"x\"}}"),
            STUDY_B.to_string(),
        ];
        for input in &inputs {
            let bytes = input.as_bytes();
            let mut mem = Vec::new();
            read(bytes, "s.json", &mut |r| mem.push(r));
            for (head_len, step) in [(0, 7), (5, 1), (40, 64), (bytes.len(), 3)] {
                let head_len = head_len.min(bytes.len());
                let mut src = Trickle(&bytes[head_len..], step);
                let mut streamed = Vec::new();
                read_stream(bytes[..head_len].to_vec(), &mut src, "s.json", &mut |r| {
                    streamed.push(r)
                });
                assert_eq!(
                    describe(&streamed),
                    describe(&mem),
                    "{input:?} head {head_len}"
                );
            }
            assert!(!mem.is_empty() || input == "[]", "{input:?}");
        }
    }

    #[test]
    fn registry_kinds() {
        assert_eq!(registry_kind("NCT06310590"), Some("nct"));
        assert_eq!(registry_kind("2023-503951-81-00"), Some("euct"));
        assert_eq!(registry_kind("2006-002087-26"), Some("eudract"));
        assert_eq!(registry_kind("ISRCTN12345678"), Some("isrctn"));
        assert_eq!(registry_kind("ChiCTR2000029308"), Some("chictr"));
        assert_eq!(registry_kind("jRCT2031230046"), Some("jrct"));
        assert_eq!(registry_kind("CTR20231827"), Some("ctr"));
        assert_eq!(registry_kind("00-C-0014"), None);
        let r = secondary_registry_id("EudraCT 2006-002087-26", None, None);
        assert_eq!(
            (r.id.as_str(), r.kind.as_str()),
            ("2006-002087-26", "eudract")
        );
    }
}
