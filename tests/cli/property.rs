//! Property tests: whatever text a field holds, the PDF shows it verbatim.

use std::fs;

use proptest::prelude::*;

use crate::common::*;

/// Printable text of the kinds audit data holds: ASCII with every markup
/// character typst knows, and letters and punctuation beyond ASCII.
fn text() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        8 => proptest::char::range('!', '~'),
        1 => Just(' '),
        1 => proptest::sample::select(vec!['é', 'ü', 'ß', 'ñ', 'ø', '–', '—', '’', '“', '€', 'λ', 'Ж', '…', '§']),
    ];
    proptest::collection::vec(chars, 1..30)
        .prop_map(|v| v.into_iter().collect::<String>().trim().to_string())
        .prop_filter("not blank", |s| !s.is_empty())
}

proptest! {
    // A fixed seed keeps CI repeatable; change it (or the case count) to explore further.
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_a0d1),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_text_in_a_plain_field_appears_verbatim_in_the_pdf(event in text(), name in text()) {
        let (_tmp, dir) = workspace(&fixture("fixreview"));
        let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
        let quote = |s: &str| serde_json::to_string(s).unwrap();
        fs::write(
            dir.join("audit.toml"),
            format!(
                "{toml}\n[[timeline]]\ndate = 2024-08-01\nevent = {}\n\n[[contacts]]\nname = {}\n",
                quote(&event),
                quote(&name)
            ),
        )
        .unwrap();
        let pdf = dir.parent().unwrap().join("p.pdf");
        let out = build_to(&dir, &pdf, &[]);
        prop_assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = squash(&pdf_text(&pdf));
        prop_assert!(text.contains(&squash(&event)), "event {:?} is not verbatim", event);
        prop_assert!(text.contains(&squash(&name)), "name {:?} is not verbatim", name);
    }
}

/// Places of a valid folder (the risk fixture with a style folder of its
/// own) where one value can be replaced: the file, the text as it stands
/// (with `@` where the value goes) and the value.
const SITES: &[(&str, &str, &str)] = &[
    ("audit.toml", "date = @", "2025-03-14"),
    ("audit.toml", "id_prefix = \"@\"", "NW"),
    ("audit.toml", "start = @", "2025-02-03"),
    ("findings.csv", "readable by every process,@,", "Critical"),
    ("findings.csv", "Critical,@,", "High"),
    ("findings.csv", "Key Management,@", "Fixed"),
    ("house/style.toml", "colour = \"@\"", "#7b1c1c"),
    ("house/style.toml", "counts_as = \"@\"", "resolved"),
];

/// The risk fixture with a style folder that restates two of its tables.
fn styled() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = workspace(&fixture("risk"));
    fs::create_dir_all(dir.join("house")).unwrap();
    fs::write(
        dir.join("house/style.toml"),
        "extends = \"risk\"\n\n[severity]\nlevels = [\n  { name = \"Critical\", colour = \"#7b1c1c\" },\n  { name = \"High\" },\n  { name = \"Medium\" },\n  { name = \"Low\" },\n  { name = \"Informational\" },\n]\n\n[status]\nlevels = [\n  { name = \"Fixed\", counts_as = \"resolved\" },\n  { name = \"Partially Fixed\", counts_as = \"partially resolved\" },\n  { name = \"Acknowledged\", counts_as = \"unresolved\" },\n  { name = \"Not Fixed\", counts_as = \"unresolved\" },\n]\n",
    )
    .unwrap();
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    fs::write(
        dir.join("audit.toml"),
        toml.replace("style = \"risk\"", "style = \"house\""),
    )
    .unwrap();
    (tmp, dir)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x0e_e770),
        ..ProptestConfig::default()
    })]

    /// One mistake gives at most one error: whatever one value of a valid
    /// folder is replaced by, the follow-on checks that depend on it are
    /// skipped rather than run against a default.
    #[test]
    fn one_mutated_value_gives_at_most_one_error(
        site in 0..SITES.len(),
        garbage in "[A-Za-z][A-Za-z0-9 ]{0,11}",
    ) {
        let (_tmp, dir) = styled();
        prop_assert!(error_lines(&dir).is_empty(), "the folder is valid: {:#?}", error_lines(&dir));
        let (file, shape, value) = SITES[site];
        let path = dir.join(file);
        let text = fs::read_to_string(&path).unwrap();
        let from = shape.replace('@', value);
        prop_assert!(text.contains(&from), "{} has {:?}", file, from);
        // TOML values become strings, so the file still parses.
        let to = if file.ends_with(".toml") && !shape.contains('"') {
            shape.replace('@', &format!("\"{garbage}\""))
        } else {
            shape.replace('@', &garbage)
        };
        fs::write(&path, text.replacen(&from, &to, 1)).unwrap();
        let found = error_lines(&dir);
        prop_assert!(found.len() <= 1, "{} {:?} -> {:?}: {:#?}", file, value, garbage, found);
    }
}
