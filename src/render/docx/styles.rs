//! The document's styles: auditpress's own, or those of a style folder's
//! `reference.docx`, as pandoc's reference document works. The body names
//! styles by key ([`StyleMap::id`]); a key maps to the reference's style of
//! the same name, so that its fonts, sizes and colours apply.

use std::collections::{BTreeMap, BTreeSet};

use super::xml::escape;

/// Whether a style formats paragraphs, runs or tables.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Paragraph,
    Character,
    Table,
}

/// One of auditpress's styles: its id (the key the body uses), its name as
/// Word stores it, and its properties (the XML after `w:basedOn`).
struct StyleDef {
    id: &'static str,
    name: &'static str,
    kind: Kind,
    based_on: Option<&'static str>,
    props: &'static str,
}

const P: Kind = Kind::Paragraph;
const C: Kind = Kind::Character;
const T: Kind = Kind::Table;

/// The accent of the PDF's templates (style.typ `palette.accent`).
pub const ACCENT: &str = "1F4E79";
/// Muted text (`palette.muted`).
pub const MUTED: &str = "5D6B7A";
/// Rules between rows (`palette.rule`).
pub const RULE: &str = "C8D1DB";
/// The shade of boxes and every other row (`palette.shade`).
pub const SHADE: &str = "F2F5F8";
/// A shaded line of code (`palette.highlight`).
pub const HIGHLIGHT: &str = "FFF1A8";

/// auditpress's styles, in the order styles.xml lists them.
const STYLES: &[StyleDef] = &[
    StyleDef {
        id: "Normal",
        name: "Normal",
        kind: P,
        based_on: None,
        props: r#"<w:qFormat/><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/><w:color w:val="1B2430"/><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr>"#,
    },
    StyleDef {
        id: "Title",
        name: "Title",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:qFormat/><w:pPr><w:spacing w:before="0" w:after="160"/></w:pPr><w:rPr><w:b/><w:color w:val="FFFFFF"/><w:sz w:val="64"/><w:szCs w:val="64"/></w:rPr>"#,
    },
    StyleDef {
        id: "Subtitle",
        name: "Subtitle",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:qFormat/><w:pPr><w:spacing w:after="240"/></w:pPr><w:rPr><w:color w:val="E4EBF2"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr>"#,
    },
    StyleDef {
        id: "Heading1",
        name: "heading 1",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:pBdr><w:bottom w:val="single" w:sz="8" w:space="4" w:color="1F4E79"/></w:pBdr><w:spacing w:before="480" w:after="240"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:color w:val="1F4E79"/><w:sz w:val="40"/><w:szCs w:val="40"/></w:rPr>"#,
    },
    StyleDef {
        id: "Heading2",
        name: "heading 2",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr>"#,
    },
    StyleDef {
        id: "Heading3",
        name: "heading 3",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="320" w:after="120"/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:b/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr>"#,
    },
    StyleDef {
        id: "Heading4",
        name: "heading 4",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="3"/></w:pPr><w:rPr><w:b/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr>"#,
    },
    StyleDef {
        id: "TOCHeading",
        name: "TOC Heading",
        kind: P,
        based_on: Some("Heading1"),
        props: r#"<w:next w:val="Normal"/><w:qFormat/><w:pPr><w:outlineLvl w:val="9"/></w:pPr>"#,
    },
    StyleDef {
        id: "TOC1",
        name: "toc 1",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:next w:val="Normal"/><w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="8630"/></w:tabs><w:spacing w:before="120" w:after="40"/></w:pPr><w:rPr><w:b/></w:rPr>"#,
    },
    StyleDef {
        id: "TOC2",
        name: "toc 2",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:next w:val="Normal"/><w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="8630"/></w:tabs><w:spacing w:after="40"/><w:ind w:left="280"/></w:pPr>"#,
    },
    StyleDef {
        id: "Caption",
        name: "caption",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="80" w:after="240"/></w:pPr><w:rPr><w:i/><w:color w:val="5D6B7A"/><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>"#,
    },
    StyleDef {
        id: "SourceCode",
        name: "Source Code",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:pPr><w:shd w:val="clear" w:color="auto" w:fill="F6F8FA"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:left="120" w:right="120"/></w:pPr><w:rPr><w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:eastAsia="Consolas" w:cs="Consolas"/><w:noProof/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>"#,
    },
    StyleDef {
        id: "VerbatimChar",
        name: "Verbatim Char",
        kind: C,
        based_on: None,
        props: r#"<w:rPr><w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:eastAsia="Consolas" w:cs="Consolas"/><w:noProof/><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>"#,
    },
    StyleDef {
        id: "Hyperlink",
        name: "Hyperlink",
        kind: C,
        based_on: None,
        props: r#"<w:rPr><w:color w:val="1F4E79"/><w:u w:val="single"/></w:rPr>"#,
    },
    StyleDef {
        id: "FootnoteText",
        name: "footnote text",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:pPr><w:spacing w:after="40"/></w:pPr><w:rPr><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>"#,
    },
    StyleDef {
        id: "FootnoteReference",
        name: "footnote reference",
        kind: C,
        based_on: None,
        props: r#"<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>"#,
    },
    StyleDef {
        id: "ListParagraph",
        name: "List Paragraph",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:qFormat/><w:pPr><w:spacing w:after="60"/><w:ind w:left="720"/></w:pPr>"#,
    },
    StyleDef {
        id: "Quote",
        name: "Quote",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:qFormat/><w:pPr><w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="C8D1DB"/></w:pBdr><w:ind w:left="240"/></w:pPr><w:rPr><w:color w:val="3A4756"/></w:rPr>"#,
    },
    StyleDef {
        id: "MinorHeading",
        name: "Minor Heading",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/></w:pPr><w:rPr><w:b/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr>"#,
    },
    StyleDef {
        id: "FindingSection",
        name: "Finding Section",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="280" w:after="100"/></w:pPr><w:rPr><w:b/><w:color w:val="1F4E79"/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr>"#,
    },
    StyleDef {
        id: "FieldLabel",
        name: "Field Label",
        kind: C,
        based_on: None,
        props: r#"<w:rPr><w:b/><w:color w:val="5D6B7A"/></w:rPr>"#,
    },
    StyleDef {
        id: "LevelLabel",
        name: "Level Label",
        kind: C,
        based_on: None,
        props: r#"<w:rPr><w:b/><w:color w:val="FFFFFF"/><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>"#,
    },
    StyleDef {
        id: "CoverLabel",
        name: "Cover Label",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:pPr><w:spacing w:before="0" w:after="40"/></w:pPr><w:rPr><w:b/><w:caps/><w:color w:val="5D6B7A"/><w:spacing w:val="6"/><w:sz w:val="15"/><w:szCs w:val="15"/></w:rPr>"#,
    },
    StyleDef {
        id: "Header",
        name: "header",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:color w:val="5D6B7A"/><w:sz w:val="15"/><w:szCs w:val="15"/></w:rPr>"#,
    },
    StyleDef {
        id: "Footer",
        name: "footer",
        kind: P,
        based_on: Some("Normal"),
        props: r#"<w:pPr><w:pBdr><w:top w:val="single" w:sz="4" w:space="4" w:color="C8D1DB"/></w:pBdr><w:tabs><w:tab w:val="center" w:pos="4320"/><w:tab w:val="right" w:pos="8640"/></w:tabs><w:spacing w:after="0"/></w:pPr><w:rPr><w:color w:val="5D6B7A"/><w:sz w:val="15"/><w:szCs w:val="15"/></w:rPr>"#,
    },
    StyleDef {
        id: "TableNormal",
        name: "Normal Table",
        kind: T,
        based_on: None,
        props: r#"<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>"#,
    },
    StyleDef {
        id: "ReportTable",
        name: "Report Table",
        kind: T,
        based_on: Some("TableNormal"),
        props: r#"<w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr><w:tblPr><w:tblStyleRowBandSize w:val="1"/><w:tblBorders><w:bottom w:val="single" w:sz="4" w:space="0" w:color="C8D1DB"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="C8D1DB"/></w:tblBorders><w:tblCellMar><w:top w:w="70" w:type="dxa"/><w:left w:w="100" w:type="dxa"/><w:bottom w:w="70" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1F4E79"/></w:tcPr></w:tblStylePr><w:tblStylePr w:type="band2Horz"><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="F2F5F8"/></w:tcPr></w:tblStylePr>"#,
    },
    StyleDef {
        id: "FindingHeader",
        name: "Finding Header",
        kind: T,
        based_on: Some("TableNormal"),
        props: r#"<w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="C8D1DB"/><w:left w:val="single" w:sz="4" w:space="0" w:color="C8D1DB"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="C8D1DB"/><w:right w:val="single" w:sz="4" w:space="0" w:color="C8D1DB"/></w:tblBorders><w:tblCellMar><w:top w:w="80" w:type="dxa"/><w:left w:w="140" w:type="dxa"/><w:bottom w:w="80" w:type="dxa"/><w:right w:w="140" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="F2F5F8"/></w:tcPr>"#,
    },
];

/// The document defaults: the body font when a style names none.
const DOC_DEFAULTS: &str = r#"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults>"#;

/// The namespaces of a styles part.
const STYLES_OPEN: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#;

fn def(id: &str) -> &'static StyleDef {
    STYLES
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no built-in style {id}"))
}

/// The name of a style as Word's menus show it: `heading 1` is Heading 1.
pub fn shown_name(name: &str) -> String {
    name.split(' ')
        .map(|w| match w {
            "toc" => "TOC".to_string(),
            w => {
                let mut c = w.chars();
                c.next()
                    .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A reference document's styles part and its styles by name.
#[derive(Debug)]
pub struct Reference {
    /// Its word/styles.xml, as written.
    xml: String,
    /// Style ids by lower-case name.
    ids: BTreeMap<String, String>,
}

impl Reference {
    /// Reads a reference document's styles; an error says what is wrong
    /// with the file, to follow its name.
    pub fn read(bytes: &[u8]) -> Result<Self, String> {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| format!("is not a Word document ({e})"))?;
        let mut xml = String::new();
        zip.by_name("word/styles.xml")
            .map_err(|_| "has no styles part (word/styles.xml)".to_string())?
            .take(16 * 1024 * 1024)
            .read_to_string(&mut xml)
            .map_err(|e| format!("has a styles part that cannot be read ({e})"))?;
        let doc = roxmltree::Document::parse(&xml)
            .map_err(|e| format!("has a styles part that is not XML ({e})"))?;
        let mut ids = BTreeMap::new();
        for style in doc.descendants().filter(|n| n.has_tag_name("style")) {
            let id = style.attributes().find(|a| a.name() == "styleId");
            let name = style
                .children()
                .find(|n| n.has_tag_name("name"))
                .and_then(|n| n.attributes().find(|a| a.name() == "val"));
            if let (Some(id), Some(name)) = (id, name) {
                ids.entry(name.value().to_lowercase())
                    .or_insert_with(|| id.value().to_string());
            }
        }
        if !xml.contains("</w:styles>") {
            return Err("has a styles part without `</w:styles>`".to_string());
        }
        Ok(Self { xml, ids })
    }
}

/// Which id each of auditpress's styles has in the document, and which of
/// them the body used.
pub struct StyleMap<'a> {
    reference: Option<&'a Reference>,
    used: BTreeSet<&'static str>,
}

impl<'a> StyleMap<'a> {
    /// The styles of a document with auditpress's styles or a reference's.
    pub fn new(reference: Option<&'a Reference>) -> Self {
        Self {
            reference,
            used: BTreeSet::new(),
        }
    }

    /// The id under which the document names one of auditpress's styles:
    /// the reference's style of the same name, else auditpress's own id.
    pub fn id(&mut self, key: &'static str) -> String {
        let d = def(key);
        self.used.insert(d.id);
        self.resolve(d.id)
    }

    fn resolve(&self, key: &str) -> String {
        let d = def(key);
        self.reference
            .and_then(|r| r.ids.get(&d.name.to_lowercase()))
            .cloned()
            .unwrap_or_else(|| d.id.to_string())
    }

    /// The styles the body used that the reference lacks, by the name Word
    /// shows, each once.
    pub fn missing(&self) -> Vec<String> {
        let Some(reference) = self.reference else {
            return Vec::new();
        };
        self.used_with_bases()
            .into_iter()
            .map(def)
            .filter(|d| !reference.ids.contains_key(&d.name.to_lowercase()))
            .map(|d| shown_name(d.name))
            .collect()
    }

    /// The styles used and those they are based on, in styles.xml's order.
    fn used_with_bases(&self) -> Vec<&'static str> {
        let mut all = self.used.clone();
        for id in &self.used {
            let mut base = def(id).based_on;
            while let Some(b) = base {
                all.insert(b);
                base = def(b).based_on;
            }
        }
        STYLES
            .iter()
            .map(|s| s.id)
            .filter(|id| all.contains(id))
            .collect()
    }

    /// The styles part: auditpress's styles, or the reference's with
    /// auditpress's definition of each style it lacks added.
    pub fn part(&self) -> String {
        match self.reference {
            None => {
                let defs: String = STYLES.iter().map(|d| self.definition(d)).collect();
                format!("{STYLES_OPEN}{DOC_DEFAULTS}{defs}</w:styles>")
            }
            Some(reference) => {
                let added: String = self
                    .used_with_bases()
                    .into_iter()
                    .map(def)
                    .filter(|d| !reference.ids.contains_key(&d.name.to_lowercase()))
                    .map(|d| self.definition(d))
                    .collect();
                let end = reference
                    .xml
                    .rfind("</w:styles>")
                    .expect("checked on reading");
                format!("{}{added}{}", &reference.xml[..end], &reference.xml[end..])
            }
        }
    }

    fn definition(&self, d: &StyleDef) -> String {
        let kind = match d.kind {
            Kind::Paragraph => "paragraph",
            Kind::Character => "character",
            Kind::Table => "table",
        };
        let default = if matches!(d.id, "Normal" | "TableNormal") {
            " w:default=\"1\""
        } else {
            ""
        };
        let based = d.based_on.map_or(String::new(), |b| {
            format!("<w:basedOn w:val=\"{}\"/>", escape(&self.resolve(b)))
        });
        format!(
            "<w:style w:type=\"{kind}\"{default} w:styleId=\"{}\"><w:name w:val=\"{}\"/>{based}{}</w:style>",
            escape(d.id),
            escape(d.name),
            d.props
        )
    }
}
