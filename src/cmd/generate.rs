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
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut script);
    let script = String::from_utf8_lossy(&script);
    let styles = crate::load::style::builtin_names().join(" ");
    print!("{}", with_folders(shell, &script, &styles));
    Outcome::Ok
}

/// A `--style` takes a built-in name or a style folder: where the script
/// offers the names (its possible values), it offers folders too. `init
/// --style`, whose values are the names alone, is spelt the same way in the
/// script and is widened too; init refuses a folder with the list of names.
fn with_folders(shell: Shell, script: &str, styles: &str) -> String {
    match shell {
        Shell::Bash => script.replace(
            &format!("$(compgen -W \"{styles}\" -- \"${{cur}}\")"),
            &format!("$(compgen -W \"{styles}\" -- \"${{cur}}\") $(compgen -d -- \"${{cur}}\")"),
        ),
        Shell::Zsh => script.replace(
            &format!(":({styles})'"),
            &format!(":_alternative \"styles\\:style\\:({styles})\" \"folders\\:style folder\\:_files -/\"'"),
        ),
        Shell::Fish => {
            // One value a line, each with its (empty) description.
            let values: Vec<String> = styles.split(' ').map(|n| format!("{n}\\t''")).collect();
            let values = values.join("\n");
            script.replace(
                &format!("-a \"{values}\""),
                &format!("-a \"{values}\n(__fish_complete_directories (commandline -ct))\""),
            )
        }
        _ => script.to_string(),
    }
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
        let page = with_ellipsis(page);
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

/// A command whose positional arguments that take several values are named
/// with an ellipsis (`DIR...`), as a man page's SYNOPSIS writes them.
fn with_ellipsis(mut page: clap::Command) -> clap::Command {
    page.build();
    let several: Vec<(clap::Id, String)> = page
        .get_positionals()
        .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1))
        .map(|a| {
            let name = a
                .get_value_names()
                .and_then(|v| v.first())
                .map_or_else(|| a.get_id().to_string(), ToString::to_string);
            (a.get_id().clone(), name)
        })
        .collect();
    for (id, name) in several {
        page = page.mut_arg(id, |a| a.value_name(format!("{name}...")));
    }
    page
}
