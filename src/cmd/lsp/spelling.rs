//! Spelling and grammar as the writer types: the warnings `check` gives,
//! for the edited buffers too. harper's dictionary and rules are built once
//! per server; on each check only the texts that changed (a section of the
//! finding being edited) are spelled again, and of those only the top-level
//! blocks that changed (the paragraph being typed); the others keep the
//! warnings they had. A change of the words the audit accepts (words.txt,
//! its own names) spells every text again.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::diag::{Diagnostic, Diagnostics, FileRef, Fix, Sources};
use crate::model::{Audit, ProsePlace, ProseText};
use crate::spell::{Speller, Words};

/// The spelling of one audit folder, text by text.
#[derive(Default)]
pub struct Spelling {
    /// The checker, for the dialect of the style.
    speller: Option<Speller>,
    /// The words accepted at the last spelling.
    words: Option<Words>,
    /// The warnings of each prose text, by a digest of the text (and of the
    /// cell it was read from, for one not read in place), with places
    /// counted from the text's start: a text that moved in its file keeps
    /// them.
    texts: HashMap<u64, Vec<Diagnostic>>,
    /// The warnings of each top-level block (a paragraph, a list) of the
    /// texts read in place, by a digest of its text, with places counted
    /// from its start: of a text that changed, only the blocks that
    /// changed are spelled again.
    blocks: HashMap<u64, Vec<Diagnostic>>,
    /// The warnings of each file at the last spelling, by its name in the
    /// diagnostics, with a digest of its whole text.
    files: HashMap<String, (u64, Vec<Diagnostic>)>,
}

/// Most blocks whose warnings are kept: some hundred findings' worth.
const MAX_BLOCKS: usize = 4096;

/// A digest of some data, to tell whether it changed.
fn digest(data: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    data.hash(&mut h);
    h.finish()
}

/// A diagnostic moved to a file and `by` bytes further in it.
fn moved(d: &Diagnostic, file: FileRef, by: usize) -> Diagnostic {
    let mut d = d.clone();
    let shift = |place: &mut crate::diag::Place| {
        place.file = file;
        place.range = place.range.start + by..place.range.end + by;
    };
    if let Some(place) = d.place.as_mut() {
        shift(place);
    }
    for fix in &mut d.fixes {
        if let Fix::Replace { place, .. } = fix {
            shift(place);
        }
    }
    d
}

impl Spelling {
    /// The spelling and grammar warnings of the folder, with the places of
    /// `sources`. With no audit (the load had errors), the files unchanged
    /// since they were last spelled keep their warnings; the others have
    /// none until the folder loads again.
    pub fn check(&mut self, audit: Option<&Audit>, sources: &Sources) -> Vec<Diagnostic> {
        match audit {
            Some(audit) => self.spell(audit, sources),
            None => self
                .files
                .iter()
                .filter_map(|(name, (text, found))| {
                    let file = sources.find(name)?;
                    (digest(&sources.text(file)) == *text).then_some((file, found))
                })
                .flat_map(|(file, found)| found.iter().map(move |d| moved(d, file, 0)))
                .collect(),
        }
    }

    /// Spells the prose texts of a loaded audit that changed.
    fn spell(&mut self, audit: &Audit, sources: &Sources) -> Vec<Diagnostic> {
        let Some(dialect) = crate::spell::dialect(&audit.style.lang) else {
            // No dictionary for the style's language: `check` says so once.
            *self = Self::default();
            return Vec::new();
        };
        if self.speller.as_ref().is_none_or(|s| s.dialect() != dialect) {
            *self = Self {
                speller: Some(Speller::new(dialect)),
                ..Self::default()
            };
        }
        let words = Speller::words(audit);
        if self.words.as_ref() != Some(&words) {
            self.texts.clear();
            self.blocks.clear();
            self.words = Some(words);
        }
        if self.blocks.len() > MAX_BLOCKS {
            self.blocks.clear();
        }
        let mut texts = HashMap::new();
        let mut by_file: BTreeMap<FileRef, Vec<Diagnostic>> = BTreeMap::new();
        for prose in &audit.prose {
            let (file, base, within) = match &prose.at {
                ProsePlace::Exact(file, base) => (*file, *base, None),
                ProsePlace::Within(place) => (place.file, 0, Some(place.range.clone())),
            };
            let key = digest(&(&prose.text, &within));
            let found = match (texts.remove(&key), self.texts.remove(&key)) {
                (Some(found), _) | (None, Some(found)) => found,
                (None, None) if within.is_some() => self.spell_piece(prose),
                (None, None) => self.spell_blocks(&prose.text, file),
            };
            let out = by_file.entry(file).or_default();
            out.extend(found.iter().map(|d| moved(d, file, base)));
            texts.insert(key, found);
        }
        self.texts = texts;
        self.files = by_file
            .iter()
            .map(|(file, found)| {
                let text = digest(&sources.text(*file));
                (sources.name(*file).to_string(), (text, found.clone()))
            })
            .collect();
        by_file.into_values().flatten().collect()
    }

    /// Spells a text read in place block by block, the blocks spelled
    /// before kept; the places counted from the text's start.
    fn spell_blocks(&mut self, text: &str, file: FileRef) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for block in crate::spell::blocks(text) {
            let piece = &text[block.clone()];
            let key = digest(&piece);
            let found = match self.blocks.get(&key) {
                Some(found) => found.clone(),
                None => {
                    let prose = ProseText {
                        text: piece.to_string(),
                        at: ProsePlace::Exact(file, 0),
                    };
                    let found = self.spell_piece(&prose);
                    self.blocks.insert(key, found.clone());
                    found
                }
            };
            out.extend(found.iter().map(|d| moved(d, file, block.start)));
        }
        out
    }

    /// Spells one piece of prose as it is placed, with the words of the
    /// last audit.
    fn spell_piece(&mut self, prose: &ProseText) -> Vec<Diagnostic> {
        let (Some(speller), Some(words)) = (self.speller.as_mut(), self.words.as_ref()) else {
            return Vec::new();
        };
        let mut found = Diagnostics::default();
        speller.check(&[prose], words, &mut found);
        found.iter().cloned().collect()
    }
}
