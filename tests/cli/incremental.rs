//! Incremental rebuilds end where a cold build does: after many edits in a
//! long watch session, the last PDF and the last diagnostics are those of a
//! fresh `build` of the final folder (issue 24).

use std::fs;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use crate::common::*;

const SEVERITIES: [&str; 4] = ["High", "Medium", "Low", "Informational"];
const DIFFICULTIES: [&str; 3] = ["Low", "Medium", "High"];
const TYPES: [&str; 4] = [
    "Data Validation",
    "Cryptography",
    "Configuration",
    "Access Controls",
];

/// A small deterministic generator (a 64-bit LCG), so a failure replays.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

/// data/example grown to 200 findings: 197 more rows of findings.csv.
fn two_hundred_findings() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = workspace(&example());
    let mut csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    for n in 100..297 {
        let i = n as usize;
        csv.push_str(&format!(
            "NWS-LUMEN-{n},Finding number {n} about `handler_{n}`,{},{},{},lumen-agent/internal/mod{n}.go#{}–{},\"The handler `handler_{n}` accepts input that NWS-LUMEN-1 already names, and version {n} does not check it.\",,\"Check the input of `handler_{n}`.\"\n",
            SEVERITIES[i % 4],
            DIFFICULTIES[i % 3],
            TYPES[i % 4],
            n,
            n + 7
        ));
    }
    fs::write(dir.join("findings.csv"), csv).unwrap();
    let mut fixes = fs::read_to_string(dir.join("fix-review.csv")).unwrap();
    for n in 100..297 {
        fixes.push_str(&format!("NWS-LUMEN-{n},Unresolved,,\n"));
    }
    fs::write(dir.join("fix-review.csv"), fixes).unwrap();
    // A warning that stays through the session: the last build reports it.
    let path = dir.join("findings/NWS-LUMEN-6.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("+++\npriority = \"p1\"\n+++\n{text}")).unwrap();
    (tmp, dir)
}

/// One random edit of the folder: a word of a row, a write-up's paragraph, a
/// section, or a severity broken (and fixed by a later edit).
fn random_edit(dir: &Path, rng: &mut Lcg, step: usize, broken: &mut Vec<usize>) {
    let csv_path = dir.join("findings.csv");
    let csv = fs::read_to_string(&csv_path).unwrap();
    match rng.below(5) {
        0 => {
            let n = 100 + rng.below(197);
            let edited = csv.replace(
                &format!("version {n} does not"),
                &format!("version {n} (edit {step}) does not"),
            );
            fs::write(&csv_path, edited).unwrap();
        }
        1 => {
            let files = ["NWS-LUMEN-1.md", "NWS-LUMEN-2.md", "NWS-LUMEN-6.md"];
            let path = dir.join("findings").join(files[rng.below(3)]);
            let mut text = fs::read_to_string(&path).unwrap();
            text.push_str(&format!("\nA paragraph added by edit {step}.\n"));
            fs::write(&path, text).unwrap();
        }
        2 => {
            let path = dir.join("sections/notices.md");
            let mut text = fs::read_to_string(&path).unwrap();
            text.push_str(&format!("\nNotice of edit {step}.\n"));
            fs::write(&path, text).unwrap();
        }
        3 => {
            let n = 100 + rng.below(197);
            let severity = SEVERITIES[n % 4];
            let row = format!("NWS-LUMEN-{n},Finding number {n} about `handler_{n}`,{severity},");
            if csv.contains(&row) {
                let bad =
                    format!("NWS-LUMEN-{n},Finding number {n} about `handler_{n}`,Severe{step},");
                fs::write(&csv_path, csv.replace(&row, &bad)).unwrap();
                broken.push(n);
            }
        }
        _ => fix_one(dir, broken),
    }
}

/// Gives back its severity to the row broken first, when one is.
fn fix_one(dir: &Path, broken: &mut Vec<usize>) {
    if broken.is_empty() {
        return;
    }
    let n = broken.remove(0);
    let csv_path = dir.join("findings.csv");
    let csv = fs::read_to_string(&csv_path).unwrap();
    let start = csv
        .find(&format!(
            "NWS-LUMEN-{n},Finding number {n} about `handler_{n}`,Severe"
        ))
        .unwrap();
    let prefix = format!("NWS-LUMEN-{n},Finding number {n} about `handler_{n}`,");
    let end = csv[start + prefix.len()..].find(',').unwrap() + start + prefix.len();
    let fixed = format!(
        "{}{prefix}{}{}",
        &csv[..start],
        SEVERITIES[n % 4],
        &csv[end..]
    );
    fs::write(&csv_path, fixed).unwrap();
}

/// What watch said until a quiet spell after the last edit.
struct Settled {
    /// The diagnostics of the last build, as JSON lines.
    diagnostics: Vec<String>,
    /// The last build's event.
    event: serde_json::Value,
    /// Builds during the session, and those that failed.
    builds: usize,
    failed: usize,
}

/// Reads watch's JSON lines until a build succeeds that `done` accepts (it
/// built the last edit), then until a quiet spell.
fn settle(lines: &mpsc::Receiver<String>, done: impl Fn() -> bool) -> Settled {
    let mut current = Vec::new();
    let (mut builds, mut failed) = (0, 0);
    let mut last: Option<(Vec<String>, serde_json::Value)> = None;
    let mut finished = false;
    loop {
        let wait = if finished { 3 } else { 180 };
        match lines.recv_timeout(Duration::from_secs(wait)) {
            Ok(line) => {
                let value: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
                if value["event"] == "built" {
                    builds += 1;
                    failed += usize::from(value["ok"] == false);
                    finished |= value["ok"] == true && done();
                    last = Some((std::mem::take(&mut current), value));
                } else if value.get("severity").is_some() {
                    current.push(line);
                }
            }
            Err(_) => {
                let (diagnostics, event) = last.expect("watch built the final folder");
                return Settled {
                    diagnostics,
                    event,
                    builds,
                    failed,
                };
            }
        }
    }
}

#[test]
fn fifty_random_edits_in_watch_end_where_a_cold_build_does() {
    let (_tmp, dir) = two_hundred_findings();
    let (mut child, lines, pdf) = spawn_watch(&dir, &[]);
    let mut seen = Vec::new();
    wait_built(&lines, true, &mut seen);
    let mut rng = Lcg(24);
    let mut broken = Vec::new();
    for step in 0..50 {
        random_edit(&dir, &mut rng, step, &mut broken);
        // Most edits wait for their build; some come in a burst, as a save
        // of several files does.
        if rng.below(4) != 0 {
            std::thread::sleep(Duration::from_millis(150));
        }
    }
    // The final folder builds: every broken severity is given back, and one
    // last edit says so.
    while !broken.is_empty() {
        fix_one(&dir, &mut broken);
    }
    let notices = dir.join("sections/notices.md");
    let text = fs::read_to_string(&notices).unwrap();
    fs::write(&notices, format!("{text}\nThe last edit.\n")).unwrap();
    let settled = settle(&lines, || pdf_text(&pdf).contains("The last edit."));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        settled.event["ok"],
        true,
        "{}\n{}",
        settled.event,
        settled.diagnostics.join("\n")
    );
    // The session rebuilt often, and some of its builds failed on a broken
    // severity and recovered.
    assert!(settled.builds >= 20, "{} builds", settled.builds);
    assert!(settled.failed >= 1, "no build failed");

    let cold = dir.parent().unwrap().join("cold.pdf");
    let out = run(&[
        "build".as_ref(),
        dir.as_os_str(),
        "-o".as_ref(),
        cold.as_os_str(),
        "--diagnostic-format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cold_diagnostics: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.contains("\"severity\""))
        .map(str::to_string)
        .collect();
    assert_eq!(settled.diagnostics, cold_diagnostics);
    assert!(
        cold_diagnostics
            .iter()
            .any(|d| d.contains("unknown front matter key `priority`")),
        "{cold_diagnostics:?}"
    );
    let (watched, built) = (pdf_text(&pdf), pdf_text(&cold));
    assert!(watched.contains("The last edit."));
    assert_eq!(
        watched, built,
        "the watched PDF's text differs from a cold build's"
    );
}

/// The widths and heights of the images of a PDF, as `pdfimages -list` gives them.
fn image_sizes(pdf: &Path) -> Vec<(u32, u32)> {
    let out = std::process::Command::new("pdfimages")
        .arg("-list")
        .arg(pdf)
        .output()
        .expect("pdfimages runs (poppler-utils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            Some((cols.get(3)?.parse().ok()?, cols.get(4)?.parse().ok()?))
        })
        .collect()
}

/// Watch keeps cleaned images between rebuilds (keyed by their bytes): an
/// image replaced under the same name is the new one in the next PDF.
#[test]
fn an_image_replaced_while_watching_is_the_new_one_in_the_pdf() {
    let (_tmp, dir) = workspace(&example());
    let (mut child, lines, pdf) = spawn_watch(&dir, &[]);
    let mut seen = Vec::new();
    wait_built(&lines, true, &mut seen);
    assert!(
        image_sizes(&pdf).contains(&(900, 300)),
        "{:?}",
        image_sizes(&pdf)
    );
    // A JPEG under the PNG's name: its format is read from its bytes.
    let jpeg = fs::read(root().join("tests/fixtures/evidence/images/screenshot.jpg")).unwrap();
    fs::write(dir.join("images/exploit.png"), jpeg).unwrap();
    wait_built(&lines, true, &mut seen);
    let sizes = image_sizes(&pdf);
    assert!(sizes.contains(&(64, 48)), "{sizes:?}");
    assert!(!sizes.contains(&(900, 300)), "{sizes:?}");
    child.kill().unwrap();
    child.wait().unwrap();
}
