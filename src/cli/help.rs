//! `--help` in the user's language.
//!
//! clap's texts come from the doc comments in [`super::args`], which are
//! English. In another language, [`localized`] rewrites the command tree
//! before parsing: every about, long about, after-help, argument help and
//! value help from the catalog `assets/locales/clap.toml`, keyed by command
//! path (`clap.add.arg.workspace`), plus the headings and the help and
//! version flags. English is left as clap builds it; `tests/i18n.rs` holds
//! the catalog's English equal to clap's, so the two cannot drift.
//! The man page and the completions stay English (generated files).
//! clap's own error messages ("unexpected argument") stay English.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Arg, ArgAction, Command, ValueEnum};

use super::args::{CredentialAction, KindArg, ModeArg};
use crate::i18n::{self, Lang, tr};

/// The command tree in the current language (as it is in English).
pub fn localized(cmd: Command) -> Command {
    if i18n::current() == Lang::En {
        return cmd;
    }
    localize(cmd, "")
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
}
