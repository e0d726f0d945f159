//! `auditpress init`: a small, commented audit folder that builds at once.
//!
//! Every key of audit.toml is present, the optional ones commented out, so
//! that the file documents the format; two findings, one write-up with a code
//! figure and a maturity table show the rest. Nothing is ever overwritten.

use std::fs;
use std::path::Path;

use super::{Config, fail};
use crate::pipeline::Outcome;

/// The files of a new audit folder, by path relative to it.
const FILES: &[(&str, &str)] = &[
    ("audit.toml", AUDIT_TOML),
    ("findings.csv", FINDINGS_CSV),
    ("findings/EX-1.md", FINDING_MD),
    ("maturity.csv", MATURITY_CSV),
    ("library/missing-rate-limit.md", LIBRARY_MD),
];

/// The line of AUDIT_TOML that names the style, commented out for `standard`.
const STYLE_LINE: &str = r#"# style = "standard"                  # house style (FORMAT 1.1): "standard", "risk" or a style folder"#;

/// A write-up of the starter library (FORMAT 1.2, "Write-up library"), so
/// that `new finding --from` and `library import` work in a new folder.
const LIBRARY_MD: &str = r#"+++
# A write-up of this folder's library: `auditpress new finding --from
# missing-rate-limit --set endpoint=/api/login --set target=...` makes a
# finding of it with the next free id.
title = "Missing rate limit on `{{endpoint}}`"
severity = "Medium"
difficulty = "Low"
type = "Denial of Service"
target = "{{target}}"

[placeholders]
endpoint = "the HTTP path without its host, e.g. /api/login"
target = "the file and lines of the handler, e.g. example-service/src/api/login.rs#12"
+++

## Description

The `{{endpoint}}` handler accepts any number of requests from one client,
so a single client can keep the service busy or try passwords at full
speed.

## Exploit Scenario

An attacker sends thousands of requests a second to `{{endpoint}}`, and the
service stops answering other users.

## Recommendations

**Short term,** limit the requests one client may send to `{{endpoint}}`
in a minute.

**Long term,** put a rate limit in front of every endpoint that does work
for a client that has not logged in.
"#;

const AUDIT_TOML: &str = r#"# Report metadata: see docs/FORMAT.md. Keys marked (required) must be given;
# the others are optional and shown commented out with an example value.

title = "Example Project"             # project name, on the cover (required)
subtitle = "Security Assessment"      # under the title
date = 2026-01-30                     # report date (required)
version = "1.0"                       # report version
classification = "CONFIDENTIAL"       # printed in every footer
vendor = "Example Security, Inc."     # the firm that did the audit (required)
id_prefix = "EX"                      # findings without an id get <prefix>-<row>
# draft = true                        # DRAFT on every page
# paper = "a4"                        # "letter" (default) or "a4"
# templates = "templates"             # a folder of template overrides
# style = "standard"                  # house style (FORMAT 1.1): "standard", "risk" or a style folder
library = "library"                   # write-ups for `auditpress new finding --from NAME`

# Questions the audit set out to answer (Markdown; finding ids link).
goals = [
  "Can an unauthenticated client read another user's data?",
  "Is every field of an uploaded file validated before use?",
]

[client]
organization = "Example Client"
prepared_for = ["A. Client, maintainer"]
prepared_by = ["B. Auditor"]

[engagement]
start = 2026-01-12
end = 2026-01-23
effort = "two engineer-weeks"

# [[contacts]]                        # grouped by `group` in the report
# name = "C. Manager"
# role = "Engagement Manager"
# email = "c.manager@example.com"
# group = "managers"

# [[timeline]]
# date = 2026-01-09
# event = "Kickoff call"

[[targets]]                           # one per audited repository or system
name = "example-service"
repository = "https://github.com/example/example-service"
version = "0123456789abcdef0123456789abcdef01234567"
type = "Rust"
platform = "Linux"

[coverage]
approaches = ["Manual review of the request handlers in `example-service/src/api`"]
limitations = ["The deployment configuration was out of scope"]

# [[tools]]                           # the Automated Testing section
# name = "Semgrep"
# description = "An open-source static analysis tool"
# policy = "Appendix C"

# [fix_review]                        # once the client's fixes were reviewed
# date = 2026-03-01

# [[history]]                         # versions of this report, oldest first
# version = "1.0"
# date = 2026-01-30
# description = "Initial report"
"#;

const FINDINGS_CSV: &str = "\
id,title,severity,difficulty,type,target,description,exploit_scenario,recommendations
EX-1,Uploaded archives can write outside the upload folder,High,Low,Data Validation,example-service/src/upload.rs#40–52,,,
EX-2,Session cookies lack the Secure attribute,Low,High,Session Management,example-service/src/session.rs#12,\"The session cookie is set without `Secure`, so a browser sends it over plain HTTP.\",\"An attacker on the same network reads the cookie of a user who follows an `http://` link.\",\"**Short term,** set `Secure` on the cookie. **Long term,** serve the service over HTTPS only.\"
";

const FINDING_MD: &str = r#"+++
# The row of findings.csv gives the id, title, severity, difficulty, type and target.
+++

## Description

The upload handler joins each archive entry's name to the upload folder
without checking it, so an entry named `../../etc/cron.d/x` is written
outside the folder.

```rust {start=40 highlight="45"}
for entry in archive.entries()? {
    let entry = entry?;
    let name = entry.path()?;
    let target = upload_dir.join(&name);
    // The name may hold "..": the target can leave upload_dir.
    entry.unpack(&target)?;
}
```
*Figure 1.1: The unpacking loop in `example-service/src/upload.rs#40–52`*

## Exploit Scenario

An attacker uploads an archive with an entry named `../../etc/cron.d/x` and
gains code execution when cron runs it.

## Recommendations

**Short term,** reject entries whose normalized path leaves the upload folder.

**Long term,** unpack archives in a sandbox with no access outside its folder.
"#;

const MATURITY_CSV: &str = "\
category,rating,summary
Data Handling,Weak,\"Archive entries are not validated (EX-1).\"
Testing and Verification,Moderate,\"Handlers have unit tests, but no test covers hostile uploads.\"
";

/// An example style: its name, its style.toml and its audit's files by path.
type Kit = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The example house styles `init --style` starts from (FORMAT 1.2): the
/// style folder and an audit folder written to it, both under data/, where
/// they are built by the tests. Each entry: name, style.toml, the audit's files.
const KITS: &[Kit] = &[
    (
        "smart-contract",
        include_str!("../../data/styles/smart-contract/style.toml"),
        &[
            (
                "audit.toml",
                include_str!("../../data/examples/smart-contract/audit.toml"),
            ),
            // The style's write-up library comes with it.
            (
                "style/library/missing-event.md",
                include_str!("../../data/styles/smart-contract/library/missing-event.md"),
            ),
            (
                "style/library/unchecked-transfer.md",
                include_str!("../../data/styles/smart-contract/library/unchecked-transfer.md"),
            ),
            (
                "findings.csv",
                include_str!("../../data/examples/smart-contract/findings.csv"),
            ),
            (
                "fix-review.csv",
                include_str!("../../data/examples/smart-contract/fix-review.csv"),
            ),
            (
                "findings/H-1.md",
                include_str!("../../data/examples/smart-contract/findings/H-1.md"),
            ),
            (
                "findings/M-1.md",
                include_str!("../../data/examples/smart-contract/findings/M-1.md"),
            ),
            (
                "findings/M-2.md",
                include_str!("../../data/examples/smart-contract/findings/M-2.md"),
            ),
            (
                "findings/L-1.md",
                include_str!("../../data/examples/smart-contract/findings/L-1.md"),
            ),
            (
                "findings/I-1.md",
                include_str!("../../data/examples/smart-contract/findings/I-1.md"),
            ),
            (
                "findings/G-1.md",
                include_str!("../../data/examples/smart-contract/findings/G-1.md"),
            ),
        ],
    ),
    (
        "pentest",
        include_str!("../../data/styles/pentest/style.toml"),
        &[
            (
                "audit.toml",
                include_str!("../../data/examples/pentest/audit.toml"),
            ),
            (
                "style/library/missing-security-headers.md",
                include_str!("../../data/styles/pentest/library/missing-security-headers.md"),
            ),
            (
                "findings.csv",
                include_str!("../../data/examples/pentest/findings.csv"),
            ),
            (
                "fix-review.csv",
                include_str!("../../data/examples/pentest/fix-review.csv"),
            ),
            (
                "findings/EX-PT-26-01.md",
                include_str!("../../data/examples/pentest/findings/EX-PT-26-01.md"),
            ),
            (
                "findings/EX-PT-26-02.md",
                include_str!("../../data/examples/pentest/findings/EX-PT-26-02.md"),
            ),
            (
                "findings/EX-PT-26-03.md",
                include_str!("../../data/examples/pentest/findings/EX-PT-26-03.md"),
            ),
            (
                "findings/EX-PT-26-04.md",
                include_str!("../../data/examples/pentest/findings/EX-PT-26-04.md"),
            ),
        ],
    ),
];

/// The logos of the example styles that have one: the firm's mark that
/// their covers and footers print.
const LOGOS: &[(&str, &[u8])] = &[(
    "pentest",
    include_bytes!("../../data/styles/pentest/logo.png"),
)];

/// The starter files, with audit.toml naming a built-in style other than
/// `standard`; the name of a style not built in is the error.
fn starter(name: &str) -> Result<Vec<(String, String)>, String> {
    if crate::load::style::builtin(name).is_none() {
        return Err(name.to_string());
    }
    let standard = crate::model::style::same_name(name, "standard");
    let line = format!(
        "{:<38}# house style (FORMAT 1.1): \"standard\", \"risk\" or a style folder",
        format!("style = \"{}\"", name.to_lowercase())
    );
    Ok(FILES
        .iter()
        .map(|(rel, text)| {
            let text = match *rel {
                "audit.toml" if !standard => text.replace(STYLE_LINE, &line),
                _ => text.to_string(),
            };
            (rel.to_string(), text)
        })
        .collect())
}

/// The files of a new folder: the starter ones (naming the built-in style,
/// when not `standard`), or those of an example style with the style (and
/// its logo) copied into `style/` and named by audit.toml.
fn files(style: Option<&str>) -> Result<Vec<(String, Vec<u8>)>, String> {
    let name = style.unwrap_or("standard");
    let Some((_, style_toml, audit)) = KITS
        .iter()
        .find(|(kit, _, _)| crate::model::style::same_name(kit, name))
    else {
        return starter(name).map(|files| {
            files
                .into_iter()
                .map(|(rel, text)| (rel, text.into_bytes()))
                .collect()
        });
    };
    let mut out: Vec<(String, Vec<u8>)> = audit
        .iter()
        .map(|(rel, text)| {
            let text = if *rel == "audit.toml" {
                // The example names the style by its place in data/; the new
                // folder carries its own copy.
                text.lines()
                    .map(|l| {
                        if l.starts_with("style = ") {
                            "style = \"style\""
                        } else {
                            l
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n"
            } else {
                text.to_string()
            };
            (rel.to_string(), text.into_bytes())
        })
        .collect();
    out.push(("style/style.toml".into(), style_toml.as_bytes().to_vec()));
    if let Some((_, logo)) = LOGOS
        .iter()
        .find(|(kit, _)| crate::model::style::same_name(kit, name))
    {
        out.push(("style/logo.png".into(), logo.to_vec()));
    }
    Ok(out)
}

/// Writes a new audit folder; refuses a folder that is not empty unless forced,
/// and never overwrites a file.
pub fn run(dir: &Path, force: bool, style: Option<&str>, config: &Config) -> Outcome {
    let files = match files(style) {
        Ok(files) => files,
        Err(name) => {
            let names = crate::load::style::builtin_names();
            return fail(
                config,
                Outcome::Io,
                format!("there is no built-in style \"{name}\"; nothing was written"),
                Some(format!("the built-in styles are: {}", names.join(", "))),
            );
        }
    };
    let not_empty = fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if not_empty && !force {
        return fail(
            config,
            Outcome::Io,
            format!("{} is not empty; nothing was written", dir.display()),
            Some(
                "give an empty or new folder, or add --force to add the files beside what is there"
                    .into(),
            ),
        );
    }
    if let Some((rel, _)) = files.iter().find(|(rel, _)| dir.join(rel).exists()) {
        return fail(
            config,
            Outcome::Io,
            format!("{} exists; nothing was written", dir.join(rel).display()),
            Some("init never overwrites a file: move it away first".into()),
        );
    }
    for (rel, text) in &files {
        let path = dir.join(rel);
        // Each file whole or not at all, and never over one that exists.
        let written = path
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| crate::output::write_new_atomic(&path, text));
        if let Err(e) = written {
            return fail(config, Outcome::Io, e.to_string(), None);
        }
    }
    if config.chatty() {
        eprintln!(
            "wrote a new audit folder in {}; build it with `auditpress build {}`",
            dir.display(),
            dir.display()
        );
    }
    Outcome::Ok
}
