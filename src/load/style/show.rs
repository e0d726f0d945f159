//! A style printed as style.toml text (`auditpress style show`).

use crate::model::shape::PageBreak;
use crate::model::style::{Level, Scale, Style};

/// A string as TOML writes it.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A level of a scale as one inline table of style.toml.
fn level(l: &Level) -> String {
    let mut parts = vec![format!("name = {}", q(&l.name))];
    if let Some(c) = &l.colour {
        parts.push(format!("colour = {}", q(c)));
    }
    if let Some(o) = l.counts_as {
        parts.push(format!("counts_as = {}", q(o.name())));
    }
    if let Some(s) = &l.sarif {
        parts.push(format!("sarif = {}", q(s)));
    }
    if !l.cvss.is_empty() {
        let list: Vec<String> = l.cvss.iter().map(|c| q(c)).collect();
        parts.push(format!("cvss = [{}]", list.join(", ")));
    }
    if l.unrated {
        parts.push("rated = false".into());
    }
    if let Some(d) = &l.definition_text {
        parts.push(format!("definition = {}", q(d)));
    }
    format!("  {{ {} }},\n", parts.join(", "))
}

/// Prints a style as style.toml text: every table, every string key.
pub fn show(style: &Style) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "name = {}\nlang = {}\n",
        q(&style.name),
        q(&style.lang)
    ));
    let scale = |out: &mut String, s: &Scale, key: &str| {
        out.push_str(&format!("{key} = [\n"));
        for l in &s.levels {
            out.push_str(&level(l));
        }
        out.push_str("]\n");
        if s.appendix_order.iter().enumerate().any(|(i, o)| i != *o) {
            let names: Vec<String> = s.in_appendix_order().map(|l| q(&l.name)).collect();
            out.push_str(&format!("appendix_order = [{}]\n", names.join(", ")));
        }
        if let Some(i) = s.draft {
            out.push_str(&format!("draft = {}\n", q(&s.levels[i].name)));
        }
    };
    out.push_str("\n[severity]\n");
    scale(&mut out, &style.severity, "levels");
    out.push_str(&format!(
        "\n[difficulty]\nlabel = {}\nrequired = {}\n",
        q(&style.difficulty_label),
        style.difficulty_required
    ));
    scale(&mut out, &style.difficulty, "levels");
    out.push_str(&format!("\n[type]\nfree = {}\n", style.kind_free));
    if !style.kind.levels.is_empty() {
        scale(&mut out, &style.kind, "levels");
    }
    out.push_str("\n[status]\n");
    scale(&mut out, &style.status, "levels");
    out.push_str("\n[maturity]\n");
    scale(&mut out, &style.categories, "categories");
    scale(&mut out, &style.ratings, "ratings");
    out.push_str(&format!(
        "\n[layout]\nfront_page_break = {}\n",
        q(if style.front_runs_on {
            "none"
        } else {
            "section"
        })
    ));
    out.push_str(&format!(
        "\n[charts]\nfindings = {}\n",
        q(style.charts.name())
    ));
    out.push_str(&format!(
        "\n[finding]\npage_break = {}\n",
        q(match style.finding.page_break {
            PageBreak::Finding => "finding",
            PageBreak::Group => "group",
            PageBreak::None => "none",
        })
    ));
    out.push_str("\n[strings]\n");
    for (k, v) in &style.strings {
        out.push_str(&format!("{} = {}\n", q(k), q(v)));
    }
    out
}
