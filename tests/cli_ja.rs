//! The command line in Japanese, through the built binary against a private
//! keyring and the fake Bitbucket (tests/common/world.rs):
//!
//! - with `BBTOKEN_LANG=ja`, `add`, `list`, `show NAME`, `validate NAME` and
//!   an error say their words in Japanese, with the same exit codes;
//! - `--json` output is byte for byte the same in either language;
//! - `LANG=ja_JP.UTF-8` chooses Japanese, and `BBTOKEN_LANG=en` overrides it.

mod common;
#[path = "common/world.rs"]
mod world;

use std::process::{Command, Output};

use bbtoken::fakebb::Quirks;
use world::{World, code, run_with_stdin, stderr, stdout};

/// The locale variables a machine may carry, all cleared so each test says
/// which language it wants.
const LOCALE: [&str; 4] = ["BBTOKEN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"];

/// The binary with `vars` as its only locale settings.
fn cmd(w: &World, args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut c = w.cmd(args);
    // Outside any repository, with no git config of the machine's.
    c.current_dir(w.config.path())
        .env("GIT_CONFIG_GLOBAL", w.config.path().join("gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for k in LOCALE {
        c.env_remove(k);
    }
    for (k, v) in vars {
        c.env(k, v);
    }
    c
}

fn ja(w: &World, args: &[&str], stdin: &str) -> Output {
    run_with_stdin(cmd(w, args, &[("BBTOKEN_LANG", "ja")]), stdin)
}

fn en(w: &World, args: &[&str], stdin: &str) -> Output {
    run_with_stdin(cmd(w, args, &[]), stdin)
}

/// A world with profile `ci`, a repository access token for acme/api added
/// in Japanese.
fn with_ci(test: &str) -> Option<World> {
    let w = World::start(test)?;
    let token = w.repo_token_scoped(
        1,
        "api",
        &["repository", "repository:write"],
        Quirks::default(),
    );
    let o = ja(
        &w,
        &["add", "ci", "-k", "repository", "-w", "acme", "-r", "api"],
        &format!("{token}\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("ci (リポジトリアクセストークン) を追加しました。"),
        "{err}"
    );
    Some(w)
}

/// Every value that differs from run to run blanked in a JSON document:
/// when `validate` checked, how long a `doctor` probe took and its item's
/// name (it holds the process id).
fn without_times(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if ["checked_at", "elapsed_ms", "item"].contains(&k.as_str()) {
                    *x = serde_json::Value::Null;
                } else {
                    without_times(x);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(without_times),
        _ => {}
    }
}

#[test]
fn list_show_and_validate_speak_japanese() {
    let Some(w) = with_ci("cli ja words") else {
        return;
    };
    let o = ja(&w, &["list"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    for words in [
        "名前",
        "種類",
        "対象",
        "状態",
        "有効期限",
        "最終確認",
        "未確認",
    ] {
        assert!(out.contains(words), "{words:?} in {out}");
    }
    assert!(!out.contains("NAME"), "{out}");
    // The kind in the app's short words; the target as Bitbucket names it.
    assert!(
        out.contains("リポジトリ") && out.contains("acme/api"),
        "{out}"
    );

    let o = ja(&w, &["validate", "ci"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("✓ 有効 200"), "{out}");
    assert!(!out.contains("valid"), "{out}");

    let o = ja(&w, &["show", "ci"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("トークン:"), "{out}");
    assert!(out.contains("ストアに保存"), "{out}");

    // The commands' titles and notes; the commands themselves as they are.
    let o = ja(&w, &["commands", "ci"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("# クローン\ngit clone "), "{out}");
    assert!(
        out.contains("今のブランチを同じ名前でプッシュします"),
        "{out}"
    );
    assert!(
        !out.contains("# Clone") && !out.contains("under its own name"),
        "{out}"
    );

    // The table's columns line up by display width: each heading starts
    // where its column's values start.
    let o = ja(&w, &["list"], "");
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let col = |line: &str, needle: &str| {
        let at = line
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in {line}"));
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    assert_eq!(col(lines[0], "対象"), col(lines[1], "acme/api"), "{out}");
}

#[test]
fn errors_and_removal_speak_japanese_with_the_same_exit_codes() {
    let Some(w) = with_ci("cli ja errors") else {
        return;
    };
    let o = ja(&w, &["show", "nosuch"], "");
    let e = en(&w, &["show", "nosuch"], "");
    assert_eq!(code(&o), 2);
    assert_eq!(code(&o), code(&e));
    let err = stderr(&o);
    assert!(
        err.starts_with("エラー: \"nosuch\" という名前のプロファイルはありません"),
        "{err}"
    );
    assert!(stderr(&e).starts_with("error: no profile named \"nosuch\""));

    let o = ja(&w, &["remove", "ci"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("ci とそのトークンを削除しました。"),
        "{}",
        stderr(&o)
    );
    let o = ja(&w, &["list"], "");
    assert!(
        stderr(&o).contains("プロファイルはまだありません。"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn json_is_the_same_in_either_language() {
    let Some(w) = with_ci("cli ja json") else {
        return;
    };
    let mut v_en = stdout(&en(&w, &["validate", "ci", "--json"], ""));
    let mut v_ja = stdout(&ja(&w, &["validate", "ci", "--json"], ""));
    for v in [&mut v_en, &mut v_ja] {
        let mut doc: serde_json::Value = serde_json::from_str(v).unwrap();
        without_times(&mut doc);
        *v = doc.to_string();
    }
    assert_eq!(v_en, v_ja);
    assert!(v_en.contains("\"status\":\"valid\""), "{v_en}");
    // doctor's report says how long its probes took (in its text too):
    // numbers aside, the same words in either language.
    let doctor = |o: Output| {
        let mut doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        without_times(&mut doc);
        let mut out = String::new();
        for c in doc.to_string().chars() {
            match (c.is_ascii_digit(), out.ends_with('#')) {
                (true, true) => {}
                (true, false) => out.push('#'),
                (false, _) => out.push(c),
            }
        }
        out
    };
    let args = ["doctor", "--offline", "--json"];
    assert_eq!(doctor(en(&w, &args, "")), doctor(ja(&w, &args, "")));
    for args in [
        &["list", "--json"][..],
        &["show", "ci", "--json"],
        &["commands", "ci", "--json"],
        &["list", "--json", "--expiring-within", "30"],
    ] {
        let e = en(&w, args, "");
        let j = ja(&w, args, "");
        assert_eq!(code(&e), code(&j), "{args:?}");
        assert!(!stdout(&e).is_empty(), "{args:?}");
        assert_eq!(stdout(&e), stdout(&j), "{args:?} differs by language");
    }
}

#[test]
fn lang_chooses_japanese_and_bbtoken_lang_overrides_it() {
    let Some(w) = with_ci("cli ja locale") else {
        return;
    };
    let list = |vars: &[(&str, &str)]| stdout(&run_with_stdin(cmd(&w, &["list"], vars), ""));
    assert!(list(&[("LANG", "ja_JP.UTF-8")]).contains("名前"));
    assert!(list(&[("LC_ALL", "ja_JP.UTF-8"), ("LANG", "C")]).contains("名前"));
    let out = list(&[("LANG", "ja_JP.UTF-8"), ("BBTOKEN_LANG", "en")]);
    assert!(out.contains("NAME") && !out.contains("名前"), "{out}");
    let out = list(&[]);
    assert!(out.contains("NAME") && !out.contains("名前"), "{out}");
    // --help follows the same choice.
    let help = |vars: &[(&str, &str)]| {
        let o = run_with_stdin(cmd(&w, &["validate", "--help"], vars), "");
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        stdout(&o)
    };
    let out = help(&[("LANG", "ja_JP.UTF-8")]);
    assert!(out.contains("使い方: bbtoken validate"), "{out}");
    assert!(out.contains("検証するプロファイル"), "{out}");
    let out = help(&[]);
    assert!(out.contains("Usage: bbtoken validate"), "{out}");
}

#[test]
fn doctor_speaks_japanese_and_keeps_its_columns() {
    let Some(w) = World::start("cli ja doctor") else {
        return;
    };
    let o = ja(&w, &["doctor", "--offline"], "");
    let e = en(&w, &["doctor", "--offline"], "");
    assert_eq!(code(&o), code(&e));
    let out = stdout(&o);
    assert!(out.contains("省略  api.request"), "{out}");
    assert!(out.contains("合格 "), "{out}");
    // Check names are identifiers: English in either language, in the same
    // column as in English.
    let at = |text: &str| {
        let line = text
            .lines()
            .find(|l| l.contains("api.request"))
            .unwrap()
            .to_string();
        unicode_width::UnicodeWidthStr::width(&line[..line.find("api.request").unwrap()])
    };
    assert_eq!(at(&out), at(&stdout(&e)), "{out}");
}

/// The engine's errors (the credential store's, and what an operation left
/// changed) in Japanese, with the English hint replaced and the exit code
/// kept; `show --json` keeps the English error as data.
#[test]
fn store_and_operation_errors_speak_japanese() {
    let Some(mut w) = with_ci("cli ja store errors") else {
        return;
    };
    w.keyring.stop_secrets();
    let token = w.repo_token_scoped(2, "api", &["repository"], Quirks::default());
    let args = [
        "add",
        "other",
        "-k",
        "repository",
        "-w",
        "acme",
        "-r",
        "api",
    ];
    let o = ja(&w, &args, &format!("{token}\n"));
    let e = en(&w, &args, &format!("{token}\n"));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(code(&o), code(&e));
    let err = stderr(&o);
    assert!(
        err.contains("資格情報ストア secret-service を利用できません"),
        "{err}"
    );
    assert!(err.contains("Secret Service (GNOME Keyring"), "{err}");
    assert!(!err.contains("bbtoken needs a Secret Service"), "{err}");
    assert!(stderr(&e).contains("bbtoken needs a Secret Service"));

    let o = ja(&w, &["remove", "ci"], "");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("何も削除していません"),
        "{}",
        stderr(&o)
    );

    let o = ja(&w, &["show", "ci"], "");
    assert!(stdout(&o).contains("資格情報ストア"), "{}", stdout(&o));
    let o = ja(&w, &["show", "ci", "--json"], "");
    let shown: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let secret_error = shown["secret_error"].as_str().unwrap_or_default();
    assert!(
        secret_error.starts_with("the secret-service credential store"),
        "{shown}"
    );
}

/// A valid token's warnings in Japanese; the JSON keeps the English words
/// and gains their types.
#[test]
fn warnings_speak_japanese_and_json_keeps_english() {
    let Some(w) = World::start("cli ja warnings") else {
        return;
    };
    let token = w.repo_token_scoped(
        3,
        "api",
        &["repository", "repository:write", "repository:admin"],
        Quirks::default(),
    );
    let o = ja(
        &w,
        &["add", "wide", "-k", "repository", "-w", "acme", "-r", "api"],
        &format!("{token}\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = ja(&w, &["validate", "wide"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("最小権限: このトークンは repository:admin も持っています"),
        "{out}"
    );
    assert!(!out.contains("least privilege"), "{out}");
    let o = ja(&w, &["validate", "wide", "--json"], "");
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let text = doc.to_string();
    assert!(
        text.contains("least privilege: this token also holds repository:admin"),
        "{text}"
    );
    assert!(text.contains("\"kind\":\"least_privilege\""), "{text}");
}

/// `onboard`'s steps and `here`'s findings in Japanese; `here --json` keeps
/// them English.
#[test]
fn onboard_and_here_speak_japanese() {
    let Some(w) = with_ci("onboard_and_here_speak_japanese") else {
        return;
    };
    let clone = w.config.path().join("clone");
    let o = ja(&w, &["onboard", "ci", "--dir", clone.to_str().unwrap()], "");
    let text = stdout(&o);
    assert_eq!(code(&o), 0, "{text}{}", stderr(&o));
    for words in ["git init:", "origin を追加しました", "ci に紐付けました"] {
        assert!(text.contains(words), "{words:?} in\n{text}");
    }
    assert!(!text.contains("origin added"), "{text}");
    let here = |dir: &std::path::Path, args: &[&str]| {
        let mut c = cmd(&w, args, &[("BBTOKEN_LANG", "ja")]);
        c.current_dir(dir);
        c.output().unwrap()
    };
    let o = here(&clone, &["here"]);
    assert!(
        stdout(&o).contains("このクローンに紐付け済み (bbtoken bind)"),
        "{}",
        stdout(&o)
    );
    let json: serde_json::Value = serde_json::from_slice(&here(&clone, &["here", "--json"]).stdout)
        .expect("here --json prints JSON");
    assert_eq!(
        json["remotes"][0]["profile"]["why"],
        "bound to this clone (bbtoken bind)"
    );
    // A clone of a repository no profile fits.
    let other = w.config.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    for args in [
        &["init", "--quiet"][..],
        &[
            "remote",
            "add",
            "origin",
            "https://bitbucket.org/elsewhere/x.git",
        ],
    ] {
        let s = Command::new("git")
            .args(args)
            .current_dir(&other)
            .env("GIT_CONFIG_GLOBAL", w.config.path().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .unwrap();
        assert!(s.success(), "git {args:?}");
    }
    let o = here(&other, &["here"]);
    assert!(
        stdout(&o).contains("このリポジトリに合うプロファイルがありません"),
        "{}",
        stdout(&o)
    );
}

/// clap's parse errors in Japanese, with clap's exit code; English is
/// clap's own.
#[test]
fn parse_errors_speak_japanese_with_exit_2() {
    let Some(w) = World::start("parse_errors_speak_japanese_with_exit_2") else {
        return;
    };
    let o = ja(&w, &["add", "--forc"], "");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let text = stderr(&o);
    assert!(
        text.starts_with("エラー: 予期しない引数 '--forc' があります"),
        "{text}"
    );
    assert!(text.contains("ヒント: '--force' のことですか?"), "{text}");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let o = en(&w, &["add", "--forc"], "");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with("error: unexpected argument '--forc' found"),
        "{}",
        stderr(&o)
    );
    let o = ja(&w, &["help"], "");
    assert_eq!(code(&o), 0);
    assert!(
        stdout(&o).contains("このヘルプ、または指定したコマンドのヘルプを表示します"),
        "{}",
        stdout(&o)
    );
}

/// Completions describe the commands in the user's language, as --help.
#[test]
fn completions_describe_in_japanese() {
    let Some(w) = World::start("completions_describe_in_japanese") else {
        return;
    };
    let o = ja(&w, &["completions", "fish"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("トークンのプロファイルを追加します"),
        "{}",
        stdout(&o)
    );
    let o = en(&w, &["completions", "fish"], "");
    assert!(stdout(&o).contains("Add a token profile"), "{}", stdout(&o));
}
