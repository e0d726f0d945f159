//! Links into the audited repositories on GitHub and GitLab, computed from the targets.
//!
//! A path with a line range becomes a permalink at the audited commit; a fix
//! reference (`owner/repo#12`, `PR #12`, a commit hash) becomes a link to the
//! pull request or commit. Nothing is linked when the forge is unknown or the
//! reference could belong to more than one target.

use crate::model::Target;

/// A target's repository on a known forge.
struct Repo<'a> {
    /// Repository URL without a trailing slash.
    url: &'a str,
    /// Whether it is on GitLab (else GitHub).
    gitlab: bool,
    /// Audited commit, tag or release.
    version: Option<&'a str>,
}

/// Returns a target's repository when it is on GitHub or GitLab.
fn repo(target: &Target) -> Option<Repo<'_>> {
    let url = target.repository.as_deref()?.trim_end_matches('/');
    let host = url.strip_prefix("https://")?.split('/').next()?;
    let gitlab = match host {
        "github.com" => false,
        "gitlab.com" => true,
        _ => return None,
    };
    Some(Repo {
        url,
        gitlab,
        version: target.version.as_deref(),
    })
}

/// A place in the audited code: `target/path#163–172` read apart.
#[derive(Clone, Copy, Debug)]
pub struct Location<'a> {
    /// The target whose name starts the path, if one does.
    pub target: Option<&'a Target>,
    /// The path, inside the target's repository when a target was found.
    pub path: &'a str,
    /// First line.
    pub start: u32,
    /// Last line.
    pub end: u32,
}

/// Reads `target/path#163–172` (or `#L163-L172`, `#163`) into a location.
pub fn location<'a>(targets: &'a [Target], text: &'a str) -> Option<Location<'a>> {
    let (path, lines) = text.trim().split_once('#')?;
    let lines = lines.trim_start_matches('L');
    let (first, last) = match lines.split_once(['-', '–']) {
        Some((a, b)) => (a, b.trim_start_matches('L')),
        None => (lines, lines),
    };
    let start: u32 = first.parse().ok()?;
    let end: u32 = last.parse().ok()?;
    let inside = targets.iter().find_map(|t| {
        let rest = path.strip_prefix(t.name.as_str())?.strip_prefix('/')?;
        Some((t, rest))
    });
    Some(match inside {
        Some((target, rest)) => Location {
            target: Some(target),
            path: rest,
            start,
            end,
        },
        None => Location {
            target: None,
            path,
            start,
            end,
        },
    })
}

/// Builds a permalink for `target/path#163–172` at the target's audited commit.
pub fn permalink(targets: &[Target], text: &str) -> Option<String> {
    let at = location(targets, text)?;
    let repo = repo(at.target?)?;
    let commit = repo.version?;
    let (rest, first, last) = (at.path, at.start, at.end);
    Some(if repo.gitlab {
        format!("{}/-/blob/{commit}/{rest}#L{first}-{last}", repo.url)
    } else {
        format!("{}/blob/{commit}/{rest}#L{first}-L{last}", repo.url)
    })
}

/// Links a fix reference to its pull request or commit.
pub fn ref_link(targets: &[Target], text: &str) -> Option<String> {
    let repos: Vec<Repo> = targets.iter().filter_map(repo).collect();
    let only = || (repos.len() == 1).then(|| &repos[0]);
    let pull = |r: &Repo, n: &str| {
        if r.gitlab {
            format!("{}/-/merge_requests/{n}", r.url)
        } else {
            format!("{}/pull/{n}", r.url)
        }
    };
    for word in text.split_whitespace() {
        let word = word.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | ';' | '.'));
        if let Some((path, n)) = word.rsplit_once('#')
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
        {
            let repo = if path.is_empty() {
                only()
            } else {
                repos.iter().find(|r| r.url.ends_with(&format!("/{path}")))
            };
            return repo.map(|r| pull(r, n));
        }
        let is_hash = (7..=40).contains(&word.len())
            && word.chars().all(|c| c.is_ascii_hexdigit())
            && word.chars().any(|c| c.is_ascii_digit());
        if is_hash {
            return only().map(|r| {
                let sep = if r.gitlab { "/-/commit/" } else { "/commit/" };
                format!("{}{sep}{word}", r.url)
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str, repository: &str) -> Target {
        Target {
            name: name.into(),
            repository: Some(repository.into()),
            version: Some("abc".into()),
            kind: None,
            platform: None,
        }
    }

    #[test]
    fn permalinks_point_at_the_commit_on_github_and_gitlab() {
        let targets = [
            target("svc", "https://github.com/o/svc"),
            target("web", "https://gitlab.com/o/web/"),
        ];
        assert_eq!(
            permalink(&targets, "svc/a/b.go#163–172").as_deref(),
            Some("https://github.com/o/svc/blob/abc/a/b.go#L163-L172")
        );
        assert_eq!(
            permalink(&targets, "web/x.ts#L3-L4").as_deref(),
            Some("https://gitlab.com/o/web/-/blob/abc/x.ts#L3-4")
        );
        assert_eq!(permalink(&targets, "other/a.go#1-2"), None);
    }

    #[test]
    fn fix_references_link_to_pull_requests_and_commits_of_a_known_repository() {
        let one = [target("svc", "https://github.com/o/svc")];
        assert_eq!(
            ref_link(&one, "o/svc#12").as_deref(),
            Some("https://github.com/o/svc/pull/12")
        );
        assert_eq!(
            ref_link(&one, "PR #9654").as_deref(),
            Some("https://github.com/o/svc/pull/9654")
        );
        assert_eq!(
            ref_link(&one, "commit 51c0ebcf (CVE-2022-42915)").as_deref(),
            Some("https://github.com/o/svc/commit/51c0ebcf")
        );
        let two = [one[0].clone(), target("web", "https://gitlab.com/o/web")];
        assert_eq!(
            ref_link(&two, "PR #9654"),
            None,
            "ambiguous between targets"
        );
        assert_eq!(
            ref_link(&two, "o/web#3").as_deref(),
            Some("https://gitlab.com/o/web/-/merge_requests/3")
        );
        assert_eq!(ref_link(&one, "other/repo#1"), None);
    }
}
