//! `bbtoken manpage`: the page comes from the clap definitions, so it names
//! every subcommand; it also carries the exit codes and the environment
//! variables that clap does not know, checked against the README's table so
//! the two cannot drift; and `man` itself must read it without a warning.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

fn manpage() -> String {
    manpage_in("en")
}

/// The page as `bbtoken manpage` writes it with `BBTOKEN_LANG=lang`.
fn manpage_in(lang: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_bbtoken"))
        .arg("manpage")
        .env("HOME", "/nonexistent-bbtoken-home")
        .env("BBTOKEN_LANG", lang)
        .output()
        .expect("run bbtoken manpage");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn names_every_subcommand_and_its_options() {
    use clap::CommandFactory;
    let page = manpage();
    assert!(
        page.starts_with(".ie \\n(.g") || page.contains(".TH bbtoken 1"),
        "{page}"
    );
    assert!(page.contains(".TH bbtoken 1"), "a title line");
    let cli = bbtoken::cli::Cli::command();
    let mut names = 0;
    for sub in cli.get_subcommands() {
        let heading = format!(".SS \"bbtoken {}\"", sub.get_name());
        let plain = format!(".SS bbtoken {}", sub.get_name());
        assert!(
            page.contains(&heading) || page.contains(&plain),
            "no section for {}",
            sub.get_name()
        );
        for arg in sub.get_arguments() {
            if let Some(long) = arg.get_long().filter(|l| *l != "help") {
                assert!(
                    page.contains(&format!("\\-\\-{}", long.replace('-', "\\-"))),
                    "bbtoken {} --{long} is missing",
                    sub.get_name()
                );
            }
        }
        names += 1;
    }
    assert!(names >= 15, "only {names} subcommands seen");
    // Nested: store migrate.
    assert!(page.contains("bbtoken store migrate"), "nested subcommand");
}

#[test]
fn holds_exit_codes_and_every_readme_environment_variable() {
    let page = manpage();
    for section in [".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH FILES"] {
        assert!(page.contains(section), "missing {section}");
    }
    let exit = &page[page.find(".SH \"EXIT STATUS\"").unwrap()..];
    let exit = &exit[..exit.find(".SH ENVIRONMENT").unwrap()];
    for code in ["0", "1", "2"] {
        assert!(exit.contains(&format!("\\fB{code}\\fR")), "exit {code}");
    }
    assert!(exit.contains("credential\\-store error"), "{exit}");

    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let table = &readme[readme
        .find("## Environment variables")
        .expect("env section")..];
    let table = &table[..table[3..].find("\n## ").map_or(table.len(), |i| i + 3)];
    let env = &page[page.find(".SH ENVIRONMENT").unwrap()..];
    let mut seen = 0;
    for line in table.lines().filter(|l| l.starts_with("| `")) {
        let var = line[3..].split('`').next().unwrap();
        assert!(
            env.contains(&format!("\\fB{var}\\fR")),
            "README variable {var} is not in the man page's ENVIRONMENT"
        );
        seen += 1;
    }
    assert!(
        seen >= 10,
        "only {seen} variables read from the README table"
    );
    assert!(env.contains("BBTOKEN_LOG"), "the log variable");
}

/// `page` as `man` shows it in `locale`: its text, and what groff warned.
fn man_shows(man: &std::path::Path, page: &str, locale: &str) -> (String, String) {
    let mut child = Command::new(man)
        .args(["-l", "-"])
        .env("LC_ALL", locale)
        .env("LANG", locale)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        // Warnings from groff go to stderr; -ww asks for all of them.
        .env("MANROFFOPT", "-ww")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start man");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("man ends");
    // man may still embolden with overstrike (X backspace X): drop it.
    let text = strip_overstrike(&String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "man failed: {err}");
    (text, err)
}

#[test]
fn man_reads_it_without_warnings() {
    let Some(man) = which("man") else {
        common::skip("man_reads_it_without_warnings", "man is not installed");
        return;
    };
    let (text, err) = man_shows(&man, &manpage(), "C");
    assert!(err.trim().is_empty(), "man/groff warnings:\n{err}");
    for heading in ["NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT"] {
        assert!(
            text.lines().any(|l| l.trim() == heading),
            "rendered page lacks {heading}:\n{text}"
        );
    }
    assert!(text.contains("bbtoken validate"), "{text}");
}

/// In Japanese the page is Japanese, headings included, and man sets it
/// (in a UTF-8 locale) without a warning: no line it cannot break.
#[test]
fn the_japanese_page_reads_without_warnings() {
    let Some(man) = which("man") else {
        common::skip(
            "the_japanese_page_reads_without_warnings",
            "man is not installed",
        );
        return;
    };
    let page = manpage_in("ja");
    let (text, err) = man_shows(&man, &page, "C.UTF-8");
    assert!(err.trim().is_empty(), "man/groff warnings:\n{err}");
    for heading in [
        "名前",
        "書式",
        "説明",
        "コマンド",
        "終了ステータス",
        "環境変数",
        "ファイル",
    ] {
        assert!(
            text.lines().any(|l| l.trim() == heading),
            "rendered page lacks {heading}:\n{text}"
        );
    }
    assert!(
        text.contains("トークンのプロファイルを追加します"),
        "{text}"
    );
    assert!(text.contains("BBTOKEN_LANG"), "{text}");
    // The English page keeps its own words.
    assert!(!manpage().contains("名前"));
}

fn strip_overstrike(s: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    for c in s.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out.into_iter().collect()
}

fn which(bin: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| std::path::Path::new(d).join(bin))
        .find(|p| p.is_file())
}
