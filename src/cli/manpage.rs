//! `bbtoken manpage`: a man page (roff) built from the clap definitions, as
//! ripgrep does, so it cannot drift from `--help`. clap_mangen gives the
//! title, synopsis, description and options; this module adds one section
//! per subcommand (instead of clap_mangen's references to separate
//! `bbtoken-add(1)` pages that nobody installs), the exit status, the
//! environment and the files, which clap does not know.

use clap::CommandFactory;
use roff::{Roff, bold, italic, roman};

use super::args::Cli;

/// The environment variables bbtoken reads, with what they mean. A test
/// checks that every variable in the README's table is here.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "BBTOKEN_CONFIG_DIR",
        "Folder of profiles.toml. Default: the platform config directory (~/.config/bbtoken on Linux).",
    ),
    (
        "BBTOKEN_STATE_DIR",
        "Folder of state.json (validation results, kept apart from profiles.toml). Default: $BBTOKEN_CONFIG_DIR/state when BBTOKEN_CONFIG_DIR is set, else $XDG_STATE_HOME/bbtoken (~/.local/state/bbtoken).",
    ),
    (
        "BBTOKEN_STORE",
        "Credential store: secret-service or keyutils (Linux). Secrets do not follow it: move them first with bbtoken store migrate --to STORE.",
    ),
    (
        "BBTOKEN_KEYRING_TIMEOUT",
        "Seconds to wait for one credential-store call (above 0, below 3600). Default: 5.",
    ),
    (
        "BBTOKEN_LOCK_TIMEOUT",
        "Seconds to wait for another bbtoken to release profiles.lock. Default: 10.",
    ),
    (
        "BBTOKEN_API_URL",
        "Bitbucket API base; plain http only for 127.0.0.1, ::1 and localhost. Default: https://api.bitbucket.org/2.0.",
    ),
    (
        "BBTOKEN_GIT_URL",
        "git host used in generated commands, and the only one the credential helper answers for. Default: https://bitbucket.org.",
    ),
    (
        "BBTOKEN_DEBUG",
        "Any value: bbtoken credential explains its choice on stderr (never the token).",
    ),
    (
        "BBTOKEN_HTTP_TIMEOUT",
        "Seconds for one HTTP request, body included. Default: 15.",
    ),
    (
        "BBTOKEN_RETRY_429",
        "Retries after a 429 answer. Default: 3.",
    ),
    (
        "BBTOKEN_CLIPBOARD",
        "osc52: the full-screen app copies with OSC 52 only, never the native clipboard.",
    ),
    (
        "BBTOKEN_LOG",
        "debug, info or trace: write a diagnostic log (never a secret) to $XDG_STATE_HOME/bbtoken/bbtoken.log, mode 0600. Anything else is an error (exit 2). Default: unset, no log.",
    ),
    (
        "BBTOKEN_LANG",
        "ja or en: the language of what bbtoken says; overrides LC_ALL, LC_MESSAGES and LANG (a value starting with ja is Japanese). JSON output, statuses, exit codes and command names stay English. Default: unset, from the locale.",
    ),
    ("NO_COLOR", "Any value turns colour off."),
    (
        "FORCE_HYPERLINK",
        "1: the token page URLs that show, the expiry alarm and the app's detail pane show are clickable (OSC 8) even where the terminal is not recognised; 0: never. Default: unset, clickable in terminals known to show links, never in a pipe.",
    ),
];

const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Success; every validated profile is valid."),
    (
        "1",
        "At least one validated profile is not valid (also: audit found a token in plain text).",
    ),
    ("2", "A usage, configuration or credential-store error."),
];

const FILES: &[(&str, &str)] = &[
    (
        "~/.config/bbtoken/profiles.toml",
        "The profiles: names, kinds, workspaces, repositories; never a secret (those are in the OS keyring).",
    ),
    (
        "~/.local/state/bbtoken/state.json",
        "What bbtoken learned about each profile (validation results, revisions), in JSON; mode 0600, lock state.lock. An unreadable file is moved to state.json.broken at the next change.",
    ),
    (
        "~/.local/state/bbtoken/bbtoken.log",
        "The diagnostic log, written only when BBTOKEN_LOG is set.",
    ),
];

/// The whole page as roff text.
pub fn render() -> String {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    let _ = man.render_options_section(&mut out);
    let mut page = String::from_utf8_lossy(&out).into_owned();
    page.push_str(&extra_sections(&mut cmd).to_roff());
    let mut version = Vec::new();
    let _ = man.render_version_section(&mut version);
    page.push_str(&String::from_utf8_lossy(&version));
    dedupe_preamble(&page)
}

/// Each clap_mangen `render_*` call starts with the same apostrophe
/// preamble; one at the top is enough.
fn dedupe_preamble(page: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in page.lines() {
        let preamble = line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
        if preamble && !seen.insert(line) {
            continue;
        }
        lines.push(line);
    }
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

fn extra_sections(cmd: &mut clap::Command) -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["COMMANDS"]);
    for sub in cmd.get_subcommands_mut().filter(|s| !s.is_hide_set()) {
        command_section(&mut r, sub, "bbtoken");
    }
    r.control("SH", ["EXIT STATUS"]);
    tagged(&mut r, EXIT_STATUS);
    r.control("SH", ["ENVIRONMENT"]);
    tagged(&mut r, ENVIRONMENT);
    r.control("SH", ["FILES"]);
    tagged(&mut r, FILES);
    r.control("SH", ["SEE ALSO"]);
    r.text([
        roman("git-credential(1), "),
        roman("bbtoken completions SHELL for shell completions, "),
        roman("and "),
        italic("https://support.atlassian.com/bitbucket-cloud/docs/access-tokens/"),
    ]);
    r
}

/// One subsection per (nested) subcommand: its usage, description and
/// arguments.
fn command_section(r: &mut Roff, sub: &mut clap::Command, parent: &str) {
    let path = format!("{parent} {}", sub.get_name());
    r.control("SS", [path.as_str()]);
    let usage = sub.render_usage().to_string();
    let usage = usage.trim_start_matches("Usage: ").trim();
    // render_usage names the bare subcommand; show the full path.
    let usage = usage
        .strip_prefix(sub.get_name())
        .map(|rest| format!("{path}{rest}"))
        .unwrap_or_else(|| usage.to_string());
    r.text([bold(usage)]);
    let about = sub
        .get_long_about()
        .or(sub.get_about())
        .map(|s| s.to_string());
    if let Some(about) = about {
        for para in about.split("\n\n") {
            r.control("PP", []);
            r.text([roman(para.replace('\n', " "))]);
        }
    }
    let aliases: Vec<&str> = sub.get_visible_aliases().collect();
    if !aliases.is_empty() {
        r.control("PP", []);
        r.text([roman(format!("Alias: {}.", aliases.join(", ")))]);
    }
    for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
        let id = arg.get_id().as_str();
        if id == "help" || id == "version" {
            continue;
        }
        r.control("TP", []);
        r.text([bold(arg_label(arg))]);
        if let Some(help) = arg.get_long_help().or(arg.get_help()) {
            r.text([roman(help.to_string().replace('\n', " "))]);
        }
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() {
            r.text([roman(format!("[possible values: {}]", values.join(", ")))]);
        }
    }
    if let Some(after) = sub.get_after_long_help().or(sub.get_after_help()) {
        for para in after.to_string().split('\n') {
            r.control("PP", []);
            r.text([roman(para)]);
        }
    }
    let sub_path = path.clone();
    for nested in sub.get_subcommands_mut().filter(|s| !s.is_hide_set()) {
        command_section(r, nested, &sub_path);
    }
}

fn arg_label(arg: &clap::Arg) -> String {
    let value = arg
        .get_value_names()
        .map(|v| v.join(" "))
        .unwrap_or_else(|| arg.get_id().as_str().to_uppercase());
    let takes_value = arg.get_action().takes_values();
    match (arg.get_short(), arg.get_long()) {
        (Some(s), Some(l)) if takes_value => format!("-{s}, --{l} {value}"),
        (Some(s), Some(l)) => format!("-{s}, --{l}"),
        (None, Some(l)) if takes_value => format!("--{l} {value}"),
        (None, Some(l)) => format!("--{l}"),
        (Some(s), None) if takes_value => format!("-{s} {value}"),
        (Some(s), None) => format!("-{s}"),
        (None, None) => value,
    }
}

fn tagged(r: &mut Roff, rows: &[(&str, &str)]) {
    for (tag, text) in rows {
        r.control("TP", []);
        r.text([bold(*tag)]);
        r.text([roman(*text)]);
    }
}
