//! The command line, as clap sees it.

use clap::{Args, Parser, Subcommand};

use crate::gitcmd::Mode;
use crate::profile::TokenKind;

/// A terminal token manager for Bitbucket Cloud.
///
/// Keeps token profiles with their secrets in the OS keyring, checks them
/// against the Bitbucket API, and writes ready-to-paste git and curl commands.
/// Run without a command for the full-screen app; `bbtoken demo` shows it with
/// sample data and no account.
#[derive(Debug, Parser)]
#[command(name = "bbtoken", version, propagate_version = true, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

const EXIT_CODES: &str = "Exit codes: 0 success (every validated profile valid); 1 a profile is not valid; 2 usage, configuration or credential-store error.\nThe token is never an argument: it is read from stdin (one line) or a no-echo prompt.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a token profile; the token is read from stdin or a no-echo prompt.
    Add(AddArgs),
    /// List the profiles.
    List(JsonFlag),
    /// Show one profile in full.
    Show(NameArg),
    /// Change a profile's fields, or replace its token with --secret.
    Edit(EditArgs),
    /// Remove a profile and its secret.
    #[command(visible_alias = "rm")]
    Remove(RemoveArgs),
    /// Check tokens against Bitbucket (Get Repository); all profiles when none are named.
    Validate(ValidateArgs),
    /// Print ready-to-paste git and curl commands for a profile.
    Commands(CommandsArgs),
    /// Open the full-screen app with sample profiles and a fake Bitbucket: no account needed.
    Demo,
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Show which remotes, credential helpers and profile git will use in the current repository.
    Here(JsonFlag),
    /// Find Bitbucket tokens stored in plain text (remote URLs, credential files, insteadOf, shell history); --fix moves them into the keyring. Exit 1 when something is found.
    Audit(AuditArgs),
    /// Set up a repository for a profile: git init, origin without a token, bot email, binding, helper; --push pushes.
    Onboard(OnboardArgs),
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// For each finding: move the token into the keyring, take it out of the URL or file, set up the helper. History files are only reported.
    #[arg(long)]
    pub fix: bool,
    /// Also audit every git repository under DIR.
    #[arg(long, value_name = "DIR")]
    pub scan: Option<std::path::PathBuf>,
    /// With --fix: answer yes to every question (needed when not on a terminal).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct OnboardArgs {
    /// The profile to use for this repository.
    pub name: String,
    /// Repository slug (or WORKSPACE/SLUG); default: the profile's repository.
    #[arg(long, short = 'r')]
    pub repo: Option<String>,
    /// The local repository (created with git init when needed); default: the current directory.
    #[arg(long, value_name = "PATH")]
    pub dir: Option<std::path::PathBuf>,
    /// Push the current branch with upstream tracking, through the credential helper.
    #[arg(long)]
    pub push: bool,
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON (never contains a secret).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NameArg {
    pub name: String,
    /// Print JSON (never contains a secret).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    pub name: String,
}

/// Profile fields shared by `add` and `edit`. In `edit`, an empty value
/// (`--note ''`) clears an optional field.
#[derive(Debug, Args, Default, Clone)]
pub struct FieldArgs {
    /// Workspace ID (the part after bitbucket.org/).
    #[arg(long, short = 'w')]
    pub workspace: Option<String>,
    /// Repository slug: the token's repository, or the one used to validate project and workspace tokens.
    #[arg(long, short = 'r')]
    pub repo: Option<String>,
    /// Project key (project access tokens).
    #[arg(long)]
    pub project: Option<String>,
    /// The token's bot email, <id>@bots.bitbucket.org (access tokens; shown on the token's page).
    #[arg(long)]
    pub bot_email: Option<String>,
    /// Atlassian account email (API tokens: the REST API authenticates with it).
    #[arg(long)]
    pub email: Option<String>,
    /// Bitbucket username (API tokens: used as the git username; else x-bitbucket-api-token-auth).
    #[arg(long)]
    pub username: Option<String>,
    /// Expiry date, YYYY-MM-DD (Bitbucket does not tell: copy it from the token's page).
    #[arg(long)]
    pub expires: Option<String>,
    /// A free-form note.
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    pub name: String,
    #[arg(long, short = 'k', value_enum)]
    pub kind: TokenKind,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Validate the token against Bitbucket after saving it.
    #[arg(long)]
    pub validate: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub name: String,
    #[arg(long, short = 'k', value_enum)]
    pub kind: Option<TokenKind>,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Replace the token (read from stdin or a no-echo prompt), keeping everything else.
    #[arg(long)]
    pub secret: bool,
    /// Validate the token against Bitbucket after saving.
    #[arg(long)]
    pub validate: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Profiles to validate (default: all).
    pub names: Vec<String>,
    /// Print JSON (never contains a secret).
    #[arg(long)]
    pub json: bool,
    /// How many validations run at once.
    #[arg(long, default_value_t = crate::validate::DEFAULT_CONCURRENCY)]
    pub jobs: usize,
}

#[derive(Debug, Args)]
pub struct CommandsArgs {
    pub name: String,
    /// Target repository: SLUG or WORKSPACE/SLUG (default: the profile's).
    #[arg(long, short = 'r')]
    pub repo: Option<String>,
    /// interactive: git prompts for the token; embedded: the token is in the URL.
    #[arg(long, short = 'm', value_enum, default_value = "interactive")]
    pub mode: Mode,
    /// Show the real token in embedded mode instead of a masked one.
    #[arg(long)]
    pub reveal: bool,
    /// Print JSON (contains the token only with --reveal).
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
