//! Hostile input and untrusted evidence: each test names the case it covers and
//! asserts the safe outcome (verbatim text, a located error, an unchanged old
//! file, the absence of metadata bytes).

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;

/// Returns the PDF with its streams uncompressed, to search its bytes.
fn uncompressed(pdf: &Path) -> Vec<u8> {
    let out = pdf.with_extension("plain.pdf");
    let status = Command::new("qpdf")
        .args(["--stream-data=uncompress", "--object-streams=disable"])
        .arg(pdf)
        .arg(&out)
        .status()
        .expect("qpdf is installed");
    assert!(status.success() || status.code() == Some(3), "qpdf failed");
    fs::read(out).unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Replaces the image the evidence finding shows.
fn show_image(dir: &Path, image: &str) {
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    fs::write(
        dir.join("findings.csv"),
        csv.replace("images/screenshot.jpg", image),
    )
    .unwrap();
}

#[test]
fn exif_gps_author_and_comments_of_a_jpeg_never_reach_the_pdf() {
    let (_tmp, dir) = workspace(&fixture("evidence"));
    let source = fs::read(dir.join("images/screenshot.jpg")).unwrap();
    assert!(contains(&source, "Jane Photographer") && contains(&source, "48.858370"));
    let pdf = dir.parent().unwrap().join("e.pdf");
    let out = build_to(&dir, &pdf, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let images = Command::new("pdfimages")
        .arg("-list")
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&images.stdout).lines().count() > 2,
        "the image is missing"
    );
    for bytes in [fs::read(&pdf).unwrap(), uncompressed(&pdf)] {
        for secret in ["Jane Photographer", "48.858370", "Shot on", "Exif"] {
            assert!(!contains(&bytes, secret), "{secret:?} leaked into the PDF");
        }
    }
}

#[test]
fn a_50000_by_50000_png_is_refused_from_its_header() {
    let (_tmp, dir) = workspace(&fixture("evidence"));
    show_image(&dir, "images/huge.png");
    let pdf = dir.parent().unwrap().join("e.pdf");
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("image \"images/huge.png\" is 50000 x 50000 pixels, more than the 40000000 pixels allowed"),
        "{err}"
    );
    assert!(err.contains("findings.csv:2:"), "{err}");
    assert!(!pdf.exists());
}

#[test]
fn a_pdf_renamed_to_png_is_refused_by_its_contents() {
    let (_tmp, dir) = workspace(&fixture("evidence"));
    show_image(&dir, "images/renamed.png");
    let out = build_to(&dir, &dir.parent().unwrap().join("e.pdf"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("\"images/renamed.png\" is not an image (it is a PDF document)"));
}

#[test]
fn a_symlink_in_images_pointing_outside_the_folder_is_refused() {
    let (tmp, dir) = workspace(&fixture("evidence"));
    let outside = tmp.path().join("outside.png");
    fs::copy(dir.join("images/screenshot.jpg"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("images/link.png")).unwrap();
    show_image(&dir, "images/link.png");
    let out = build_to(&dir, &tmp.path().join("e.pdf"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("image \"images/link.png\" is a link that leaves the audit folder")
    );
}

#[test]
fn bidi_and_zero_width_characters_are_shown_and_warned_and_can_be_denied() {
    let (_tmp, dir) = workspace(&fixture("evidence"));
    fs::write(
        dir.join("findings.csv"),
        "id,title,severity,difficulty,type,target,description\n\
         EVD-1,Invoice\u{202E}fdp.exe,Low,Low,Data Validation,src/a\u{200B}b.c,\"The file is named invoice\u{202E}fdp.exe.\"\n",
    )
    .unwrap();
    let pdf = dir.parent().unwrap().join("e.pdf");
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_diagnostic(
        &err,
        "findings.csv:2:7",
        "bidirectional control character U+202E is shown as <U+202E>",
    );
    assert_diagnostic(
        &err,
        "findings.csv:2:47",
        "invisible character U+200B is shown as <U+200B>",
    );
    let text = pdf_text(&pdf);
    assert!(text.contains("Invoice<U+202E>fdp.exe"), "{text}");
    assert!(squash(&text).contains("src/a<U+200B>b.c"));
    assert!(!text.contains('\u{202E}') && !text.contains('\u{200B}'));

    fs::remove_file(&pdf).unwrap();
    let out = build_to(&dir, &pdf, &["--deny-warnings"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("with --deny-warnings; nothing was written"));
    assert!(!pdf.exists());
}

#[test]
fn characters_no_bundled_font_has_are_a_warning_naming_the_finding() {
    let (_tmp, dir) = workspace(&fixture("evidence"));
    fs::write(
        dir.join("findings.csv"),
        "id,title,severity,difficulty,type\nEVD-1,Payload 字 🔥,Low,Low,Data Validation\n",
    )
    .unwrap();
    let out = build_to(&dir, &dir.parent().unwrap().join("e.pdf"), &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "finding EVD-1 has characters no bundled font can show: 字 (U+5B57), 🔥 (U+1F525)"
        ),
        "{err}"
    );
}

#[test]
fn a_6000_character_token_stays_inside_the_page() {
    let (_tmp, dir) = workspace(&fixture("evidence"));
    let token = "QUJD".repeat(1500);
    fs::write(
        dir.join("findings.csv"),
        format!("id,title,severity,difficulty,type,description\nEVD-1,Long token,Low,Low,Data Validation,Token: {token}\n"),
    )
    .unwrap();
    let pdf = dir.parent().unwrap().join("e.pdf");
    let out = build_to(&dir, &pdf, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let margin = 0.9 * 72.0;
    let words = pdf_words(&pdf);
    assert!(
        words.iter().all(|w| w.x_max <= w.page_width - margin + 1.0),
        "a word leaves the page"
    );
    // The token runs over a page break: join its lines, leaving out the footers.
    let joined: String = pdf_text(&pdf)
        .lines()
        .map(|l| l.trim().trim_start_matches("Token:").trim())
        .filter(|l| !l.is_empty() && l.chars().all(|c| "QUJD".contains(c)))
        .collect();
    assert_eq!(joined, token, "the token is not whole");
}

/// What this proves of conformance: typst-pdf builds the file under the
/// standards (it refuses content that would break them) and the file claims
/// them in its XMP metadata. Whether it conforms needs an independent
/// validator (veraPDF), which neither this machine nor `.ci/run` has yet.
#[test]
fn the_example_conforms_to_pdf_a_2b_with_ua_1_and_a_3b_attaches_the_findings() {
    let (_tmp, dir) = workspace(&example());
    let pdf = dir.parent().unwrap().join("a2.pdf");
    let out = build_to(
        &dir,
        &pdf,
        &["--pdf-standard", "a-2b", "--pdf-standard", "ua-1"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = String::from_utf8_lossy(&uncompressed(&pdf)).into_owned();
    assert!(
        meta.contains("pdfaid:part") && meta.contains("pdfuaid:part"),
        "no PDF/A or PDF/UA identification"
    );

    let pdf = dir.parent().unwrap().join("a3.pdf");
    let out = build_to(&dir, &pdf, &["--pdf-standard", "a-3b"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let list = Command::new("qpdf")
        .arg("--list-attachments")
        .arg(&pdf)
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.contains("findings.json") && list.contains("findings.csv"),
        "{list}"
    );

    let out = build_to(&dir, &pdf, &["--pdf-standard", "a-9z"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown PDF standard \"a-9z\""));
}

#[test]
fn the_output_is_never_written_through_a_symlink_nor_left_half_written() {
    let (tmp, dir) = workspace(&example());
    let target = tmp.path().join("precious.txt");
    fs::write(&target, "keep me").unwrap();
    let link = tmp.path().join("report.pdf");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = build_to(&dir, &link, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("through a symbolic link"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");
    let leftovers = fs::read_dir(tmp.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".auditpress-")
        })
        .count();
    assert_eq!(leftovers, 0, "a temporary file was left behind");

    let out = build_to(&dir, Path::new("/proc/auditpress/report.pdf"), &[]);
    assert_eq!(
        out.status.code(),
        Some(75),
        "an output folder that cannot be made is an I/O failure"
    );
    assert!(
        stderr(&out).contains("cannot write /proc/auditpress/report.pdf"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_pdf_metadata_holds_only_what_the_report_declares() {
    let (_tmp, dir) = workspace(&example());
    let pdf = dir.parent().unwrap().join("m.pdf");
    let out = build_to(&dir, &pdf, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let info = pdf_info(&pdf);
    assert!(
        info.contains("Title:           Lumen Security Assessment"),
        "{info}"
    );
    assert!(
        info.contains("Author:          Northwind Security, Inc."),
        "{info}"
    );
    assert!(info.contains("Creator:         auditpress"), "{info}");
    let xmp = Command::new("pdfinfo")
        .arg("-meta")
        .arg(&pdf)
        .output()
        .unwrap();
    let metadata = format!("{info}{}", String::from_utf8_lossy(&xmp.stdout));
    let host = fs::read_to_string("/etc/hostname").unwrap_or_default();
    let mut private = vec![dir.to_string_lossy().into_owned(), host.trim().to_string()];
    private.extend(std::env::var("USER").ok());
    private.extend(std::env::var("HOME").ok());
    for value in private.iter().filter(|v| !v.is_empty()) {
        assert!(
            !metadata.contains(value.as_str()),
            "{value:?} is in the metadata:\n{metadata}"
        );
    }
}

/// A template that keeps the engine busy for minutes (10^8 loop iterations).
const SLOW_COVER: &str = "#let cover(data) = {\n  let n = 0\n  for i in range(9999) { for j in range(9999) { n += 1 } }\n  [#n]\n}\n";

#[test]
fn a_report_that_keeps_the_engine_busy_is_stopped_and_the_others_still_build() {
    let tmp = tempfile::tempdir().unwrap();
    let (fast, slow) = (tmp.path().join("fast"), tmp.path().join("slow"));
    copy_dir(&fixture("fixreview"), &fast);
    copy_dir(&fixture("evidence"), &slow);
    let templates = slow.join("slow-templates");
    fs::create_dir(&templates).unwrap();
    fs::write(templates.join("cover.typ"), SLOW_COVER).unwrap();
    let toml = fs::read_to_string(slow.join("audit.toml")).unwrap();
    fs::write(
        slow.join("audit.toml"),
        format!("{toml}templates = \"slow-templates\"\n"),
    )
    .unwrap();

    let started = std::time::Instant::now();
    let out = run(&[
        "build".as_ref(),
        slow.as_os_str(),
        fast.as_os_str(),
        "--timeout".as_ref(),
        "3".as_ref(),
        "--jobs".as_ref(),
        "2".as_ref(),
    ]);
    let err = stderr(&out);
    // A time limit is a failure a retry (with a higher limit) may cure: 75.
    assert_eq!(out.status.code(), Some(75), "{err}");
    assert!(
        err.contains(&format!(
            "building {} took longer than 3 s and was stopped",
            slow.display()
        )),
        "{err}"
    );
    assert!(
        fast.join("acme-router-security-assessment-v1.0.pdf")
            .is_file(),
        "{err}"
    );
    assert!(!slow.join("evidence-security-assessment-v1.0.pdf").exists());
    assert!(
        started.elapsed().as_secs() < 60,
        "the limit did not stop the build"
    );
}

/// One case of the hostile corpus: what it does to a copy of the evidence
/// fixture, the exit code, and text that must be in stderr (or, with
/// `in_pdf`, in the PDF's text).
struct Case {
    name: &'static str,
    setup: fn(&Path),
    code: i32,
    needle: &'static str,
    in_pdf: bool,
}

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn finding_with(dir: &Path, description: &str) {
    write(
        dir,
        "findings.csv",
        &format!(
            "id,title,severity,difficulty,type,description\nEVD-1,Case,Low,Low,Testing,\"{}\"\n",
            description.replace('"', "\"\"")
        ),
    );
}

fn templates_with(dir: &Path, cover: &str) {
    write(dir, "brand/cover.typ", cover);
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    fs::write(
        dir.join("audit.toml"),
        format!("{toml}templates = \"brand\"\n"),
    )
    .unwrap();
}

const CORPUS: &[Case] = &[
    Case {
        name: "csv: a sep= line from Excel",
        setup: |d| write(d, "findings.csv", "sep=;\nid;title\n"),
        code: 1,
        needle: "unsupported `sep=` line",
        in_pdf: false,
    },
    Case {
        name: "csv: duplicate column",
        setup: |d| {
            write(
                d,
                "findings.csv",
                "id,title,title,severity,difficulty,type\n",
            )
        },
        code: 1,
        needle: "duplicate column \"title\"",
        in_pdf: false,
    },
    Case {
        name: "csv: column without a name",
        setup: |d| write(d, "findings.csv", "id,,title,severity,difficulty,type\n"),
        code: 1,
        needle: "column 2 has no name",
        in_pdf: false,
    },
    Case {
        name: "csv: text after a closing quote",
        setup: |d| {
            write(
                d,
                "findings.csv",
                "id,title,severity,difficulty,type\nEVD-1,\"abc\"def,Low,Low,Testing\n",
            )
        },
        code: 1,
        needle: "text after the closing quote of a cell (`\"abc\"def`)",
        in_pdf: false,
    },
    Case {
        name: "csv: quote never closed",
        setup: |d| {
            write(
                d,
                "findings.csv",
                "id,title,severity,difficulty,type\nEVD-1,\"open,Low,Low,Testing\nEVD-2,b,Low,Low,Testing\n",
            )
        },
        code: 1,
        needle: "quote opened here is never closed",
        in_pdf: false,
    },
    Case {
        name: "csv: ragged row",
        setup: |d| {
            write(
                d,
                "findings.csv",
                "id,title,severity,difficulty,type\nEVD-1,a,b,Low,Low,Testing\n",
            )
        },
        code: 1,
        needle: "row has 6 cells but the header has 5",
        in_pdf: false,
    },
    Case {
        name: "csv: file over the size limit",
        setup: |d| {
            write(
                d,
                "acknowledgements.csv",
                &format!("name\n{}", "x\n".repeat(9 * 1024 * 1024)),
            )
        },
        code: 1,
        needle: "file is too large",
        in_pdf: false,
    },
    Case {
        name: "image: absolute path",
        setup: |d| finding_with(d, "![x](/etc/passwd)"),
        code: 1,
        needle: "image path \"/etc/passwd\" leaves the audit folder",
        in_pdf: false,
    },
    Case {
        name: "image: backslash path",
        setup: |d| finding_with(d, "![x](..\\\\secret.png)"),
        code: 1,
        needle: "leaves the audit folder",
        in_pdf: false,
    },
    Case {
        name: "image: drive letter",
        setup: |d| finding_with(d, "![x](C:/secret.png)"),
        code: 1,
        needle: "image path \"C:/secret.png\" leaves the audit folder",
        in_pdf: false,
    },
    Case {
        name: "image: HTML renamed to .png",
        setup: |d| {
            write(
                d,
                "images/page.png",
                "<!DOCTYPE html><html><body>hi</body></html>",
            );
            finding_with(d, "![x](images/page.png)")
        },
        code: 1,
        needle: "is not an image (it is an HTML page)",
        in_pdf: false,
    },
    Case {
        name: "image: SVG with an external reference",
        setup: |d| {
            write(
                d,
                "images/x.svg",
                "<svg xmlns='http://www.w3.org/2000/svg'><image href='file:///etc/passwd'/></svg>",
            );
            finding_with(d, "![x](images/x.svg)")
        },
        code: 1,
        needle: "references another file or URL",
        in_pdf: false,
    },
    Case {
        name: "image: SVG with entities",
        setup: |d| {
            write(
                d,
                "images/e.svg",
                "<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY lol 'lol'>]><svg xmlns='http://www.w3.org/2000/svg'>&lol;</svg>",
            );
            finding_with(d, "![x](images/e.svg)")
        },
        code: 1,
        needle: "declares a document type or entities",
        in_pdf: false,
    },
    Case {
        name: "image: missing file",
        setup: |d| finding_with(d, "![x](images/none.png)"),
        code: 1,
        needle: "image \"images/none.png\" not found",
        in_pdf: false,
    },
    Case {
        name: "link: javascript URL",
        setup: |d| finding_with(d, "[click](javascript:alert(1))"),
        code: 0,
        needle: "link to \"javascript:alert(1)\" is shown as text",
        in_pdf: false,
    },
    Case {
        name: "markdown: nesting too deep",
        setup: |d| finding_with(d, &format!("{} deep", ">".repeat(40))),
        code: 1,
        needle: "Markdown nested deeper than 16 levels",
        in_pdf: false,
    },
    Case {
        name: "markdown: raw HTML is shown, not run",
        setup: |d| finding_with(d, "<script>alert('x')</script>"),
        code: 0,
        needle: "<script>alert('x')</script>",
        in_pdf: true,
    },
    Case {
        name: "markdown: typst markup in a code block",
        setup: |d| finding_with(d, "```\n#read(\"/etc/passwd\")\n```"),
        code: 0,
        needle: "#read(\"/etc/passwd\")",
        in_pdf: true,
    },
    Case {
        name: "text: control characters made visible",
        setup: |d| finding_with(d, "bell\u{7}here"),
        code: 0,
        needle: "bell<U+0007>here",
        in_pdf: true,
    },
    Case {
        name: "template: package import refused",
        setup: |d| {
            templates_with(
                d,
                "#import \"@preview/cetz:0.3.0\": *\n#let cover(data) = []\n",
            )
        },
        code: 1,
        needle: "packages are not available",
        in_pdf: false,
    },
    Case {
        name: "template: reading a file outside the allowlist",
        setup: |d| templates_with(d, "#let cover(data) = read(\"/audit.toml\")\n"),
        code: 1,
        needle: "file not found",
        in_pdf: false,
    },
    Case {
        name: "findings: unclosed front matter",
        setup: |d| {
            write(
                d,
                "findings/EVD-1.md",
                "+++\nseverity = \"Low\"\n\n## Description\n",
            )
        },
        code: 1,
        needle: "front matter is never closed",
        in_pdf: false,
    },
    Case {
        name: "sections: unknown file",
        setup: |d| write(d, "sections/secrets.md", "x"),
        code: 1,
        needle: "unknown section file \"secrets.md\"",
        in_pdf: false,
    },
    Case {
        name: "toml: invalid syntax",
        setup: |d| write(d, "audit.toml", "title = \"x\ndate = 2024-01-01\n"),
        code: 1,
        needle: "invalid TOML",
        in_pdf: false,
    },
];

#[test]
fn a_quoted_cell_of_several_lines_is_no_runaway_quote_but_a_quote_left_open_is() {
    // RFC 4180: a quoted cell holds line breaks. Its second line holds as
    // many commas as the header: before, that gave "quote opened here runs
    // over 2 lines, through 1 that look like rows".
    let (_tmp, dir) = workspace(&fixture("evidence"));
    write(
        &dir,
        "findings.csv",
        "id,title,severity,difficulty,type,description\n\
         EVD-1,Secret shown in the console,Medium,Low,Data Exposure,\"The console shows the secret\n\
         to the user, the tenant, the key, the value, the time, and the admin.\"\n\
         EVD-2,Second finding,Low,Low,Testing,One more.\n",
    );
    let pdf = dir.parent().unwrap().join("multiline.pdf");
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("runs over"), "{err}");
    assert!(
        squash(&pdf_text(&pdf)).contains(&squash(
            "to the user, the tenant, the key, the value, the time, and the admin."
        )),
        "the cell's second line is printed"
    );

    // A quote never closed on its line: the rest of the row is in the
    // quote, and the next row with it, until a quote closes at a cell's end.
    write(
        &dir,
        "findings.csv",
        "id,title,severity,difficulty,type,description\n\
         EVD-1,\"Secret shown in the console,Medium,Low,Data Exposure,The console shows it.\n\
         EVD-2,Second finding,Low,Low,Testing,One more.\n\
         EVD-3,Third\",Low,Low,Testing,Last.\n",
    );
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    let err = stderr(&out);
    assert_diagnostic(
        &err,
        "findings.csv:2:7",
        "quote opened here runs over 3 lines, through 1 that look like rows",
    );
    assert_eq!(err.matches("runs over").count(), 1, "{err}");
}

#[test]
fn the_hostile_corpus_gets_the_safe_outcome() {
    let mut failures = Vec::new();
    for case in CORPUS {
        let (_tmp, dir) = workspace(&fixture("evidence"));
        (case.setup)(&dir);
        let pdf = dir.parent().unwrap().join("corpus.pdf");
        let out = build_to(&dir, &pdf, &[]);
        let err = stderr(&out);
        let found = if case.in_pdf {
            out.status.success() && pdf_text(&pdf).contains(case.needle)
        } else {
            err.contains(case.needle)
        };
        if out.status.code() != Some(case.code) || !found {
            failures.push(format!(
                "{}: exit {:?}\n{err}",
                case.name,
                out.status.code()
            ));
        }
        if case.code != 0 {
            assert!(!pdf.exists(), "{}: a PDF was written", case.name);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CORPUS.len(),
        failures.join("\n")
    );
}
