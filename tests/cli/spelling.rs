//! The spelling check's cache (issue 41): a second `check` reads the
//! passages it spelled from `.auditpress/cache/`, spells again only what
//! changed, gives the same warnings in the same order, and never trusts a
//! file it did not write.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::*;

/// The cache file of a folder.
fn cache_file(dir: &Path) -> PathBuf {
    dir.join(".auditpress/cache/spell.json")
}

/// `check`'s output for a folder: its exit code, its warnings in order,
/// and its note on spelling.
fn check(dir: &Path) -> (Option<i32>, Vec<String>, String) {
    let out = run(&[
        "check".as_ref(),
        dir.as_os_str(),
        "--diagnostic-format".as_ref(),
        "short".as_ref(),
    ]);
    let err = stderr(&out);
    let warnings = err
        .lines()
        .filter(|l| l.contains(": warning:"))
        .map(str::to_string)
        .collect();
    let note = err
        .lines()
        .find(|l| l.starts_with("spelling and grammar:"))
        .unwrap_or_else(|| panic!("no note on spelling: {err}"))
        .to_string();
    (out.status.code(), warnings, note)
}

/// The number of passages a note says were read from the cache, and of all.
fn cached(note: &str) -> Option<(usize, usize)> {
    let (_, rest) = note.split_once(" (")?;
    let mut numbers = rest.split(' ').filter_map(|w| w.parse::<usize>().ok());
    Some((numbers.next()?, numbers.next()?))
}

/// The example with a misspelling planted in a finding.
fn planted() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = workspace(&example());
    edit(
        &dir,
        "findings/NWS-LUMEN-2.md",
        "## Description\n",
        "## Description\n\nThe console lets users recieve a token that never expires.\n",
    );
    (tmp, dir)
}

#[test]
fn a_second_check_reads_what_the_first_spelled_and_spells_again_only_what_changed() {
    let (_tmp, dir) = planted();
    let (code, cold, note) = check(&dir);
    assert_eq!(code, Some(0), "{cold:?}");
    assert!(
        cold.iter()
            .any(|w| w.contains("NWS-LUMEN-2.md") && w.contains("possible misspelling `recieve`")),
        "{cold:?}"
    );
    assert_eq!(cached(&note), None, "nothing was cached yet: {note}");
    // The cache is in the folder, out of version control.
    assert!(cache_file(&dir).is_file());
    let ignore = fs::read_to_string(dir.join(".auditpress/cache/.gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");

    // The same warnings in the same order, every passage from the cache; the
    // cache's folder is not read as part of the audit.
    let (code, warm, note) = check(&dir);
    assert_eq!(code, Some(0));
    assert_eq!(warm, cold);
    let (from_cache, all) = cached(&note).unwrap_or_else(|| panic!("{note}"));
    assert_eq!(from_cache, all, "{note}");
    assert!(all > 50, "{note}");

    // What the second check printed came from the file: a message changed
    // there is what it prints.
    let text = fs::read_to_string(cache_file(&dir)).unwrap();
    assert!(text.contains("possible misspelling `recieve`"));
    fs::write(
        cache_file(&dir),
        text.replace("misspelling `recieve`", "misspelling `PLANTED`"),
    )
    .unwrap();
    let (_, warm, _) = check(&dir);
    assert!(warm.iter().any(|w| w.contains("`PLANTED`")), "{warm:?}");

    // A word added to words.txt spells again the one passage that holds it.
    let words = dir.join("words.txt");
    let list = fs::read_to_string(&words).unwrap();
    fs::write(&words, format!("{list}recieve\n")).unwrap();
    let (_, after, note) = check(&dir);
    assert!(
        !after
            .iter()
            .any(|w| w.contains("PLANTED") || w.contains("recieve")),
        "{after:?}"
    );
    assert_eq!(cached(&note), Some((all - 1, all)), "{note}");

    // A word no passage holds changes nothing.
    fs::write(&words, format!("{list}recieve\nzorblatt\n")).unwrap();
    assert_eq!(cached(&check(&dir).2), Some((all, all)));

    // An edited paragraph is spelled again, alone; the new mistake is found.
    edit(
        &dir,
        "findings/NWS-LUMEN-2.md",
        "never expires.",
        "never expires, as we beleive.",
    );
    let (_, after, note) = check(&dir);
    assert_eq!(cached(&note), Some((all - 1, all)), "{note}");
    assert!(
        after
            .iter()
            .any(|w| w.contains("possible misspelling `beleive`")),
        "{after:?}"
    );
}

#[test]
fn a_corrupt_or_foreign_cache_is_ignored_and_written_anew() {
    let (_tmp, dir) = planted();
    let (_, cold, _) = check(&dir);
    let good = fs::read_to_string(cache_file(&dir)).unwrap();

    // Not JSON, JSON of another shape, places outside the passage: each
    // read as no cache, with no word about it, and the file written again.
    let shifted = good.replace("\"start\":", "\"start\":1000000,\"was\":");
    for bad in ["{\"stamp\": 3, garbage", "[1, 2, 3]", shifted.as_str()] {
        fs::write(cache_file(&dir), bad).unwrap();
        let out = run(&["check".as_ref(), dir.as_os_str()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{err}");
        // No word of it but the note's count of passages.
        assert!(
            !err.lines()
                .any(|l| l.contains("cache") && !l.starts_with("spelling and grammar:")),
            "{err}"
        );
        let (_, warnings, note) = check(&dir);
        assert_eq!(warnings, cold, "{bad}");
        assert_eq!(cached(&note).map(|(a, b)| a == b), Some(true), "{note}");
    }

    // A cache another version of auditpress wrote is not read.
    let foreign = good.replace("misspelling `recieve`", "misspelling `PLANTED`");
    let stamp = foreign.split("\"stamp\":\"").nth(1).unwrap();
    let stamp = &stamp[..stamp.find('"').unwrap()];
    let foreign = foreign.replace(stamp, "auditpress 0.0.1 /elsewhere/auditpress 1 2.0");
    fs::write(cache_file(&dir), &foreign).unwrap();
    let (_, warnings, note) = check(&dir);
    assert_eq!(warnings, cold);
    assert_eq!(cached(&note), None, "{note}");
    let rewritten = fs::read_to_string(cache_file(&dir)).unwrap();
    assert!(rewritten.contains(stamp) && !rewritten.contains("PLANTED"));
}

#[cfg(unix)]
#[test]
fn a_cache_folder_linked_out_of_the_audit_is_never_written() {
    let (tmp, dir) = planted();
    let outside = tmp.path().join("elsewhere");
    fs::create_dir_all(&outside).unwrap();
    fs::create_dir_all(dir.join(".auditpress")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join(".auditpress/cache")).unwrap();
    let (code, warnings, _) = check(&dir);
    assert_eq!(code, Some(0));
    assert!(warnings.iter().any(|w| w.contains("`recieve`")));
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
}

/// The builds watch reports until a time, its lines kept in `seen`.
fn builds_until(
    lines: &std::sync::mpsc::Receiver<String>,
    until: Instant,
    seen: &mut Vec<String>,
) -> usize {
    let mut builds = 0;
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if let Ok(line) = lines.recv_timeout(left) {
            builds += usize::from(built_line(&line, true) || built_line(&line, false));
            seen.push(line);
        }
    }
    builds
}

/// Watch rebuilds on changes to what the build read only (issue 20), which
/// the cache is not: this holds on the code before the cache too, and
/// guards against a build that starts reading the folder as a whole.
#[test]
fn watch_does_not_rebuild_when_check_writes_its_cache() {
    let (_tmp, dir) = planted();
    let (mut child, lines, _pdf) = spawn_watch(&dir, &[]);
    let mut seen: Vec<String> = Vec::new();
    let first = Instant::now() + Duration::from_secs(120);
    while !seen.iter().any(|l| built_line(l, true)) && Instant::now() < first {
        builds_until(
            &lines,
            Instant::now() + Duration::from_millis(200),
            &mut seen,
        );
    }
    assert!(seen.iter().any(|l| built_line(l, true)), "{seen:?}");

    let (code, _, _) = check(&dir);
    assert_eq!(code, Some(0));
    assert!(cache_file(&dir).is_file());
    let builds = builds_until(
        &lines,
        Instant::now() + Duration::from_millis(2500),
        &mut seen,
    );
    assert_eq!(
        builds,
        0,
        "check's cache started a build:\n{}",
        seen.join("\n")
    );

    // An edit of the audit still does.
    edit(&dir, "findings/NWS-LUMEN-2.md", "recieve", "receive");
    let (deadline, mut builds) = (Instant::now() + Duration::from_secs(60), 0);
    while builds == 0 && Instant::now() < deadline {
        builds += builds_until(
            &lines,
            Instant::now() + Duration::from_millis(200),
            &mut seen,
        );
    }
    assert!(builds >= 1, "{}", seen.join("\n"));
    child.kill().unwrap();
    child.wait().unwrap();
}
