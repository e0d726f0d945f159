//! The auditpress command: arguments -> run -> diagnostics -> exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(auditpress::cli::main())
}
