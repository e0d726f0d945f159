//! The summary of findings, the detailed findings and the appendices
//! (templates/summary.typ, findings.typ and appendices.typ).

use super::body::{Cell, Ctx, Fmt};
use super::report::Report;
use super::xml::runs;
use crate::content::plain;
use crate::view::FindingView;

impl Report<'_, '_> {
    /// The sentence that introduces the summary table, naming only the
    /// columns it has.
    fn summary_intro(&self) -> String {
        let has = |key: &str| self.view.layout.summary.iter().any(|c| c.key == key);
        let fix = if has("status") { "-fix" } else { "" };
        let kind = if has("type") && has("severity") {
            ""
        } else if has("severity") {
            "-severity"
        } else {
            "-plain"
        };
        self.tr(&format!("text.summary-intro{kind}{fix}"))
    }

    pub(super) fn summary_of_findings(&mut self) {
        let v = self.view;
        if v.findings.is_empty() || (v.layout.summary.is_empty() && v.counts.matrix.is_empty()) {
            return;
        }
        self.titled(1, &self.tr("section.summary"));
        if !v.layout.summary.is_empty() {
            self.lead(&self.summary_intro());
            let titled = v.layout.summary.iter().any(|c| c.key == "title");
            let rows = v
                .findings
                .iter()
                .map(|f| {
                    f.cells
                        .iter()
                        .map(|c| match c {
                            Some(value) => {
                                let (r, len) = self.value(f, value, !titled);
                                self.cell_runs(&r, len)
                            }
                            None => self.cell_text("—"),
                        })
                        .collect()
                })
                .collect();
            let header: Vec<String> = v.layout.summary.iter().map(|c| c.label.clone()).collect();
            self.data_table(&header, rows);
        }
        if !v.counts.matrix.is_empty() {
            self.titled(2, &self.tr("section.matrix"));
            self.lead(&self.tr("text.matrix-intro"));
            let mut header = vec![self.tr("column.severity")];
            header.extend(v.counts.difficulty.iter().map(|d| d.name.clone()));
            let rows = v
                .counts
                .matrix
                .iter()
                .map(|row| {
                    let b = self.level("severity", &row.severity);
                    let mut cells = vec![self.cell_runs(&b, row.severity.len() + 2)];
                    for &n in &row.cells {
                        let r = if n == 0 {
                            runs(
                                "0",
                                &format!("<w:color w:val=\"{}\"/>", super::styles::MUTED),
                            )
                        } else {
                            runs(&n.to_string(), "<w:b/>")
                        };
                        let xml = self.w.p(None, "<w:jc w:val=\"center\"/>", &r);
                        cells.push(Cell {
                            xml,
                            len: 6,
                            span: 1,
                        });
                    }
                    cells
                })
                .collect();
            self.data_table(&header, rows);
        }
    }

    pub(super) fn detailed_findings(&mut self) {
        let v = self.view;
        if v.findings.is_empty() {
            return;
        }
        self.titled(1, &self.tr("section.detailed-findings"));
        let layout = &v.layout;
        let level = if layout.grouped { 3 } else { 2 };
        let mut first = true;
        for g in &layout.groups {
            if let Some(title) = &g.title {
                let page = layout.page_break != "none" && !first;
                let numbered = self.numbered;
                self.heading(2, &runs(title, ""), title, numbered, page, Some(&g.label));
                if let Some(intro) = &g.intro {
                    let xml = self.w.blocks(intro, Ctx::BODY);
                    self.push(xml);
                }
            }
            for (k, &i) in g.findings.iter().enumerate() {
                let page =
                    layout.page_break == "finding" && !first && !(g.title.is_some() && k == 0);
                if layout.page_break != "finding" && k > 0 {
                    let rule = format!(
                        "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"1\" w:color=\"{}\"/></w:pBdr><w:spacing w:before=\"240\" w:after=\"240\"/>",
                        super::styles::RULE
                    );
                    let p = self.w.p(None, &rule, "");
                    self.push(p);
                }
                self.finding(&v.findings[i], level, page);
                first = false;
            }
        }
    }

    /// A finding: its heading (bookmarked by its id), its header box, its
    /// sections and its fix review.
    fn finding(&mut self, f: &FindingView, level: u8, page: bool) {
        let mut body = runs(&f.heading_before, "");
        body.push_str(&self.w.inlines(&f.title, Fmt::default()));
        body.push_str(&runs(&f.heading_after, ""));
        let text = format!("{}{}{}", f.heading_before, f.title_text, f.heading_after);
        self.heading(level, &body, &text, f.numbered, page, Some(&f.label));
        if f.draft {
            let mark = self.w.badge(&self.tr("mark.draft"), "#C82828");
            let p = self.w.p(None, "<w:keepNext/>", &mark);
            self.push(p);
        }
        self.finding_header(f);
        for s in &f.sections {
            if s.body.is_empty() {
                continue;
            }
            if s.print == "heading" {
                let p = self.w.p(Some("FindingSection"), "", &runs(&s.title, ""));
                self.push(p);
            }
            let xml = self.w.blocks(&s.body, Ctx::BODY);
            self.push(xml);
        }
        let layout = &self.view.layout;
        if layout.fix_in_finding && layout.fix_note_only {
            if let Some(fix) = &f.fix {
                let xml = self.w.blocks(&fix.note, Ctx::BODY);
                self.push(xml);
            }
        } else if layout.fix_in_finding && (f.status.is_some() || f.fix.is_some()) {
            let mut head = runs(&self.tr("finding.fix-review"), "");
            if let Some(status) = &f.status {
                head.push_str(&runs("  ", ""));
                head.push_str(&self.level("status", status));
            }
            let p = self.w.p(Some("FindingSection"), "", &head);
            self.push(p);
            self.fix_refs(f, "field.fix-refs");
            if let Some(fix) = &f.fix {
                let xml = self.w.blocks(&fix.note, Ctx::BODY);
                self.push(xml);
            }
        }
    }

    /// The references of a fix after their label, when there are any.
    fn fix_refs(&mut self, f: &FindingView, label: &str) {
        if f.fix_refs.is_empty() {
            return;
        }
        let mut body = runs(
            &format!("{} ", self.tr(label)),
            &format!("<w:b/><w:color w:val=\"{}\"/>", super::styles::MUTED),
        );
        for (i, r) in f.fix_refs.iter().enumerate() {
            if i > 0 {
                body.push_str(&runs(", ", ""));
            }
            match &r.url {
                Some(u) => body.push_str(&self.w.link_text(u, &r.text)),
                None => body.push_str(&runs(&r.text, "")),
            }
        }
        let p = self.w.p(None, "<w:keepNext/>", &body);
        self.push(p);
    }

    /// The header box: short entries two to a row, the long ones across.
    fn finding_header(&mut self, f: &FindingView) {
        if f.header.is_empty() {
            return;
        }
        let layout = &self.view.layout;
        let label_of = |r: &Self, key: &str| -> String {
            match key {
                "cvss" => f
                    .cvss
                    .as_ref()
                    .map_or_else(String::new, |c| c.label.clone()),
                "target" if f.target_links.len() == 1 => r.tr("field.target.one"),
                "target" => r.tr("field.target.other"),
                k => layout
                    .header
                    .get(k)
                    .map_or_else(|| k.to_string(), |l| l.label.clone()),
            }
        };
        let wide = |key: &str| layout.header.get(key).is_some_and(|l| l.wide);
        let short: Vec<_> = f.header.iter().filter(|e| !wide(&e.key)).collect();
        let long: Vec<_> = f.header.iter().filter(|e| wide(&e.key)).collect();
        let half = short.len().div_ceil(2);
        let (left, right): (Vec<_>, Vec<_>) = if layout.header_rows {
            (
                short.iter().step_by(2).collect(),
                short.iter().skip(1).step_by(2).collect(),
            )
        } else {
            (
                short[..half].iter().collect(),
                short[half..].iter().collect(),
            )
        };
        let mut rows = Vec::new();
        for i in 0..left.len() {
            let mut row = Vec::new();
            for e in [left.get(i), right.get(i)] {
                match e {
                    Some(e) => {
                        let label = label_of(self, &e.key);
                        row.push(self.label_cell(&label));
                        let (r, len) = self.value(f, &e.value, true);
                        row.push(self.cell_runs(&r, len));
                    }
                    None => {
                        row.push(self.cell_text(""));
                        row.push(self.cell_text(""));
                    }
                }
            }
            rows.push(row);
        }
        for e in long {
            let label = label_of(self, &e.key);
            let l = self.label_cell(&label);
            let (r, len) = self.value(f, &e.value, true);
            let mut value = self.cell_runs(&r, len);
            value.span = 3;
            rows.push(vec![l, value]);
        }
        let t = self.w.table(
            "FindingHeader",
            None,
            rows,
            Some(vec![1500, 2820, 1500, 2820]),
        );
        self.push(t);
    }

    pub(super) fn appendices(&mut self) {
        let v = self.view;
        for a in &v.appendices {
            let title = format!("{}. {}", a.letter, a.title);
            self.heading(1, &runs(&title, ""), &title, false, true, None);
            match a.kind {
                "fix-review-results" => self.fix_review_results(),
                "vulnerability-categories" => self.categories_appendix(),
                "maturity-categories" => {
                    self.text(&self.tr("appendix.maturity-intro"));
                    let d = &v.definitions;
                    self.definitions("appendix.maturity-heading", "column.category", &d.maturity);
                    self.definitions("appendix.rating-heading", "column.rating", &d.rating);
                }
                "custom" => {
                    if let Some(body) = &a.body {
                        let xml = self.w.blocks(body, Ctx::BODY);
                        self.push(xml);
                    }
                }
                "changes" => {
                    self.text(&self.tr("appendix.changes-intro"));
                    match &v.changes {
                        Some(c) if !c.items.is_empty() => {
                            let items: Vec<_> = c
                                .items
                                .iter()
                                .map(|t| vec![crate::content::Inline::Text { text: t.clone() }])
                                .collect();
                            self.bullets(&items);
                        }
                        _ => self.text(&self.tr("appendix.no-changes")),
                    }
                }
                "fix-review-statuses" => {
                    self.text(&self.tr("appendix.statuses-intro"));
                    self.definition_table("column.status", &v.definitions.status);
                }
                _ => {}
            }
        }
    }

    fn categories_appendix(&mut self) {
        let d = &self.view.definitions;
        if !d.kind.is_empty() {
            self.text(&self.tr("appendix.categories-intro"));
            self.definitions_with("appendix.type-heading", "column.category", &d.kind);
        } else if !d.difficulty.is_empty() {
            self.text(&self.tr("appendix.scales-intro"));
        } else {
            self.text(&self.tr("appendix.severity-only-intro"));
        }
        self.definitions_with("appendix.severity-heading", "column.severity", &d.severity);
        if !d.difficulty.is_empty() {
            self.definitions_with(
                "appendix.difficulty-heading",
                "field.difficulty",
                &d.difficulty,
            );
        }
        if let Some(m) = &d.matrix {
            self.appendix_heading(&self.tr("appendix.matrix-heading"));
            self.lead(&self.tr("appendix.matrix-intro"));
            let mut header = vec![String::new()];
            header.extend(
                m.columns
                    .iter()
                    .map(|c| format!("{}: {c}", m.columns_label)),
            );
            let rows = m
                .rows
                .iter()
                .zip(&m.cells)
                .map(|(r, cells)| {
                    let head = runs(&format!("{}: {r}", m.rows_label), "<w:b/>");
                    let mut row = vec![self.cell_runs(&head, r.len() + m.rows_label.len())];
                    for c in cells {
                        let b = self.level("severity", c);
                        let xml = self.w.p(None, "<w:jc w:val=\"center\"/>", &b);
                        row.push(Cell {
                            xml,
                            len: c.len() + 2,
                            span: 1,
                        });
                    }
                    row
                })
                .collect();
            self.data_table(&header, rows);
        }
    }

    /// An unnumbered second-level heading of an appendix.
    fn appendix_heading(&mut self, text: &str) {
        self.heading(2, &runs(text, ""), text, false, false, None);
    }

    fn definitions_with(&mut self, heading: &str, column: &str, defs: &[crate::view::Definition]) {
        self.appendix_heading(&self.tr(heading));
        self.definition_table(column, defs);
    }

    fn definitions(&mut self, heading: &str, column: &str, defs: &[crate::view::Definition]) {
        self.definitions_with(heading, column, defs);
    }

    fn definition_table(&mut self, column: &str, defs: &[crate::view::Definition]) {
        let rows = defs
            .iter()
            .map(|d| {
                let name = runs(&d.name, "<w:b/>");
                let def = self.w.inlines(&d.definition, Fmt::default());
                vec![
                    self.cell_runs(&name, d.name.len()),
                    self.cell_runs(&def, plain(&d.definition).chars().count()),
                ]
            })
            .collect();
        let header = [self.tr(column), self.tr("column.description")];
        self.data_table(&header, rows);
    }

    fn fix_review_results(&mut self) {
        let v = self.view;
        let Some(fr) = &v.fix_review else { return };
        let intro = if fr.date.is_some() {
            "text.fix-review-intro"
        } else {
            "text.fix-review-intro-undated"
        };
        self.text(&self.tr(intro));
        self.text(&fr.sentence);
        let rows = v
            .findings
            .iter()
            .map(|f| {
                let title = self.w.inlines(&f.title, Fmt::default());
                let title = self.w.goto(&format!("fix-{}", f.label), &title);
                let sev = self.level("severity", &f.severity);
                let status = match &f.status {
                    Some(s) => self.level("status", s),
                    None => runs("—", ""),
                };
                vec![
                    self.cell_text(&f.reference),
                    self.cell_runs(&title, f.title_text.chars().count()),
                    self.cell_runs(&sev, f.severity.len() + 2),
                    self.cell_runs(&status, f.status.as_deref().map_or(1, str::len) + 2),
                ]
            })
            .collect();
        let header = [
            "column.id",
            "column.title",
            "column.severity",
            "column.status",
        ]
        .map(|k| self.tr(k));
        self.data_table(&header, rows);
        self.appendix_heading(&self.tr("appendix.detailed-fix-review"));
        for f in &v.findings {
            let id = self.w.styled("Hyperlink", &f.id);
            let mut body = self.w.goto(&f.label, &id);
            body.push_str(&runs(": ", "<w:b/>"));
            body.push_str(&self.w.inlines(&f.title, Fmt::default()));
            if let Some(s) = &f.status {
                body.push_str(&runs("  ", ""));
                body.push_str(&self.level("status", s));
            }
            let body = self.w.bookmarked(&format!("fix-{}", f.label), &body);
            let p = self.w.p(Some("FindingSection"), "", &body);
            self.push(p);
            if f.fix.is_some() {
                self.fix_refs(f, "field.references");
            }
            if let Some(fix) = &f.fix {
                let xml = self.w.blocks(&fix.note, Ctx::BODY);
                self.push(xml);
            }
        }
    }
}
