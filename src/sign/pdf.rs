//! A PAdES baseline B-B signature appended to a PDF as one incremental
//! update, and its verification.
//!
//! The update adds a signature field (a widget with no area, tagged as a
//! `Form` structure element and described by `/TU`, so PDF/UA-1 holds), its
//! signature dictionary and an empty appearance; it rewrites the catalog,
//! the first page, the structure tree root, its parent tree and the document
//! element, and leaves `/Info` and the XMP metadata as they were, so PDF/A
//! holds. The bytes before the update are the unsigned file, unchanged.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::{Key, cms};

/// Room for the CMS message: 16 KiB holds a chain of several certificates.
const CONTENTS_BYTES: usize = 16 * 1024;

/// A PDF object, as far as signing needs to read and rewrite one.
#[derive(Clone, Debug, PartialEq)]
pub enum Obj {
    /// Anything kept as written: numbers, booleans, null, names, strings.
    Raw(Vec<u8>),
    /// An array.
    Array(Vec<Obj>),
    /// A dictionary, in its order.
    Dict(Vec<(String, Obj)>),
    /// An indirect reference.
    Ref(u32, u16),
}

impl Obj {
    /// The value of a dictionary's key.
    pub fn get(&self, key: &str) -> Option<&Obj> {
        match self {
            Obj::Dict(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets a dictionary's key, in place or at the end.
    fn set(&mut self, key: &str, value: Obj) {
        if let Obj::Dict(pairs) = self {
            match pairs.iter_mut().find(|(k, _)| k == key) {
                Some(pair) => pair.1 = value,
                None => pairs.push((key.to_string(), value)),
            }
        }
    }

    fn as_ref(&self) -> Option<(u32, u16)> {
        match self {
            Obj::Ref(n, g) => Some((*n, *g)),
            _ => None,
        }
    }

    fn raw_text(&self) -> Option<String> {
        match self {
            Obj::Raw(b) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Obj::Raw(b) => out.extend_from_slice(b),
            Obj::Ref(n, g) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
            Obj::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Obj::Dict(pairs) => {
                out.extend_from_slice(b"<<");
                for (k, v) in pairs {
                    out.extend_from_slice(k.as_bytes());
                    out.push(b' ');
                    v.write(out);
                }
                out.extend_from_slice(b">>");
            }
        }
    }
}

fn raw(text: &str) -> Obj {
    Obj::Raw(text.as_bytes().to_vec())
}

/// A PDF text string: the text as UTF-16BE in a hex string.
fn text_string(text: &str) -> Obj {
    let mut hex = String::from("<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(hex, "{unit:04X}");
    }
    hex.push('>');
    raw(&hex)
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b) || b == 0
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b.is_ascii_whitespace() || b == 0 {
                self.pos += 1;
            } else if b == b'%' {
                while self
                    .bytes
                    .get(self.pos)
                    .is_some_and(|b| *b != b'\n' && *b != b'\r')
                {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn token(&mut self) -> &[u8] {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(|b| !is_delimiter(*b)) {
            self.pos += 1;
        }
        &self.bytes[start..self.pos]
    }

    fn object(&mut self, depth: usize) -> Option<Obj> {
        if depth > 64 {
            return None;
        }
        self.skip_space();
        let rest = self.bytes.get(self.pos..)?;
        if rest.starts_with(b"<<") {
            self.pos += 2;
            let mut pairs = Vec::new();
            loop {
                self.skip_space();
                if self.bytes.get(self.pos..)?.starts_with(b">>") {
                    self.pos += 2;
                    return Some(Obj::Dict(pairs));
                }
                if self.bytes.get(self.pos) != Some(&b'/') {
                    return None;
                }
                self.pos += 1;
                let key = format!("/{}", String::from_utf8_lossy(self.token()));
                let value = self.object(depth + 1)?;
                pairs.push((key, value));
            }
        }
        match rest.first()? {
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    if self.bytes.get(self.pos) == Some(&b']') {
                        self.pos += 1;
                        return Some(Obj::Array(items));
                    }
                    items.push(self.object(depth + 1)?);
                }
            }
            b'(' => self.literal_string(),
            b'<' => {
                let end = self.pos + rest.iter().position(|b| *b == b'>')? + 1;
                let obj = Obj::Raw(self.bytes[self.pos..end].to_vec());
                self.pos = end;
                Some(obj)
            }
            b'/' => {
                self.pos += 1;
                let name = self.token().to_vec();
                Some(Obj::Raw([b"/".as_slice(), &name].concat()))
            }
            _ => self.number_or_ref(),
        }
    }

    fn literal_string(&mut self) -> Option<Obj> {
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(Obj::Raw(self.bytes[start..self.pos].to_vec()));
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn number_or_ref(&mut self) -> Option<Obj> {
        let first = self.token().to_vec();
        if first.is_empty() {
            return None;
        }
        let save = self.pos;
        if first.iter().all(u8::is_ascii_digit) {
            self.skip_space();
            let second = self.token().to_vec();
            self.skip_space();
            if !second.is_empty()
                && second.iter().all(u8::is_ascii_digit)
                && self.bytes.get(self.pos) == Some(&b'R')
            {
                self.pos += 1;
                let n = std::str::from_utf8(&first).ok()?.parse().ok()?;
                let g = std::str::from_utf8(&second).ok()?.parse().ok()?;
                return Some(Obj::Ref(n, g));
            }
        }
        self.pos = save;
        Some(Obj::Raw(first))
    }
}

/// A PDF read as far as signing needs: where each object is, and the trailer.
pub struct Document<'a> {
    bytes: &'a [u8],
    offsets: BTreeMap<u32, usize>,
    /// The newest trailer dictionary.
    pub trailer: Obj,
    /// Where the newest cross-reference section starts.
    pub startxref: usize,
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

impl<'a> Document<'a> {
    /// Reads the cross-reference sections (classic tables, newest first).
    pub fn read(bytes: &'a [u8]) -> Result<Document<'a>, String> {
        let tail = &bytes[bytes.len().saturating_sub(1024)..];
        let at = find_last(tail, b"startxref").ok_or("no startxref: not a complete PDF")?;
        let mut p = Parser {
            bytes: tail,
            pos: at + 9,
        };
        p.skip_space();
        let startxref: usize = std::str::from_utf8(p.token())
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or("startxref is not a number")?;
        let mut offsets = BTreeMap::new();
        let mut trailer = None;
        let mut next = Some(startxref);
        for _ in 0..32 {
            let Some(at) = next else { break };
            let (section, this) = read_xref(bytes, at)?;
            for (n, off) in section {
                offsets.entry(n).or_insert(off);
            }
            next = this
                .get("/Prev")
                .and_then(Obj::raw_text)
                .and_then(|t| t.parse().ok());
            trailer.get_or_insert(this);
        }
        Ok(Document {
            bytes,
            offsets,
            trailer: trailer.ok_or("no trailer")?,
            startxref,
        })
    }

    /// The object numbered `n`, or None.
    pub fn object(&self, n: u32) -> Option<Obj> {
        let at = *self.offsets.get(&n)?;
        let mut p = Parser {
            bytes: self.bytes,
            pos: at,
        };
        let number = p.token().to_vec();
        if number != n.to_string().as_bytes() {
            return None;
        }
        p.skip_space();
        p.token();
        p.skip_space();
        if p.token() != b"obj" {
            return None;
        }
        p.object(0)
    }

    fn resolve(&self, obj: &Obj) -> Option<Obj> {
        match obj.as_ref() {
            Some((n, _)) => self.object(n),
            None => Some(obj.clone()),
        }
    }

    /// The number of objects the next update starts from.
    fn size(&self) -> u32 {
        let size = self
            .trailer
            .get("/Size")
            .and_then(Obj::raw_text)
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        size.max(self.offsets.keys().next_back().map_or(0, |n| n + 1))
    }
}

fn read_xref(bytes: &[u8], at: usize) -> Result<(Vec<(u32, usize)>, Obj), String> {
    let mut p = Parser { bytes, pos: at };
    if p.token() != b"xref" {
        return Err("the PDF uses cross-reference streams, which signing does not read".into());
    }
    let mut entries = Vec::new();
    loop {
        p.skip_space();
        let first = p.token().to_vec();
        if first == b"trailer" {
            break;
        }
        let start: u32 = std::str::from_utf8(&first)
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or("a broken cross-reference table")?;
        p.skip_space();
        let count: u32 = std::str::from_utf8(p.token())
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or("a broken cross-reference table")?;
        for i in 0..count {
            p.skip_space();
            let off = std::str::from_utf8(p.token())
                .ok()
                .and_then(|t| t.parse::<usize>().ok());
            p.skip_space();
            p.token();
            p.skip_space();
            let kind = p.token().to_vec();
            if let (Some(off), b"n") = (off, kind.as_slice()) {
                entries.push((start + i, off));
            }
        }
    }
    let trailer = p.object(0).ok_or("a broken trailer")?;
    Ok((entries, trailer))
}

/// The objects an update writes, by number, in order.
struct Update {
    objects: BTreeMap<u32, Vec<u8>>,
}

impl Update {
    fn put(&mut self, n: u32, obj: &Obj) {
        let mut body = Vec::new();
        obj.write(&mut body);
        self.objects.insert(n, body);
    }
}

/// The first page object of a page tree.
fn first_page(doc: &Document<'_>, pages: &Obj) -> Option<(u32, Obj)> {
    let mut node = pages.clone();
    for _ in 0..32 {
        let (n, _) = node.as_ref()?;
        let dict = doc.object(n)?;
        if dict.get("/Type") == Some(&raw("/Page")) {
            return Some((n, dict));
        }
        match dict.get("/Kids")? {
            Obj::Array(kids) => node = kids.first()?.clone(),
            _ => return None,
        }
    }
    None
}

/// Adds `form` (a Form structure element) to the structure tree, as the
/// parent of the widget whose /StructParent is the returned key.
fn tag_widget(
    doc: &Document<'_>,
    root: &Obj,
    form: u32,
    update: &mut Update,
) -> Result<Option<(u32, u32)>, String> {
    let Some(tree_ref) = root.get("/StructTreeRoot").and_then(Obj::as_ref) else {
        return Ok(None);
    };
    let broken = || "the structure tree cannot be read".to_string();
    let mut tree = doc.object(tree_ref.0).ok_or_else(broken)?;
    let key: u32 = tree
        .get("/ParentTreeNextKey")
        .and_then(Obj::raw_text)
        .and_then(|t| t.parse().ok())
        .ok_or_else(broken)?;
    tree.set("/ParentTreeNextKey", raw(&(key + 1).to_string()));
    let parents_obj = tree.get("/ParentTree").cloned().ok_or_else(broken)?;
    let mut parents = doc.resolve(&parents_obj).ok_or_else(broken)?;
    match parents.get("/Nums") {
        Some(Obj::Array(nums)) => {
            let mut nums = nums.clone();
            nums.extend([raw(&key.to_string()), Obj::Ref(form, 0)]);
            parents.set("/Nums", Obj::Array(nums));
        }
        _ => {
            return Err(
                "the structure tree's parent tree has kids, which signing does not extend".into(),
            );
        }
    }
    match parents_obj.as_ref() {
        Some((n, _)) => update.put(n, &parents),
        None => tree.set("/ParentTree", parents),
    }
    let document = match tree.get("/K") {
        Some(Obj::Array(kids)) => kids.iter().find_map(Obj::as_ref),
        Some(k) => k.as_ref(),
        None => None,
    }
    .ok_or_else(broken)?;
    let mut element = doc.object(document.0).ok_or_else(broken)?;
    let mut kids = match element.get("/K") {
        Some(Obj::Array(k)) => k.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    };
    kids.push(Obj::Ref(form, 0));
    element.set("/K", Obj::Array(kids));
    update.put(tree_ref.0, &tree);
    update.put(document.0, &element);
    Ok(Some((key, document.0)))
}

/// The signing time as a PDF date, from seconds since the epoch.
fn pdf_date(unix: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "(D:{:04}{:02}{:02}{:02}{:02}{:02}Z)",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Signs a PDF: the unsigned bytes followed by one incremental update that
/// holds the signature.
pub fn sign(unsigned: &[u8], key: &Key, signed_at: i64) -> Result<Vec<u8>, String> {
    let doc = Document::read(unsigned)?;
    let root_ref = doc
        .trailer
        .get("/Root")
        .and_then(Obj::as_ref)
        .ok_or("the trailer names no catalog")?;
    let mut root = doc.object(root_ref.0).ok_or("the catalog cannot be read")?;
    if root.get("/AcroForm").is_some() {
        return Err("the PDF already has a form; auditpress signs only the PDFs it builds".into());
    }
    let pages = root
        .get("/Pages")
        .cloned()
        .ok_or("the catalog names no pages")?;
    let (page_n, mut page) = first_page(&doc, &pages).ok_or("the first page cannot be read")?;
    let base = doc.size();
    let (sig_n, widget_n, ap_n, form_n) = (base, base + 1, base + 2, base + 3);
    let mut update = Update {
        objects: BTreeMap::new(),
    };
    let tagged = tag_widget(&doc, &root, form_n, &mut update)?;
    let description = format!("Digital signature of {}", key.signer_name());

    let mut widget = Obj::Dict(vec![
        ("/Type".into(), raw("/Annot")),
        ("/Subtype".into(), raw("/Widget")),
        ("/FT".into(), raw("/Sig")),
        ("/T".into(), raw("(Signature1)")),
        ("/TU".into(), text_string(&description)),
        ("/V".into(), Obj::Ref(sig_n, 0)),
        ("/Rect".into(), raw("[0 0 0 0]")),
        ("/F".into(), raw("132")),
        ("/P".into(), Obj::Ref(page_n, 0)),
        (
            "/AP".into(),
            Obj::Dict(vec![("/N".into(), Obj::Ref(ap_n, 0))]),
        ),
    ]);
    if let Some((key_n, document)) = tagged {
        widget.set("/StructParent", raw(&key_n.to_string()));
        let form = Obj::Dict(vec![
            ("/Type".into(), raw("/StructElem")),
            ("/S".into(), raw("/Form")),
            ("/P".into(), Obj::Ref(document, 0)),
            ("/Alt".into(), text_string(&description)),
            (
                "/K".into(),
                Obj::Dict(vec![
                    ("/Type".into(), raw("/OBJR")),
                    ("/Obj".into(), Obj::Ref(widget_n, 0)),
                    ("/Pg".into(), Obj::Ref(page_n, 0)),
                ]),
            ),
        ]);
        update.put(form_n, &form);
    }
    update.put(widget_n, &widget);
    let mut annots = match doc.resolve(page.get("/Annots").unwrap_or(&Obj::Array(Vec::new()))) {
        Some(Obj::Array(a)) => a,
        _ => return Err("the first page's annotations cannot be read".into()),
    };
    annots.push(Obj::Ref(widget_n, 0));
    page.set("/Annots", Obj::Array(annots));
    page.set("/Tabs", raw("/S"));
    update.put(page_n, &page);
    root.set(
        "/AcroForm",
        Obj::Dict(vec![
            ("/Fields".into(), Obj::Array(vec![Obj::Ref(widget_n, 0)])),
            ("/SigFlags".into(), raw("3")),
        ]),
    );
    update.put(root_ref.0, &root);
    write_update(
        unsigned,
        &doc,
        update,
        (sig_n, ap_n, widget_n.max(form_n) + 1),
        key,
        signed_at,
    )
}

const BYTE_RANGE_PLACEHOLDER: &str = "/ByteRange [0 0000000000 0000000000 0000000000]";

fn write_update(
    unsigned: &[u8],
    doc: &Document<'_>,
    mut update: Update,
    (sig_n, ap_n, size): (u32, u32, u32),
    key: &Key,
    signed_at: i64,
) -> Result<Vec<u8>, String> {
    let sig = format!(
        "<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M {} {BYTE_RANGE_PLACEHOLDER} /Contents <{}>>>",
        pdf_date(signed_at),
        "0".repeat(CONTENTS_BYTES * 2)
    );
    update.objects.insert(sig_n, sig.into_bytes());
    let mut out = unsigned.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = BTreeMap::new();
    for (n, body) in &update.objects {
        offsets.insert(*n, out.len());
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    offsets.insert(ap_n, out.len());
    out.extend_from_slice(format!("{ap_n} 0 obj\n<</Type /XObject /Subtype /Form /BBox [0 0 0 0] /Length 0>>\nstream\n\nendstream\nendobj\n").as_bytes());
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    let numbers: Vec<u32> = offsets.keys().copied().collect();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
            j += 1;
        }
        out.extend_from_slice(format!("{} {}\n", numbers[i], j - i + 1).as_bytes());
        for n in &numbers[i..=j] {
            out.extend_from_slice(format!("{:010} 00000 n\r\n", offsets[n]).as_bytes());
        }
        i = j + 1;
    }
    let mut trailer = doc.trailer.clone();
    trailer.set("/Size", raw(&size.to_string()));
    trailer.set("/Prev", raw(&doc.startxref.to_string()));
    out.extend_from_slice(b"trailer\n");
    trailer.write(&mut out);
    out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    fill_signature(out, offsets[&sig_n], key)
}

/// Writes the byte range and the CMS message into the placeholders of the
/// signature dictionary at `at`.
fn fill_signature(mut out: Vec<u8>, at: usize, key: &Key) -> Result<Vec<u8>, String> {
    let find = |needle: &[u8], from: usize| {
        out[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let range_at =
        find(BYTE_RANGE_PLACEHOLDER.as_bytes(), at).ok_or("no byte range placeholder")?;
    let start = find(b"/Contents <", at).ok_or("no contents placeholder")? + 10;
    let end = start + CONTENTS_BYTES * 2 + 2;
    let range = [0, start, end, out.len() - end];
    let text = format!(
        "/ByteRange [{} {} {} {}]",
        range[0], range[1], range[2], range[3]
    );
    let padded = format!("{text:<width$}", width = BYTE_RANGE_PLACEHOLDER.len());
    out[range_at..range_at + padded.len()].copy_from_slice(padded.as_bytes());
    let mut hasher = Sha256::new();
    hasher.update(&out[..start]);
    hasher.update(&out[end..]);
    let message = cms::signed_data(&hasher.finalize(), key)?;
    if message.len() > CONTENTS_BYTES {
        return Err(format!(
            "the signature takes {} bytes, more than the {CONTENTS_BYTES} reserved: use a shorter certificate chain",
            message.len()
        ));
    }
    let mut hex = String::with_capacity(CONTENTS_BYTES * 2);
    for b in &message {
        let _ = write!(hex, "{b:02x}");
    }
    out[start + 1..start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

/// What `verify` found of one signature of a PDF.
pub struct Found {
    /// The signer's certificate and the chain the signature carries.
    pub verified: cms::Verified,
    /// The signing time as the signature dictionary claims it.
    pub signed_at: String,
    /// Whether the byte range covers the whole file.
    pub whole: bool,
    /// How many bytes the signature covers (the end of its range).
    pub covered: usize,
}

/// Checks every signature field of a PDF.
pub fn verify(bytes: &[u8]) -> Result<Vec<Found>, String> {
    let doc = Document::read(bytes)?;
    let root = doc
        .trailer
        .get("/Root")
        .and_then(|r| doc.resolve(r))
        .ok_or("the catalog cannot be read")?;
    let fields = root
        .get("/AcroForm")
        .and_then(|f| doc.resolve(f))
        .and_then(|f| f.get("/Fields").and_then(|x| doc.resolve(x)));
    let Some(Obj::Array(fields)) = fields else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for field in fields.iter().filter_map(|f| doc.resolve(f)) {
        if field.get("/FT") != Some(&raw("/Sig")) {
            continue;
        }
        let value = field
            .get("/V")
            .and_then(|v| doc.resolve(v))
            .ok_or("a signature field has no value")?;
        found.push(check_one(bytes, &value)?);
    }
    Ok(found)
}

fn check_one(bytes: &[u8], sig: &Obj) -> Result<Found, String> {
    let range: Vec<usize> = match sig.get("/ByteRange") {
        Some(Obj::Array(items)) => items
            .iter()
            .filter_map(Obj::raw_text)
            .filter_map(|t| t.parse().ok())
            .collect(),
        _ => Vec::new(),
    };
    let [a, b, c, d] = range[..] else {
        return Err("the signature has no byte range".into());
    };
    if a != 0 || b > c || c.checked_add(d).is_none_or(|end| end > bytes.len()) {
        return Err("the signature's byte range lies outside the file".into());
    }
    let contents = sig
        .get("/Contents")
        .and_then(Obj::raw_text)
        .ok_or("the signature has no contents")?;
    let hex = contents.trim_start_matches('<').trim_end_matches('>');
    let message: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16))
        .collect::<Result<_, _>>()
        .map_err(|_| "the signature's contents are not hex")?;
    let mut hasher = Sha256::new();
    hasher.update(&bytes[..b]);
    hasher.update(&bytes[c..c + d]);
    let verified = cms::verify(&message, &hasher.finalize())?;
    let signed_at = sig.get("/M").and_then(Obj::raw_text).unwrap_or_default();
    Ok(Found {
        verified,
        signed_at,
        whole: c + d == bytes.len(),
        covered: c + d,
    })
}
