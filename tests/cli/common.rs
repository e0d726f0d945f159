//! Helpers shared by the end-to-end tests: running the binary, temporary copies
//! of fixtures, and reading PDFs with poppler as a user would.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Returns the repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Returns the example audit of the README.
pub fn example() -> PathBuf {
    root().join("data/example")
}

/// Returns a fixture folder under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// Copies an audit folder into a fresh temporary folder, so builds never write into the repository.
pub fn workspace(src: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path().join("audit");
    copy_dir(src, &dir);
    (tmp, dir)
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs auditpress without colour and without SOURCE_DATE_EPOCH.
pub fn run(args: &[&OsStr]) -> Output {
    run_env(args, &[])
}

/// Runs auditpress with extra environment variables.
pub fn run_env(args: &[&OsStr], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_auditpress"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("auditpress runs")
}

/// Builds a folder into `pdf`, with extra arguments, and returns the run.
pub fn build_to(dir: &Path, pdf: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "build".as_ref(),
        dir.as_os_str(),
        "-o".as_ref(),
        pdf.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    run(&args)
}

/// Builds a folder into `<its parent>/<name>.pdf`, asserting success.
pub fn build_ok(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let pdf = dir.parent().unwrap().join(format!("{name}.pdf"));
    let out = build_to(dir, &pdf, extra);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    pdf
}

/// Returns the view JSON of a folder, asserting success.
pub fn view_json(dir: &Path) -> serde_json::Value {
    let out = run(&[
        "build".as_ref(),
        dir.as_os_str(),
        "--emit".as_ref(),
        "view-json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("the view is JSON")
}

/// Returns standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Returns the text layer of a PDF, as poppler's pdftotext extracts it.
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8(out.stdout).expect("pdftotext prints UTF-8")
}

/// Returns what poppler's pdfinfo says of a PDF, with ISO dates.
pub fn pdf_info(pdf: &Path) -> String {
    let out = Command::new("pdfinfo")
        .args(["-isodates".as_ref(), pdf.as_os_str()])
        .output()
        .expect("pdfinfo (poppler-utils) is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Removes all whitespace, for text that a PDF may wrap across lines.
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that the needles appear in the text in this order.
pub fn assert_in_order(text: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match text[from..].find(needle) {
            Some(at) => from += at + needle.len(),
            None => panic!("{needle:?} missing or out of order after byte {from} in:\n{text}"),
        }
    }
}

/// Asserts that stderr holds a diagnostic with this message, located at `file:line:col`.
pub fn assert_diagnostic(stderr: &str, place: &str, message: &str) {
    let found = stderr.split("\n\n").any(|block| {
        block.contains(message)
            && block
                .lines()
                .any(|l| l.contains("┌─") && l.trim_end().ends_with(place))
    });
    assert!(found, "no diagnostic {message:?} at {place} in:\n{stderr}");
}

/// A word of a PDF page and its box, as poppler's `pdftotext -bbox` gives it.
#[derive(Clone, Debug)]
pub struct Word {
    /// 1-based page number.
    pub page: usize,
    /// Page width in points.
    pub page_width: f64,
    /// Left edge.
    pub x_min: f64,
    /// Right edge.
    pub x_max: f64,
    /// Top edge.
    pub y_min: f64,
    /// Bottom edge.
    pub y_max: f64,
    /// The word.
    pub text: String,
}

/// Returns every word of a PDF with its position.
pub fn pdf_words(pdf: &Path) -> Vec<Word> {
    let out = Command::new("pdftotext")
        .args(["-bbox".as_ref(), pdf.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let html = String::from_utf8_lossy(&out.stdout);
    let attr = |tag: &str, name: &str| -> f64 {
        let key = format!("{name}=\"");
        let at = tag.find(&key).expect("attribute") + key.len();
        tag[at..tag[at..].find('"').unwrap() + at].parse().unwrap()
    };
    let mut words = Vec::new();
    let (mut page, mut width) = (0, 0.0);
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page += 1;
            width = attr(line, "width");
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let text_start = rest.find('>').unwrap() + 1;
            let text_end = rest.rfind("</word>").unwrap();
            let text = rest[text_start..text_end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&");
            words.push(Word {
                page,
                page_width: width,
                x_min: attr(rest, "xMin"),
                x_max: attr(rest, "xMax"),
                y_min: attr(rest, "yMin"),
                y_max: attr(rest, "yMax"),
                text,
            });
        }
    }
    words
}

/// For each occurrence of `label` on a page, returns the numbers on the same line to its right.
pub fn numbers_after(words: &[Word], page: usize, label: &str) -> Vec<Vec<u32>> {
    let on_page: Vec<&Word> = words.iter().filter(|w| w.page == page).collect();
    on_page
        .iter()
        .filter(|w| w.text == label)
        .map(|l| {
            let mut row: Vec<&&Word> = on_page
                .iter()
                .filter(|w| (w.y_min - l.y_min).abs() < 4.0 && w.x_min > l.x_max)
                .collect();
            row.sort_by(|a, b| a.x_min.total_cmp(&b.x_min));
            row.iter().map_while(|w| w.text.parse().ok()).collect()
        })
        .collect()
}

/// The titles of the PDF's outline, depth first, indented by level.
pub fn outline(pdf: &Path) -> Vec<String> {
    fn walk(items: &serde_json::Value, depth: usize, out: &mut Vec<String>) {
        for item in items.as_array().into_iter().flatten() {
            out.push(format!(
                "{}{}",
                "  ".repeat(depth),
                item["title"].as_str().unwrap_or_default()
            ));
            walk(&item["kids"], depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(&qpdf_json(pdf)["outlines"], 0, &mut out);
    out
}

/// Returns the 1-based number of the first page whose text contains a needle.
pub fn page_with(pdf: &Path, needle: &str) -> usize {
    let text = pdf_text(pdf);
    text.split('\u{c}')
        .position(|p| p.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no page contains {needle:?}"))
}

/// A page rendered in grey at low resolution, for comparisons with a tolerance.
pub struct Render {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// One byte per pixel.
    pub pixels: Vec<u8>,
}

/// Renders one page with poppler's pdftoppm at `dpi`: a binary PGM in grey, else a PPM.
fn pdftoppm(pdf: &Path, page: usize, dpi: u32, grey: bool) -> Vec<u8> {
    let out = Command::new("pdftoppm")
        .args(grey.then_some("-gray"))
        .args([
            "-r",
            &dpi.to_string(),
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
        ])
        .arg(pdf)
        .output()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(out.status.success(), "pdftoppm failed");
    out.stdout
}

/// Renders one page with poppler's pdftoppm, in grey, at `dpi`.
pub fn render_page(pdf: &Path, page: usize, dpi: u32) -> Render {
    parse_pgm(&pdftoppm(pdf, page, dpi, true))
}

/// Counts the pixels of a page, rendered in colour at `dpi`, within 12 of an
/// RGB colour in each channel: how much of the page is painted in it.
pub fn pixels_of_colour(pdf: &Path, page: usize, dpi: u32, rgb: [u8; 3]) -> usize {
    let bytes = pdftoppm(pdf, page, dpi, false);
    let (magic, _, _, pixels) = parse_netpbm(&bytes);
    assert_eq!(magic, "P6", "not a binary PPM");
    pixels
        .chunks_exact(3)
        .filter(|p| p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 12))
        .count()
}

/// Splits a binary Netpbm image into its magic, width, height and pixel bytes.
fn parse_netpbm(bytes: &[u8]) -> (String, usize, usize, &[u8]) {
    let mut fields = Vec::new();
    let mut pos = 0;
    while fields.len() < 4 {
        while bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let start = pos;
        while !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..pos]).into_owned());
    }
    let (width, height) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (fields.swap_remove(0), width, height, &bytes[pos + 1..])
}

/// Counts the images poppler lists on a page.
pub fn images_on_page(pdf: &Path, page: usize) -> usize {
    let out = Command::new("pdfimages")
        .args(["-list", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .output()
        .expect("pdfimages (poppler-utils) is installed");
    // Two header lines, then one line per image.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .count()
        .saturating_sub(2)
}

/// Parses a binary PGM (P5) image.
pub fn parse_pgm(bytes: &[u8]) -> Render {
    let (magic, width, height, pixels) = parse_netpbm(bytes);
    assert_eq!(magic, "P5", "not a binary PGM");
    assert_eq!(pixels.len(), width * height);
    Render {
        width,
        height,
        pixels: pixels.to_vec(),
    }
}

/// Encodes a grey render as a binary PGM.
pub fn to_pgm(render: &Render) -> Vec<u8> {
    let mut out = format!("P5\n{} {}\n255\n", render.width, render.height).into_bytes();
    out.extend(&render.pixels);
    out
}

/// Returns the mean absolute difference of two renders, in grey levels (0 to 255).
pub fn mean_difference(a: &Render, b: &Render) -> f64 {
    assert_eq!(
        (a.width, a.height),
        (b.width, b.height),
        "renders differ in size"
    );
    let total: u64 = a
        .pixels
        .iter()
        .zip(&b.pixels)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.pixels.len() as f64
}

/// Returns the JSON that `qpdf --json` gives for a PDF.
pub fn qpdf_json(pdf: &Path) -> serde_json::Value {
    let out = Command::new("qpdf")
        .arg("--json")
        .arg(pdf)
        .output()
        .expect("qpdf is installed");
    serde_json::from_slice(&out.stdout).expect("qpdf prints JSON")
}

/// Starts auditpress in the background and reads its standard error line
/// by line on a thread of its own.
pub fn spawn(args: &[&OsStr]) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditpress"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .stderr(Stdio::piped())
        .spawn()
        .expect("auditpress starts");
    let (tx, lines) = mpsc::channel();
    let err = child.stderr.take().expect("stderr is piped");
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, lines)
}

/// Starts `auditpress watch DIR -o watched.pdf --diagnostic-format json`
/// (and `extra`), the PDF beside the folder; returns the process, its
/// stderr lines and the PDF's path.
pub fn spawn_watch(dir: &Path, extra: &[&str]) -> (Child, mpsc::Receiver<String>, PathBuf) {
    let pdf = dir.parent().unwrap().join("watched.pdf");
    let mut args: Vec<&OsStr> = vec![
        "watch".as_ref(),
        dir.as_os_str(),
        "-o".as_ref(),
        pdf.as_os_str(),
        "--diagnostic-format".as_ref(),
        "json".as_ref(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    let (child, lines) = spawn(&args);
    (child, lines, pdf)
}

/// The short diagnostics `check` prints for a folder, one a line.
pub fn short_diagnostics(dir: &Path) -> String {
    let out = run(&[
        "check".as_ref(),
        dir.as_os_str(),
        "--diagnostic-format".as_ref(),
        "short".as_ref(),
    ]);
    stderr(&out)
}

/// The errors `check` reports for a folder, one `file:line:col: error: message` line each.
pub fn error_lines(dir: &Path) -> Vec<String> {
    short_diagnostics(dir)
        .lines()
        .filter(|l| l.contains(": error: "))
        .map(str::to_string)
        .collect()
}

/// Runs `export DIR --format FORMAT` and returns what it printed, asserting success.
pub fn export(dir: &Path, format: &str) -> String {
    let out = run(&[
        "export".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        format.as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// Replaces text in a file of a folder, checking that it was there.
pub fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// A test whose tool is missing: under CI (`.ci/run` sets `AUDITPRESS_CI`,
/// and installs the tool) that is a failure; elsewhere the test says it was
/// skipped, and passes.
pub fn tool_missing(what: &str) {
    if std::env::var_os("AUDITPRESS_CI").is_some() {
        panic!("{what} is missing, and CI installs it: the test cannot be skipped here");
    }
    eprintln!("skipped: {what} is missing (.ci/run installs it)");
}

/// A program of the test venv (`AUDITPRESS_PYTHON`, default
/// /opt/auditpress-py/bin/python, which `.ci/run` makes) in which the
/// Python module `import` is installed, or None with the skip said.
pub fn python_tool(tool: &str, import: &str) -> Option<PathBuf> {
    let python = std::env::var_os("AUDITPRESS_PYTHON").map_or_else(
        || PathBuf::from("/opt/auditpress-py/bin/python"),
        PathBuf::from,
    );
    let ok = Command::new(&python)
        .args(["-c", &format!("import {import}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(python.with_file_name(tool))
    } else {
        tool_missing(&format!("{import} in the test venv (.ci/run installs it)"));
        None
    }
}

/// Whether a JSON line of watch or serve is the event of a build that
/// succeeded (`ok`) or failed.
pub fn is_built(event: &serde_json::Value, ok: bool) -> bool {
    event["event"] == "built" && event["ok"] == ok
}

/// Whether a line is the JSON event of a build that succeeded (`ok`) or failed.
pub fn built_line(line: &str, ok: bool) -> bool {
    serde_json::from_str::<serde_json::Value>(line).is_ok_and(|e| is_built(&e, ok))
}

/// A running `auditpress serve` and the port it listens on.
pub struct Serve {
    pub child: Child,
    pub port: u16,
    pub lines: mpsc::Receiver<String>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// Starts `serve` on the folder and waits for its first build.
    pub fn start(dir: &Path) -> Serve {
        let (serve, _) = Serve::spawn(dir);
        serve.wait_built(true);
        serve
    }

    /// Starts `serve` on the folder (JSON diagnostics, any free port) and
    /// returns it with its `serving` event, before any build.
    pub fn spawn(dir: &Path) -> (Serve, serde_json::Value) {
        let pdf = dir.parent().unwrap().join("served.pdf");
        let (child, lines) = spawn(&[
            "serve".as_ref(),
            dir.as_os_str(),
            "-o".as_ref(),
            pdf.as_os_str(),
            "--port".as_ref(),
            "0".as_ref(),
            "--diagnostic-format".as_ref(),
            "json".as_ref(),
        ]);
        let mut serve = Serve {
            child,
            port: 0,
            lines,
        };
        let serving = serve.wait_for_event(|e| e["event"] == "serving");
        let url = serving["url"].as_str().unwrap();
        let port = url.trim_end_matches('/').rsplit(':').next().unwrap();
        serve.port = port.parse().unwrap();
        (serve, serving)
    }

    /// Waits for the JSON event line `pick` accepts (under `--diagnostic-format json`).
    pub fn wait_for_event(&self, pick: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .expect("serve says something");
            if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line)
                && pick(&event)
            {
                return event;
            }
        }
    }

    /// Waits for the next build that succeeded (`ok`) or failed.
    pub fn wait_built(&self, ok: bool) -> serde_json::Value {
        self.wait_for_event(|e| is_built(e, ok))
    }

    /// Sends a GET with a Host header; returns the status code and the body.
    pub fn get(&self, path: &str, host: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.split(' ').nth(1).unwrap().parse().unwrap();
        let body = response
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        (status, body)
    }

    pub fn local(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn state(&self) -> serde_json::Value {
        let (status, body) = self.get("/state", &self.local());
        assert_eq!(status, 200);
        // The body may be chunked: take the JSON object inside.
        let start = body.find('{').unwrap();
        let end = body.rfind('}').unwrap();
        serde_json::from_str(&body[start..=end]).unwrap()
    }
}

/// A copy of an example audit of data/examples with its style folder beside
/// it, named by audit.toml as `../style`.
pub fn example_folder(name: &str) -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = workspace(&root().join("data/examples").join(name));
    copy_dir(
        &root().join("data/styles").join(name),
        &tmp.path().join("style"),
    );
    edit(
        &dir,
        "audit.toml",
        &format!("style = \"../../styles/{name}\""),
        "style = \"../style\"",
    );
    (tmp, dir)
}

/// Waits for a line of the watcher's output that contains `needle`.
pub fn wait_for(lines: &mpsc::Receiver<String>, needle: &str, seen: &mut Vec<String>) {
    wait_line(lines, |l| l.contains(needle), needle, seen);
}

/// Waits for watch's JSON event of a build that succeeded (`ok`) or failed.
pub fn wait_built(lines: &mpsc::Receiver<String>, ok: bool, seen: &mut Vec<String>) {
    wait_line(lines, |l| built_line(l, ok), "built event", seen);
}

fn wait_line(
    lines: &mpsc::Receiver<String>,
    pick: impl Fn(&str) -> bool,
    needle: &str,
    seen: &mut Vec<String>,
) {
    loop {
        match lines.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                let found = pick(&line);
                seen.push(line);
                if found {
                    return;
                }
            }
            Err(_) => panic!("no {needle:?} from watch; it said:\n{}", seen.join("\n")),
        }
    }
}

/// Counts the diagnostics of a level (`"error"`, `"warning"`) in what a
/// command printed, leaving out the closing count the reporter adds after
/// more than one (`error: could not ...`, `` warning: `x` generated ... ``).
pub fn count_level(err: &str, level: &str) -> usize {
    let closing = |l: &str| l.contains("error: could not ") || l.contains("` generated ");
    err.lines()
        .filter(|l| !closing(l))
        .map(|l| l.matches(&format!("{level}:")).count())
        .sum()
}
