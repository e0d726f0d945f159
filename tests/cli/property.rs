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
