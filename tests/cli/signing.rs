//! Signed deliverables, checked by the tools a client and an archive use:
//! pyHanko and poppler's pdfsig for the PDF's signature, `page` for the
//! conformance the signature must keep, openssl and sha256sum for a signed
//! manifest, and `auditpress verify` for a client who has only the binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

const EPOCH: &str = "1765000000";

fn key(name: &str) -> PathBuf {
    fixture("signing").join(name)
}

fn build_signed(dir: &Path, pdf: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "build".as_ref(),
        dir.as_os_str(),
        "-o".as_ref(),
        pdf.as_os_str(),
        "--final".as_ref(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    run_env(&args, &[("SOURCE_DATE_EPOCH", EPOCH)])
}

fn pyhanko_validate(pyhanko: &Path, pdf: &Path, cert: &Path) -> (bool, String) {
    let out = Command::new(pyhanko)
        .args(["sign", "validate", "--trust"])
        .arg(cert)
        .args(["--trust-replace", "--no-revocation-check"])
        .arg(pdf)
        .output()
        .expect("pyhanko runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn pdfsig(pdf: &Path) -> String {
    let out = Command::new("pdfsig")
        .arg(pdf)
        .output()
        .expect("pdfsig (poppler-utils) runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn verify(file: &Path, trust: Option<&Path>) -> (Option<i32>, String) {
    let mut args: Vec<&std::ffi::OsStr> = vec!["verify".as_ref(), file.as_os_str()];
    if let Some(t) = trust {
        args.extend(["--trust".as_ref(), t.as_os_str()]);
    }
    let out = run(&args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out),
    )
}

/// Flips one byte inside the first signed range of a PDF.
fn tamper(pdf: &Path) -> PathBuf {
    let mut bytes = fs::read(pdf).unwrap();
    let at = 2000;
    bytes[at] ^= 0x01;
    let out = pdf.with_file_name("tampered.pdf");
    fs::write(&out, bytes).unwrap();
    out
}

#[test]
fn a_signed_report_validates_in_pyhanko_and_pdfsig_and_keeps_pdf_a_and_ua() {
    let Some(pyhanko) = python_tool("pyhanko", "pyhanko") else {
        return;
    };
    let Some(python) = python_tool("python", "page") else {
        return;
    };
    let (_tmp, dir) = workspace(&example());
    let parent = dir.parent().unwrap();
    let (plain, signed) = (parent.join("plain.pdf"), parent.join("signed.pdf"));
    let standard = ["--pdf-standard", "a-2b,ua-1"];
    let out = build_signed(&dir, &plain, &standard);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (ec_key, ec_crt) = (key("ec.key"), key("ec.crt"));
    let sign = [
        "--sign",
        ec_key.to_str().unwrap(),
        "--sign-cert",
        ec_crt.to_str().unwrap(),
    ];
    let out = build_signed(&dir, &signed, &[&standard[..], &sign[..]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let (plain_bytes, signed_bytes) = (fs::read(&plain).unwrap(), fs::read(&signed).unwrap());
    assert!(signed_bytes.len() > plain_bytes.len());
    assert!(
        signed_bytes.starts_with(&plain_bytes),
        "the unsigned build is not a prefix of the signed file"
    );

    let (ok, said) = pyhanko_validate(&pyhanko, &signed, &key("ec.crt"));
    assert!(ok && said.contains("INTACT:TRUSTED,UNTOUCHED"), "{said}");
    let sig = pdfsig(&signed);
    assert!(
        sig.contains("Signature is Valid.") && sig.contains("Total document signed"),
        "{sig}"
    );

    let checker = Command::new(&python)
        .arg(root().join("tests/tools/conformance.py"))
        .arg(&signed)
        .arg("2b,ua1")
        .output()
        .unwrap();
    let report: serde_json::Value =
        serde_json::from_slice(&checker.stdout).expect("the checker prints JSON");
    for profile in ["2b", "ua1"] {
        assert_eq!(
            report["profiles"][profile]["failures"],
            serde_json::json!([]),
            "{profile}: {report}"
        );
        assert_eq!(report["profiles"][profile]["compliant"], true);
    }

    let (code, said) = verify(&signed, Some(&key("ec.crt")));
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("signature valid")
            && said.contains("Northwind Security Signing")
            && said.contains("covers: the whole file"),
        "{said}"
    );

    let broken = tamper(&signed);
    let (ok, said) = pyhanko_validate(&pyhanko, &broken, &key("ec.crt"));
    assert!(!ok, "pyhanko accepted a changed file: {said}");
    let sig = pdfsig(&broken);
    assert!(!sig.contains("Signature is Valid."), "{sig}");
    let (code, said) = verify(&broken, None);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("changed after signing"), "{said}");
}

#[test]
fn an_rsa_key_with_its_certificate_in_one_file_signs_and_trust_is_checked() {
    let (tmp, dir) = workspace(&example());
    let both = tmp.path().join("rsa.pem");
    let pem =
        fs::read_to_string(key("rsa.key")).unwrap() + &fs::read_to_string(key("rsa.crt")).unwrap();
    fs::write(&both, pem).unwrap();
    let signed = tmp.path().join("signed.pdf");
    let out = build_signed(&dir, &signed, &["--sign", both.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sig = pdfsig(&signed);
    assert!(
        sig.contains("Signature is Valid.") && sig.contains("Northwind RSA"),
        "{sig}"
    );
    let (code, said) = verify(&signed, Some(&key("rsa.crt")));
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("trusted"), "{said}");
    let (code, said) = verify(&signed, Some(&key("ec.crt")));
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("NOT TRUSTED"), "{said}");
    let (code, said) = verify(&tmp.path().join("audit/findings.csv"), None);
    assert_eq!(code, Some(1), "{said}");
}

#[test]
fn signing_needs_final_and_a_key_outside_the_audit_and_style_folders() {
    let (tmp, dir) = workspace(&example());
    let pdf = tmp.path().join("r.pdf");
    let (ec_key, ec_crt) = (key("ec.key"), key("ec.crt"));
    let sign = [
        "--sign",
        ec_key.to_str().unwrap(),
        "--sign-cert",
        ec_crt.to_str().unwrap(),
    ];
    let out = build_to(&dir, &pdf, &sign);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--sign signs final reports only"),
        "{}",
        stderr(&out)
    );
    assert!(!pdf.exists());

    fs::copy(key("ec.key"), dir.join("ec.key")).unwrap();
    let inside = dir.join("ec.key");
    let out = build_signed(
        &dir,
        &pdf,
        &[
            "--sign",
            inside.to_str().unwrap(),
            "--sign-cert",
            key("ec.crt").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("ec.key") && said.contains("a folder the report is built from"),
        "{said}"
    );
    assert!(!pdf.exists());

    let out = build_signed(
        &dir,
        &pdf,
        &[
            "--sign",
            key("rsa.key").to_str().unwrap(),
            "--sign-cert",
            key("ec.crt").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("none of the certificates is the private key's"),
        "{}",
        stderr(&out)
    );
}

/// The batch of three reports the manifest tests build.
fn three_reports(tmp: &Path) -> PathBuf {
    copy_dir(&example(), &tmp.join("lumen"));
    let batch = tmp.join("q.toml");
    fs::write(
        &batch,
        "output = \"out/{project}-{version}-{classification}.pdf\"\n\n\
         [[report]]\nfolder = \"lumen\"\n\n\
         [[report]]\nfolder = \"lumen\"\nclassification = \"Confidential\"\n\n\
         [[report]]\nfolder = \"lumen\"\nversion = \"2.1\"\n",
    )
    .unwrap();
    batch
}

fn openssl_verify(out: &Path) -> bool {
    Command::new("openssl")
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in",
        ])
        .arg(out.join("SHA256SUMS.p7s"))
        .arg("-content")
        .arg(out.join("SHA256SUMS"))
        .arg("-CAfile")
        .arg(key("ec.crt"))
        .args(["-out", "/dev/null"])
        .output()
        .expect("openssl runs")
        .status
        .success()
}

#[test]
fn a_batch_manifest_is_signed_and_fails_once_a_report_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = three_reports(tmp.path());
    let summary = tmp.path().join("summary.json");
    let out = run_env(
        &[
            "batch".as_ref(),
            batch.as_os_str(),
            "--manifest".as_ref(),
            "--sign".as_ref(),
            key("ec.key").as_os_str(),
            "--sign-cert".as_ref(),
            key("ec.crt").as_os_str(),
            "--summary".as_ref(),
            summary.as_os_str(),
        ],
        &[("SOURCE_DATE_EPOCH", EPOCH)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let folder = tmp.path().join("out");
    let sums = fs::read_to_string(folder.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 3, "{sums}");
    let check = Command::new("sha256sum")
        .arg("-c")
        .arg("SHA256SUMS")
        .current_dir(&folder)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(
        openssl_verify(&folder),
        "openssl cms -verify refused the manifest"
    );

    let described: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(folder.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(described["typst"], "0.15.1");
    assert_eq!(described["files"].as_array().unwrap().len(), 3);
    let records: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    for record in records["reports"].as_array().unwrap() {
        let file = Path::new(record["output"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let listed = sums
            .lines()
            .find(|l| l.ends_with(&file))
            .expect("the summary's file is in the manifest");
        assert_eq!(record["sha256"].as_str().unwrap(), &listed[..64]);
    }
    let (code, said) = verify(&folder.join("SHA256SUMS"), Some(&key("ec.crt")));
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(said.matches(": OK").count(), 3, "{said}");

    let changed = folder.join("lumen-2.1-public.pdf");
    let mut bytes = fs::read(&changed).unwrap();
    bytes[1000] ^= 1;
    fs::write(&changed, bytes).unwrap();
    let (code, said) = verify(&folder.join("SHA256SUMS"), Some(&key("ec.crt")));
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("lumen-2.1-public.pdf: FAILED"), "{said}");

    fs::write(folder.join("SHA256SUMS"), sums.replacen('0', "1", 1)).unwrap();
    assert!(
        !openssl_verify(&folder),
        "openssl accepted a changed manifest"
    );
    let (code, said) = verify(&folder.join("SHA256SUMS"), None);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("SIGNATURE INVALID"), "{said}");
}

#[test]
fn a_manifest_lists_and_hashes_every_document_of_a_build() {
    let (_tmp, dir) = workspace(&example());
    let folder = dir.parent().unwrap().join("out");
    let pdf = folder.join("report.pdf");
    let (k, c) = (key("ec.key"), key("ec.crt"));
    let out = build_signed(
        &dir,
        &pdf,
        &[
            "--format",
            "pdf,html,docx",
            "--manifest",
            "--sign",
            k.to_str().unwrap(),
            "--sign-cert",
            c.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The three documents, each under its name, and nothing else.
    let sums = fs::read_to_string(folder.join("SHA256SUMS")).unwrap();
    let mut named: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
    named.sort_unstable();
    assert_eq!(
        named,
        ["report.docx", "report.html", "report.pdf"],
        "{sums}"
    );
    // Their hashes are those of the files as written (the PDF signed).
    let check = Command::new("sha256sum")
        .arg("-c")
        .arg("SHA256SUMS")
        .current_dir(&folder)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(
        pdfsig(&pdf).contains("Signature is Valid."),
        "the PDF is signed"
    );
    assert!(
        openssl_verify(&folder),
        "openssl cms -verify refused the manifest"
    );
    let described: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(folder.join("manifest.json")).unwrap()).unwrap();
    let files = described["files"].as_array().unwrap();
    assert_eq!(files.len(), 3, "{described:#}");
    for f in files {
        let line = format!(
            "{}  {}",
            f["sha256"].as_str().unwrap(),
            f["file"].as_str().unwrap()
        );
        assert!(sums.lines().any(|l| l == line), "{line} not in {sums}");
    }
    let (code, said) = verify(&folder.join("SHA256SUMS"), Some(&c));
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(said.matches(": OK").count(), 3, "{said}");
    // A changed web page fails the check, as a changed PDF does.
    let page = folder.join("report.html");
    let text = fs::read_to_string(&page).unwrap();
    fs::write(&page, text.replacen("<main", "<main data-x=\"1\"", 1)).unwrap();
    let (code, said) = verify(&folder.join("SHA256SUMS"), Some(&c));
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("report.html: FAILED"), "{said}");
}
