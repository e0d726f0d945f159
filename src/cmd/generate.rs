//! `auditpress completions SHELL` and `auditpress man DIR`: generated from the
//! command-line definition, so they never drift from it.

use std::fs;
use std::path::Path;

use super::{Config, fail};
use crate::output;
use crate::pipeline::Outcome;

pub use clap_complete::Shell;

/// Prints the completion script of a shell on standard output.
pub fn completions(shell: Shell, mut command: clap::Command) -> Outcome {
    let name = command.get_name().to_string();
    clap_complete::generate(shell, &mut command, name, &mut std::io::stdout());
    Outcome::Ok
}

/// Writes one man page per command into a folder: `auditpress.1`, `auditpress-build.1`, ...
pub fn man(dir: &Path, command: &clap::Command, config: &Config) -> Outcome {
    if let Err(e) = fs::create_dir_all(dir) {
        return fail(
            config,
            Outcome::Io,
            format!("cannot create {} ({e})", dir.display()),
            None,
        );
    }
    let mut pages = vec![command.clone()];
    let name = command.get_name().to_string();
    pages.extend(
        command
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .map(|c| {
                c.clone()
                    .name(format!("{name}-{}", c.get_name()))
                    .version(command.get_version().unwrap_or_default().to_string())
            }),
    );
    for page in pages {
        let path = dir.join(format!("{}.1", page.get_name()));
        let mut text = Vec::new();
        let written = clap_mangen::Man::new(page)
            .render(&mut text)
            .and_then(|()| output::write_atomic(&path, &text));
        if let Err(e) = written {
            return fail(config, Outcome::Io, e.to_string(), None);
        }
    }
    if config.chatty() {
        eprintln!("wrote man pages to {}", dir.display());
    }
    Outcome::Ok
}
