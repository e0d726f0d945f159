//! Spelling and grammar as the writer types: the warnings `check` gives,
//! for the edited buffers too. harper's dictionary and rules are built once
//! per server; on each check only the files whose prose changed are spelled
//! again, the others keep the warnings they had. A change of the words the
//! audit accepts (words.txt, its own names) spells every file again.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::diag::{Diagnostic, Diagnostics, FileRef, Fix, Sources};
use crate::model::{Audit, ProsePlace, ProseText};
use crate::spell::{Speller, Words};

/// The spelling of one audit folder, file by file.
#[derive(Default)]
pub struct Spelling {
    /// The checker, for the dialect of the style.
    speller: Option<Speller>,
    /// The words accepted at the last spelling.
    words: Option<Words>,
    /// What each file's prose gave, by the file's name in the diagnostics.
    files: HashMap<String, Spelled>,
}

/// The warnings of one file and what they were spelled from.
struct Spelled {
    /// A digest of the file's whole text.
    text: u64,
    /// A digest of its prose texts and their places.
    prose: u64,
    /// The warnings.
    diagnostics: Vec<Diagnostic>,
}

/// A digest of some data, to tell whether it changed.
fn digest(data: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    data.hash(&mut h);
    h.finish()
}

/// A diagnostic of a file, moved to the file's place in other sources.
fn moved(d: &Diagnostic, file: FileRef) -> Diagnostic {
    let mut d = d.clone();
    if let Some(place) = d.place.as_mut() {
        place.file = file;
    }
    for fix in &mut d.fixes {
        if let Fix::Replace { place, .. } = fix {
            place.file = file;
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
                .filter_map(|(name, spelled)| {
                    let file = sources.find(name)?;
                    (digest(&sources.text(file)) == spelled.text).then_some((file, spelled))
                })
                .flat_map(|(file, spelled)| spelled.diagnostics.iter().map(move |d| moved(d, file)))
                .collect(),
        }
    }

    /// Spells the files of a loaded audit whose prose changed.
    fn spell(&mut self, audit: &Audit, sources: &Sources) -> Vec<Diagnostic> {
        let Some(dialect) = crate::spell::dialect(&audit.style.lang) else {
            // No dictionary for the style's language: `check` says so once.
            self.files.clear();
            return Vec::new();
        };
        if self.speller.as_ref().is_none_or(|s| s.dialect() != dialect) {
            self.speller = Some(Speller::new(dialect));
            self.files.clear();
        }
        let words = Speller::words(audit);
        if self.words.as_ref() != Some(&words) {
            self.files.clear();
            self.words = Some(words);
        }
        let mut by_file: BTreeMap<FileRef, Vec<&ProseText>> = BTreeMap::new();
        for prose in &audit.prose {
            let file = match &prose.at {
                ProsePlace::Exact(file, _) => *file,
                ProsePlace::Within(place) => place.file,
            };
            by_file.entry(file).or_default().push(prose);
        }
        let mut out = Vec::new();
        let mut files = HashMap::new();
        for (file, texts) in by_file {
            let name = sources.name(file).to_string();
            let prose = digest(&texts.iter().map(|t| (&t.text, at(&t.at))).collect::<Vec<_>>());
            let text = digest(&sources.text(file));
            let spelled = match self.files.remove(&name) {
                Some(s) if s.prose == prose => Spelled { text, ..s },
                _ => Spelled {
                    text,
                    prose,
                    diagnostics: self.spell_texts(&texts),
                },
            };
            out.extend(spelled.diagnostics.iter().map(|d| moved(d, file)));
            files.insert(name, spelled);
        }
        self.files = files;
        out
    }

    /// Spells some texts with the words of the last audit.
    fn spell_texts(&mut self, texts: &[&ProseText]) -> Vec<Diagnostic> {
        let (Some(speller), Some(words)) = (self.speller.as_mut(), self.words.as_ref()) else {
            return Vec::new();
        };
        let mut found = Diagnostics::default();
        speller.check(texts, words, &mut found);
        found.iter().cloned().collect()
    }
}

/// Where a text is, as data that a digest can take.
fn at(place: &ProsePlace) -> (usize, std::ops::Range<usize>) {
    match place {
        ProsePlace::Exact(_, base) => (*base, 0..0),
        ProsePlace::Within(place) => (usize::MAX, place.range.clone()),
    }
}
