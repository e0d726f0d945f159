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

/// A value between a tag and the tag reversed, a space on each side.
fn tagged(value: &str, tag: &str) -> String {
    format!("{tag} {value} {}", tag.chars().rev().collect::<String>())
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
                quote(&tagged(&event, "Qvx")),
                quote(&tagged(&name, "Zjw"))
            ),
        )
        .unwrap();
        let pdf = dir.parent().unwrap().join("p.pdf");
        let out = build_to(&dir, &pdf, &[]);
        prop_assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        // Each value between tags of its own: a short value (`e`, `.-`) is
        // found anywhere in a report, the tagged whole only where it is printed.
        let text = squash(&pdf_text(&pdf));
        prop_assert!(text.contains(&squash(&tagged(&event, "Qvx"))), "event {:?} is not verbatim", event);
        prop_assert!(text.contains(&squash(&tagged(&name, "Zjw"))), "name {:?} is not verbatim", name);
    }
}

/// Which values a site accepts, besides the one it has.
#[derive(Clone, Copy, Debug)]
enum Accepts {
    /// No value of the garbage's shape (a date, a colour).
    Nothing,
    /// Any plain name (`id_prefix`: letters, digits, spaces).
    AnyName,
    /// These names, in any case, with spaces around.
    Names(&'static [&'static str]),
}

impl Accepts {
    /// Tells whether a value is a valid value of the site.
    fn accepts(self, value: &str) -> bool {
        match self {
            Accepts::Nothing => false,
            Accepts::AnyName => true,
            Accepts::Names(names) => names
                .iter()
                .any(|n| n.to_lowercase() == value.trim().to_lowercase()),
        }
    }
}

/// Places of a valid folder (the risk fixture with a style folder of its
/// own) where one value can be replaced: the file, the text as it stands
/// (with `@` where the value goes), the value, and what else it accepts.
const SITES: &[(&str, &str, &str, Accepts)] = &[
    ("audit.toml", "date = @", "2025-03-14", Accepts::Nothing),
    ("audit.toml", "id_prefix = \"@\"", "NW", Accepts::AnyName),
    ("audit.toml", "start = @", "2025-02-03", Accepts::Nothing),
    (
        "findings.csv",
        "readable by every process,@,",
        "Critical",
        Accepts::Names(&["Critical", "High", "Medium", "Low", "Informational"]),
    ),
    (
        "findings.csv",
        "Critical,@,",
        "High",
        Accepts::Names(&["High", "Medium", "Low"]),
    ),
    (
        "findings.csv",
        "Key Management,@",
        "Fixed",
        Accepts::Names(&["Fixed", "Partially Fixed", "Acknowledged", "Not Fixed"]),
    ),
    (
        "house/style.toml",
        "colour = \"@\"",
        "#7b1c1c",
        Accepts::Nothing,
    ),
    (
        "house/style.toml",
        "counts_as = \"@\"",
        "resolved",
        Accepts::Names(&[
            "resolved",
            "partially resolved",
            "unresolved",
            "undetermined",
        ]),
    ),
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

    /// One mistake gives one error: whatever one value of a valid folder
    /// is replaced by, the follow-on checks that depend on it are skipped
    /// rather than run against a default; and a valid value gives none.
    #[test]
    fn one_mutated_value_gives_exactly_one_error_or_none_when_valid(
        site in 0..SITES.len(),
        garbage in "[A-Za-z][A-Za-z0-9 ]{0,11}",
    ) {
        let (_tmp, dir) = styled();
        prop_assert!(error_lines(&dir).is_empty(), "the folder is valid: {:#?}", error_lines(&dir));
        let (file, shape, value, accepts) = SITES[site];
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
        let expected = usize::from(!accepts.accepts(&garbage));
        prop_assert_eq!(found.len(), expected, "{} {:?} -> {:?}: {:#?}", file, value, garbage, found);
    }
}
