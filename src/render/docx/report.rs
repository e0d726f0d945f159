//! The report's sections in the PDF's order (templates/report.typ), with
//! the PDF's headings, numbers and fixed texts.

use super::body::{Cell, Ctx, Fmt, Writer};
use super::styles::{MUTED, SHADE};
use super::xml::runs;
use crate::content::{Block, Inline, plain};
use crate::render::numbering::HeadingCounter;
use crate::view::{Count, FindingView, ValueView, View};

/// A heading of the document, for the table of contents.
pub struct Entry {
    pub level: u8,
    pub text: String,
    pub bookmark: String,
}

/// The report being written: the writer, the view, and the headings so far.
pub struct Report<'v, 'a> {
    pub w: Writer<'a>,
    pub view: &'v View,
    /// typst's heading counter, stepped by each numbered heading.
    counter: HeadingCounter,
    /// Whether headings are numbered (`[numbering] headings = "1.1"`).
    pub(super) numbered: bool,
    /// Whether the next level-1 headings run on rather than start a page.
    run_on: bool,
    pub entries: Vec<Entry>,
    pub body: String,
}

impl<'v, 'a> Report<'v, 'a> {
    /// A report of the view, written with `w`.
    pub fn new(w: Writer<'a>, view: &'v View) -> Self {
        Self {
            w,
            view,
            counter: HeadingCounter::default(),
            numbered: view.layout.headings == "1.1",
            run_on: false,
            entries: Vec::new(),
            body: String::new(),
        }
    }

    /// A fixed text of the house style.
    pub fn tr(&self, key: &str) -> String {
        self.view.strings.get(key).cloned().unwrap_or_default()
    }

    pub(super) fn push(&mut self, xml: String) {
        self.body.push_str(&xml);
    }

    pub(super) fn text(&mut self, text: &str) {
        let p = self.w.p(None, "", &runs(text, ""));
        self.push(p);
    }

    /// A sentence that leads into what follows, kept on its page.
    pub(super) fn lead(&mut self, text: &str) {
        let p = self.w.p(None, "<w:keepNext/>", &runs(text, ""));
        self.push(p);
    }

    fn blocks(&mut self, blocks: &[Block]) {
        let xml = self.w.blocks(blocks, Ctx::BODY);
        self.push(xml);
    }

    /// A heading with its runs and their text; `number` false for the unnumbered ones (the
    /// appendices); `page` when it starts a page; `label` its bookmark.
    pub fn heading(
        &mut self,
        level: u8,
        body: &str,
        plain: &str,
        number: bool,
        page: bool,
        label: Option<&str>,
    ) {
        let mut shown = String::new();
        if number {
            shown = self.counter.step(usize::from(level));
            if level == 1 {
                self.w.chapter = shown.clone();
            }
        }
        let label = label.map_or_else(|| format!("h-{}", self.entries.len() + 1), str::to_string);
        let prefix = if shown.is_empty() {
            String::new()
        } else {
            format!("{shown} ")
        };
        let text = format!("{prefix}{plain}");
        let runs_xml = format!("{}{body}", runs(&prefix, ""));
        let marked = self.w.bookmarked(&label, &runs_xml);
        let style =
            ["Heading1", "Heading2", "Heading3", "Heading4"][usize::from(level.clamp(1, 4)) - 1];
        let ppr = if page { "<w:pageBreakBefore/>" } else { "" };
        let p = self.w.p(Some(style), ppr, &marked);
        self.push(p);
        self.entries.push(Entry {
            level,
            text,
            bookmark: label,
        });
    }

    /// A heading of plain text, numbered as the report's headings are.
    pub(super) fn titled(&mut self, level: u8, text: &str) {
        let page = level == 1 && !self.run_on;
        let numbered = self.numbered;
        self.heading(level, &runs(text, ""), text, numbered, page, None);
    }

    /// Every section after the contents, in the PDF's order.
    pub fn sections(&mut self) {
        self.run_on = self.view.layout.front_page_break == "none";
        self.history();
        self.executive_summary();
        self.project_summary();
        self.goals_targets_coverage();
        self.automated_testing();
        self.maturity_and_thanks();
        self.run_on = false;
        self.summary_of_findings();
        self.detailed_findings();
        self.appendices();
        self.run_on = self.view.layout.front_page_break == "none";
        self.closing();
    }

    /// A table of the house style: header cells of text and rows of cells.
    pub(super) fn data_table(&mut self, header: &[String], rows: Vec<Vec<Cell>>) {
        let head = header.iter().map(|h| self.cell_text(h)).collect();
        let t = self.w.table("ReportTable", Some(head), rows, None);
        self.push(t);
    }

    /// A cell of one paragraph of plain text.
    pub fn cell_text(&mut self, text: &str) -> Cell {
        let xml = self.w.p(None, "", &runs(text, ""));
        Cell {
            xml,
            len: text.chars().count(),
            span: 1,
        }
    }

    /// A cell of one paragraph of runs, `len` the length of its text.
    pub fn cell_runs(&mut self, body: &str, len: usize) -> Cell {
        let xml = self.w.p(None, "", body);
        Cell { xml, len, span: 1 }
    }

    /// A level of a scale as its coloured label.
    pub fn level(&mut self, scale: &str, name: &str) -> String {
        let c = &self.view.colours;
        let map = match scale {
            "severity" => Some(&c.severity),
            "difficulty" => Some(&c.difficulty),
            "status" => Some(&c.status),
            "rating" => Some(&c.rating),
            other => c.scales.get(other),
        };
        let colour = map
            .and_then(|m| m.get(name))
            .map_or(c.neutral, String::as_str)
            .to_string();
        self.w.badge(name, &colour)
    }

    fn history(&mut self) {
        if self.view.history.is_empty() {
            return;
        }
        self.titled(1, &self.tr("section.history"));
        let rows = self
            .view
            .history
            .iter()
            .map(|v| {
                vec![
                    self.cell_text(v.version.as_deref().unwrap_or("—")),
                    self.cell_text(&v.date.long),
                    self.cell_text(&v.description),
                ]
            })
            .collect();
        let header = ["column.version", "column.date", "column.description"].map(|k| self.tr(k));
        self.data_table(&header, rows);
    }

    fn executive_summary(&mut self) {
        let v = self.view;
        self.titled(1, &self.tr("section.executive-summary"));
        match &v.sections.executive_summary {
            Some(subs) => {
                for sub in subs {
                    if !sub.title.is_empty() {
                        self.titled(2, &sub.title);
                    }
                    self.blocks(&sub.body);
                }
            }
            None => {
                self.titled(2, &self.tr("section.engagement-overview"));
                self.text(&self.tr("text.engagement"));
            }
        }
        if let Some(fr) = &v.fix_review {
            self.titled(2, &self.tr("section.fix-review"));
            self.text(&fr.sentence);
        }
        let categories = !v.counts.kind.is_empty();
        let (title, intro) = if categories {
            ("section.severities-and-categories", "text.severities-intro")
        } else {
            ("section.severities", "text.severities-intro-severity")
        };
        self.titled(2, &self.tr(title));
        self.charts();
        self.lead(&self.tr(intro));
        self.counts_table("text.exposure", "column.severity", &v.counts.severity, true);
        if categories {
            self.counts_table("text.categories", "column.category", &v.counts.kind, false);
        }
    }

    /// The charts of findings: each a picture (its alternative text the
    /// counts in words) with its title as caption; the counts by status,
    /// which no other table gives, also as a table.
    fn charts(&mut self) {
        for chart in &self.view.charts {
            let Ok(png) = crate::render::chart_png(chart, 2.0) else {
                continue;
            };
            let rid = self.w.add_media(format!("chart-{}.png", chart.key), png);
            let (cx, cy) = (
                (chart.width * 12700.0) as u64,
                (chart.height * 12700.0) as u64,
            );
            let pic = self.w.drawing(&rid, &chart.alt, cx, cy);
            let p = self
                .w
                .p(None, "<w:keepNext/><w:jc w:val=\"center\"/>", &pic);
            self.push(p);
            let caption = self.w.p(
                Some("Caption"),
                "<w:jc w:val=\"center\"/>",
                &runs(&chart.title, ""),
            );
            self.push(caption);
            if chart.key == "status" {
                let counts: Vec<Count> = chart
                    .entries
                    .iter()
                    .map(|e| Count {
                        name: e.name.clone(),
                        count: e.count,
                    })
                    .collect();
                self.counts_table_of("status", "column.status", &counts);
            }
        }
    }

    /// A table of counts under its bold title; severities as their labels.
    fn counts_table(&mut self, title: &str, column: &str, counts: &[Count], levels: bool) {
        let t = runs(&self.tr(title), "<w:b/>");
        let p = self.w.p(
            None,
            "<w:keepNext/><w:spacing w:before=\"120\" w:after=\"60\"/>",
            &t,
        );
        self.push(p);
        let scale = if levels { Some("severity") } else { None };
        self.counts_rows(scale, column, counts);
    }

    /// A table of counts of a scale's levels, without a title.
    fn counts_table_of(&mut self, scale: &str, column: &str, counts: &[Count]) {
        self.counts_rows(Some(scale), column, counts);
    }

    fn counts_rows(&mut self, scale: Option<&str>, column: &str, counts: &[Count]) {
        let rows = counts
            .iter()
            .map(|c| {
                let name = if let Some(scale) = scale {
                    let b = self.level(scale, &c.name);
                    self.cell_runs(&b, c.name.chars().count())
                } else {
                    self.cell_text(&c.name)
                };
                let n = self.w.p(
                    None,
                    "<w:jc w:val=\"right\"/>",
                    &runs(&c.count.to_string(), ""),
                );
                vec![
                    name,
                    Cell {
                        xml: n,
                        len: 5,
                        span: 1,
                    },
                ]
            })
            .collect();
        let header = [self.tr(column), self.tr("column.count")];
        self.data_table(&header, rows);
    }

    fn project_summary(&mut self) {
        let v = self.view;
        if v.contacts.is_empty() && v.timeline.is_empty() {
            return;
        }
        self.titled(1, &self.tr("section.project-summary"));
        if !v.contacts.is_empty() {
            self.titled(2, &self.tr("section.contacts"));
            for g in &v.contacts {
                if !g.group.is_empty() {
                    let p = self.w.p(Some("MinorHeading"), "", &runs(&g.heading, ""));
                    self.push(p);
                }
                for person in &g.people {
                    let mut body = runs(&person.name, "<w:b/>");
                    if let Some(role) = &person.role {
                        body.push_str("<w:r><w:br/></w:r>");
                        body.push_str(&runs(role, &format!("<w:color w:val=\"{MUTED}\"/>")));
                    }
                    if let Some(email) = &person.email {
                        body.push_str("<w:r><w:br/></w:r>");
                        body.push_str(&self.w.link_text(&format!("mailto:{email}"), email));
                    }
                    let p = self.w.p(None, "<w:keepLines/>", &body);
                    self.push(p);
                }
            }
        }
        if !v.timeline.is_empty() {
            self.titled(2, &self.tr("section.timeline"));
            let rows = v
                .timeline
                .iter()
                .map(|e| vec![self.cell_text(&e.date.long), self.cell_text(&e.event)])
                .collect();
            let header = [self.tr("column.date"), self.tr("column.event")];
            self.data_table(&header, rows);
        }
    }

    /// A bulleted list of inline texts.
    pub(super) fn bullets(&mut self, items: &[Vec<Inline>]) {
        let list = Block::List {
            ordered: false,
            start: 1,
            items: items
                .iter()
                .map(|i| crate::content::ListItem {
                    task: None,
                    body: vec![Block::Paragraph { content: i.clone() }],
                })
                .collect(),
        };
        self.blocks(std::slice::from_ref(&list));
    }

    fn goals_targets_coverage(&mut self) {
        let v = self.view;
        if !v.goals.is_empty() {
            self.titled(1, &self.tr("section.goals"));
            self.lead(&self.tr("text.goals-intro"));
            self.bullets(&v.goals);
        }
        if !v.targets.is_empty() {
            self.titled(1, &self.tr("section.targets"));
            let key = if v.targets.len() == 1 {
                "text.targets-intro.one"
            } else {
                "text.targets-intro.other"
            };
            self.text(&self.tr(key));
            for t in &v.targets {
                self.target(t);
            }
        }
        let c = &v.coverage;
        if !c.approaches.is_empty() || !c.limitations.is_empty() || c.prose.is_some() {
            self.titled(1, &self.tr("section.coverage"));
            if !c.approaches.is_empty() {
                self.lead(&self.tr("text.coverage-intro"));
                self.bullets(&c.approaches);
            }
            if let Some(prose) = &c.prose {
                self.blocks(prose);
            }
            if !c.limitations.is_empty() {
                self.titled(2, &self.tr("section.coverage-limitations"));
                self.lead(&self.tr("text.coverage-limitations"));
                self.bullets(&c.limitations);
            }
        }
        if let Some(tm) = &v.sections.threat_model {
            self.titled(1, &self.tr("section.threat-model"));
            self.blocks(tm);
        }
    }

    /// A target in a shaded box: its name, then its fields.
    fn target(&mut self, t: &crate::view::TargetView) {
        let mut rows = Vec::new();
        let name = runs(&t.name, "<w:b/><w:sz w:val=\"22\"/>");
        let mut head = self.cell_runs(&name, 0);
        head.span = 2;
        rows.push(vec![head]);
        let mut field = |r: &mut Self, label: &str, value: String, len: usize| {
            let l = r.w.styled("FieldLabel", &r.tr(label));
            rows.push(vec![r.cell_runs(&l, 14), r.cell_runs(&value, len)]);
        };
        if let Some(repo) = &t.repository {
            let link = self.w.link_text(repo, repo);
            field(self, "field.repository", link, repo.len());
        }
        if let Some(version) = &t.version {
            let code = self.w.styled("VerbatimChar", version);
            field(self, "field.version", code, version.len());
        }
        if let Some(kind) = &t.kind {
            field(self, "field.type", runs(kind, ""), kind.len());
        }
        if let Some(platform) = &t.platform {
            field(self, "field.platform", runs(platform, ""), platform.len());
        }
        let t = self
            .w
            .table("FindingHeader", None, rows, Some(vec![1800, 6840]));
        self.push(t);
    }

    fn automated_testing(&mut self) {
        let v = self.view;
        if v.tools.is_empty() {
            return;
        }
        self.titled(1, &self.tr("section.automated-testing"));
        self.lead(&self.tr("text.tools-intro"));
        let scans = v.tools.iter().any(|t| t.scan.is_some());
        let policies = v.tools.iter().any(|t| t.policy.is_some());
        let mut header = vec![self.tr("column.tool")];
        if scans {
            header.extend(["column.version", "column.rules", "column.results"].map(|k| self.tr(k)));
        }
        header.push(self.tr("column.description"));
        if policies {
            header.push(self.tr("column.policy"));
        }
        let rows = v
            .tools
            .iter()
            .map(|t| {
                let name = runs(&t.name, "<w:b/>");
                let mut row = vec![self.cell_runs(&name, t.name.len())];
                if scans {
                    let s = t.scan.as_ref();
                    let version = s.and_then(|s| s.version.as_deref()).unwrap_or("—");
                    row.push(self.cell_text(version));
                    row.push(self.cell_text(&s.map_or("—".into(), |s| s.rules.to_string())));
                    row.push(self.cell_text(s.map_or("—", |s| s.summary.as_str())));
                }
                let d = self.w.inlines(&t.description, Fmt::default());
                row.push(self.cell_runs(&d, plain(&t.description).chars().count()));
                if policies {
                    row.push(self.cell_text(t.policy.as_deref().unwrap_or("—")));
                }
                row
            })
            .collect();
        self.data_table(&header, rows);
        for t in &v.tools {
            if let Some(became) = t.scan.as_ref().and_then(|s| s.became.as_deref()) {
                self.text(became);
            }
        }
    }

    fn maturity_and_thanks(&mut self) {
        let v = self.view;
        if !v.maturity.is_empty() {
            self.titled(1, &self.tr("section.maturity"));
            self.lead(&self.tr("text.maturity-intro"));
            let rows = v
                .maturity
                .iter()
                .map(|m| {
                    let cat = runs(&m.category, "<w:b/>");
                    let summary = self.w.blocks(&m.summary, Ctx::BODY);
                    let len = crate::content::plain_blocks(&m.summary).chars().count();
                    let rating = self.level("rating", &m.rating);
                    vec![
                        self.cell_runs(&cat, m.category.len()),
                        Cell {
                            xml: summary,
                            len,
                            span: 1,
                        },
                        self.cell_runs(&rating, m.rating.len() + 2),
                    ]
                })
                .collect();
            let header = ["column.category", "column.summary", "column.rating"].map(|k| self.tr(k));
            self.data_table(&header, rows);
        }
        if !v.acknowledgements.is_empty() || v.sections.acknowledgements.is_some() {
            self.titled(1, &self.tr("section.acknowledgements"));
            if let Some(prose) = &v.sections.acknowledgements {
                self.blocks(prose);
            }
            let items: Vec<Vec<Inline>> = v
                .acknowledgements
                .iter()
                .map(|a| {
                    let extra: Vec<&str> = [&a.organization, &a.role]
                        .into_iter()
                        .flatten()
                        .map(String::as_str)
                        .collect();
                    let mut item = vec![Inline::Strong {
                        content: vec![Inline::Text {
                            text: a.name.clone(),
                        }],
                    }];
                    if !extra.is_empty() {
                        item.push(Inline::Text {
                            text: format!(" ({})", extra.join(", ")),
                        });
                    }
                    item
                })
                .collect();
            if !items.is_empty() {
                self.bullets(&items);
            }
        }
    }

    /// A value of the view (a header entry or a summary cell) as runs,
    /// with the length of its text.
    pub fn value(&mut self, f: &FindingView, v: &ValueView, linked_ref: bool) -> (String, usize) {
        match v {
            ValueView::Level { scale, name } => (self.level(scale, name), name.chars().count() + 2),
            ValueView::Text { text } => (runs(text, ""), text.chars().count()),
            ValueView::Link { text, url } => (self.w.link_text(url, text), text.chars().count()),
            ValueView::Cvss => {
                let Some(c) = &f.cvss else {
                    return (String::new(), 0);
                };
                let mut r = runs(&c.score, "<w:b/>");
                r.push_str(&runs(&format!(" ({})", c.rating), ""));
                if let Some(g) = &c.group {
                    r.push_str(&runs(
                        &format!(" {g}"),
                        &format!("<w:color w:val=\"{MUTED}\"/>"),
                    ));
                }
                r.push_str(&runs(" ", ""));
                r.push_str(&self.w.styled("VerbatimChar", &c.vector));
                (r, c.vector.len() + 10)
            }
            ValueView::Targets => {
                let mut r = String::new();
                for (i, t) in f.target_links.iter().enumerate() {
                    if i > 0 {
                        r.push_str("<w:r><w:br/></w:r>");
                    }
                    let code = match &t.url {
                        Some(u) => {
                            let body = self.w.styled("Hyperlink", &t.text);
                            let body = body.replace("<w:rPr>", "<w:rPr><w:rFonts w:ascii=\"Consolas\" w:hAnsi=\"Consolas\" w:cs=\"Consolas\"/>");
                            self.w.link(u, &body)
                        }
                        None => self.w.styled("VerbatimChar", &t.text),
                    };
                    r.push_str(&code);
                }
                let len = f
                    .target_links
                    .iter()
                    .map(|t| t.text.len())
                    .max()
                    .unwrap_or(0);
                (r, len)
            }
            ValueView::Ref { text } if linked_ref => {
                let body = self.w.styled("Hyperlink", text);
                (self.w.goto(&f.label, &body), text.chars().count())
            }
            ValueView::Ref { text } => (runs(text, ""), text.chars().count()),
            ValueView::Title => {
                let mut body = self.w.inlines(&f.title, Fmt::default());
                if f.draft {
                    body.push_str(&runs(" ", ""));
                    body.push_str(&self.w.badge(&self.tr("mark.draft"), "#C82828"));
                }
                (self.w.goto(&f.label, &body), f.title_text.chars().count())
            }
        }
    }

    /// A shaded cell of a label.
    pub fn label_cell(&mut self, label: &str) -> Cell {
        let l = self.w.styled("FieldLabel", label);
        let mut c = self.cell_runs(&l, label.chars().count());
        c.xml = c.xml.replace(
            "<w:p>",
            &format!(
                "<w:p><w:pPr><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{SHADE}\"/></w:pPr>"
            ),
        );
        c
    }

    /// The notices and the page about the firm.
    fn closing(&mut self) {
        let v = self.view;
        for (key, body) in [
            ("section.notices", &v.sections.notices),
            ("section.about", &v.sections.about),
        ] {
            if let Some(body) = body {
                let page = !self.run_on;
                let title = self.tr(key);
                self.heading(1, &runs(&title, ""), &title, false, page, None);
                self.blocks(body);
            }
        }
    }
}
