//! Scales: the ordered levels a finding or row is rated on (severity,
//! difficulty, type, status, maturity, and a style's named scales), and the
//! one comparison of user-written names. A leaf of the model; no IO here.

use serde::Serialize;

use crate::content::Inline;
use crate::diag;

/// A value of a scale as a finding or row carries it: its place in the scale
/// and its name as the style spells it. Serialises as the name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rank {
    /// 0-based position in the style's scale (0 for the text of a free scale).
    pub index: usize,
    /// The name as the style spells it, or the text of a free scale.
    pub name: String,
}

impl Rank {
    /// The name as the style spells it.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Serialize for Rank {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

/// What a fix-review status counts as in the fix-review sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The issue was fixed.
    #[serde(rename = "resolved")]
    Resolved,
    /// The issue was fixed in part.
    #[serde(rename = "partially resolved")]
    PartiallyResolved,
    /// The issue was not fixed.
    #[serde(rename = "unresolved")]
    Unresolved,
    /// The fix could not be verified.
    #[serde(rename = "undetermined")]
    Undetermined,
}

impl Outcome {
    /// Every outcome, in the order the fix-review sentence names them.
    pub const ALL: [Outcome; 4] = [
        Outcome::Resolved,
        Outcome::PartiallyResolved,
        Outcome::Unresolved,
        Outcome::Undetermined,
    ];

    /// The name style.toml writes, e.g. `partially resolved`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::PartiallyResolved => "partially resolved",
            Outcome::Unresolved => "unresolved",
            Outcome::Undetermined => "undetermined",
        }
    }
}

/// One level of a scale.
#[derive(Clone, Debug, Default)]
pub struct Level {
    /// Its name, e.g. `High`.
    pub name: String,
    /// Its colour, `#rrggbb`.
    pub colour: Option<String>,
    /// What it means, as inline Markdown.
    pub definition: Vec<Inline>,
    /// The definition as written, for `style show`.
    pub definition_text: Option<String>,
    /// Of a fix-review status: what it counts as.
    pub counts_as: Option<Outcome>,
    /// Of a severity: its SARIF level (`error`, `warning`, `note`).
    pub sarif: Option<String>,
    /// Of a severity: the CVSS ratings it stands for (`None`, `Low`, `Medium`,
    /// `High`, `Critical`); by default the one of its name, if any.
    pub cvss: Vec<String>,
    /// Of a severity: whether the headers of its findings leave it out
    /// (`rated = false`, FORMAT 1.3); it still sorts and groups them.
    pub unrated: bool,
}

/// A scale: its levels in the style's order.
#[derive(Clone, Debug, Default)]
pub struct Scale {
    /// What the scale is called in messages, e.g. `severity`.
    pub kind: String,
    /// Levels, in the order the summary tables list them.
    pub levels: Vec<Level>,
    /// Positions of the levels in the order their appendix lists them.
    pub appendix_order: Vec<usize>,
    /// Position of the level an imported draft gets until the auditor sets
    /// one (`draft` in style.toml); by default the last level.
    pub draft: Option<usize>,
}

impl Scale {
    /// The levels' names.
    pub fn names(&self) -> Vec<&str> {
        self.levels.iter().map(|l| l.name.as_str()).collect()
    }

    /// Finds a level by name, without regard to case.
    pub fn find(&self, text: &str) -> Option<Rank> {
        let wanted = text.trim();
        self.levels
            .iter()
            .position(|l| same_name(&l.name, wanted))
            .map(|index| self.rank(index))
    }

    /// The rank of the level at a position.
    pub fn rank(&self, index: usize) -> Rank {
        Rank {
            index,
            name: self.levels[index].name.clone(),
        }
    }

    /// Parses a value, without regard to case; the error is a message and a
    /// hint that lists the style's names.
    pub fn parse(&self, text: &str) -> Result<Rank, (String, String)> {
        let wanted = text.trim();
        if let Some(rank) = self.find(wanted) {
            return Ok(rank);
        }
        let names = self.names();
        let mut hint = format!("expected one of {}", names.join(", "));
        if let Some(suggestion) = diag::did_you_mean(wanted, &names, diag::quoted) {
            hint.push_str(&format!("; {suggestion}"));
        }
        Err((format!("unknown {} \"{}\"", self.kind, wanted), hint))
    }

    /// The name of the level an imported draft gets: `draft`, else the last
    /// level (nothing for a scale without levels).
    pub fn draft_name(&self) -> String {
        self.draft
            .or_else(|| self.levels.len().checked_sub(1))
            .map(|i| self.levels[i].name.clone())
            .unwrap_or_default()
    }

    /// The levels in the order their appendix lists them.
    pub fn in_appendix_order(&self) -> impl Iterator<Item = &Level> {
        self.appendix_order.iter().map(|i| &self.levels[*i])
    }
}

/// Whether two names are the same without regard to case (Unicode lower
/// case, so that `MÄßIG` names the level `Mäßig`), without allocating.
pub fn same_name(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}
