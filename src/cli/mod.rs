//! The scriptable command line: one function per command over the engine.

pub mod args;
mod audit;
mod commands;
mod credential;
mod doctor;
mod expiring;
pub mod help;
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
mod words;

pub use args::{Cli, Command};

use crate::context::Context;
use crate::i18n::tr;

/// Exit codes, as documented in `--help` and the README.
pub mod exit {
    pub(crate) const OK: i32 = 0;
    pub(crate) const NOT_VALID: i32 = 1;
    pub const ERROR: i32 = 2;
}

/// What kind of failure ended a command; it decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailKind {
    /// A bad argument, setting or environment (exit 2).
    Usage,
    /// The profiles file could not be read, locked or written (exit 2).
    Config,
    /// The credential store failed (exit 2).
    Store,
    /// The output could not be produced (exit 2).
    Output,
    /// A token was checked and is not valid (exit 1).
    NotValid,
}

impl FailKind {
    /// The exit code, as documented in the README.
    pub fn code(self) -> i32 {
        match self {
            FailKind::NotValid => exit::NOT_VALID,
            FailKind::Usage | FailKind::Config | FailKind::Store | FailKind::Output => exit::ERROR,
        }
    }
}

/// A failure that ends a command: its kind and what to print.
#[derive(Debug)]
pub struct Fail {
    pub kind: FailKind,
    pub message: String,
}

impl Fail {
    pub fn new(kind: FailKind, message: impl Into<String>) -> Fail {
        Fail {
            kind,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Fail {
        Fail::new(FailKind::Usage, message)
    }

    pub fn store(message: impl Into<String>) -> Fail {
        Fail::new(FailKind::Store, message)
    }

    /// The profile named on the command line does not exist.
    pub fn no_profile(name: &str) -> Fail {
        Fail::usage(tr!("cli.no_profile", name = format!("{name:?}")))
    }

    /// The current directory could not be read.
    pub(crate) fn no_current_dir(e: std::io::Error) -> Fail {
        Fail::usage(tr!("cli.current_dir", error = e))
    }

    /// `BBTOKEN_GIT_URL` is set to something that is not a URL.
    pub(crate) fn bad_git_url() -> Fail {
        Fail::usage(tr!("cli.bad_git_url"))
    }

    pub fn code(&self) -> i32 {
        self.kind.code()
    }
}

impl From<crate::store::profiles::ConfigError> for Fail {
    fn from(e: crate::store::profiles::ConfigError) -> Fail {
        Fail::new(FailKind::Config, e.words())
    }
}

impl From<crate::store::StoreError> for Fail {
    fn from(e: crate::store::StoreError) -> Fail {
        Fail::store(e.words())
    }
}

impl From<crate::ops::OpError> for Fail {
    fn from(e: crate::ops::OpError) -> Fail {
        Fail::new(op_kind(&e), e.words())
    }
}

/// A bad `BBTOKEN_API_URL` or HTTP setting.
impl From<crate::bitbucket::client::ConfigError> for Fail {
    fn from(e: crate::bitbucket::client::ConfigError) -> Fail {
        Fail::usage(e.to_string())
    }
}

impl From<serde_json::Error> for Fail {
    fn from(e: serde_json::Error) -> Fail {
        Fail::new(FailKind::Output, e.to_string())
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
            // Descriptions (zsh, fish) in the user's language, as --help.
            let mut cmd = help::localized(Cli::command());
            clap_complete::generate(shell, &mut cmd, "bbtoken", &mut script);
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
        // Before the context: a bad setting is one of the things it reports.
        Command::Doctor(a) => doctor::run(a).await,
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
            Err(e) => Err(Fail::usage(e.words())),
        },
    };
    match result {
        Ok(code) => code,
        Err(fail) => {
            report_error(&fail.message);
            fail.code()
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
        | Command::Doctor(_)
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
        &Text::styled(BAD.bold(), tr!("cli.error")).with(format!(" {message}"), PLAIN),
    );
}

pub(crate) fn report_warning(message: &str) {
    use output::{PLAIN, Stream, Text, WARN};
    output::line(
        Stream::Err,
        &Text::styled(WARN.bold(), tr!("cli.warning")).with(format!(" {message}"), PLAIN),
    );
}

/// The kind of an engine operation's failure: whose fault, hence which exit.
fn op_kind(e: &crate::ops::OpError) -> FailKind {
    use crate::ops::OpError;
    match e {
        OpError::Exists { .. }
        | OpError::NotFound { .. }
        | OpError::Invalid { .. }
        | OpError::NoSecretToMove { .. } => FailKind::Usage,
        OpError::Config(_) | OpError::ProfileWrite { .. } | OpError::RemoveWrite { .. } => {
            FailKind::Config
        }
        OpError::StoreRead { .. } | OpError::StoreWrite { .. } | OpError::RemoveSecret { .. } => {
            FailKind::Store
        }
        // Not checked at all is not a verdict (exit 2); a checked token that
        // failed is (exit 1), as `validate` says.
        OpError::Rejected { outcome, .. }
            if outcome.status == crate::profile::Status::StoreError =>
        {
            FailKind::Store
        }
        OpError::Rejected { .. } => FailKind::NotValid,
    }
}
