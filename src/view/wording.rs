//! The view's counts and sentences: findings counted per level, the fix
//! review sentence and the strings of the style with the audit's values.

use std::collections::BTreeMap;

use time::Date;

use crate::model::style::{Outcome, REPORT_PLACES, Rank, Scale, Style};
use crate::model::{Audit, Finding};

use super::contract::Count;

/// Counts findings per level of a scale, every level listed.
pub fn count_by(
    findings: &[Finding],
    scale: &Scale,
    value: impl Fn(&Finding) -> Option<&Rank>,
) -> Vec<Count> {
    let mut counts = vec![0; scale.levels.len()];
    for rank in findings.iter().filter_map(value) {
        if let Some(c) = counts.get_mut(rank.index) {
            *c += 1;
        }
    }
    scale
        .levels
        .iter()
        .zip(counts)
        .map(|(l, count)| Count {
            name: l.name.clone(),
            count,
        })
        .collect()
}

/// Counts findings per free-text value, in order of first appearance.
pub fn count_free(findings: &[Finding], value: impl Fn(&Finding) -> Option<&Rank>) -> Vec<Count> {
    let mut out: Vec<Count> = Vec::new();
    for name in findings.iter().filter_map(value).map(Rank::name) {
        match out.iter_mut().find(|c| c.name == name) {
            Some(c) => c.count += 1,
            None => out.push(Count {
                name: name.to_string(),
                count: 1,
            }),
        }
    }
    out
}

/// `one issue`, `seven issues`: a count in words and the noun of the style.
fn issues(style: &Style, n: usize) -> String {
    format!("{} {}", style.number_word(n), style.plural("noun.issue", n))
}

/// Writes the fix review summary sentence from the counts per outcome
/// (each status counts as what the style says).
pub fn fix_sentence(
    style: &Style,
    client: &str,
    total: usize,
    by_outcome: &[(Outcome, usize)],
) -> String {
    let get = |o: Outcome| {
        by_outcome
            .iter()
            .filter(|(x, _)| *x == o)
            .map(|(_, n)| n)
            .sum::<usize>()
    };
    let parts: Vec<(&str, &str, usize)> = [
        ("fix.resolved", "fix.resolved.rest", get(Outcome::Resolved)),
        (
            "fix.partially-resolved",
            "fix.partially-resolved.rest",
            get(Outcome::PartiallyResolved),
        ),
        (
            "fix.unresolved",
            "fix.unresolved.rest",
            get(Outcome::Unresolved),
        ),
    ]
    .into_iter()
    .filter(|(_, _, n)| *n > 0)
    .collect();
    let undetermined = get(Outcome::Undetermined);
    let covered: usize = parts.iter().map(|(_, _, n)| n).sum();
    let clauses: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, (key, rest, n))| {
            // "the remaining" only where the last clause completes the count.
            let key = if i + 1 == parts.len() && i > 0 && covered == total {
                rest
            } else {
                key
            };
            style.fill(key, &[("issues", &issues(style, *n))])
        })
        .collect();
    let described = style.fill(
        &style.plural_key("fix.described", total),
        &[("total", &total.to_string())],
    );
    let mut sentence = if clauses.is_empty() {
        style.fill(
            "fix.none-determined",
            &[
                ("described", &described),
                ("issues", &issues(style, undetermined)),
            ],
        )
    } else {
        style.fill(
            "fix.sentence",
            &[
                ("described", &described),
                ("client", client),
                ("clauses", &style.join(&clauses)),
            ],
        )
    };
    if undetermined > 0 && !clauses.is_empty() {
        sentence.push_str(&style.fill(
            &style.plural_key("fix.rest-undetermined", undetermined),
            &[("issues", &issues(style, undetermined))],
        ));
    }
    sentence
}

/// Fills the report-wide places of every string of the style.
pub fn strings(
    style: &Style,
    audit: &Audit,
    client: &str,
    since: Option<&str>,
) -> BTreeMap<String, String> {
    let meta = &audit.meta;
    let date = |d: Date| style.long_date(d);
    let engagement = meta.engagement.as_ref();
    let (start, end) = match engagement.map(|e| (e.start, e.end)) {
        Some((Some(s), Some(e))) => (date(s), date(e)),
        _ => (String::new(), String::new()),
    };
    let period = if start.is_empty() {
        String::new()
    } else {
        style.fill(
            "text.engagement-period",
            &[("start", &start), ("end", &end)],
        )
    };
    let effort = engagement
        .and_then(|e| e.effort.as_deref())
        .map_or_else(String::new, |e| {
            style.fill("text.engagement-effort", &[("effort", e)])
        });
    let total = audit.findings.len().to_string();
    let fix_date = meta
        .fix_review
        .as_ref()
        .and_then(|f| f.date)
        .map(date)
        .unwrap_or_default();
    let client_short = meta.client.short.as_deref().unwrap_or(client);
    let values: [(&str, &str); 19] = [
        ("vendor", &meta.vendor),
        ("client", client),
        ("vendor_short", &meta.vendor_short),
        ("client_short", client_short),
        ("title", &meta.title),
        ("subtitle", &meta.subtitle),
        ("classification", &meta.classification),
        ("version", &meta.version),
        ("since", since.unwrap_or("")),
        ("date", &fix_date),
        ("start", &start),
        ("end", &end),
        ("period", &period),
        ("effort", &effort),
        ("severity", style.text("label.severity")),
        ("difficulty", &style.difficulty_label),
        ("count", &total),
        ("total", &total),
        ("issues", style.plural("noun.issue", audit.findings.len())),
    ];
    // These are the places style.toml may use in any string (`REPORT_PLACES`).
    debug_assert!(
        values
            .iter()
            .map(|(k, _)| *k)
            .eq(REPORT_PLACES.iter().copied()),
        "the report's places and REPORT_PLACES disagree"
    );
    style
        .strings
        .iter()
        .map(|(k, v)| (k.clone(), crate::model::style::fill(v, &values)))
        .collect()
}
