//! The scriptable command line: one function per command over the engine.

pub mod args;
mod audit;
mod commands;
mod credential;
mod expiring;
mod here;
mod input;
mod manage;
mod manpage;
mod onboard;
pub mod output;
mod setup_git;
mod show;
mod store;
mod validate;

pub use args::{Cli, Command};

use crate::context::Context;

/// Exit codes, as documented in `--help` and the README.
pub mod exit {
    pub const OK: i32 = 0;
    pub const NOT_VALID: i32 = 1;
    pub const ERROR: i32 = 2;
}

/// A failure that ends a command: what to print and the exit code.
#[derive(Debug)]
pub struct Fail {
    pub message: String,
    pub code: i32,
}

impl Fail {
    /// Usage, configuration or credential-store error: exit 2.
    pub fn usage(message: impl Into<String>) -> Fail {
        Fail {
            message: message.into(),
            code: exit::ERROR,
        }
    }
}

impl<E: std::error::Error> From<E> for Fail {
    fn from(e: E) -> Fail {
        Fail::usage(e.to_string())
    }
}

/// Runs a subcommand; returns the exit code.
pub async fn run(command: Command) -> i32 {
    let result = match command {
        Command::Completions { shell } => {
            use clap::CommandFactory;
            // Into a buffer, then out through the one output function: a
            // closed pipe must not make clap_complete panic.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "bbtoken", &mut script);
            output::generated(&String::from_utf8_lossy(&script));
            Ok(exit::OK)
        }
        Command::Manpage => {
            output::generated(&manpage::render());
            Ok(exit::OK)
        }
        Command::Demo => crate::tui::run_demo()
            .await
            .map_err(|e| Fail::usage(e.to_string())),
        // git's helper: it reads its own context and stays silent on errors.
        Command::Credential { action } => Ok(credential::run(action).await),
        other => match Context::from_env() {
            Ok(ctx) => {
                let result = dispatch(&ctx, other).await;
                // After the command's own output: a state file moved aside.
                for notice in ctx.profiles.take_notices() {
                    report_warning(&notice);
                }
                result
            }
            Err(e) => Err(Fail::usage(e.to_string())),
        },
    };
    match result {
        Ok(code) => code,
        Err(fail) => {
            report_error(&fail.message);
            fail.code
        }
    }
}

async fn dispatch(ctx: &Context, command: Command) -> Result<i32, Fail> {
    match command {
        Command::Add(a) => manage::add(ctx, a).await,
        Command::Edit(a) => manage::edit(ctx, a).await,
        Command::Remove(a) => manage::remove(ctx, &a.name).await,
        Command::List(a) => show::list(ctx, a.json, a.expiry.expiring_within),
        Command::Show(a) => show::show(ctx, &a.name, a.json).await,
        Command::Validate(a) => validate::run(ctx, a).await,
        Command::Commands(a) => commands::run(ctx, a).await,
        Command::Demo
        | Command::Completions { .. }
        | Command::Credential { .. }
        | Command::Manpage => {
            unreachable!("handled in run")
        }
        Command::SetupGit(a) => setup_git::setup_git(ctx, a),
        Command::Bind(a) => setup_git::bind(ctx, a),
        Command::Unbind => setup_git::unbind(),
        Command::Store(args::StoreCommand::Migrate { to }) => store::migrate(ctx, &to).await,
        Command::Here(a) => here::run(ctx, a.json),
        Command::Audit(a) => audit::run(ctx, a).await,
        Command::Onboard(a) => onboard::run(ctx, a).await,
    }
}

/// Prints an error on stderr through the output function: the message may
/// hold text from outside (a server, the profiles file), made visible there.
pub fn report_error(message: &str) {
    use output::{BAD, PLAIN, Stream, Text};
    output::line(
        Stream::Err,
        &Text::styled(BAD.bold(), "error:").with(format!(" {message}"), PLAIN),
    );
}

pub fn report_warning(message: &str) {
    use output::{PLAIN, Stream, Text, WARN};
    output::line(
        Stream::Err,
        &Text::styled(WARN.bold(), "warning:").with(format!(" {message}"), PLAIN),
    );
}
