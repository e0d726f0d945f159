//! The auditpress command: arguments -> run -> diagnostics -> exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = auditpress::cli::Cli::parse();
    match cli.request() {
        Ok(request) => ExitCode::from(auditpress::driver::run(&request)),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
