//! The view of one finding.

use crate::forge;
use crate::model::style::Style;
use crate::model::{Finding, Target};

use super::contract::{CvssView, FindingView, FixView, TargetLink};
use super::shape::{self, SummaryColumn};

/// Returns the view of one finding, with permalinks from the targets.
pub fn finding_view(
    f: &Finding,
    targets: &[Target],
    style: &Style,
    columns: &[SummaryColumn],
) -> FindingView {
    let (heading_before, heading_after) = shape::heading(style, f);
    FindingView {
        sections: shape::sections(style, f),
        header: shape::header(style, f),
        cells: shape::cells(style, f, columns),
        heading_before,
        heading_after,
        numbered: style.finding.numbered_heading(),
        reference: if style.finding.custom {
            f.id.clone()
        } else {
            f.number.to_string()
        },
        number: f.number,
        id: f.id.clone(),
        title: f.title.clone(),
        title_text: f.title_text.clone(),
        severity: f.severity.name.clone(),
        difficulty: f.difficulty.as_ref().map(|d| d.name.clone()),
        kind: f.kind.as_ref().map(|k| k.name.clone()),
        targets: f.targets.clone(),
        status: f.status.as_ref().map(|s| s.name.clone()),
        fix: f.fix.as_ref().map(|x| FixView {
            refs: x.refs.clone(),
            note: x.note.clone(),
        }),
        draft: f.draft,
        cvss: f.cvss.as_ref().map(|c| CvssView {
            version: c.version.clone(),
            vector: c.vector.clone(),
            score: format!("{:.1}", c.score).replace('.', style.text("number.decimal-point")),
            rating: style
                .severity
                .levels
                .iter()
                .find(|l| l.cvss.contains(&c.rating))
                .map_or_else(|| c.rating.clone(), |l| l.name.clone()),
            label: style.fill("field.cvss", &[("version", &c.version)]),
            group: c.group.as_ref().map(|g| match g.as_str() {
                "temporal" | "environmental" => style.text(&format!("cvss.{g}")).to_string(),
                first => first.to_string(),
            }),
        }),
        label: format!("finding-{}", f.id),
        target_links: f
            .targets
            .iter()
            .map(|t| TargetLink {
                text: t.clone(),
                url: forge::permalink(targets, t),
            })
            .collect(),
        fix_refs: f
            .fix
            .iter()
            .flat_map(|x| &x.refs)
            .map(|r| TargetLink {
                text: r.clone(),
                url: forge::ref_link(targets, r),
            })
            .collect(),
    }
}
