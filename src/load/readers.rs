//! The readers of the folder's other files: maturity.csv,
//! acknowledgements.csv, sections/, scans/ and appendices/.

use crate::content::{self, Block};
use crate::diag::{self, FileRef, Place};
use crate::model::style::same_name;
use crate::model::{Acknowledgement, Appendix, MaturityEntry, Scan, Sections, Subsection};

use super::table::Column;

use std::collections::HashMap;

use super::{Axis, Loader, Origin, Prose, SECTION_NAMES, folded, sarif};

impl Loader {
    pub(super) fn maturity(&mut self, prose: &Prose) -> Vec<MaturityEntry> {
        let columns = [
            Column::required("category"),
            Column::required("rating"),
            Column::required("summary"),
        ];
        let Some(table) = self.read_table("maturity.csv", &columns) else {
            return Vec::new();
        };
        let file = table.file;
        let mut out = Vec::new();
        let mut seen: HashMap<String, Place> = HashMap::new();
        let style = self.style.clone();
        let known = style.categories.names();
        for row in &table.rows {
            let category = self.required_cell(&table, row, "category");
            let rating = self.scale(&table, row, "rating", Axis::Rating);
            let summary = table.cell(row, "summary").map(|c| {
                let origin = Origin::Cell(file, c.range.start, c.range.end);
                self.markdown(prose, &c.value, origin, "", &mut 0)
            });
            if summary.is_none() {
                self.missing_cell(&table, row, "summary");
            }
            if let Some(c) = table.cell(row, "category") {
                let place = table.place(c);
                if !style.is_broken("maturity") && !known.iter().any(|k| same_name(k, &c.value)) {
                    let d = self.diags.warning(
                        Some(place.clone()),
                        format!(
                            "maturity category \"{}\" is not one of the {} of the house style",
                            c.value,
                            known.len()
                        ),
                    );
                    d.fix_to_closest(&c.value, &known);
                    match diag::did_you_mean(&c.value, &known, diag::quoted) {
                        Some(k) => d.add_hint(k),
                        None => d.add_hint(format!("usual categories: {}", known.join(", "))),
                    };
                }
                if let Some(first) = seen.insert(folded(&c.value), place.clone()) {
                    self.diags
                        .error(
                            Some(place),
                            format!("duplicate maturity category \"{}\"", c.value),
                        )
                        .add_related(first, "first rated here")
                        .add_hint("give each category one row");
                }
            }
            if let (Some(category), Some(rating), Some(summary)) = (category, rating, summary) {
                let category = known
                    .iter()
                    .find(|k| same_name(k, &category))
                    .map_or(category, |k| k.to_string());
                out.push(MaturityEntry {
                    category,
                    rating,
                    summary,
                });
            }
        }
        out
    }

    pub(super) fn acknowledgements(&mut self) -> Vec<Acknowledgement> {
        let columns = [
            Column::required("name"),
            Column::optional("organization"),
            Column::optional("role"),
        ];
        let Some(table) = self.read_table("acknowledgements.csv", &columns) else {
            return Vec::new();
        };
        table
            .rows
            .iter()
            .filter_map(|row| {
                let name = self.required_cell(&table, row, "name")?;
                Some(Acknowledgement {
                    name,
                    organization: table.cell(row, "organization").map(|c| c.value.clone()),
                    role: table.cell(row, "role").map(|c| c.value.clone()),
                })
            })
            .collect()
    }

    pub(super) fn sections(&mut self, prose: &Prose) -> Sections {
        let mut sections = Sections::default();
        for name in self.list_md("sections") {
            let stem = name.trim_end_matches(".md");
            let rel = format!("sections/{name}");
            if !SECTION_NAMES.contains(&stem) {
                let known = format!("known sections: {}", SECTION_NAMES.join(", "));
                let hint = match diag::did_you_mean(stem, SECTION_NAMES, |k| format!("\"{k}.md\""))
                {
                    Some(k) => format!("{k} {known}"),
                    None => known,
                };
                self.file_error(&rel, format!("unknown section file \"{name}\""), hint);
                continue;
            }
            let Some((file, text)) = self.read_optional(&rel) else {
                continue;
            };
            let blocks = self.markdown(prose, &text, Origin::Exact(file, 0), "", &mut 0);
            match stem {
                "executive-summary" => sections.executive_summary = Some(split_subsections(blocks)),
                "coverage" => sections.coverage = Some(blocks),
                "threat-model" => sections.threat_model = Some(blocks),
                "acknowledgements" => sections.acknowledgements = Some(blocks),
                "notices" => sections.notices = Some(blocks),
                _ => sections.about = Some(blocks),
            }
        }
        sections
    }

    /// Reads the SARIF files of scans/, sorted by name.
    pub(super) fn scans(&mut self) -> Vec<Scan> {
        let mut runs = Vec::new();
        for name in self.list("scans", ".sarif") {
            let rel = format!("scans/{name}");
            let Some((file, text)) = self.read_optional(&rel) else {
                continue;
            };
            match sarif::read(&name, &text) {
                Ok(found) => runs.extend(found),
                Err(e) => {
                    let offset = e.at.map_or(0, |(line, column)| {
                        let start: usize =
                            text.split('\n').take(line - 1).map(|l| l.len() + 1).sum();
                        let line_text = text[start.min(text.len())..]
                            .split('\n')
                            .next()
                            .unwrap_or("");
                        let col: usize = line_text
                            .chars()
                            .take(column.saturating_sub(1))
                            .map(char::len_utf8)
                            .sum();
                        (start + col).min(text.len())
                    });
                    self.diags
                        .error(Some(Place::new(file, offset..offset)), e.message)
                        .add_hint(e.hint);
                }
            }
        }
        runs
    }

    /// Reads the appendix files, sorted by name.
    pub(super) fn appendix_files(&mut self) -> Vec<(String, FileRef, String)> {
        self.list_md("appendices")
            .into_iter()
            .filter_map(|name| {
                let (file, text) = self.read_optional(&format!("appendices/{name}"))?;
                Some((name, file, text))
            })
            .collect()
    }

    pub(super) fn appendix(
        &mut self,
        prose: &Prose,
        name: String,
        file: FileRef,
        text: &str,
        letter: String,
    ) -> Option<Appendix> {
        let mut blocks = self.markdown(prose, text, Origin::Exact(file, 0), &letter, &mut 0);
        let title_at = blocks
            .iter()
            .position(|b| matches!(b, Block::Heading { level: 1, .. }));
        let Some(at) = title_at else {
            self.diags
                .error(
                    Some(Place::new(file, 0..0)),
                    format!("appendix {name} has no title"),
                )
                .add_hint("start the file with a `# Title` heading");
            return None;
        };
        let Block::Heading { content, .. } = blocks.remove(at) else {
            unreachable!("position found a heading")
        };
        Some(Appendix {
            file: name,
            title: content::plain(&content),
            body: blocks,
        })
    }
}

/// Splits blocks at their `##` headings into sub-sections.
fn split_subsections(blocks: Vec<Block>) -> Vec<Subsection> {
    let mut out: Vec<Subsection> = Vec::new();
    for block in blocks {
        match block {
            Block::Heading {
                level: 1 | 2,
                content,
            } => out.push(Subsection {
                title: content::plain(&content),
                body: Vec::new(),
            }),
            other => match out.last_mut() {
                Some(last) => last.body.push(other),
                None => out.push(Subsection {
                    title: String::new(),
                    body: vec![other],
                }),
            },
        }
    }
    out
}
