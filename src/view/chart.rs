//! The charts of findings, drawn once for every deliverable.
//!
//! A chart is SVG text written here from the view's counts: typst embeds
//! it (the PDF), an HTML page inlines it, and a Word document takes the PNG
//! of it that [`png`] draws. The same counts and style give the same bytes.
//! Every bar or slice carries its number and every level its name, so colour
//! is never the only cue; the alternative text ([`alt_text`]) says the same
//! in words, from the style's strings and CLDR plural forms.

use std::fmt::Write as _;

use crate::model::style::{ChartKind, Scale, Style};
use crate::unicode::xml_escape;

use super::contract::{ChartEntry, ChartView, Count, NEUTRAL};

/// The typeface of the charts' text: the bundled body face.
pub const FONT_FAMILY: &str = "Inter";

/// The ink of the charts' text, as the templates' `palette.ink`.
const INK: &str = "#1b2430";
/// Secondary text, as `palette.muted`.
const MUTED: &str = "#5d6b7a";
/// Rules, as `palette.rule`.
const RULE: &str = "#c8d1db";

/// The width of a bar chart: the 6-inch text column, in points.
const BAR_WIDTH: f64 = 432.0;
/// The height of the tallest bar.
const BAR_PLOT: f64 = 60.0;
/// Room above the tallest bar for its number.
const BAR_TOP: f64 = 14.0;
/// The size of a level's name under its bar.
const LABEL_SIZE: f64 = 8.0;
/// The distance between the lines of a name that wraps.
const LABEL_LEADING: f64 = 10.0;

/// The outer and inner radius of a donut.
const RING: (f64, f64) = (52.0, 32.0);
/// The distance of a slice's number outside the ring.
const RING_LABEL: f64 = 10.0;
/// The height of a row of the donut's legend.
const LEGEND_ROW: f64 = 16.0;

/// The charts of a report's executive summary, as the style asks for them
/// (`[charts] findings`): the findings by severity, and after a fix review
/// by status. None for a report without findings.
pub fn charts(style: &Style, severity: &[Count], status: Option<&[Count]>) -> Vec<ChartView> {
    let mut out = Vec::new();
    if style.charts == ChartKind::None {
        return out;
    }
    let scales = [
        (
            "severity",
            "chart.severity",
            &style.severity,
            Some(severity),
        ),
        ("status", "chart.status", &style.status, status),
    ];
    for (key, title, scale, counts) in scales {
        let Some(counts) = counts.filter(|c| c.iter().any(|c| c.count > 0)) else {
            continue;
        };
        out.push(chart(style, key, style.text(title), scale, counts));
    }
    out
}

/// One chart of counts per level of a scale, drawn as the style asks.
pub fn chart(
    style: &Style,
    key: &'static str,
    title: &str,
    scale: &Scale,
    counts: &[Count],
) -> ChartView {
    let entries: Vec<ChartEntry> = counts
        .iter()
        .map(|c| ChartEntry {
            name: c.name.clone(),
            count: c.count,
            colour: scale
                .levels
                .iter()
                .find(|l| l.name == c.name)
                .and_then(|l| l.colour.clone())
                .unwrap_or_else(|| NEUTRAL.to_string()),
        })
        .collect();
    let total = entries.iter().map(|e| e.count).sum();
    let alt = alt_text(style, title, &entries);
    let kind = if style.charts == ChartKind::Donut {
        ChartKind::Donut
    } else {
        ChartKind::Bar
    };
    let noun = style.plural("noun.finding", total);
    let (svg, width, height) = match kind {
        ChartKind::Donut => donut(&entries, total, noun, &alt),
        _ => bars(&entries, &alt),
    };
    ChartView {
        key,
        kind,
        vpath: format!("/data/chart-{key}.svg"),
        title: title.to_string(),
        alt,
        entries,
        total,
        width,
        height,
        svg,
    }
}

/// The alternative text of a chart, from its counts: `Findings by
/// severity: High 2, Medium 3, Low 4, Informational 1, Undetermined 0; 10
/// in total`, in the style's words (`chart.entry`, `chart.total`, `chart.alt`).
pub fn alt_text(style: &Style, title: &str, entries: &[ChartEntry]) -> String {
    let list: Vec<String> = entries
        .iter()
        .map(|e| {
            style.fill(
                "chart.entry",
                &[("name", &e.name), ("count", &e.count.to_string())],
            )
        })
        .collect();
    let total: usize = entries.iter().map(|e| e.count).sum();
    let total = style.fill(
        &style.plural_key("chart.total", total),
        &[("count", &total.to_string())],
    );
    style.fill(
        "chart.alt",
        &[
            ("title", title),
            ("entries", &style.commas(&list)),
            ("total", &total),
        ],
    )
}

/// Rasterises a chart's SVG to PNG at `scale` pixels per point, its text
/// set in `fonts` (font files: the bundled ones, `render::font_files`).
/// The same SVG, fonts and scale give the same bytes.
pub fn png(svg: &str, fonts: &[&[u8]], scale: f32) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options {
        font_family: FONT_FAMILY.to_string(),
        ..usvg::Options::default()
    };
    for font in fonts {
        options.fontdb_mut().load_font_data(font.to_vec());
    }
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    let mut pixmap =
        tiny_skia::Pixmap::new(w, h).ok_or_else(|| format!("a chart of {w}x{h} pixels"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}

/// The opening of a chart's SVG, with its alternative text as its title.
fn open(width: f64, height: f64, alt: &str) -> String {
    let alt = xml_escape(alt);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{alt}\" \
         font-family=\"{FONT_FAMILY}\">\n<title>{alt}</title>\n"
    )
}

/// A line of text; `anchor` is `start`, `middle` or `end`.
fn text(out: &mut String, x: f64, y: f64, size: f64, style: (&str, u16, &str), body: &str) {
    let (fill, weight, anchor) = style;
    let _ = writeln!(
        out,
        "<text x=\"{x:.2}\" y=\"{y:.2}\" font-size=\"{size}\" font-weight=\"{weight}\" \
         fill=\"{fill}\" text-anchor=\"{anchor}\">{}</text>",
        xml_escape(body)
    );
}

/// The width of text in the bundled face, estimated on the wide side
/// (Inter's capitals and digits are about 0.6 em): enough to wrap names.
fn estimated_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// A name broken at its spaces into lines of at most `width`.
fn wrap(name: &str, width: f64, size: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in name.split_whitespace() {
        match lines.last_mut() {
            Some(line) if estimated_width(&format!("{line} {word}"), size) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// A bar chart: one bar per level in the level's colour, its count above
/// it and the level's name below, on a baseline rule; no axis to read
/// values from, since every bar says its own.
fn bars(entries: &[ChartEntry], alt: &str) -> (String, f64, f64) {
    let slot = BAR_WIDTH / entries.len().max(1) as f64;
    let bar = (slot * 0.45).min(40.0);
    let names: Vec<Vec<String>> = entries
        .iter()
        .map(|e| wrap(&e.name, slot - 6.0, LABEL_SIZE))
        .collect();
    let lines = names.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let axis = BAR_TOP + BAR_PLOT;
    let height = axis + 6.0 + lines * LABEL_LEADING;
    let most = entries.iter().map(|e| e.count).max().unwrap_or(0).max(1) as f64;
    let mut out = open(BAR_WIDTH, height, alt);
    for (i, (e, name)) in entries.iter().zip(&names).enumerate() {
        let centre = slot * (i as f64 + 0.5);
        let tall = BAR_PLOT * e.count as f64 / most;
        if e.count > 0 {
            let _ = writeln!(
                out,
                "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{bar:.2}\" height=\"{tall:.2}\" fill=\"{}\"/>",
                centre - bar / 2.0,
                axis - tall,
                xml_escape(&e.colour)
            );
        }
        let ink = if e.count > 0 { INK } else { MUTED };
        let count = e.count.to_string();
        text(
            &mut out,
            centre,
            axis - tall - 4.0,
            9.0,
            (ink, 600, "middle"),
            &count,
        );
        for (n, line) in name.iter().enumerate() {
            let y = axis + 6.0 + LABEL_SIZE + n as f64 * LABEL_LEADING;
            text(&mut out, centre, y, LABEL_SIZE, (INK, 400, "middle"), line);
        }
    }
    let _ = writeln!(
        out,
        "<line x1=\"0\" y1=\"{axis:.2}\" x2=\"{BAR_WIDTH:.0}\" y2=\"{axis:.2}\" stroke=\"{RULE}\" stroke-width=\"0.75\"/>"
    );
    out.push_str("</svg>\n");
    (out, BAR_WIDTH, height)
}

/// A point at `radius` from the centre, `angle` clockwise from the top.
fn polar(centre: (f64, f64), radius: f64, angle: f64) -> (f64, f64) {
    (
        centre.0 + radius * angle.sin(),
        centre.1 - radius * angle.cos(),
    )
}

/// The path of a ring's slice from `from` to `to` (radians, clockwise
/// from the top), less than a whole turn.
fn slice(centre: (f64, f64), from: f64, to: f64) -> String {
    let (outer, inner) = RING;
    let large = u8::from(to - from > std::f64::consts::PI);
    let (a, b) = (polar(centre, outer, from), polar(centre, outer, to));
    let (c, d) = (polar(centre, inner, to), polar(centre, inner, from));
    format!(
        "M{:.2} {:.2}A{outer} {outer} 0 {large} 1 {:.2} {:.2}L{:.2} {:.2}A{inner} {inner} 0 {large} 0 {:.2} {:.2}Z",
        a.0, a.1, b.0, b.1, c.0, c.1, d.0, d.1
    )
}

/// A donut: one slice per level with findings, clockwise from the top in
/// the scale's order, its count outside it; the total in the middle; and
/// a legend of every level's colour, name and count.
fn donut(entries: &[ChartEntry], total: usize, noun: &str, alt: &str) -> (String, f64, f64) {
    let (outer, _) = RING;
    let reach = outer + RING_LABEL + 8.0;
    let legend_height = entries.len() as f64 * LEGEND_ROW;
    let height = (2.0 * reach).max(legend_height + 8.0);
    let centre = (reach, height / 2.0);
    let longest = entries
        .iter()
        .map(|e| estimated_width(&e.name, LABEL_SIZE + 0.5))
        .fold(0.0, f64::max);
    let legend_x = 2.0 * reach + 24.0;
    let count_x = legend_x + 16.0 + longest + 28.0;
    // As wide as the bars, the text column: the donut and its legend stand
    // at its left, where the text starts.
    let width = (count_x + 4.0).max(BAR_WIDTH);
    let mut out = open(width, height, alt);
    let turn = std::f64::consts::TAU;
    let mut from = 0.0;
    for e in entries.iter().filter(|e| e.count > 0) {
        let sweep = turn * e.count as f64 / total.max(1) as f64;
        // A whole ring is two halves: an arc cannot end where it starts.
        let parts = if sweep >= turn - 1e-9 {
            vec![(from, from + turn / 2.0), (from + turn / 2.0, from + turn)]
        } else {
            vec![(from, from + sweep)]
        };
        for (a, b) in parts {
            let _ = writeln!(
                out,
                "<path d=\"{}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
                slice(centre, a, b),
                xml_escape(&e.colour)
            );
        }
        let (x, y) = polar(centre, outer + RING_LABEL, from + sweep / 2.0);
        text(
            &mut out,
            x,
            y + 3.0,
            8.5,
            (INK, 600, "middle"),
            &e.count.to_string(),
        );
        from += sweep;
    }
    text(
        &mut out,
        centre.0,
        centre.1 + 3.0,
        16.0,
        (INK, 700, "middle"),
        &total.to_string(),
    );
    text(
        &mut out,
        centre.0,
        centre.1 + 14.0,
        7.5,
        (MUTED, 400, "middle"),
        noun,
    );
    legend(
        &mut out,
        entries,
        (legend_x, count_x),
        (height - legend_height) / 2.0,
    );
    out.push_str("</svg>\n");
    (out, width, height)
}

/// The donut's legend: a row per level, its colour, name and count, from
/// `top`; names start after the swatch at `x.0`, counts end at `x.1`.
fn legend(out: &mut String, entries: &[ChartEntry], x: (f64, f64), top: f64) {
    let (legend_x, count_x) = x;
    for (i, e) in entries.iter().enumerate() {
        let y = top + i as f64 * LEGEND_ROW;
        let _ = writeln!(
            out,
            "<rect x=\"{legend_x:.2}\" y=\"{:.2}\" width=\"9\" height=\"9\" rx=\"1.5\" fill=\"{}\"/>",
            y + 3.5,
            xml_escape(&e.colour)
        );
        let baseline = y + 11.5;
        let ink = if e.count > 0 { INK } else { MUTED };
        text(
            out,
            legend_x + 16.0,
            baseline,
            LABEL_SIZE + 0.5,
            (ink, 400, "start"),
            &e.name,
        );
        text(
            out,
            count_x,
            baseline,
            LABEL_SIZE + 0.5,
            (ink, 600, "end"),
            &e.count.to_string(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A style with the given language and chart strings.
    fn style(lang: &str, extra: &[(&str, &str)]) -> Style {
        let mut strings: std::collections::BTreeMap<String, String> = [
            ("chart.entry", "{name} {count}"),
            ("chart.total.other", "{count} in total"),
            ("chart.alt", "{title}: {entries}; {total}"),
            ("list.comma", "{a}, {b}"),
            ("noun.finding.one", "finding"),
            ("noun.finding.other", "findings"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in extra {
            strings.insert(k.to_string(), v.to_string());
        }
        Style {
            lang: lang.into(),
            strings,
            ..Style::default()
        }
    }

    fn entries(counts: &[(&str, usize)]) -> Vec<ChartEntry> {
        counts
            .iter()
            .map(|(name, count)| ChartEntry {
                name: name.to_string(),
                count: *count,
                colour: "#c0392b".into(),
            })
            .collect()
    }

    #[test]
    fn the_alternative_text_counts_by_the_languages_plural_rules() {
        let e = entries(&[("High", 2), ("Medium", 3), ("Low", 4), ("Informational", 1)]);
        assert_eq!(
            alt_text(&style("en", &[]), "Findings by severity", &e),
            "Findings by severity: High 2, Medium 3, Low 4, Informational 1; 10 in total"
        );
        // Polish: 1 one, 2-4 few, 5 many (CLDR), each its own form.
        let pl = style(
            "pl",
            &[
                ("chart.total.one", "{count} ustalenie"),
                ("chart.total.few", "{count} ustalenia"),
                ("chart.total.many", "{count} ustaleń"),
            ],
        );
        let alt = |n: usize| alt_text(&pl, "Ustalenia", &entries(&[("Wysoka", n)]));
        assert_eq!(alt(1), "Ustalenia: Wysoka 1; 1 ustalenie");
        assert_eq!(alt(3), "Ustalenia: Wysoka 3; 3 ustalenia");
        assert_eq!(alt(5), "Ustalenia: Wysoka 5; 5 ustaleń");
    }

    #[test]
    fn a_level_name_is_text_in_the_svg_never_markup() {
        let e = entries(&[("<b>Hi</b> & \"so\"", 1), ("Low", 0)]);
        let (svg, _, _) = bars(&e, "alt <x>");
        assert!(
            svg.contains("&lt;b&gt;Hi&lt;/b&gt; &amp; &quot;so&quot;"),
            "{svg}"
        );
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("<title>alt &lt;x&gt;</title>"));
    }

    #[test]
    fn the_png_of_a_chart_is_the_same_on_every_run() {
        let fonts: Vec<Vec<u8>> = ["Inter-Regular.otf", "Inter-SemiBold.otf", "Inter-Bold.otf"]
            .iter()
            .map(|f| std::fs::read(format!("{}/fonts/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap())
            .collect();
        let fonts: Vec<&[u8]> = fonts.iter().map(Vec::as_slice).collect();
        let e = entries(&[("High", 2), ("Medium", 0), ("Partially Resolved", 5)]);
        for (svg, width, height) in [bars(&e, "a"), donut(&e, 7, "findings", "a")] {
            let first = png(&svg, &fonts, 2.0).unwrap();
            assert_eq!(first, png(&svg, &fonts, 2.0).unwrap());
            assert!(first.starts_with(b"\x89PNG\r\n\x1a\n"));
            // The IHDR chunk: width and height in pixels, two per point.
            let w = u32::from_be_bytes(first[16..20].try_into().unwrap());
            let h = u32::from_be_bytes(first[20..24].try_into().unwrap());
            assert_eq!(
                (w, h),
                ((width * 2.0).ceil() as u32, (height * 2.0).ceil() as u32)
            );
        }
    }

    #[test]
    fn a_donut_has_a_slice_per_level_with_findings_and_a_legend_of_all() {
        let e = entries(&[("High", 2), ("Medium", 0), ("Low", 5)]);
        let (svg, _, _) = donut(&e, 7, "findings", "a");
        assert_eq!(svg.matches("<path ").count(), 2, "{svg}");
        assert_eq!(svg.matches("<rect ").count(), 3, "{svg}");
        for label in [
            ">High<",
            ">Medium<",
            ">Low<",
            ">2<",
            ">0<",
            ">5<",
            ">7<",
            ">findings<",
        ] {
            assert!(svg.contains(label), "{label} in {svg}");
        }
        // One level with every finding: a whole ring, drawn as two halves.
        let (whole, _, _) = donut(&entries(&[("High", 3)]), 3, "findings", "a");
        assert_eq!(whole.matches("<path ").count(), 2, "{whole}");
    }

    #[test]
    fn every_bar_says_its_count_and_its_name() {
        let e = entries(&[("High", 2), ("Medium", 0), ("Partially Resolved", 5)]);
        let (svg, _, _) = bars(&e, "a");
        assert_eq!(
            svg.matches("<rect ").count(),
            2,
            "a level without findings has no bar"
        );
        for label in [
            ">High<",
            ">Medium<",
            ">Partially Resolved<",
            ">2<",
            ">0<",
            ">5<",
        ] {
            assert!(svg.contains(label), "{label} in {svg}");
        }
    }

    #[test]
    fn a_long_name_wraps_under_its_bar() {
        assert_eq!(
            wrap("Partially Resolved", 60.0, 8.0),
            ["Partially", "Resolved"]
        );
        assert_eq!(
            wrap("Partially Resolved", 200.0, 8.0),
            ["Partially Resolved"]
        );
    }
}
