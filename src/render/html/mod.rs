//! The HTML deliverable: one self-contained HTML5 page from the view and
//! its content tree, through minijinja templates.
//!
//! The templates are embedded (templates/html/) and a house style may
//! replace any of them, or the stylesheet, with a file of the same name in
//! its `html/` folder (`html/report.css`); they are read at run time, not
//! compiled in. Every value the templates print is escaped for HTML (the
//! environment escapes all output), so text from the audit folder is shown
//! as written and never read as markup. Images become data URLs, so the page
//! reads without a network or the folder beside it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use base64::Engine;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Value};
use typst::diag::SourceDiagnostic;
use typst::syntax::Span;

use super::numbering::HeadingCounter;
use super::{ExportSettings, Exported, Resources};
use crate::view::View;

mod contents;

macro_rules! html_templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/html/", $name)))),*]
    };
}

/// The embedded HTML templates and stylesheet, by name in templates/html/.
pub const EMBEDDED: &[(&str, &str)] = html_templates!(
    "report.html",
    "content.html",
    "sections.html",
    "findings.html",
    "report.css",
);

/// The template every page is rendered from.
const MAIN: &str = "report.html";

/// The stylesheet, inlined into the page.
const STYLESHEET: &str = "report.css";

/// Exports the report as one HTML page.
pub fn export_html(view: &View, resources: &Resources, _settings: &ExportSettings) -> Exported {
    let render = || -> Result<String, Error> {
        let mut env = environment(view, resources)?;
        // Every template (and each macro it imports) reads the view as `data`.
        env.add_global("data", Value::from(minijinja::value::Serde(view)));
        let css = source(resources, STYLESHEET)?;
        let context = minijinja::context! {
            // The stylesheet goes into a <style> element as it is: only a
            // closing tag inside it could end that element early.
            stylesheet => Value::from_safe_string(css.replace("</", "<\\/")),
            generator => format!("auditpress {}", env!("CARGO_PKG_VERSION")),
        };
        env.get_template(MAIN)?.render(context)
    };
    let page = render().map_err(|e| vec![diagnostic(&e)])?;
    Ok(contents::fill(&page).into_bytes().into())
}

/// The template environment: every template and the style's overrides,
/// output escaped for HTML, and the functions the templates call.
fn environment(view: &View, resources: &Resources) -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // Errors keep the template text they are in, for the message.
    env.set_debug(true);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()?,
    );
    for (name, _) in EMBEDDED.iter().filter(|(n, _)| *n != STYLESHEET) {
        env.add_template_owned(name.to_string(), source(resources, name)?)?;
    }
    // A style may add templates of its own for its overrides to include.
    for file in resources
        .files
        .iter()
        .filter(|f| is_added_template(&f.name))
    {
        let name = file.name.trim_start_matches("html/").to_string();
        env.add_template_owned(name, text(&file.name, &file.bytes)?)?;
    }
    let images = Arc::new(
        resources
            .images
            .iter()
            .map(|a| (a.vpath.clone(), a.bytes.clone()))
            .chain(
                resources
                    .files
                    .iter()
                    .filter(|f| super::templates::is_logo(&f.name))
                    .map(|f| (format!("/{}", f.name), f.bytes.clone())),
            )
            .collect::<Vec<_>>(),
    );
    env.add_function("data_url", move |src: &str| data_url(&images, src));
    // A chart's SVG as auditpress drew it (its texts escaped as XML, its
    // role and alternative text on it), its text kept as text.
    let charts: Arc<Vec<(String, String)>> = Arc::new(
        view.charts
            .iter()
            .map(|c| (c.vpath.clone(), c.svg.clone()))
            .collect(),
    );
    env.add_function("chart_svg", move |src: &str| {
        let (_, svg) = charts
            .iter()
            .find(|(vpath, _)| vpath == src)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("no chart {src} in the report"),
                )
            })?;
        let start = svg.find("<svg").unwrap_or(0);
        Ok::<_, Error>(Value::from_safe_string(svg[start..].trim_end().to_string()))
    });
    env.add_filter("safe_url", safe_url);
    env.add_filter("lines", |text: &str| {
        text.split('\n').map(str::to_string).collect::<Vec<_>>()
    });
    add_counters(&mut env);
    Ok(env)
}

/// The functions that count as the page is written, in its order: the
/// footnotes' numbers and the headings' (typst's heading counter, as the
/// PDF numbers them with `[numbering] headings = "1.1"`).
fn add_counters(env: &mut Environment<'static>) {
    let notes = Arc::new(AtomicUsize::new(0));
    env.add_function("next_note", move || {
        notes.fetch_add(1, Ordering::Relaxed) + 1
    });
    let headings = Arc::new(Mutex::new(HeadingCounter::default()));
    env.add_function("heading_number", move |level: usize| {
        headings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .step(level)
    });
}

/// Whether a style's file is a template it adds beside the embedded ones.
fn is_added_template(name: &str) -> bool {
    name.strip_prefix("html/").is_some_and(|n| {
        n.ends_with(".html") && !EMBEDDED.iter().any(|(embedded, _)| *embedded == n)
    })
}

/// The text of an HTML template or the stylesheet: the style's override
/// (`html/<name>`) or the embedded one.
fn source(resources: &Resources, name: &str) -> Result<String, Error> {
    let path = format!("html/{name}");
    match resources.files.iter().find(|f| f.name == path) {
        Some(file) => text(&file.display, &file.bytes),
        None => Ok(EMBEDDED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| text.to_string())
            .unwrap_or_default()),
    }
}

/// A template file's bytes as text; a file that is not UTF-8 is an error naming it.
fn text(display: &str, bytes: &[u8]) -> Result<String, Error> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("{display} is not UTF-8 text"),
        )
    })
}

/// The data URL of an image by its virtual path (`/assets/0.png`, the
/// logo): its bytes in base64 under the type its first bytes tell.
fn data_url(images: &[(String, Vec<u8>)], src: &str) -> Result<String, Error> {
    let (_, bytes) = images
        .iter()
        .find(|(vpath, _)| vpath == src)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("no image {src} in the report"),
            )
        })?;
    Ok(format!(
        "data:{};base64,{}",
        mime(bytes),
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// The media type of an image, from its first bytes.
fn mime(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(b"\xff\xd8") {
        "image/jpeg"
    } else if bytes.starts_with(b"GIF8") {
        "image/gif"
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        "image/webp"
    } else {
        "image/svg+xml"
    }
}

/// A link target as the PDF keeps it: http, https and mailto only (the
/// loader's rule, [`crate::content::is_kept_url`]); any other (a
/// `javascript:` one) becomes empty, and the template prints no link.
fn safe_url(url: &str) -> String {
    if crate::content::is_kept_url(url) {
        url.to_string()
    } else {
        String::new()
    }
}

/// A template error as a diagnostic: the template and line where it is,
/// what went wrong and the expression it went wrong in, and the hint to
/// compare with the embedded template.
fn diagnostic(e: &Error) -> SourceDiagnostic {
    let what = e
        .detail()
        .map_or_else(|| e.kind().to_string(), str::to_string);
    let snippet = e
        .template_source()
        .zip(e.range())
        .and_then(|(source, range)| source.get(range))
        .map(|s| format!(" in `{}`", s.trim()))
        .unwrap_or_default();
    let place = match (e.name(), e.line()) {
        (Some(name), Some(line)) => format!("html/{name}, line {line}: "),
        _ => String::new(),
    };
    SourceDiagnostic::error(
        Span::detached(),
        format!("{place}HTML template error: {what}{snippet}"),
    )
    .with_hint(
        "compare the style's html/ override with the embedded template (templates/html/ in the auditpress sources)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_mail_links_are_kept() {
        assert_eq!(safe_url("https://x.org/a"), "https://x.org/a");
        assert_eq!(safe_url("mailto:a@b.c"), "mailto:a@b.c");
        assert_eq!(safe_url("javascript:alert(1)"), "");
        assert_eq!(safe_url(" JavaScript:alert(1)"), "");
        assert_eq!(safe_url("data:text/html,x"), "");
    }

    #[test]
    fn images_have_their_media_type() {
        assert_eq!(mime(b"\x89PNG\r\n"), "image/png");
        assert_eq!(mime(b"\xff\xd8\xff"), "image/jpeg");
        assert_eq!(mime(b"<svg"), "image/svg+xml");
    }
}
