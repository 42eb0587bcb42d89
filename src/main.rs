//! The `clearsim` command: parse the command line, run the verb, map failures to exit codes
//! (0 ok, 1 the run failed, 2 invalid input).

mod cli;

use std::process::ExitCode;

use cli::Failure;
use cli::output::note;

fn main() -> ExitCode {
    clearsim::engine::memory::map_large_blocks();
    let parsed = match cli::args::parse() {
        Ok(parsed) => parsed,
        Err(e) => {
            // Help and version go to stdout, errors to stderr; a failed write of the help
            // (`--help >/dev/full`) is a failed run.
            let printed = e.print();
            return match e.exit_code() {
                0 if printed.is_err() => {
                    note("error: cannot write the help to standard output");
                    ExitCode::from(1)
                }
                0 => ExitCode::SUCCESS,
                _ => ExitCode::from(2),
            };
        }
    };
    match cli::execute(parsed.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            note(&format!("error: {msg}"));
            ExitCode::from(2)
        }
        Err(Failure::Run(msg)) => {
            note(&format!("error: {msg}"));
            ExitCode::from(1)
        }
    }
}
