//! `bbtoken manpage`: a man page (roff) built from the clap definitions, as
//! ripgrep does, so it cannot drift from `--help`. clap_mangen gives the
//! title, synopsis, description and options; this module adds one section
//! per subcommand (instead of clap_mangen's references to separate
//! `bbtoken-add(1)` pages that nobody installs), the exit status, the
//! environment and the files, which clap does not know.

use clap::CommandFactory;
use roff::{Roff, bold, italic, roman};

use super::args::Cli;
use crate::i18n::{tk, tr};

/// The environment variables bbtoken reads, with the catalog key of what
/// they mean. A test checks that every variable in the README's table is
/// here.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    ("BBTOKEN_CONFIG_DIR", tk!("man.env.config_dir")),
    ("BBTOKEN_STATE_DIR", tk!("man.env.state_dir")),
    ("BBTOKEN_STORE", tk!("man.env.store")),
    ("BBTOKEN_KEYRING_TIMEOUT", tk!("man.env.keyring_timeout")),
    ("BBTOKEN_LOCK_TIMEOUT", tk!("man.env.lock_timeout")),
    ("BBTOKEN_API_URL", tk!("man.env.api_url")),
    ("BBTOKEN_GIT_URL", tk!("man.env.git_url")),
    ("BBTOKEN_DEBUG", tk!("man.env.debug")),
    ("BBTOKEN_HTTP_TIMEOUT", tk!("man.env.http_timeout")),
    ("BBTOKEN_RETRY_429", tk!("man.env.retry_429")),
    ("BBTOKEN_CLIPBOARD", tk!("man.env.clipboard")),
    ("BBTOKEN_LOG", tk!("man.env.log")),
    ("BBTOKEN_LANG", tk!("man.env.lang")),
    ("NO_COLOR", tk!("man.env.no_color")),
    ("FORCE_HYPERLINK", tk!("man.env.force_hyperlink")),
];

const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", tk!("man.exit.ok")),
    ("1", tk!("man.exit.not_valid")),
    ("2", tk!("man.exit.error")),
];

const FILES: &[(&str, &str)] = &[
    ("~/.config/bbtoken/profiles.toml", tk!("man.files.profiles")),
    ("~/.local/state/bbtoken/state.json", tk!("man.files.state")),
    ("~/.local/state/bbtoken/bbtoken.log", tk!("man.files.log")),
];

/// The whole page as roff text.
pub fn render() -> String {
    // In the user's language, as --help (the catalog's words for clap's).
    let mut cmd = super::help::localized(Cli::command().disable_help_subcommand(true));
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
    let page = dedupe_preamble(&page);
    if crate::i18n::current() == crate::i18n::Lang::En {
        return page;
    }
    for_japanese(&page)
}

/// A page with Japanese text set the way troff can: clap_mangen's English
/// headings said in the language, lines filled without justifying (`.ad l`:
/// Japanese has no spaces to stretch), and a break point (`\:`) after each
/// Japanese character, where Japanese lines may break.
fn for_japanese(page: &str) -> String {
    let heading = |name: &str| match name {
        "NAME" => Some(tr!("man.section.name")),
        "SYNOPSIS" => Some(tr!("man.section.synopsis")),
        "DESCRIPTION" => Some(tr!("man.section.description")),
        "OPTIONS" => Some(tr!("man.section.options")),
        "VERSION" => Some(tr!("man.section.version")),
        _ => None,
    };
    // Not before closing punctuation or small kana, not after an opening
    // bracket: a Japanese line neither starts with 。 nor ends with 「.
    let breakable = |line: &str| {
        let mut out = String::with_capacity(line.len() * 2);
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            out.push(c);
            let next_closes = chars.peek().is_some_and(|&n| no_break_before(n));
            if is_japanese(c) && !no_break_after(c) && !next_closes {
                out.push_str("\\:");
            }
        }
        out
    };
    let mut out = Vec::new();
    for line in page.lines() {
        if let Some(words) = line.strip_prefix(".SH ").and_then(heading) {
            out.push(format!(".SH {words}"));
        } else if line.starts_with('.') || line.starts_with('\'') {
            out.push(line.to_string());
        } else {
            out.push(breakable(line));
        }
        if line.starts_with(".TH ") {
            out.push(".ad l".to_string());
        }
    }
    out.push(String::new());
    out.join("\n")
}

/// Closing punctuation and small kana: no Japanese line starts with one.
fn no_break_before(c: char) -> bool {
    "、。，．）」』】〉》〕！？：；ー・ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ".contains(c)
}

/// Opening brackets: no Japanese line ends with one.
fn no_break_after(c: char) -> bool {
    "（「『【〈《〔".contains(c)
}

/// Kana, CJK ideographs and full-width forms: text a Japanese line may
/// break after.
fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
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
    r.control("SH", [tr!("man.section.commands").as_ref()]);
    for sub in cmd.get_subcommands_mut().filter(|s| !s.is_hide_set()) {
        command_section(&mut r, sub, "bbtoken");
    }
    r.control("SH", [tr!("man.section.exit_status").as_ref()]);
    tagged(&mut r, EXIT_STATUS);
    r.control("SH", [tr!("man.section.environment").as_ref()]);
    tagged(&mut r, ENVIRONMENT);
    r.control("SH", [tr!("man.section.files").as_ref()]);
    tagged(&mut r, FILES);
    r.control("SH", [tr!("man.section.see_also").as_ref()]);
    r.text([
        roman(tr!("man.see_also.list")),
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
        r.text([roman(tr!("man.alias", aliases = aliases.join(", ")))]);
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
            r.text([roman(tr!("man.values", values = values.join(", ")))]);
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

/// `rows` of (tag, catalog key), each said in the current language.
fn tagged(r: &mut Roff, rows: &[(&str, &str)]) {
    for (tag, key) in rows {
        r.control("TP", []);
        r.text([bold(*tag)]);
        r.text([roman(crate::i18n::text(key))]);
    }
}
