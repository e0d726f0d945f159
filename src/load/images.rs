//! Images named by the Markdown: checked, cleaned and read once.
//!
//! Evidence images come from clients' machines and from the internet, so they
//! are treated as hostile before typst ever sees them. A path must stay inside
//! the audit folder, symbolic links included. The real format is sniffed from
//! the bytes, not the name. The pixel count is read from the header and capped
//! before anything is decoded. Raster images are decoded and re-encoded, which
//! drops every metadata block (EXIF with GPS and camera, XMP, comments, text
//! chunks), and are scaled down when far larger than a page can show. SVG files
//! may not reference other files or declare entities.

use std::collections::HashMap;
use std::fs;
use std::io::Cursor;
use std::path::{Component, Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use super::markdown::ImageSink;
use crate::model::Asset;

/// Largest image file read, in bytes.
pub const MAX_IMAGE_BYTES: u64 = 32 * 1024 * 1024;

/// Largest raster image accepted, in pixels (width times height), checked before decoding.
pub const MAX_PIXELS: u64 = 40_000_000;

/// Longest side kept: larger images are scaled down (a page is about 2600 px wide at 300 dpi).
pub const MAX_SIDE: u32 = 3000;

/// Why an image is refused: a message and a hint.
type Refusal = (String, String);

/// The images of one audit folder.
pub struct Images {
    root: PathBuf,
    /// Cleaned images, served to typst at their virtual paths.
    pub assets: Vec<Asset>,
    seen: HashMap<PathBuf, String>,
    /// Every image path asked for, found or not: inputs of the build.
    pub read: Vec<PathBuf>,
    /// The standard that allows no transparency, when the build asks for one.
    opaque: Option<&'static str>,
}

impl Images {
    /// Creates the image store of the folder at `root` (a canonical path).
    pub fn new(root: PathBuf) -> Self {
        Self {
            root,
            assets: Vec::new(),
            seen: HashMap::new(),
            read: Vec::new(),
            opaque: None,
        }
    }

    /// Refuses images with transparency, naming the standard that does.
    pub fn opaque(self, standard: Option<&'static str>) -> Self {
        Self {
            opaque: standard,
            ..self
        }
    }
}

/// Whether clean PNG bytes have an alpha channel (grey or RGB with alpha,
/// IHDR's colour type 4 or 6), which typst exports as transparency.
fn png_has_alpha(bytes: &[u8]) -> bool {
    bytes.len() > 25 && bytes.starts_with(b"\x89PNG") && matches!(bytes[25], 4 | 6)
}

impl ImageSink for Images {
    fn resolve(&mut self, src: &str) -> Result<String, Refusal> {
        if Path::new(src).is_relative() && !src.contains("..") {
            self.read.push(self.root.join(src));
        }
        let real = contained(&self.root, src)?;
        if let Some(vpath) = self.seen.get(&real) {
            return Ok(vpath.clone());
        }
        // `contained` resolved the links; the one reader checks the rest.
        let bytes = crate::input::read_inside(&self.root, &real, MAX_IMAGE_BYTES).map_err(|r| {
            let (message, hint) = r.explain(&format!("image \"{src}\""));
            (message, hint)
        })?;
        let (bytes, ext) = clean_once(src, bytes)?;
        if let Some(standard) = self
            .opaque
            .filter(|_| ext == "png" && png_has_alpha(&bytes))
        {
            return Err((
                format!(
                    "image \"{src}\" has transparency (an alpha channel), which PDF/{standard} does not allow"
                ),
                format!(
                    "flatten it onto white (e.g. `magick {src} -background white -alpha remove -alpha off {src}`), \
                     or build with --pdf-standard a-2b, which allows transparency"
                ),
            ));
        }
        let vpath = format!("/assets/{}.{ext}", self.assets.len());
        self.assets.push(Asset {
            vpath: vpath.clone(),
            bytes,
        });
        self.seen.insert(real, vpath.clone());
        Ok(vpath)
    }
}

/// Whether an image path, as written, names a file inside the folder: a
/// relative path with no `..`, no URL scheme or drive, no backslash
/// (links are checked once it is resolved).
pub fn stays_inside(src: &str) -> bool {
    !src.contains(['\\', ':'])
        && Path::new(src)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Resolves a path written in Markdown to a file inside the folder, or refuses it.
fn contained(root: &Path, src: &str) -> Result<PathBuf, Refusal> {
    let rel = Path::new(src);
    if !stays_inside(src) {
        return Err((
            format!("image path \"{src}\" leaves the audit folder"),
            "use a relative path inside the folder, e.g. images/screenshot.png".into(),
        ));
    }
    let real = fs::canonicalize(root.join(rel)).map_err(|_| {
        (
            format!("image \"{src}\" not found"),
            "put the file in the audit folder, e.g. under images/".to_string(),
        )
    })?;
    if !real.starts_with(root) {
        return Err((
            format!("image \"{src}\" is a link that leaves the audit folder"),
            "copy the image into the folder instead of linking to it".into(),
        ));
    }
    Ok(real)
}

/// Clean images kept by the SHA-256 of their bytes as read, so that a rebuild
/// (watch, serve, the language server) decodes and re-encodes only an image
/// that changed. At most [`CACHE_BYTES`] are kept; beyond, the cache starts over.
static CLEANED: std::sync::Mutex<Option<Cleaned>> = std::sync::Mutex::new(None);

/// Clean bytes and their extension, by the SHA-256 of the bytes read.
type Cleaned = HashMap<[u8; 32], (Vec<u8>, &'static str)>;

/// Most bytes of clean images kept between builds of one process.
const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// [`clean`], done once per content in a process.
pub fn clean_once(src: &str, bytes: Vec<u8>) -> Result<(Vec<u8>, &'static str), Refusal> {
    use sha2::Digest;
    let key: [u8; 32] = sha2::Sha256::digest(&bytes).into();
    let lock = || CLEANED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((clean, ext)) = lock().as_ref().and_then(|c| c.get(&key)) {
        return Ok((clean.clone(), ext));
    }
    let (clean, ext) = clean(src, bytes)?;
    let mut cache = lock();
    let map = cache.get_or_insert_with(HashMap::new);
    if map.values().map(|(b, _)| b.len()).sum::<usize>() + clean.len() > CACHE_BYTES {
        map.clear();
    }
    map.insert(key, (clean.clone(), ext));
    Ok((clean, ext))
}

/// Checks an image's real format and returns clean bytes and their extension.
pub fn clean(src: &str, bytes: Vec<u8>) -> Result<(Vec<u8>, &'static str), Refusal> {
    if looks_like_svg(&bytes) {
        check_svg(src, &bytes)?;
        return clean_embedded(src, &bytes).map(|clean| (clean, "svg"));
    }
    let format = image::guess_format(&bytes).ok().filter(|f| {
        matches!(
            f,
            ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP
        )
    });
    let Some(format) = format else {
        return Err((
            format!("\"{src}\" is not an image ({})", sniff(&bytes)),
            "use a PNG, JPEG, GIF, WebP or SVG file".into(),
        ));
    };
    let refused = |e: image::ImageError| {
        (
            format!("image \"{src}\" cannot be decoded ({e})"),
            "re-save it as PNG or JPEG".to_string(),
        )
    };
    let mut decoder = ImageReader::with_format(Cursor::new(&bytes), format)
        .into_decoder()
        .map_err(refused)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err((
            format!(
                "image \"{src}\" is {width} x {height} pixels, more than the {MAX_PIXELS} pixels allowed"
            ),
            "scale it down or crop it before adding it to the report".into(),
        ));
    }
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refused)?;
    if let Some(o) = orientation {
        picture.apply_orientation(o);
    }
    if picture.width().max(picture.height()) > MAX_SIDE {
        picture = picture.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle);
    }
    // Re-encoding keeps the pixels and nothing else: no EXIF, GPS, XMP or comments.
    let (format, ext) = match format {
        ImageFormat::Jpeg => (ImageFormat::Jpeg, "jpg"),
        _ => (ImageFormat::Png, "png"),
    };
    if format == ImageFormat::Jpeg {
        picture = DynamicImage::ImageRgb8(picture.to_rgb8());
    }
    let mut out = Cursor::new(Vec::new());
    picture.write_to(&mut out, format).map_err(refused)?;
    Ok((out.into_inner(), ext))
}

/// Names what a non-image file looks like, for the message.
fn sniff(bytes: &[u8]) -> &'static str {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).to_lowercase();
    if bytes.starts_with(b"%PDF") {
        "it is a PDF document"
    } else if head.contains("<html") || head.contains("<!doctype html") {
        "it is an HTML page"
    } else {
        "its contents are not a known image format"
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    (head.starts_with("<?xml") || head.starts_with("<svg") || head.starts_with("<!--"))
        && head.contains("<svg")
}

/// Refuses SVG files that declare entities or reference anything outside themselves.
fn check_svg(src: &str, bytes: &[u8]) -> Result<(), Refusal> {
    let text = String::from_utf8_lossy(bytes).to_lowercase();
    if text.contains("<!doctype") || text.contains("<!entity") {
        return Err((
            format!("SVG image \"{src}\" declares a document type or entities"),
            "remove the <!DOCTYPE> and <!ENTITY> declarations".into(),
        ));
    }
    let mut rest = text.as_str();
    while let Some(at) = rest.find("href") {
        let after = rest[at + 4..].trim_start();
        if let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start().trim_start_matches(['"', '\'']);
            if !(value.starts_with('#') || value.starts_with("data:")) {
                return Err((
                    format!("SVG image \"{src}\" references another file or URL"),
                    "embed the referenced content in the SVG, or export it as PNG".into(),
                ));
            }
        }
        rest = &rest[at + 4..];
    }
    Ok(())
}

/// Cleans the raster images an SVG file embeds as `data:` URIs as the same
/// image given on its own is cleaned: the pixel limit is checked before
/// decoding and every metadata block is dropped. Anything else embedded (an
/// SVG inside an SVG, text or fonts, a URI not in base64) is refused, since
/// it could carry what the cleaning removes.
fn clean_embedded(src: &str, bytes: &[u8]) -> Result<Vec<u8>, Refusal> {
    use base64::Engine;
    let refuse = |what: &str| {
        (
            format!("SVG image \"{src}\" embeds {what}"),
            "embed only PNG, JPEG, GIF or WebP images in base64, or export the drawing as PNG"
                .to_string(),
        )
    };
    let text = std::str::from_utf8(bytes).map_err(|_| {
        (
            format!("SVG image \"{src}\" is not UTF-8"),
            "re-save it as UTF-8".to_string(),
        )
    })?;
    // ASCII lower case keeps every byte offset.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    let mut count = 0;
    while let Some(at) = lower[done..].find("data:").map(|i| done + i) {
        let head_end = lower[at..]
            .find(',')
            .map(|i| at + i)
            .ok_or_else(|| refuse("a malformed data: URI"))?;
        let head = &lower[at + 5..head_end];
        let Some(mime) = head.strip_suffix(";base64") else {
            return Err(refuse(&format!("a data: URI that is not base64 ({head})")));
        };
        if !matches!(
            mime,
            "image/png" | "image/jpeg" | "image/jpg" | "image/gif" | "image/webp"
        ) {
            return Err(refuse(&format!("data of type \"{mime}\"")));
        }
        let end = lower[head_end + 1..]
            .find(['"', '\'', ')', '<'])
            .map_or(lower.len(), |i| head_end + 1 + i);
        let payload: String = text[head_end + 1..end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        let raster = engine
            .decode(&payload)
            .map_err(|_| refuse("an image whose base64 cannot be decoded"))?;
        count += 1;
        let inner = format!("{src}, embedded image {count}");
        if looks_like_svg(&raster) {
            return Err(refuse("another SVG image"));
        }
        let (clean, ext) = clean(&inner, raster)?;
        let mime = if ext == "jpg" {
            "image/jpeg"
        } else {
            "image/png"
        };
        out.push_str(&text[done..at]);
        out.push_str(&format!("data:{mime};base64,{}", engine.encode(clean)));
        done = end;
    }
    if count == 0 {
        return Ok(bytes.to_vec());
    }
    out.push_str(&text[done..]);
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_documents_and_svg_references_are_refused() {
        let pdf = clean("x.png", b"%PDF-1.7 ...".to_vec()).unwrap_err();
        assert_eq!(pdf.0, "\"x.png\" is not an image (it is a PDF document)");
        let html = clean("y.png", b"<!DOCTYPE html><html></html>".to_vec()).unwrap_err();
        assert!(html.0.contains("HTML page"));
        let svg =
            b"<svg xmlns='http://www.w3.org/2000/svg'><image href='file:///etc/passwd'/></svg>";
        assert!(
            clean("z.svg", svg.to_vec())
                .unwrap_err()
                .0
                .contains("references another file")
        );
        let entity = b"<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY a 'b'>]><svg></svg>";
        assert!(
            clean("e.svg", entity.to_vec())
                .unwrap_err()
                .0
                .contains("entities")
        );
        let fine = b"<svg xmlns='http://www.w3.org/2000/svg'><use href='#a'/></svg>";
        assert_eq!(clean("f.svg", fine.to_vec()).unwrap().1, "svg");
    }
}
