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

const ADD_HELP: &str = "Every kind needs --workspace and --repo: the repository the token was made in (repository tokens), or any repository it can see, used to validate it (project, workspace and API tokens). Project tokens also need --project KEY; API tokens need --email.\nA token that looks like another kind than --kind (an API token as --kind repository) is refused unless --force.\nExample: bbtoken add platform --kind workspace --workspace acme --repo api < token.txt";

const EDIT_HELP: &str = "An empty value clears an optional field: --note '' (also --bot-email, --email, --username, --expires, --project).\nWith --secret --validate the new token is checked before it replaces the old one; --force replaces it even if the check fails.\nExample: bbtoken edit ci-api --expires 2027-06-01; bbtoken edit ci-api --secret --validate < new.txt";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a token profile; the token is read from stdin or a no-echo prompt.
    #[command(after_help = ADD_HELP)]
    Add(AddArgs),
    /// List the profiles.
    List(ListArgs),
    /// Show one profile in full.
    Show(NameArg),
    /// Change a profile's fields, or replace its token with --secret.
    #[command(after_help = EDIT_HELP)]
    Edit(EditArgs),
    /// Remove a profile and its secret.
    #[command(visible_alias = "rm", after_help = "Also: bbtoken rm NAME.")]
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
    /// Work on the credential store itself: move every secret to another one.
    #[command(subcommand)]
    Store(StoreCommand),
    /// git's credential helper (git runs this; see setup-git).
    #[command(long_about = CREDENTIAL_HELP)]
    Credential {
        #[arg(value_enum)]
        action: CredentialAction,
    },
    /// Make bbtoken git's credential helper for Bitbucket.
    #[command(long_about = SETUP_GIT_HELP)]
    SetupGit(SetupGitArgs),
    /// Pin a profile to the current clone: git then always gets its token here.
    Bind(BindArgs),
    /// Remove the current clone's pinned profile.
    Unbind,
    /// Show which remotes, credential helpers and profile git will use in the current repository.
    Here(JsonFlag),
    /// Find Bitbucket tokens stored in plain text (remote URLs, credential files, insteadOf, shell history); --fix moves them into the keyring. Exit 1 when something is found.
    Audit(AuditArgs),
    /// Set up a repository for a profile: git init, origin without a token, bot email, binding, helper; --push pushes.
    Onboard(OnboardArgs),
    /// Print the man page (roff): bbtoken manpage > ~/.local/share/man/man1/bbtoken.1
    Manpage,
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

/// What git asks of its credential helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CredentialAction {
    /// Answer with a profile's token.
    Get,
    /// git authenticated: record it, or keep a token typed at git's prompt.
    Store,
    /// git was refused: record the profile as rejected (the token is kept).
    Erase,
}

const CREDENTIAL_HELP: &str = "git's credential helper (gitcredentials(7)). git runs it with get, store or erase and writes the request on stdin; you do not run it yourself. It answers only for the protocol and host of BBTOKEN_GIT_URL (default https://bitbucket.org), never prompts and never uses the network. get picks the profile bound to the clone (bbtoken bind), else a repository or project profile for the repository, else a workspace profile, else an API token profile by username. erase records the profile as rejected by git (the token stays in the keyring); store records a successful use, or keeps a token typed at git's prompt (rotating a rejected profile in place). Set BBTOKEN_DEBUG=1 for diagnostics on stderr.";

const SETUP_GIT_HELP: &str = "Make bbtoken git's credential helper for Bitbucket (BBTOKEN_GIT_URL, default https://bitbucket.org). It runs git config to add, for that URL only:\n\n  credential.<url>.helper = (an empty entry)\n  credential.<url>.helper = !'/absolute/path/bbtoken' credential\n  credential.<url>.useHttpPath = true\n\nThe empty entry clears the helpers configured earlier for that URL (a global store or cache helper, say), so they are not also asked and do not keep a copy of the token. useHttpPath makes git send the repository path, which bbtoken needs to pick the profile. Running it again changes nothing; --undo removes exactly what it added. git's own rules decide which file is written (GIT_CONFIG_GLOBAL is respected).";

#[derive(Debug, Args)]
pub struct SetupGitArgs {
    /// Write the user's global git config (the default).
    #[arg(long, conflicts_with = "local")]
    pub global: bool,
    /// Write the current repository's config only.
    #[arg(long)]
    pub local: bool,
    /// Remove what setup-git added.
    #[arg(long)]
    pub undo: bool,
}

#[derive(Debug, Args)]
pub struct BindArgs {
    /// The profile git gets for this clone.
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Move every profile's secret from the current store (BBTOKEN_STORE) to
    /// another, verifying each copy before the original is deleted.
    #[command(after_help = MIGRATE_HELP)]
    Migrate {
        /// The store to move to: secret-service or keyutils (Linux).
        #[arg(long)]
        to: String,
    },
}

const MIGRATE_HELP: &str = "Secrets do not follow BBTOKEN_STORE: move them first, then set it.\nExample: bbtoken store migrate --to keyutils && export BBTOKEN_STORE=keyutils\nSafe to run again; a failure leaves the original in place and says where the copies are (exit 2).";

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
    /// The profile to remove.
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
    /// The token's bot email, <id>@bots.bitbucket.org (access tokens; shown on the token's page). With edit, `suggested` accepts the one the last validation saw in the clone link.
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
    /// A name for the profile, used by every other command: letters, digits, '-', '_' or '.' (at most 64).
    pub name: String,
    #[arg(long, short = 'k', value_enum)]
    pub kind: TokenKind,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// The repository's page, https clone URL or ssh clone URL (git@bitbucket.org:WS/REPO.git), as copied from the browser: fills --workspace and --repo. A token inside the URL is taken out and stored as the secret. Give - to read the URL from stdin (then no shell history holds it).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Validate the token against Bitbucket after saving it.
    #[arg(long)]
    pub validate: bool,
    /// Store the token even though it looks like another kind than --kind.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The profile to change (see bbtoken list).
    pub name: String,
    #[arg(long, short = 'k', value_enum)]
    pub kind: Option<TokenKind>,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Replace the token (read from stdin or a no-echo prompt), keeping everything else.
    #[arg(long)]
    pub secret: bool,
    /// Validate after saving. With --secret, the new token is checked first and replaces the old one only if it is valid (else the old one is kept).
    #[arg(long)]
    pub validate: bool,
    /// Replace the token even if it looks like another kind than the profile's, or (with --validate) fails the check.
    #[arg(long)]
    pub force: bool,
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
    #[command(flatten)]
    pub expiry: ExpiryWindow,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON (never contains a secret).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub expiry: ExpiryWindow,
}

#[derive(Debug, Args)]
pub struct ExpiryWindow {
    /// Exit 1 when a profile is expired or expires within WINDOW (14d, 2w); says which, on stderr. `list` then shows only those.
    #[arg(long, value_name = "WINDOW", value_parser = crate::expiry::parse_window)]
    pub expiring_within: Option<u32>,
}

#[derive(Debug, Args)]
pub struct CommandsArgs {
    pub name: String,
    /// Target repository: SLUG or WORKSPACE/SLUG (default: the profile's).
    #[arg(long, short = 'r')]
    pub repo: Option<String>,
    /// interactive: git prompts for the token; embedded: the token is in the URL; helper: plain URLs, git asks bbtoken (the default once setup-git has run, else interactive).
    #[arg(long, short = 'm', value_enum)]
    pub mode: Option<Mode>,
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

    fn long_help(sub: &str) -> String {
        Cli::command()
            .find_subcommand_mut(sub)
            .expect("a subcommand")
            .render_long_help()
            .to_string()
            // Help is wrapped to the terminal: compare words, not lines.
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// What a new user needs from --help: what NAME is, that '' clears a
    /// field, that every kind needs --repo and project tokens --project,
    /// and the rm alias.
    #[test]
    fn help_says_what_the_readme_relies_on() {
        let add = long_help("add");
        assert!(add.contains("A name for the profile"), "{add}");
        assert!(
            add.contains("Every kind needs --workspace and --repo"),
            "{add}"
        );
        assert!(add.contains("Project tokens also need --project"), "{add}");
        let edit = long_help("edit");
        assert!(edit.contains("The profile to change"), "{edit}");
        assert!(edit.contains("--note ''"), "{edit}");
        assert!(long_help("remove").contains("bbtoken rm NAME"));
    }
}
