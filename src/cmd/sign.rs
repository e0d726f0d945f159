//! `--sign`, `--manifest` and `auditpress verify`: signing happens here, in
//! the parent process, after the worker has written the PDF. The key is read
//! here and never enters a [`super::Config`], so it never crosses into the
//! worker that reads the audit folder.

use std::path::{Path, PathBuf};

use super::{Config, fail};
use crate::input;
use crate::output::write_atomic;
use crate::pipeline::{Built, Job, Outcome};
use crate::render::Deliverable;
pub use crate::sign::Signing;
use crate::sign::manifest::{self, Description, Entry};
use crate::sign::{self, Key, cms, pdf};

/// Largest key or certificate file read.
const KEY_LIMIT: u64 = 1 << 20;

/// A problem with the key, said as a usage error with its hint.
pub struct KeyProblem {
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: String,
}

/// Reads the key (and the chain, when in a file of its own), refusing a
/// file inside any of `folders` (the audit and style folders, which the
/// report's authors control and whose files a build may print).
pub fn load_key(key: &Path, cert: Option<&Path>, folders: &[PathBuf]) -> Result<Key, KeyProblem> {
    let mut texts = Vec::new();
    for path in std::iter::once(key).chain(cert) {
        let real = path.canonicalize().map_err(|e| KeyProblem {
            message: format!("cannot read {} ({e})", path.display()),
            hint: "give the path of a PEM file".into(),
        })?;
        if let Some(folder) = folders
            .iter()
            .filter_map(|f| f.canonicalize().ok())
            .find(|f| real.starts_with(f))
        {
            return Err(KeyProblem {
                message: format!("{} lies inside {}, a folder the report is built from", path.display(), folder.display()),
                hint: "keep signing keys outside audit and style folders (anything in them can be printed or shared)".into(),
            });
        }
        let bytes = input::read_regular(path, KEY_LIMIT).map_err(|r| {
            let (message, hint) = r.explain(&path.display().to_string());
            KeyProblem { message, hint }
        })?;
        if is_p12(path, &bytes) {
            let password = std::env::var("AUDITPRESS_SIGN_PASSWORD").unwrap_or_default();
            return Key::from_p12(&bytes, &password).map_err(|message| KeyProblem {
                message: format!("{}: {message}", path.display()),
                hint: "give a PKCS#12 file and its password in AUDITPRESS_SIGN_PASSWORD, or a PEM key with --sign-cert".into(),
            });
        }
        texts.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    Key::from_pem(&refs).map_err(|message| KeyProblem {
        message: format!("{}: {message}", key.display()),
        hint: "give a PEM private key (ECDSA P-256 or RSA) and its certificate, with --sign-cert if they are in two files, or a PKCS#12 file".into(),
    })
}

/// Whether a key file is PKCS#12 (binary DER, or named .p12/.pfx).
fn is_p12(path: &Path, bytes: &[u8]) -> bool {
    let named = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "p12" | "pfx" | "P12" | "PFX"));
    named || (bytes.first() == Some(&0x30) && !bytes.starts_with(b"-----"))
}

/// Signs each PDF in place: its bytes followed by the signature's update,
/// written atomically.
pub fn sign_pdfs(key: &Key, time: i64, paths: &[PathBuf]) -> Result<(), String> {
    for path in paths {
        let unsigned = std::fs::read(path)
            .map_err(|e| format!("cannot read {} to sign it ({e})", path.display()))?;
        let signed = pdf::sign(&unsigned, key, time)
            .map_err(|e| format!("cannot sign {}: {e}", path.display()))?;
        write_atomic(path, &signed)
            .map_err(|e| format!("cannot write {} ({e})", path.display()))?;
    }
    Ok(())
}

/// The manifest entry of a written file, named relative to `folder`.
pub fn entry(report: &str, file: &Path, folder: &Path, source: &Path) -> Result<Entry, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {} ({e})", file.display()))?;
    let name = relative(file, folder).ok_or_else(|| {
        format!(
            "{} is not inside {}, the manifest's folder",
            file.display(),
            folder.display()
        )
    })?;
    Ok(Entry {
        report: report.to_string(),
        file: name,
        sha256: manifest::sha256_hex(&bytes),
        commit: manifest::git_commit(source),
    })
}

fn relative(file: &Path, folder: &Path) -> Option<String> {
    let file = file.canonicalize().ok()?;
    let folder = folder.canonicalize().ok()?;
    let rest = file.strip_prefix(&folder).ok()?;
    Some(rest.to_str()?.to_string())
}

/// Writes SHA256SUMS, manifest.json and, with a key, SHA256SUMS.p7s into
/// `folder`; returns the files written.
pub fn write_manifest(
    key: Option<&Key>,
    folder: &Path,
    entries: Vec<Entry>,
) -> Result<Vec<PathBuf>, String> {
    let sums = manifest::sums(&entries);
    let description = Description {
        auditpress: env!("CARGO_PKG_VERSION").to_string(),
        typst: manifest::TYPST_VERSION.to_string(),
        files: entries,
    };
    let json = serde_json::to_string_pretty(&description).map_err(|e| e.to_string())? + "\n";
    let mut files = vec![
        (folder.join(manifest::SUMS), sums.clone().into_bytes()),
        (folder.join(manifest::DESCRIPTION), json.into_bytes()),
    ];
    if let Some(key) = key {
        files.push((
            folder.join(manifest::SIGNATURE),
            manifest::sign(sums.as_bytes(), key)?,
        ));
    }
    for (path, bytes) in &files {
        write_atomic(path, bytes).map_err(|e| format!("cannot write {} ({e})", path.display()))?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// What `verify` found: lines to print and whether everything held.
pub struct Verdict {
    /// The report, line by line.
    pub lines: Vec<String>,
    /// Whether every signature and checksum held (and was trusted, when a
    /// certificate to trust was given).
    pub ok: bool,
}

/// Checks a signed PDF or a manifest, offline.
pub fn verify(file: &Path, trust: Option<&[u8]>) -> Result<Verdict, String> {
    let bytes =
        input::read_regular(file, 1 << 32).map_err(|r| r.explain(&file.display().to_string()).0)?;
    if bytes.starts_with(b"%PDF-") {
        verify_pdf(file, &bytes, trust)
    } else {
        verify_manifest(file, &bytes, trust)
    }
}

fn signer_lines(certificate: &[u8], trust: Option<&[u8]>, lines: &mut Vec<String>) -> bool {
    let cert = cms::parse_cert(certificate);
    let name = cert
        .and_then(|c| cms::common_name(c.subject))
        .unwrap_or_else(|| "(no common name)".into());
    lines.push(format!("  signed by: {name}"));
    lines.push(format!(
        "  certificate SHA-256: {}",
        sign::fingerprint(certificate)
    ));
    match trust {
        Some(trusted) if sign::trusts(trusted, certificate) => {
            lines.push(
                "  trusted: the certificate given with --trust vouches for the signer".into(),
            );
            true
        }
        Some(_) => {
            lines.push("  NOT TRUSTED: the certificate given with --trust neither is nor issued the signer's".into());
            false
        }
        None => {
            lines.push("  trust: not checked; compare the fingerprint with the one the firm publishes, or give --trust CERT.pem".into());
            true
        }
    }
}

fn verify_pdf(file: &Path, bytes: &[u8], trust: Option<&[u8]>) -> Result<Verdict, String> {
    let found = pdf::verify(bytes)?;
    let mut lines = Vec::new();
    if found.is_empty() {
        lines.push(format!("{}: no signature", file.display()));
        return Ok(Verdict { lines, ok: false });
    }
    let mut ok = true;
    for f in found {
        lines.push(format!("{}: signature valid", file.display()));
        ok &= signer_lines(&f.verified.certificate, trust, &mut lines);
        lines.push(format!("  signed at: {}", readable_date(&f.signed_at)));
        if f.whole {
            lines.push(format!("  covers: the whole file ({} bytes)", bytes.len()));
        } else {
            ok = false;
            lines.push(format!(
                "  CHANGED AFTER SIGNING: {} bytes follow the signed part ({} bytes)",
                bytes.len() - f.covered,
                f.covered
            ));
        }
    }
    Ok(Verdict { lines, ok })
}

fn verify_manifest(file: &Path, bytes: &[u8], trust: Option<&[u8]>) -> Result<Verdict, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| format!("{} is neither a PDF nor a SHA256SUMS file", file.display()))?;
    let mut lines = Vec::new();
    let mut ok = true;
    let signature = file.with_file_name(manifest::SIGNATURE);
    match std::fs::read(&signature) {
        Ok(p7s) => match manifest::verify(bytes, &p7s) {
            Ok(v) => {
                lines.push(format!(
                    "{}: signature valid ({})",
                    file.display(),
                    signature.display()
                ));
                ok &= signer_lines(&v.certificate, trust, &mut lines);
            }
            Err(e) => {
                ok = false;
                lines.push(format!("{}: SIGNATURE INVALID: {e}", file.display()));
            }
        },
        Err(_) => {
            ok &= trust.is_none();
            lines.push(format!(
                "{}: not signed (no {} beside it)",
                file.display(),
                manifest::SIGNATURE
            ));
        }
    }
    for checked in manifest::check_sums(file, text)? {
        match checked.problem {
            None => lines.push(format!("{}: OK", checked.file.display())),
            Some(problem) => {
                ok = false;
                lines.push(format!("{}: FAILED, {problem}", checked.file.display()));
            }
        }
    }
    Ok(Verdict { lines, ok })
}

/// `auditpress verify`: prints what it found on standard output; exit 0 when
/// everything holds, 1 when a signature, checksum or trust fails.
pub fn run_verify(file: &Path, trust: Option<&Path>, config: &Config) -> Outcome {
    let trusted = match trust.map(read_certificate).transpose() {
        Ok(t) => t,
        Err(message) => {
            return fail(
                config,
                Outcome::Io,
                message,
                Some("give the firm's certificate as PEM".into()),
            );
        }
    };
    match verify(file, trusted.as_deref()) {
        Ok(verdict) => {
            let text = verdict.lines.join("\n") + "\n";
            if let Err(e) = super::print(text.as_bytes()) {
                return fail(config, Outcome::Io, e.to_string(), None);
            }
            if verdict.ok {
                Outcome::Ok
            } else {
                Outcome::Errors
            }
        }
        Err(message) => fail(
            config,
            Outcome::Errors,
            format!("{}: {message}", file.display()),
            None,
        ),
    }
}

fn read_certificate(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = input::read_regular(path, KEY_LIMIT)
        .map_err(|r| r.explain(&path.display().to_string()).0)?;
    sign::pem_blocks(&String::from_utf8_lossy(&bytes))?
        .into_iter()
        .find(|(label, _)| label == "CERTIFICATE")
        .map(|(_, der)| der)
        .ok_or_else(|| format!("{} holds no PEM certificate", path.display()))
}

/// A PDF date `(D:YYYYMMDDHHmmSSZ)` as `YYYY-MM-DD HH:mm:SS UTC`, or as written.
fn readable_date(pdf_date: &str) -> String {
    let d = pdf_date
        .trim_matches(|c| c == '(' || c == ')')
        .trim_start_matches("D:");
    match (
        d.get(..4),
        d.get(4..6),
        d.get(6..8),
        d.get(8..10),
        d.get(10..12),
        d.get(12..14),
    ) {
        (Some(y), Some(mo), Some(day), Some(h), Some(mi), Some(s)) if d.ends_with('Z') => {
            format!("{y}-{mo}-{day} {h}:{mi}:{s} UTC")
        }
        _ => d.to_string(),
    }
}

/// After the reports are built: signs each PDF (with a key, on `build`) and
/// writes the manifest of every file written (with `--manifest`). Nothing
/// is signed or listed unless every report was built.
pub fn finish(config: &Config, jobs: &[Job], reports: &[Built], sign_pdfs_too: bool) -> Outcome {
    let Some(signing) = config.signing.as_deref() else {
        return Outcome::Ok;
    };
    let read: Vec<PathBuf> = reports
        .iter()
        .flat_map(|r| r.inputs.iter().cloned())
        .collect();
    if let Some(path) = &signing.key_path
        && let Ok(real) = path.canonicalize()
        && let Some(folder) = read
            .iter()
            .filter(|f| f.is_dir())
            .find(|f| f.canonicalize().is_ok_and(|f| real.starts_with(f)))
    {
        return fail(
            config,
            Outcome::Io,
            format!(
                "{} lies inside {}, a folder the report is built from",
                path.display(),
                folder.display()
            ),
            Some("keep signing keys outside audit and style folders; nothing was signed".into()),
        );
    }
    // Every document written (the PDF, and the HTML page and the Word
    // document with `--format`), each report's in the order it wrote them.
    let written: Vec<(&Job, Deliverable, PathBuf)> = jobs
        .iter()
        .zip(reports)
        .flat_map(|(job, r)| {
            r.outputs
                .iter()
                .map(move |w| (job, w.format, w.path.clone()))
        })
        .collect();
    if let (Some(key), true) = (&signing.key, sign_pdfs_too) {
        let paths: Vec<PathBuf> = written
            .iter()
            .filter(|(_, format, _)| *format == Deliverable::Pdf)
            .map(|(_, _, p)| p.clone())
            .collect();
        if let Err(e) = sign_pdfs(key, signing.time, &paths) {
            return fail(config, Outcome::Retry, e, None);
        }
    }
    if signing.manifest {
        let files: Vec<(&Job, PathBuf)> = written.into_iter().map(|(j, _, p)| (j, p)).collect();
        return manifest_of(config, signing, &files);
    }
    Outcome::Ok
}

fn manifest_of(config: &Config, signing: &Signing, written: &[(&Job, PathBuf)]) -> Outcome {
    let Some(folder) = common_folder(written.iter().map(|(_, p)| p.as_path())) else {
        return fail(
            config,
            Outcome::Io,
            "no report was written, so there is no manifest".to_string(),
            None,
        );
    };
    let entries: Result<Vec<Entry>, String> = written
        .iter()
        .map(|(job, path)| entry(&job.name, path, &folder, &job.dir))
        .collect();
    match entries.and_then(|e| write_manifest(signing.key.as_ref(), &folder, e)) {
        Ok(files) => {
            if config.chatty() {
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                eprintln!("wrote {}", names.join(", "));
            }
            Outcome::Ok
        }
        Err(e) => fail(config, Outcome::Retry, e, None),
    }
}

/// The deepest folder holding every path.
fn common_folder<'a>(paths: impl Iterator<Item = &'a Path>) -> Option<PathBuf> {
    let mut common: Option<PathBuf> = None;
    for path in paths {
        let parent = path.canonicalize().ok()?.parent()?.to_path_buf();
        common = Some(match common {
            None => parent,
            Some(c) => c.ancestors().find(|a| parent.starts_with(a))?.to_path_buf(),
        });
    }
    common
}
