//! The .docx package: the parts of a WordprocessingML document in a zip,
//! in a fixed order with fixed dates, so that a rebuild gives the same bytes.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

use super::body::{Media, Rel};
use super::xml::escape;

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// Everything the package holds beside the fixed parts.
pub struct Parts {
    pub body: String,
    pub styles: String,
    pub numbering: String,
    pub footnotes: Vec<String>,
    pub footer: String,
    pub rels: Vec<Rel>,
    pub media: Vec<Media>,
    pub title: String,
    pub creator: String,
    /// `2026-05-12T00:00:00Z`.
    pub date: String,
    pub lang: String,
}

/// The document part: the body and the page setup in its namespaces.
pub fn document(body: &str) -> String {
    format!(
        "{XML_HEAD}<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\" xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\"><w:body>{body}</w:body></w:document>"
    )
}

/// A part that holds paragraphs (footer), in the main namespaces.
fn paragraphs_part(tag: &str, inner: &str) -> String {
    format!("{XML_HEAD}<w:{tag} xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\">{inner}</w:{tag}>")
}

fn content_types(p: &Parts) -> String {
    let main = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    let mut overrides = vec![
        ("/word/document.xml", format!("{main}.document.main+xml")),
        ("/word/styles.xml", format!("{main}.styles+xml")),
        ("/word/settings.xml", format!("{main}.settings+xml")),
        ("/word/numbering.xml", format!("{main}.numbering+xml")),
        ("/word/footer1.xml", format!("{main}.footer+xml")),
        (
            "/docProps/core.xml",
            "application/vnd.openxmlformats-package.core-properties+xml".to_string(),
        ),
        (
            "/docProps/app.xml",
            "application/vnd.openxmlformats-officedocument.extended-properties+xml".to_string(),
        ),
    ];
    if !p.footnotes.is_empty() {
        overrides.push(("/word/footnotes.xml", format!("{main}.footnotes+xml")));
    }
    let overrides: String = overrides
        .iter()
        .map(|(part, kind)| format!("<Override PartName=\"{part}\" ContentType=\"{kind}\"/>"))
        .collect();
    format!(
        "{XML_HEAD}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Default Extension=\"png\" ContentType=\"image/png\"/><Default Extension=\"jpg\" ContentType=\"image/jpeg\"/><Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>{overrides}</Types>"
    )
}

fn relationship(id: &str, kind: &str, target: &str, external: bool) -> String {
    let base = if kind.starts_with("http") {
        kind.to_string()
    } else {
        format!("{R_NS}/{kind}")
    };
    let mode = if external {
        " TargetMode=\"External\""
    } else {
        ""
    };
    format!(
        "<Relationship Id=\"{id}\" Type=\"{base}\" Target=\"{}\"{mode}/>",
        escape(target)
    )
}

fn document_rels(p: &Parts) -> String {
    let mut rels = vec![
        relationship("rId1", "styles", "styles.xml", false),
        relationship("rId2", "settings", "settings.xml", false),
        relationship("rId3", "numbering", "numbering.xml", false),
        relationship("rId5", "footer", "footer1.xml", false),
    ];
    if !p.footnotes.is_empty() {
        rels.push(relationship("rId4", "footnotes", "footnotes.xml", false));
    }
    rels.extend(
        p.rels
            .iter()
            .map(|r| relationship(&r.id, r.kind, &r.target, r.external)),
    );
    format!(
        "{XML_HEAD}<Relationships xmlns=\"{REL_NS}\">{}</Relationships>",
        rels.concat()
    )
}

fn package_rels() -> String {
    let rels = [
        relationship("rId1", "officeDocument", "word/document.xml", false),
        relationship(
            "rId2",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
            false,
        ),
        relationship("rId3", "extended-properties", "docProps/app.xml", false),
    ];
    format!(
        "{XML_HEAD}<Relationships xmlns=\"{REL_NS}\">{}</Relationships>",
        rels.concat()
    )
}

/// Word's settings: fields (the contents) updated on opening, footnotes'
/// separators, and the current compatibility mode.
fn settings(p: &Parts) -> String {
    let notes = if p.footnotes.is_empty() {
        ""
    } else {
        "<w:footnotePr><w:footnote w:id=\"-1\"/><w:footnote w:id=\"0\"/></w:footnotePr>"
    };
    paragraphs_part(
        "settings",
        &format!(
            "<w:updateFields w:val=\"true\"/><w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/>{notes}<w:themeFontLang w:val=\"{}\"/><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>",
            escape(&p.lang)
        ),
    )
}

fn footnotes(p: &Parts) -> String {
    let separators = "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>";
    paragraphs_part(
        "footnotes",
        &format!("{separators}{}", p.footnotes.concat()),
    )
}

fn core(p: &Parts) -> String {
    format!(
        "{XML_HEAD}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>{}</dc:language><dcterms:created xsi:type=\"dcterms:W3CDTF\">{}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{}</dcterms:modified></cp:coreProperties>",
        escape(&p.title),
        escape(&p.creator),
        escape(&p.lang),
        p.date,
        p.date
    )
}

fn app() -> String {
    format!(
        "{XML_HEAD}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>auditpress</Application></Properties>"
    )
}

/// Zips the parts: always in this order, every entry dated 1980-01-01.
pub fn zip(p: Parts) -> Vec<u8> {
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), content_types(&p).into_bytes()),
        ("_rels/.rels".into(), package_rels().into_bytes()),
        ("docProps/core.xml".into(), core(&p).into_bytes()),
        ("docProps/app.xml".into(), app().into_bytes()),
        ("word/document.xml".into(), document(&p.body).into_bytes()),
        (
            "word/_rels/document.xml.rels".into(),
            document_rels(&p).into_bytes(),
        ),
        ("word/styles.xml".into(), p.styles.clone().into_bytes()),
        ("word/settings.xml".into(), settings(&p).into_bytes()),
        (
            "word/numbering.xml".into(),
            p.numbering.clone().into_bytes(),
        ),
        (
            "word/footer1.xml".into(),
            paragraphs_part("ftr", &p.footer).into_bytes(),
        ),
    ];
    if !p.footnotes.is_empty() {
        files.push(("word/footnotes.xml".into(), footnotes(&p).into_bytes()));
    }
    for m in p.media {
        files.push((format!("word/media/{}", m.name), m.bytes));
    }
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in files {
        // Writing to memory cannot fail.
        zip.start_file(name, options).expect("zip entry in memory");
        zip.write_all(&bytes).expect("zip entry in memory");
    }
    zip.finish().expect("zip in memory").into_inner()
}

/// The numbering part: bullets and numbers on nine levels, and one
/// instance per list, so that each list counts from its own start.
pub fn numbering(lists: &[(bool, u64)]) -> String {
    let levels = |ordered: bool| -> String {
        (0..9)
            .map(|l| {
                let (fmt, text) = if ordered {
                    ("decimal", format!("%{}.", l + 1))
                } else {
                    ("bullet", ["\u{2022}", "\u{2013}", "\u{25e6}"][l % 3].to_string())
                };
                let left = 360 * (l + 1) + 360;
                format!(
                    "<w:lvl w:ilvl=\"{l}\"><w:start w:val=\"1\"/><w:numFmt w:val=\"{fmt}\"/><w:lvlText w:val=\"{text}\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"{left}\" w:hanging=\"360\"/></w:pPr></w:lvl>"
                )
            })
            .collect()
    };
    let mut inner = format!(
        "<w:abstractNum w:abstractNumId=\"0\"><w:multiLevelType w:val=\"hybridMultilevel\"/>{}</w:abstractNum><w:abstractNum w:abstractNumId=\"1\"><w:multiLevelType w:val=\"hybridMultilevel\"/>{}</w:abstractNum>",
        levels(false),
        levels(true)
    );
    for (i, (ordered, start)) in lists.iter().enumerate() {
        let abs = u8::from(*ordered);
        let overrides: String = if *ordered {
            (0..9)
                .map(|l| format!("<w:lvlOverride w:ilvl=\"{l}\"><w:startOverride w:val=\"{start}\"/></w:lvlOverride>"))
                .collect()
        } else {
            String::new()
        };
        inner.push_str(&format!(
            "<w:num w:numId=\"{}\"><w:abstractNumId w:val=\"{abs}\"/>{overrides}</w:num>",
            i + 1
        ));
    }
    paragraphs_part("numbering", &inner)
}
