//! Writing output files so that nothing is ever half-written or clobbered.
//!
//! Bytes go to a temporary file in the destination folder, are synced, and the
//! file is renamed over the destination: readers see the old file or the new
//! one, never a mix, and a failed build leaves the previous file untouched.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Writes a file atomically; refuses to write through a symbolic link.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "refusing to write {} through a symbolic link",
                path.display()
            ),
        ));
    }
    remove_stale(path);
    write_via_temp(path, bytes, true)
}

/// Writes several files as one: each is staged as a synced temporary file
/// beside it, then all are renamed into place. A file that cannot be staged
/// (a folder that cannot be written, a full disk) leaves every file as it
/// was; a rename that fails (a folder in the way) puts back the files
/// already replaced, the earlier contents of each kept as a link until all
/// are in place. The error says which file failed, by its index.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> Result<(), (usize, io::Error)> {
    write_all(files, true)
}

/// Writes several files as one, as [`write_all_atomic`] does, without
/// waiting for the disk: each is whole under its name at once (readers and
/// a killed process see the old file or the new one), and [`sync`] makes
/// them survive a power cut. For watch and serve, whose worker syncs the
/// documents once their report is sent, off the time an edit waits for.
pub fn write_all_atomic_unsynced(files: &[(&Path, &[u8])]) -> Result<(), (usize, io::Error)> {
    write_all(files, false)
}

/// Syncs files written by [`write_all_atomic_unsynced`], and the folders
/// they were renamed into.
pub fn sync(paths: &[&Path]) -> io::Result<()> {
    for path in paths {
        fs::File::open(path)
            .and_then(|f| f.sync_all())
            .map_err(|e| io::Error::new(e.kind(), cannot_write(path, &e)))?;
        sync_folder(path)?;
    }
    Ok(())
}

/// Writes several files as one, each synced before it is renamed when `synced`.
fn write_all(files: &[(&Path, &[u8])], synced: bool) -> Result<(), (usize, io::Error)> {
    for (i, (path, _)) in files.iter().enumerate() {
        refuse_in_the_way(path).map_err(|e| (i, e))?;
        remove_stale(path);
    }
    let mut staged = Vec::with_capacity(files.len());
    for (i, (path, bytes)) in files.iter().enumerate() {
        staged.push(stage(path, bytes, synced).map_err(|e| (i, e))?);
    }
    // The earlier file of each replaced one, or None where there was none.
    let mut replaced: Vec<(&Path, Option<tempfile::NamedTempFile<()>>)> = Vec::new();
    for (i, ((path, _), tmp)) in files.iter().zip(staged).enumerate() {
        let renamed = keep_earlier(path).and_then(|earlier| {
            tmp.persist(path)
                .map(|_| earlier)
                .map_err(|e| io::Error::new(e.error.kind(), cannot_write(path, &e.error)))
        });
        match renamed {
            Ok(earlier) => replaced.push((path, earlier)),
            Err(e) => {
                put_back(replaced);
                return Err((i, e));
            }
        }
    }
    for (i, (path, _)) in files.iter().enumerate().filter(|_| synced) {
        sync_folder(path).map_err(|e| (i, e))?;
    }
    Ok(())
}

/// Refuses a path written through a symbolic link, or taken by a folder.
fn refuse_in_the_way(path: &Path) -> io::Result<()> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "refusing to write {} through a symbolic link",
                path.display()
            ),
        ));
    }
    if meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("cannot write {}: a folder has its name", path.display()),
        ));
    }
    Ok(())
}

/// The message of a file that could not be written.
fn cannot_write(path: &Path, e: &io::Error) -> String {
    format!("cannot write {} ({e})", path.display())
}

/// The folder a path is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes bytes to a temporary file beside `path` (synced when `synced`),
/// named for it (its writer's process id in the name, as [`remove_stale`]
/// expects).
fn stage(path: &Path, bytes: &[u8], synced: bool) -> io::Result<tempfile::NamedTempFile> {
    let context = |e: io::Error| io::Error::new(e.kind(), cannot_write(path, &e));
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{}{}-", temp_prefix(path), std::process::id()))
        .suffix(".tmp")
        .tempfile_in(folder_of(path))
        .map_err(|e| context(without_temp_name(e)))?;
    tmp.write_all(bytes).map_err(context)?;
    if synced {
        tmp.as_file().sync_all().map_err(context)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o644)).map_err(context)?;
    }
    Ok(tmp)
}

/// Keeps the file at `path`, if there is one, under a temporary name
/// beside it (a second link to it, or a copy where links are not made),
/// removed when dropped.
fn keep_earlier(path: &Path) -> io::Result<Option<tempfile::NamedTempFile<()>>> {
    if !path.exists() {
        return Ok(None);
    }
    let context = |e: io::Error| io::Error::new(e.kind(), cannot_write(path, &e));
    let prefix = format!("{}{}-", temp_prefix(path), std::process::id());
    tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .make_in(folder_of(path), |link| {
            fs::hard_link(path, link).or_else(|_| fs::copy(path, link).map(|_| ()))
        })
        .map(Some)
        .map_err(|e| context(without_temp_name(e)))
}

/// Puts back the files a failed [`write_all_atomic`] replaced: the earlier
/// file where there was one, none where there was not.
fn put_back(replaced: Vec<(&Path, Option<tempfile::NamedTempFile<()>>)>) {
    for (path, earlier) in replaced.into_iter().rev() {
        let _ = match earlier {
            Some(file) => file.persist(path).map(|_| ()).map_err(|e| e.error),
            None => fs::remove_file(path),
        };
    }
}

/// Syncs the folder a file was renamed into, so that the new name survives
/// a power cut.
fn sync_folder(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(folder_of(path))
        .and_then(|d| d.sync_all())
        .map_err(|e| io::Error::new(e.kind(), cannot_write(path, &e)))?;
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Writes files at paths relative to a folder, creating the folders they
/// need; each file is written whole ([`write_atomic`]) or not at all.
pub fn write_files(folder: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    for (relative, bytes) in files {
        let path = folder.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        write_atomic(&path, bytes)?;
    }
    Ok(())
}

/// Writes a new file atomically: all of it or nothing, never over a file
/// that exists (the name is taken by a hard link, which fails if it exists).
pub fn write_new_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_via_temp(path, bytes, false)
}

/// Writes the bytes to a synced temporary file beside `path`, gives it
/// `path`'s name (over an existing file only when `clobber`), and syncs the
/// folder.
fn write_via_temp(path: &Path, bytes: &[u8], clobber: bool) -> io::Result<()> {
    let context =
        |e: io::Error| io::Error::new(e.kind(), format!("cannot write {} ({e})", path.display()));
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // The writer's process id is in the name: another run removes the
    // file only once that process is gone (two builds of one output at once
    // do not delete each other's file as stale).
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{}{}-", temp_prefix(path), std::process::id()))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| context(without_temp_name(e)))?;
    tmp.write_all(bytes).map_err(context)?;
    tmp.as_file().sync_all().map_err(context)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o644)).map_err(context)?;
    }
    let persisted = if clobber {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    persisted.map_err(|e| match e.error.kind() {
        io::ErrorKind::AlreadyExists => io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists; it was not changed", path.display()),
        ),
        _ => context(e.error),
    })?;
    // The rename is in the folder's entries: sync the folder too, or a power
    // cut can lose the new name although the file's bytes were on disk.
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(context)?;
    Ok(())
}

/// Returns the cause of a failure to create a temporary file without the
/// temporary file's name (tempfile adds `at path ".auditpress-…tmp"`), which
/// means nothing to a user: the message names the output instead.
fn without_temp_name(e: io::Error) -> io::Error {
    let text = e.to_string();
    match text.split_once(" at path ") {
        Some((cause, _)) => io::Error::new(e.kind(), cause.to_string()),
        None => e,
    }
}

/// Returns the prefix of an output's temporary files: `.auditpress-<name>-`.
fn temp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    format!(".auditpress-{name}-")
}

/// Removes temporary files of an output that a killed run left behind: those
/// whose writer's process has ended.
pub fn remove_stale(path: &Path) {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let prefix = temp_prefix(path);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let writer = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if name.ends_with(".tmp") && !writer.is_some_and(running) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether a process is running (neither gone nor a zombie); where `/proc`
/// cannot tell, it is taken to be running, and its file is left alone.
fn running(pid: u32) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_some_and(|state| !matches!(state, 'Z' | 'X')),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files of a folder, with their contents.
    fn listing(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_file())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read_to_string(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn a_set_is_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("r.pdf"), dir.path().join("r.html"));
        fs::write(&a, "old pdf").unwrap();
        write_all_atomic(&[(&a, b"new pdf"), (&b, b"new html")]).unwrap();
        assert_eq!(
            listing(dir.path()),
            [
                ("r.html".to_string(), "new html".to_string()),
                ("r.pdf".to_string(), "new pdf".to_string())
            ]
        );
    }

    #[test]
    fn a_rename_that_fails_puts_back_the_files_already_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("r.pdf"), dir.path().join("r.docx"));
        fs::write(&a, "old pdf").unwrap();
        // The first file replaced, the second new, then the third fails.
        let mut replaced = Vec::new();
        for (path, bytes) in [(&a, "new pdf"), (&b, "new docx")] {
            let earlier = keep_earlier(path).unwrap();
            stage(path, bytes.as_bytes(), true)
                .unwrap()
                .persist(path)
                .unwrap();
            replaced.push((path.as_path(), earlier));
        }
        put_back(replaced);
        assert_eq!(
            listing(dir.path()),
            [("r.pdf".to_string(), "old pdf".to_string())]
        );
    }

    #[test]
    fn a_folder_in_the_way_stops_the_set_before_any_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("r.pdf"), dir.path().join("r.html"));
        fs::write(&a, "old pdf").unwrap();
        fs::create_dir(&b).unwrap();
        let (index, e) = write_all_atomic(&[(&a, b"new pdf"), (&b, b"new html")]).unwrap_err();
        assert_eq!(index, 1);
        assert!(e.to_string().contains("a folder has its name"), "{e}");
        assert_eq!(
            listing(dir.path()),
            [("r.pdf".to_string(), "old pdf".to_string())]
        );
    }
}
