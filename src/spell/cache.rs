//! What the spelling check keeps of its work: the problems found in each
//! passage of prose, under a key of what they depend on, in memory for the
//! life of the process and on disk in the audit folder's
//! `.auditpress/cache/spell.json`.
//!
//! A passage's key is a SHA-256 of its text, the dialect, the house style's
//! titles, and those of the report's own words (words.txt, ids, targets,
//! names) that occur in it: a passage is spelled again when one of them
//! changes, and only then. The file holds a stamp of the executable that
//! wrote it (version, path, size, time) and is read by no other; a file that
//! cannot be read, parsed or trusted is ignored and written anew. The
//! folder is safe to delete.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use aho_corasick::AhoCorasick;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a passage's results are kept under.
pub(super) type Key = [u8; 32];

/// The cache's folder in an audit folder.
pub const DIR: &str = ".auditpress/cache";

/// The cache's file in [`DIR`].
const FILE: &str = "spell.json";

/// Largest cache file read; a larger one is ignored.
const MAX_BYTES: u64 = 64 << 20;

/// Most passages kept in memory; past it, those the last check did not use go.
const MEMORY: usize = 50_000;

/// One problem found in a passage: its bytes in the passage, what it is and the fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Problem {
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub hint: String,
}

/// What spelling one passage gave.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Spelled {
    /// Words read.
    pub words: usize,
    /// Problems found, in the order they are given.
    pub problems: Vec<Problem>,
}

impl Spelled {
    /// Whether every problem lies on character boundaries of the passage:
    /// what a file says of a passage is used only then.
    fn fits(&self, text: &str) -> bool {
        self.problems.iter().all(|p| {
            p.start <= p.end && text.is_char_boundary(p.start) && text.is_char_boundary(p.end)
        })
    }
}

/// The words of the report a passage's results depend on, as read from the
/// folder (before the dictionary is asked about them).
pub(super) struct Vocabulary<'a> {
    /// Words always accepted, in lower case: words.txt, finding ids, targets.
    pub own: Vec<String>,
    /// Names, in lower case, accepted where the dictionary lacks them.
    pub names: Vec<String>,
    /// The house style's section and group titles.
    pub titles: Vec<&'a str>,
}

/// Makes the keys of passages for one check.
pub(super) struct Keys {
    /// The hash of what every passage depends on: the dialect and the titles.
    common: Sha256,
    /// Finds the words of the vocabulary in a passage's folded text.
    matcher: Option<AhoCorasick>,
    /// The vocabulary's words under each pattern of the matcher: (0 for own,
    /// 1 for a name, the word).
    words: Vec<Vec<(u8, String)>>,
}

impl Keys {
    /// The keys of one check's passages.
    pub fn new(dialect: &str, vocabulary: &Vocabulary) -> Self {
        let mut common = Sha256::new();
        field(&mut common, b"auditpress spelling 1");
        field(&mut common, dialect.as_bytes());
        for title in &vocabulary.titles {
            field(&mut common, title.as_bytes());
        }
        let mut patterns: BTreeMap<String, BTreeSet<(u8, String)>> = BTreeMap::new();
        let tagged = |tag: u8, words: &[String]| {
            words
                .iter()
                .map(move |w| (tag, w.clone()))
                .collect::<Vec<_>>()
        };
        for (tag, word) in tagged(0, &vocabulary.own)
            .into_iter()
            .chain(tagged(1, &vocabulary.names))
        {
            patterns.entry(fold(&word)).or_default().insert((tag, word));
        }
        // Parts are never empty; an empty pattern would match everywhere.
        patterns.remove("");
        let matcher = AhoCorasick::new(patterns.keys()).ok();
        Self {
            common,
            matcher,
            words: patterns
                .into_values()
                .map(|set| set.into_iter().collect())
                .collect(),
        }
    }

    /// The key of a passage. Every word the check asks about (a word of
    /// the text, the chunk it is part of, without its hyphens, in lower
    /// case) is a part of the text folded to lower case (or of it without
    /// hyphens): the vocabulary's words found there are all that can
    /// change the passage's results.
    pub fn key(&self, text: &str) -> Key {
        let folded = fold(text);
        let joined = folded.replace('-', "");
        let mut found = BTreeSet::new();
        if let Some(matcher) = &self.matcher {
            for haystack in [&folded, &joined] {
                found.extend(
                    matcher
                        .find_overlapping_iter(haystack.as_str())
                        .map(|m| m.pattern().as_usize()),
                );
            }
        }
        let mut relevant: Vec<&(u8, String)> =
            found.into_iter().flat_map(|i| &self.words[i]).collect();
        relevant.sort();
        relevant.dedup();
        let mut hasher = self.common.clone();
        for (tag, word) in relevant {
            field(&mut hasher, &[*tag]);
            field(&mut hasher, word.as_bytes());
        }
        field(&mut hasher, text.as_bytes());
        hasher.finalize().into()
    }
}

/// Adds a field to a hash, its length first, so that fields never run into
/// one another.
fn field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

/// A text in lower case, one character at a time (so that a part of the
/// text folds to a part of the folded text), final sigma as sigma.
fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ς' { 'σ' } else { c })
        .collect()
}

/// The passages spelled in this process, with the number of the check
/// that last used each.
#[derive(Default)]
struct Memory {
    passages: HashMap<Key, (Arc<Spelled>, u64)>,
    checks: u64,
}

static MEMORY_OF_PROCESS: LazyLock<Mutex<Memory>> = LazyLock::new(Mutex::default);

/// What this process spelled already, for each key.
pub(super) fn remembered(keys: &[Key]) -> Vec<Option<Arc<Spelled>>> {
    let memory = MEMORY_OF_PROCESS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    keys.iter()
        .map(|k| memory.passages.get(k).map(|(s, _)| Arc::clone(s)))
        .collect()
}

/// Keeps what one check used; forgets, past [`MEMORY`] passages, those it
/// did not use.
pub(super) fn remember(used: &[(Key, Arc<Spelled>)]) {
    let mut memory = MEMORY_OF_PROCESS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    memory.checks += 1;
    let now = memory.checks;
    for (key, spelled) in used {
        memory.passages.insert(*key, (Arc::clone(spelled), now));
    }
    if memory.passages.len() > MEMORY {
        memory.passages.retain(|_, (_, used)| *used == now);
    }
}

/// The cache file as written.
#[derive(Serialize, Deserialize)]
struct Stored {
    /// The executable that wrote it ([`stamp`]).
    stamp: String,
    /// What each passage gave, under its key in hexadecimal.
    passages: BTreeMap<String, Spelled>,
}

/// The cache of one audit folder, as read at the start of a check.
pub(super) struct Store {
    folder: PathBuf,
    stamp: String,
    read: HashMap<Key, Arc<Spelled>>,
}

impl Store {
    /// Reads a folder's cache; `None` when this executable cannot stamp
    /// one. A missing, unreadable, corrupt or foreign file reads as empty.
    pub fn open(folder: &Path) -> Option<Self> {
        let stamp = STAMP.clone()?;
        let path = folder.join(DIR).join(FILE);
        let read = crate::input::read_inside(folder, &path, MAX_BYTES)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|stored| stored.stamp == stamp)
            .map(|stored| {
                stored
                    .passages
                    .into_iter()
                    .filter_map(|(hex, spelled)| Some((unhex(&hex)?, Arc::new(spelled))))
                    .collect()
            })
            .unwrap_or_default();
        Some(Self {
            folder: folder.to_path_buf(),
            stamp,
            read,
        })
    }

    /// What the file says of a passage, if it fits the passage's text.
    pub fn get(&self, key: &Key, text: &str) -> Option<Arc<Spelled>> {
        self.read.get(key).filter(|s| s.fits(text)).cloned()
    }

    /// Writes the passages of this check in place of the file's, unless
    /// they are the same; a folder that cannot be written keeps no cache.
    pub fn save(&self, used: &[(Key, Arc<Spelled>)]) {
        let same = used.len() == self.read.len()
            && used
                .iter()
                .all(|(k, s)| self.read.get(k).is_some_and(|r| r == s));
        if same {
            return;
        }
        let stored = Stored {
            stamp: self.stamp.clone(),
            passages: used
                .iter()
                .map(|(k, s)| (hex(k), Spelled::clone(s)))
                .collect(),
        };
        // Never an error: the check's result does not depend on it.
        let _ = write(&self.folder, &stored);
    }
}

/// Writes the cache file whole, through a temporary file in its folder,
/// with a .gitignore that keeps the folder out of version control.
fn write(folder: &Path, stored: &Stored) -> std::io::Result<()> {
    let dir = folder.join(DIR);
    fs::create_dir_all(&dir)?;
    // Never through a link out of the audit folder.
    crate::input::inside(folder, &dir).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
    let ignore = dir.join(".gitignore");
    if fs::symlink_metadata(&ignore).is_err() {
        fs::write(
            &ignore,
            "# auditpress's cache: safe to delete, never committed\n*\n",
        )?;
    }
    let mut file = tempfile::Builder::new()
        .prefix(".spell-")
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    file.write_all(&serde_json::to_vec(stored).map_err(std::io::Error::other)?)?;
    file.persist(dir.join(FILE)).map_err(|e| e.error)?;
    Ok(())
}

/// The stamp of this executable: its version, path, size and time; `None`
/// when it cannot be read.
static STAMP: LazyLock<Option<String>> = LazyLock::new(|| {
    let exe = std::env::current_exe().ok()?;
    let meta = fs::metadata(&exe).ok()?;
    let time = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "auditpress {} {} {} {}.{:09}",
        env!("CARGO_PKG_VERSION"),
        exe.display(),
        meta.len(),
        time.as_secs(),
        time.subsec_nanos()
    ))
});

fn hex(key: &Key) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Key> {
    let mut key = [0; 32];
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(own: &[&str], names: &[&str]) -> Vocabulary<'static> {
        Vocabulary {
            own: own.iter().map(|w| w.to_string()).collect(),
            names: names.iter().map(|w| w.to_string()).collect(),
            titles: vec!["Description"],
        }
    }

    #[test]
    fn a_key_changes_with_the_words_in_its_text_only() {
        let text = "The XDEFI re-entrancy in Σigma's code.";
        let base = Keys::new("American", &vocabulary(&["xdefi"], &["northwind"])).key(text);
        // A word the text does not hold changes nothing.
        let other = Keys::new(
            "American",
            &vocabulary(&["xdefi", "zorblat"], &["northwind"]),
        );
        assert_eq!(other.key(text), base);
        // A word it holds does, as own word or as name; so does one it
        // holds only without its hyphens, and one in another case.
        for (own, names) in [
            (&["xdefi", "code"][..], &["northwind"][..]),
            (&["xdefi"], &["northwind", "code"]),
            (&["xdefi", "reentrancy"], &["northwind"]),
            (&["xdefi", "σigma's"], &["northwind"]),
        ] {
            assert_ne!(
                Keys::new("American", &vocabulary(own, names)).key(text),
                base,
                "{own:?} {names:?}"
            );
        }
        // So do the text, the dialect and the titles.
        let keys = Keys::new("American", &vocabulary(&["xdefi"], &["northwind"]));
        assert_ne!(keys.key("The XDEFI re-entrancy in Σigma's code!"), base);
        assert_ne!(
            Keys::new("British", &vocabulary(&["xdefi"], &["northwind"])).key(text),
            base
        );
        let mut titled = vocabulary(&["xdefi"], &["northwind"]);
        titled.titles.push("Recommendations");
        assert_ne!(Keys::new("American", &titled).key(text), base);
    }

    #[test]
    fn a_key_reads_back_from_hexadecimal() {
        let key = Keys::new("American", &vocabulary(&[], &[])).key("text");
        assert_eq!(unhex(&hex(&key)), Some(key));
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex(&"é".repeat(32)), None);
    }
}
