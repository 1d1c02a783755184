//! bbtoken: parse the command line; run a command, or the full-screen app.

use clap::{CommandFactory, FromArgMatches};

use bbtoken::cli::{self, Cli};

#[tokio::main]
async fn main() {
    // First, before any token is read: no core dumps, not dumpable.
    bbtoken::hardening::harden();
    // Before any word is said, clap's included: the language of messages.
    bbtoken::i18n::init_from_env();
    // --help in that language too (English as clap builds it).
    let matches = cli::help::localized(Cli::command())
        .try_get_matches()
        .unwrap_or_else(|e| cli::help::exit_on(e));
    let args = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // Opt-in log (BBTOKEN_LOG); unset, nothing is opened or installed.
    if let Err(e) = bbtoken::diag::init_from_env() {
        cli::report_error(&e.to_string());
        std::process::exit(cli::exit::ERROR);
    }
    let code = match args.command {
        Some(command) => cli::run(command).await,
        None => run_tui().await,
    };
    tracing::info!(code, "bbtoken ended");
    // Exit at once: a keyring call stuck past its timeout must not keep the
    // process alive.
    std::process::exit(code);
}

async fn run_tui() -> i32 {
    if let Err(e) = bbtoken::tui::require_terminal() {
        cli::report_error(&e.to_string());
        return cli::exit::ERROR;
    }
    match bbtoken::context::Context::from_env() {
        Ok(ctx) => bbtoken::tui::run_app(ctx).await.unwrap_or_else(|e| {
            cli::report_error(&e.to_string());
            cli::exit::ERROR
        }),
        Err(e) => {
            cli::report_error(&e.words());
            cli::exit::ERROR
        }
    }
}
