//! Raw findings finished: their prose converted, their write-ups split into
//! the style's sections, the fix review applied, and what is still missing
//! reported.

use std::collections::{HashMap, HashSet};

use time::Date;

use crate::content::{self, Block, Inline};
use crate::diag::{self, Place};
use crate::load::table::Column;
use crate::load::{Axis, Loader, Origin, Prose};
use crate::model::shape::Figures;
use crate::model::style::same_name;
use crate::model::{Finding, FixEntry, Rank, Review, Section};

use super::file::Body;
use super::{RawFinding, Sourced, split_targets};

/// A row of fix-review.csv.
struct FixRow {
    status: (Rank, Place),
    refs: Vec<String>,
    note: Option<Sourced>,
    place: Place,
}

/// The rows of fix-review.csv by finding id, and the ids whose row was
/// refused (reported already, so not reported again as missing).
fn fix_rows(l: &mut Loader, raw: &[RawFinding]) -> (HashMap<String, FixRow>, HashSet<String>) {
    let mut out: HashMap<String, FixRow> = HashMap::new();
    let mut refused = HashSet::new();
    let columns = [
        Column::required("id"),
        Column::required("status"),
        Column::optional("refs"),
        Column::optional("note"),
    ];
    let Some(table) = l.read_table("fix-review.csv", &columns) else {
        return (out, refused);
    };
    let ids: Vec<&str> = raw.iter().map(|f| f.id.as_str()).collect();
    for row in &table.rows {
        let Some(id) = table.cell(row, "id") else {
            l.missing_cell(&table, row, "id");
            continue;
        };
        let place = table.place(id);
        let status = l.scale(&table, row, "status", Axis::Status);
        if !ids.contains(&id.value.as_str()) {
            let d = l.diags.error(
                Some(place),
                format!("fix review of unknown finding \"{}\"", id.value),
            );
            d.fix_to_closest(&id.value, &ids);
            match diag::did_you_mean(&id.value, &ids, diag::quoted) {
                Some(c) => d.add_hint(c),
                None => d.add_hint(
                    "every id in fix-review.csv must be a finding of findings.csv or findings/",
                ),
            };
            continue;
        }
        if let Some(first) = out.get(&id.value) {
            l.diags
                .error(
                    Some(place),
                    format!("finding \"{}\" is reviewed twice", id.value),
                )
                .add_related(first.place.clone(), "first reviewed here")
                .add_hint("keep one row per finding");
            continue;
        }
        let Some(status) = status else {
            refused.insert(id.value.clone());
            continue;
        };
        let status_place = table.place(table.cell(row, "status").expect("status parsed"));
        out.insert(
            id.value.clone(),
            FixRow {
                status: (status, status_place),
                refs: table
                    .cell(row, "refs")
                    .map(|c| split_targets(&c.value))
                    .unwrap_or_default(),
                note: table.cell(row, "note").map(|c| Sourced {
                    text: c.value.clone(),
                    place: table.place(c),
                }),
                place,
            },
        );
    }
    (out, refused)
}

/// Converts the prose of raw findings and applies the fix review.
pub(in crate::load) fn finish(
    l: &mut Loader,
    prose: &Prose,
    raw: Vec<RawFinding>,
    fix_review: Option<Date>,
) -> Vec<Finding> {
    let (mut fixes, refused) = fix_rows(l, &raw);
    let mut out = Vec::new();
    // The findings of the report, and those without a fix review status.
    let mut reviewed = 0;
    let mut unreviewed: Vec<(String, Place)> = Vec::new();
    // Figures numbered through the findings (FORMAT 1.3, `figures`) count on
    // from finding to finding; per finding, each starts at 1.
    let through = l.style.finding.figures != Figures::Finding;
    let mut figures = 0;
    for f in raw {
        if f.draft && !l.include_drafts {
            // Still read, so that a draft's mistakes show, but left out of the report.
            l.drafts.push(f.id.clone());
            continue;
        }
        let number = out.len() + 1;
        let prefix = if through {
            String::new()
        } else {
            figures = 0;
            number.to_string()
        };
        let title = f
            .title
            .as_ref()
            .map(|t| l.title(prose, &t.text, cell_origin(&t.place)));
        let mut sections: Vec<Vec<Block>> = vec![Vec::new(); f.cells.len()];
        for (k, cell) in f.cells.iter().enumerate() {
            if let Some(c) = cell {
                sections[k] =
                    l.markdown(prose, &c.text, cell_origin(&c.place), &prefix, &mut figures);
            }
        }
        if let Some(body) = &f.body {
            let origin = Origin::Exact(body.file, body.offset);
            let blocks = l.markdown(prose, &body.text, origin, &prefix, &mut figures);
            split_body(l, &f, body, blocks, &mut sections);
        }
        let fix = fixes.remove(&f.id);
        let status = status(l, &f, fix.as_ref());
        // A status that disagrees was reported; only a missing one is reported here.
        let given = f.status_given || refused.contains(&f.id);
        reviewed += 1;
        if let (Some(_), None, false, false) =
            (fix_review, &status, given, l.style.is_broken("status"))
        {
            unreviewed.push((f.id.clone(), f.place.clone()));
        }
        let fix = fix.map(|fx| FixEntry {
            refs: fx.refs,
            note: fx
                .note
                .map(|n| l.markdown(prose, &n.text, cell_origin(&n.place), &prefix, &mut figures))
                .unwrap_or_default(),
        });
        check_rules(l, &f);
        let review = review(l, &f);
        let (Some(title), Some(severity), true, Some(review)) =
            (title, f.severity.clone(), f.complete, review)
        else {
            continue;
        };
        check_sections(l, &f, &sections);
        out.push(finding(
            l, f, number, title, severity, status, sections, fix, review,
        ));
    }
    if let Some(date) = fix_review {
        no_status(l, date, reviewed, unreviewed);
    }
    out
}

/// Reports the findings a fix review gives no status: each one, or, when it
/// gives none a status at all (no fix-review.csv yet), that one mistake once.
fn no_status(l: &mut Loader, date: Date, reviewed: usize, unreviewed: Vec<(String, Place)>) {
    if unreviewed.len() > 1 && unreviewed.len() == reviewed {
        let (_, place) = &unreviewed[0];
        l.diags
            .error(
                Some(place.clone()),
                format!("the fix review of {date} gives none of the {reviewed} findings a status"),
            )
            .add_hint(
                "add fix-review.csv with a row (id,status) for every finding, or a status column to findings.csv; or take [fix_review] out of audit.toml until the review is done",
            );
        return;
    }
    for (id, place) in unreviewed {
        l.diags
            .error(Some(place), format!("finding {id} has no fix review status"))
            .add_hint(format!(
                "the fix review of {date} needs a status for every finding: add a row for {id} to fix-review.csv"
            ));
    }
}

/// The finding of a raw one whose prose is converted and whose values are
/// all known.
#[allow(clippy::too_many_arguments)]
fn finding(
    l: &Loader,
    f: RawFinding,
    number: usize,
    title: Vec<Inline>,
    severity: Rank,
    status: Option<Rank>,
    sections: Vec<Vec<Block>>,
    fix: Option<FixEntry>,
    review: Review,
) -> Finding {
    let sections = l
        .style
        .finding
        .sections
        .iter()
        .zip(sections)
        .map(|(def, body)| Section {
            key: def.key.clone(),
            body,
        })
        .collect();
    Finding {
        number,
        id: f.id,
        title_text: content::plain(&title),
        title,
        severity,
        difficulty: f.difficulty,
        kind: f.kind.filter(|k| !k.name.is_empty()),
        targets: f.targets,
        status,
        sections,
        fields: f.fields,
        fix,
        sarif: f.sarif.into_iter().map(|s| s.text).collect(),
        draft: f.draft,
        cvss: f.cvss,
        review,
        review_place: f.review.map(|r| r.place),
        reviewed_by: f.reviewed_by,
        from: f.from,
    }
}

/// A finding's status: from fix-review.csv or findings.csv, which must agree.
fn status(l: &mut Loader, f: &RawFinding, fix: Option<&FixRow>) -> Option<Rank> {
    match (&f.status, fix) {
        (Some((a, pa)), Some(fx)) if a.index != fx.status.0.index => {
            l.diags
                .error(
                    Some(fx.status.1.clone()),
                    format!(
                        "status of {} in fix-review.csv disagrees with findings.csv",
                        f.id
                    ),
                )
                .add_related(pa.clone(), format!("findings.csv says {}", a.name()))
                .add_hint("make the two agree, or give the status in one file only");
            None
        }
        (_, Some(fx)) => Some(fx.status.0.clone()),
        (Some((s, _)), None) => Some(s.clone()),
        (None, None) => None,
    }
}

/// Every rule id a finding names must be a rule of a scan's results.
fn check_rules(l: &mut Loader, f: &RawFinding) {
    // Looked up in each run's map: a finding's rules cost no walk of every
    // rule of every run (scans of a hundred thousand rules are seen).
    let has_results = |rule: &str| l.scans.iter().any(|s| s.by_rule.contains_key(rule));
    let missing: Vec<_> = f.sarif.iter().filter(|r| !has_results(&r.text)).collect();
    if missing.is_empty() {
        return;
    }
    let rules: Vec<&str> = l
        .scans
        .iter()
        .flat_map(|s| s.by_rule.keys().map(String::as_str))
        .collect();
    for rule in missing {
        let d = l.diags.warning(
            Some(rule.place.clone()),
            format!("no result of scans/*.sarif has rule id \"{}\"", rule.text),
        );
        d.fix_to_closest(&rule.text, &rules);
        match diag::did_you_mean(&rule.text, &rules, diag::quoted) {
            Some(hint) => d.add_hint(hint),
            None if rules.is_empty() => d.add_hint("put the tool's SARIF file in scans/"),
            None if rules.len() > RULES_LISTED => d.add_hint(format!(
                "rule ids with results: {} and {} more",
                rules[..RULES_LISTED].join(", "),
                rules.len() - RULES_LISTED
            )),
            None => d.add_hint(format!("rule ids with results: {}", rules.join(", "))),
        };
    }
}

/// Most rule ids a hint lists.
const RULES_LISTED: usize = 10;

/// A finding's review state; none written is approved.
fn review(l: &mut Loader, f: &RawFinding) -> Option<Review> {
    let Some(r) = &f.review else {
        return Some(Review::Approved);
    };
    let state = Review::parse(r.text.trim());
    if state.is_none() {
        l.diags
            .error(
                Some(r.place.clone()),
                format!("unknown review state \"{}\"", r.text),
            )
            .add_hint(format!(
                "write one of {}{}",
                Review::NAMES.join(", "),
                crate::diag::did_you_mean(&r.text, &Review::NAMES, crate::diag::quoted)
                    .map_or(String::new(), |d| format!("; {d}"))
            ))
            .fix_to_closest(&r.text, &Review::NAMES);
    }
    state
}

/// A section the style requires must have text.
fn check_sections(l: &mut Loader, f: &RawFinding, sections: &[Vec<Block>]) {
    let style = l.style.clone();
    for (def, body) in style.finding.sections.iter().zip(sections) {
        if !def.required || !body.is_empty() {
            continue;
        }
        let (place, hint) = match &f.body {
            Some(b) => (
                Place::new(b.file, 0..0),
                format!("add a \"## {}\" section to findings/{}.md", def.title, f.id),
            ),
            None => (
                f.place.clone(),
                format!(
                    "fill in the `{}` column of findings.csv, or write findings/{}.md with a \"## {}\" section",
                    def.key, f.id, def.title
                ),
            ),
        };
        l.diags
            .error(
                Some(place),
                format!("finding {} has no {} section", f.id, def.title),
            )
            .add_hint(hint);
    }
}

/// The place of a findings.csv cell, as the Markdown reader takes it.
fn cell_origin(place: &Place) -> Origin {
    Origin::Cell(place.file, place.range.start, place.range.end)
}

/// Splits a write-up at its `##` headings into the style's sections.
fn split_body(
    l: &mut Loader,
    f: &RawFinding,
    body: &Body,
    blocks: Vec<Block>,
    sections: &mut [Vec<Block>],
) {
    let style = l.style.clone();
    let defs = &style.finding.sections;
    // Text before the first heading is the lead text: the section printed
    // without a title, when the style has one (FORMAT 1.3), else the first.
    let mut current = defs.iter().position(|d| !d.print_title).unwrap_or(0);
    // A section's heading as the house style names it; for a style of
    // version 1.1, as its strings do, and always in FORMAT's English.
    let styled: Vec<&str> = defs.iter().map(|d| style.section_title(d)).collect();
    for block in blocks {
        if let Block::Heading {
            level: 1 | 2,
            content,
        } = &block
        {
            let title = content::plain(content);
            let wanted = title.trim();
            let found = defs.iter().zip(&styled).position(|(d, s)| {
                same_name(&d.title, wanted)
                    || same_name(s, wanted)
                    || d.english().is_some_and(|e| same_name(e, wanted))
            });
            match found {
                Some(k) => {
                    current = k;
                    if let Some(cell) = &f.cells[k] {
                        l.diags
                            .error(
                                Some(heading_place(body, &title)),
                                format!(
                                    "{} of {} is given both in findings.csv and in findings/{}.md",
                                    styled[k], f.id, f.id
                                ),
                            )
                            .add_related(cell.place.clone(), "the findings.csv cell")
                            .add_hint("keep the text in one of the two places");
                    }
                    continue;
                }
                // The style that names the headings could not be read
                // (reported there): its headings are not known.
                None if style.is_broken("strings") || style.is_broken("finding") => continue,
                None => {
                    unknown_heading(l, f, body, &title, &styled);
                    continue;
                }
            }
        }
        if let Some(section) = sections.get_mut(current) {
            section.push(block);
        }
    }
}

/// The error of a `##` heading that names no section of the style.
fn unknown_heading(l: &mut Loader, f: &RawFinding, body: &Body, title: &str, styled: &[&str]) {
    let style = l.style.clone();
    let defs = &style.finding.sections;
    // A style with its own shape lists its own titles; one of
    // version 1.1, FORMAT's English and the style's words.
    let english = defs
        .iter()
        .filter_map(|d| d.english())
        .filter(|_| !style.finding.custom);
    let mut headings: Vec<&str> = Vec::new();
    for h in defs
        .iter()
        .map(|d| d.title.as_str())
        .chain(styled.iter().copied())
        .chain(english)
    {
        if !headings.iter().any(|known| same_name(known, h)) {
            headings.push(h);
        }
    }
    let d = l.diags.error(
        Some(heading_place(body, title)),
        format!("unknown section \"{title}\" in findings/{}.md", f.id),
    );
    if let (Some(place), Some(name)) = (d.place.clone(), diag::closest(title, &headings)) {
        d.add_fix(diag::Fix::Replace {
            place,
            with: format!("## {name}"),
        });
    }
    match diag::did_you_mean(title, &headings, |h| format!("\"## {h}\"")) {
        Some(h) => d.add_hint(h),
        None => d.add_hint(format!(
            "the house style's sections are: {}",
            headings.join(", ")
        )),
    };
}

/// Finds the place of a heading in a write-up, for diagnostics about it:
/// its line, as pulldown-cmark reads headings (never a `#` line in code).
fn heading_place(body: &Body, title: &str) -> Place {
    let at = crate::load::markdown::headings(&body.text)
        .into_iter()
        .find(|h| h.level <= 2 && h.title.trim() == title.trim())
        .map_or(0, |h| h.range.start);
    let end = body.text[at..]
        .find('\n')
        .map_or(body.text.len(), |n| at + n);
    Place::new(body.file, body.offset + at..body.offset + end)
}
