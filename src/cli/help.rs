//! `--help` in the user's language.
//!
//! clap's texts come from the doc comments in [`super::args`], which are
//! English. In another language, [`localized`] rewrites the command tree
//! before parsing: every about, long about, after-help, argument help and
//! value help from the catalog `assets/locales/clap.toml`, keyed by command
//! path (`clap.add.arg.workspace`), plus the headings and the help and
//! version flags. English is left as clap builds it; `tests/i18n.rs` holds
//! the catalog's English equal to clap's, so the two cannot drift.
//! The completions and the man page use the same tree.
//! clap's parse errors ("unexpected argument") are said again from their
//! kind and context by [`error_words`]; a kind it does not know stays as
//! clap says it.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Arg, ArgAction, Command, ValueEnum};

use super::args::{CredentialAction, KindArg, ModeArg};
use crate::i18n::{self, Lang, tr};

/// The command tree in the current language (as it is in English).
pub fn localized(cmd: Command) -> Command {
    if i18n::current() == Lang::En {
        return cmd;
    }
    let mut c = localize(cmd, "");
    // clap adds its `help` subcommands when it builds the tree, with English
    // words: build it now, then say them in the language.
    c.build();
    localize_help_commands(&mut c);
    c
}

/// The `help` subcommand of `c` and of every command under it.
fn localize_help_commands(c: &mut Command) {
    let names: Vec<String> = c
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let Some(sub) = c.find_subcommand_mut(&name) else {
            continue;
        };
        if name != "help" {
            localize_help_commands(sub);
            continue;
        }
        let mut help = std::mem::replace(sub, Command::new("help"))
            .about(tr!("cli.help.help_command").into_owned());
        if help.get_arguments().any(|a| a.get_id() == "subcommand") {
            help = help.mut_arg("subcommand", |a| {
                a.help(tr!("cli.help.help_command_arg").into_owned())
            });
        }
        *sub = help;
    }
}

/// Every help text of the tree with its catalog key, in English as clap
/// shows it: what the catalog must hold (tested in `tests/i18n.rs`).
pub fn texts(cmd: &Command) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect(cmd, "", &mut out);
    out
}

fn key(path: &str, rest: &str) -> String {
    if path.is_empty() {
        format!("clap.{rest}")
    } else {
        format!("clap.{path}.{rest}")
    }
}

fn id_key(s: &str) -> String {
    s.replace('-', "_")
}

fn collect(c: &Command, path: &str, out: &mut Vec<(String, String)>) {
    let mut add = |k: String, v: Option<&clap::builder::StyledStr>| {
        if let Some(v) = v {
            out.push((k, v.to_string()));
        }
    };
    add(key(path, "about"), c.get_about());
    add(key(path, "long_about"), c.get_long_about());
    add(key(path, "after_help"), c.get_after_help());
    for a in c.get_arguments() {
        let id = id_key(a.get_id().as_str());
        add(key(path, &format!("arg.{id}")), a.get_help());
        add(key(path, &format!("arg_long.{id}")), a.get_long_help());
        for v in a.get_possible_values() {
            let name = id_key(v.get_name());
            add(key(path, &format!("value.{id}.{name}")), v.get_help());
        }
    }
    for s in c.get_subcommands() {
        collect(s, &sub_path(path, s.get_name()), out);
    }
}

fn sub_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        id_key(name)
    } else {
        format!("{path}.{}", id_key(name))
    }
}

/// The catalog's words for `key`, or `None` when it has none (a text added
/// to args.rs before the catalog: it stays English; the test says so).
fn words(key: &str) -> Option<String> {
    let w = i18n::text(key);
    (w != key).then_some(w)
}

fn localize(mut c: Command, path: &str) -> Command {
    if c.get_about().is_some()
        && let Some(w) = words(&key(path, "about"))
    {
        c = c.about(w);
    }
    if c.get_long_about().is_some()
        && let Some(w) = words(&key(path, "long_about"))
    {
        c = c.long_about(w);
    }
    if c.get_after_help().is_some()
        && let Some(w) = words(&key(path, "after_help"))
    {
        c = c.after_help(w);
    }
    let ids: Vec<clap::Id> = c.get_arguments().map(|a| a.get_id().clone()).collect();
    for id in ids {
        let path = path.to_string();
        c = c.mut_arg(id, move |a| localize_arg(a, &path));
    }
    let subs: Vec<String> = c
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        let sub = sub_path(path, &name);
        c = c.mut_subcommand(name, move |s| localize(s, &sub));
    }
    let versioned = c.get_version().is_some();
    c = c
        .help_template(tr!("cli.help.template").into_owned())
        .subcommand_help_heading(tr!("cli.help.commands").into_owned())
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(tr!("cli.help.help_flag").into_owned())
                .long_help(tr!("cli.help.help_flag_long").into_owned())
                .help_heading(tr!("cli.help.options").into_owned()),
        );
    if versioned {
        c = c.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(tr!("cli.help.version_flag").into_owned())
                .help_heading(tr!("cli.help.options").into_owned()),
        );
    }
    c
}

fn localize_arg(mut a: Arg, path: &str) -> Arg {
    let id = id_key(a.get_id().as_str());
    if a.get_help().is_some()
        && let Some(w) = words(&key(path, &format!("arg.{id}")))
    {
        a = a.help(w);
    }
    if a.get_long_help().is_some()
        && let Some(w) = words(&key(path, &format!("arg_long.{id}")))
    {
        a = a.long_help(w);
    }
    a = match id.as_str() {
        "kind" => with_value_help::<KindArg>(a, path, &id),
        "mode" => with_value_help::<ModeArg>(a, path, &id),
        "action" => with_value_help::<CredentialAction>(a, path, &id),
        _ => a,
    };
    let heading = if a.is_positional() {
        tr!("cli.help.arguments").into_owned()
    } else {
        tr!("cli.help.options").into_owned()
    };
    a.help_heading(heading)
}

/// `a`'s values with their help in the current language. clap keeps a
/// value's help in the parser, so the parser is rebuilt; it still yields `T`.
fn with_value_help<T: ValueEnum + Clone + Send + Sync + 'static>(
    a: Arg,
    path: &str,
    id: &str,
) -> Arg {
    let values: Vec<PossibleValue> = T::value_variants()
        .iter()
        .filter_map(ValueEnum::to_possible_value)
        .map(|v| {
            let k = key(path, &format!("value.{id}.{}", id_key(v.get_name())));
            match (v.get_help().is_some(), words(&k)) {
                (true, Some(w)) => v.help(w),
                _ => v,
            }
        })
        .collect();
    a.value_parser(
        PossibleValuesParser::new(values).map(|s| {
            T::from_str(&s, false).expect("PossibleValuesParser passes only listed values")
        }),
    )
}

/// Ends the process on a parse error (or `--help`, `--version`): in the
/// current language where [`error_words`] knows the error, else as clap
/// says it. The exit code is clap's (2 for a usage error, 0 for help).
///
/// clap echoes what it refused, so a token pasted onto the command line by
/// mistake (`bbtoken add ci … ATCTT3x…`) would be printed back, into a
/// terminal's scrollback or a CI log: every token in the words is masked,
/// and the user is told where the token went.
pub fn exit_on(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit()
    }
    let words = error_words(&e).unwrap_or_else(|| {
        let clap_s = e.render().to_string();
        clap_s
            .strip_prefix("error: ")
            .unwrap_or(&clap_s)
            .trim_end()
            .to_string()
    });
    let (words, masked) = mask_tokens(&words);
    let (first, rest) = words.split_once('\n').unwrap_or((&words, ""));
    super::report_error(first);
    if !rest.is_empty() {
        super::output::line(
            super::output::Stream::Err,
            &super::output::Text::plain(rest),
        );
    }
    if masked {
        super::report_warning(&tr!("cli.parse.token_in_args"));
    }
    std::process::exit(e.exit_code())
}

/// `text` with every Bitbucket token in it masked, and whether there was one.
fn mask_tokens(text: &str) -> (String, bool) {
    // The default host: what matters is the tokens' own prefixes.
    let base = crate::gitcmd::Endpoints::default().git;
    let host =
        crate::git::remote::GitHost::from_base(&base).expect("the default git URL is a host");
    let found = crate::git::remote::find_tokens(text, &host);
    let mut out = text.to_string();
    for t in &found {
        out = out.replace(t.as_str(), &crate::token::mask(t));
    }
    (out, !found.is_empty())
}

/// clap's parse error in the current language, laid out as clap lays it
/// out (the error, a tip, the usage, where to read more); `None` in English,
/// for help and version (clap prints them, already in the language), and
/// for a kind this does not know.
pub fn error_words(e: &clap::Error) -> Option<String> {
    if i18n::current() == Lang::En {
        return None;
    }
    said_again(e)
}

/// [`error_words`] in any language; in English it says what clap says
/// (tested), which holds the catalog to clap's words.
fn said_again(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind as K, ErrorKind};
    // clap's free-form tips ("to pass '--x' as a value, use '-- --x'") are
    // English sentences it builds itself: rather than drop one, leave the
    // whole error to clap.
    if matches!(e.get(K::Suggested), Some(clap::error::ContextValue::StyledStrs(tips)) if !tips.is_empty())
    {
        return None;
    }
    let get = |k: K| e.get(k).map(context_words).unwrap_or_default();
    let arg = get(K::InvalidArg);
    let value = get(K::InvalidValue);
    // `--jobs` with nothing after it: clap gives an empty value.
    let no_value = matches!(e.get(K::InvalidValue), Some(clap::error::ContextValue::String(v)) if v.is_empty());
    let mut lines = vec![
        match e.kind() {
            ErrorKind::UnknownArgument => tr!("cli.parse.unknown_argument", arg = arg),
            ErrorKind::InvalidSubcommand => {
                tr!(
                    "cli.parse.unknown_command",
                    name = get(K::InvalidSubcommand)
                )
            }
            ErrorKind::InvalidValue if no_value => tr!("cli.parse.no_value", arg = arg),
            ErrorKind::InvalidValue => tr!("cli.parse.bad_value", value = value, arg = arg),
            ErrorKind::ValueValidation => {
                // bbtoken's own parsers say why in the language already;
                // std's number parser says it in English.
                let why = std::error::Error::source(e)
                    .map(|s| match s.downcast_ref::<std::num::ParseIntError>() {
                        Some(_) if i18n::current() != Lang::En => {
                            tr!("cli.parse.not_a_number").into_owned()
                        }
                        _ => crate::text::clean_line(&s.to_string(), 300),
                    })
                    .unwrap_or_default();
                tr!(
                    "cli.parse.refused_value",
                    value = value,
                    arg = arg,
                    why = why
                )
            }
            ErrorKind::MissingRequiredArgument => {
                // One per line, unquoted, as clap lists them.
                let args = match e.get(K::InvalidArg) {
                    Some(clap::error::ContextValue::Strings(list)) => list
                        .iter()
                        .map(|a| format!("\n  {}", crate::text::clean_line(a, 200)))
                        .collect(),
                    _ => arg,
                };
                tr!("cli.parse.missing", args = args)
            }
            ErrorKind::MissingSubcommand => {
                tr!("cli.parse.no_command", name = get(K::InvalidSubcommand))
            }
            // The same option twice, or two that exclude each other (a list
            // of them, or none named, stays as clap says it).
            ErrorKind::ArgumentConflict => match (e.get(K::InvalidArg), e.get(K::PriorArg)) {
                (Some(a), Some(b)) if a == b => tr!("cli.parse.repeated", arg = arg),
                (Some(_), Some(clap::error::ContextValue::String(_))) => {
                    tr!("cli.parse.conflict", arg = arg, prior = get(K::PriorArg))
                }
                _ => return None,
            },
            ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
                tr!("cli.parse.value_count", arg = arg)
            }
            ErrorKind::NoEquals => tr!("cli.parse.no_equals", arg = arg),
            ErrorKind::InvalidUtf8 => tr!("cli.parse.not_utf8"),
            _ => return None,
        }
        .into_owned(),
    ];
    if e.kind() == ErrorKind::InvalidValue
        && let Some(clap::error::ContextValue::Strings(valid)) = e.get(K::ValidValue)
        && !valid.is_empty()
    {
        // Unquoted, as clap lists them.
        let valid: Vec<String> = valid
            .iter()
            .map(|v| crate::text::clean_line(v, 100))
            .collect();
        lines.push(format!(
            "  {}",
            tr!("cli.parse.valid_values", values = valid.join(", "))
        ));
    }
    let tip = match [K::SuggestedArg, K::SuggestedSubcommand, K::SuggestedValue].map(get) {
        [arg, _, _] if !arg.is_empty() => Some(tr!("cli.parse.tip_arg", suggestion = arg)),
        [_, cmd, _] if !cmd.is_empty() => Some(tr!("cli.parse.tip_command", suggestion = cmd)),
        [_, _, val] if !val.is_empty() => Some(tr!("cli.parse.tip_value", suggestion = val)),
        _ => None,
    };
    if let Some(tip) = tip {
        lines.push(String::new());
        lines.push(format!("  {tip}"));
    }
    if let Some(usage) = e.get(K::Usage) {
        let usage = crate::text::clean_line(&usage.to_string(), 300);
        let usage = usage.trim().strip_prefix("Usage:").unwrap_or(&usage).trim();
        lines.push(String::new());
        lines.push(tr!("cli.parse.usage", usage = usage).into_owned());
    }
    lines.push(String::new());
    lines.push(tr!("cli.parse.more").into_owned());
    Some(lines.join("\n"))
}

/// A context value as clap would show it, quoted like clap quotes it
/// (`'--force'`), cleaned: it holds what the user typed.
fn context_words(v: &clap::error::ContextValue) -> String {
    use clap::error::ContextValue as V;
    let quote = |s: &str| format!("'{}'", crate::text::clean_line(s, 200));
    match v {
        V::String(s) => quote(s),
        V::Strings(list) => list.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "),
        V::StyledStr(s) => crate::text::clean_line(&s.to_string(), 300),
        V::StyledStrs(list) => list
            .iter()
            .map(|s| crate::text::clean_line(&s.to_string(), 300))
            .collect::<Vec<_>>()
            .join(", "),
        V::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, FromArgMatches};

    use super::*;
    use crate::cli::args::Cli;
    use crate::i18n::with_lang;

    fn help(lang: Lang, args: &[&str]) -> String {
        with_lang(lang, || {
            let err = localized(Cli::command())
                .try_get_matches_from(args)
                .expect_err("--help ends parsing");
            err.render().to_string()
        })
    }

    #[test]
    fn japanese_help_is_japanese_and_english_is_unchanged() {
        let en = help(Lang::En, &["bbtoken", "add", "--help"]);
        assert_eq!(
            en,
            Cli::command()
                .try_get_matches_from(["bbtoken", "add", "--help"])
                .unwrap_err()
                .render()
                .to_string()
        );
        let ja = help(Lang::Ja, &["bbtoken", "add", "--help"]);
        for words in [
            "トークンのプロファイルを追加します",
            "ワークスペース ID",
            "リポジトリ アクセストークン",
            "使い方:",
            "オプション:",
            "引数:",
            "ヘルプを表示します",
        ] {
            assert!(ja.contains(words), "{words} in {ja}");
        }
        assert!(!ja.contains("Workspace ID"), "{ja}");
        let top = help(Lang::Ja, &["bbtoken", "--help"]);
        assert!(
            top.contains("コマンド:") && top.contains("バージョン"),
            "{top}"
        );
    }

    /// The rebuilt value parsers still give the derive its types.
    #[test]
    fn japanese_parsing_gives_the_same_arguments() {
        let args = [
            "bbtoken",
            "add",
            "ci",
            "--kind",
            "workspace",
            "-w",
            "acme",
            "-r",
            "api",
        ];
        let parse = |lang| {
            with_lang(lang, || {
                let m = localized(Cli::command())
                    .try_get_matches_from(args)
                    .unwrap();
                format!("{:?}", Cli::from_arg_matches(&m).unwrap())
            })
        };
        assert_eq!(parse(Lang::Ja), parse(Lang::En));
        let bad = with_lang(Lang::Ja, || {
            localized(Cli::command())
                .try_get_matches_from(["bbtoken", "add", "ci", "--kind", "nope"])
                .unwrap_err()
        });
        assert_eq!(bad.kind(), clap::error::ErrorKind::InvalidValue);
    }

    /// Command lines clap refuses, one per kind [`said_again`] knows.
    const REFUSED: &[&[&str]] = &[
        &["bbtoken", "add", "--forc"],
        &["bbtoken", "lst"],
        &["bbtoken", "add", "ci", "--kind", "nope"],
        &["bbtoken", "validate", "--jobs"],
        &["bbtoken", "list", "--expiring-within", "3x"],
        &["bbtoken", "add"],
        &["bbtoken", "credential"],
        &["bbtoken", "setup-git", "--local", "--global"],
        &["bbtoken", "validate", "--jobs=1", "--jobs=2"],
        &["bbtoken", "validate", "--jobs", "x"],
    ];

    fn refusal(lang: Lang, args: &[&str]) -> clap::Error {
        with_lang(lang, || {
            localized(Cli::command())
                .try_get_matches_from(args)
                .expect_err("refused")
        })
    }

    /// In English the words said again are clap's own, line for line: the
    /// catalog's English cannot drift from what clap says.
    #[test]
    fn said_again_in_english_is_what_clap_says() {
        for args in REFUSED {
            let e = refusal(Lang::En, args);
            let ours = with_lang(Lang::En, || said_again(&e))
                .unwrap_or_else(|| panic!("{args:?}: {:?} is not said again", e.kind()));
            assert_eq!(
                format!("error: {ours}\n"),
                e.render().to_string(),
                "{args:?}"
            );
            assert_eq!(with_lang(Lang::En, || error_words(&e)), None);
        }
    }

    /// A token typed as an argument is never echoed back by an error.
    #[test]
    fn tokens_in_refused_words_are_masked() {
        let t = crate::token::synthesize(crate::token::ACCESS_PREFIX, 5);
        let e = refusal(Lang::Ja, &["bbtoken", "add", "ci", "-k", "api", &t]);
        let words = with_lang(Lang::Ja, || error_words(&e)).unwrap();
        assert!(words.contains(&t), "clap's words hold it: {words}");
        let (masked, found) = mask_tokens(&words);
        assert!(found);
        assert!(!masked.contains(&t[..24]), "{masked}");
        assert!(masked.contains(&crate::token::mask(&t)), "{masked}");
        assert_eq!(
            mask_tokens("no token here"),
            ("no token here".into(), false)
        );
    }

    #[test]
    fn clap_s_own_tips_are_never_dropped() {
        for args in [&["bbtoken", "add", "--zzz"][..], &["bbtoken", "--", "list"]] {
            let e = refusal(Lang::Ja, args);
            assert!(
                e.get(clap::error::ContextKind::Suggested).is_some(),
                "{args:?}"
            );
            assert_eq!(with_lang(Lang::Ja, || error_words(&e)), None, "{args:?}");
        }
    }

    #[test]
    fn parse_errors_are_japanese_with_no_english_left() {
        for args in REFUSED {
            let e = refusal(Lang::Ja, args);
            let words = with_lang(Lang::Ja, || error_words(&e)).expect("said in Japanese");
            for english in [
                "unexpected",
                "invalid value",
                "required",
                "Usage:",
                "tip:",
                "For more",
            ] {
                assert!(!words.contains(english), "{args:?}: {words}");
            }
            assert!(
                words.ends_with("詳しくは '--help' を付けて実行してください。"),
                "{words}"
            );
        }
        let e = refusal(Lang::Ja, &["bbtoken", "add", "--forc"]);
        let words = with_lang(Lang::Ja, || error_words(&e)).unwrap();
        assert!(
            words.starts_with("予期しない引数 '--forc' があります"),
            "{words}"
        );
        assert!(words.contains("ヒント: '--force' のことですか?"), "{words}");
        assert!(words.contains("使い方: bbtoken add"), "{words}");
        // What the user typed is shown escaped.
        let e = refusal(Lang::Ja, &["bbtoken", "x\u{1b}[2J"]);
        let words = with_lang(Lang::Ja, || error_words(&e)).unwrap();
        assert!(!words.contains('\u{1b}'), "{words:?}");
    }

    #[test]
    fn the_help_command_is_said_in_the_language() {
        let e = refusal(Lang::Ja, &["bbtoken", "--help"]);
        let text = e.render().to_string();
        assert!(
            text.contains("help         このヘルプ、または指定したコマンドのヘルプを表示します"),
            "{text}"
        );
        let text = refusal(Lang::Ja, &["bbtoken", "store", "--help"])
            .render()
            .to_string();
        assert!(text.contains("このヘルプ、または"), "{text}");
    }
}
