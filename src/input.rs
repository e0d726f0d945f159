//! The one reader of every file the tool reads (DESIGN.md, principle 9).
//!
//! A file is read only when it is a regular file (never a FIFO, a device or
//! a socket, which could block a build or never end), bounded in size (read
//! at most to its limit, whatever its metadata claims: files of `/proc` say
//! they are empty), and, for the files of a folder (the audit folder, a house
//! style's folder, a template folder), inside that folder once every link is
//! resolved, so that a link to `~/.ssh/id_rsa` or `/proc/self/environ` cannot
//! bring the file's text into a report.
//!
//! The file is opened without blocking and checked on its open descriptor,
//! so that nothing can be swapped in between the check and the read.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Why a file was not read.
#[derive(Debug)]
pub enum Refused {
    /// There is no such file.
    NotFound,
    /// The path, once its links are resolved, leaves its folder.
    Outside {
        /// The folder the file must stay in.
        root: PathBuf,
        /// Where the path really leads.
        real: PathBuf,
    },
    /// Not a regular file: a folder, a FIFO, a device or a socket.
    NotRegular(&'static str),
    /// Larger than the limit, in bytes.
    TooLarge(u64),
    /// The file could not be opened or read.
    Io(io::Error),
}

impl Refused {
    /// A message about the file shown as `shown`, and a hint saying what to do.
    pub fn explain(&self, shown: &str) -> (String, String) {
        match self {
            Self::NotFound => (format!("{shown} not found"), "check the path".to_string()),
            Self::Outside { root, real } => (
                format!(
                    "{shown} is a link that leaves its folder {} (it leads to {})",
                    root.display(),
                    real.display()
                ),
                "copy the file into the folder instead of linking to it".to_string(),
            ),
            Self::NotRegular(kind) => (
                format!("{shown} is {kind}, not a regular file"),
                "replace it by a file".to_string(),
            ),
            Self::TooLarge(limit) => (
                format!("{shown} is too large"),
                format!("files are limited to {limit} bytes"),
            ),
            Self::Io(e) => (
                format!("cannot read {shown} ({e})"),
                "check its permissions".to_string(),
            ),
        }
    }
}

impl From<io::Error> for Refused {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound => Self::NotFound,
            _ => Self::Io(e),
        }
    }
}

/// Resolves `path` (absolute, or relative to the working folder) and checks
/// that it lies inside `root`, itself resolved; returns the real path.
pub fn inside(root: &Path, path: &Path) -> Result<PathBuf, Refused> {
    let root = fs::canonicalize(root)?;
    let real = fs::canonicalize(path)?;
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(Refused::Outside { root, real })
    }
}

/// Reads a regular file inside the folder `root`, at most `limit` bytes.
pub fn read_inside(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let real = inside(root, path)?;
    read_regular(&real, limit)
}

/// Reads a file named on the command line: any path, but a regular file of
/// at most `limit` bytes.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(Refused::TooLarge(limit));
    }
    Ok(bytes)
}

/// Checks that `path` is a regular file inside `root` without reading it.
pub fn check_inside(root: &Path, path: &Path) -> Result<PathBuf, Refused> {
    let real = inside(root, path)?;
    open_regular(&real)?;
    Ok(real)
}

/// Opens a file without blocking (a FIFO with no writer would block an open
/// for reading) and refuses anything but a regular file.
fn open_regular(path: &Path) -> Result<fs::File, Refused> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    let kind = file.metadata()?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    Err(Refused::NotRegular(kind_name(&kind)))
}

/// Names a kind of file that is not a regular one.
fn kind_name(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_out_fifos_devices_and_large_files_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("audit");
        fs::create_dir(&root).unwrap();
        fs::write(tmp.path().join("secret"), "key").unwrap();
        fs::write(root.join("ok.md"), "text").unwrap();
        assert_eq!(
            read_inside(&root, &root.join("ok.md"), 10).unwrap(),
            b"text"
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path().join("secret"), root.join("link.md")).unwrap();
            std::os::unix::fs::symlink("/proc/self/environ", root.join("env.md")).unwrap();
            std::os::unix::fs::symlink("/dev/zero", root.join("zero.md")).unwrap();
            rustix::fs::mknodat(
                rustix::fs::CWD,
                root.join("fifo.md"),
                rustix::fs::FileType::Fifo,
                rustix::fs::Mode::from_raw_mode(0o600),
                0,
            )
            .unwrap();
            for name in ["link.md", "env.md", "zero.md"] {
                let refused = read_inside(&root, &root.join(name), 10).unwrap_err();
                assert!(
                    matches!(refused, Refused::Outside { .. }),
                    "{name}: {refused:?}"
                );
            }
            let refused = read_inside(&root, &root.join("fifo.md"), 10).unwrap_err();
            assert!(matches!(refused, Refused::NotRegular("a FIFO")));
            let refused = read_regular(Path::new("/dev/zero"), 10).unwrap_err();
            assert!(matches!(refused, Refused::NotRegular("a device")));
            // /proc files claim a size of 0; the read is bounded all the same.
            let refused = read_regular(Path::new("/proc/self/environ"), 0).unwrap_err();
            assert!(matches!(refused, Refused::TooLarge(0)));
        }
        assert!(matches!(
            read_inside(&root, &root.join("ok.md"), 3).unwrap_err(),
            Refused::TooLarge(3)
        ));
    }
}
