//! The engine boundary: the engine (profiles, stores, Bitbucket, validation,
//! command builders, git, operations) does not depend on the terminal UI
//! libraries, on clap, or on the shells built over it. Checked by reading
//! every engine source file, so a new engine module is covered without a
//! change here.

use std::path::{Path, PathBuf};

/// The shells over the engine: only they may use ratatui, crossterm or clap.
/// `doctor` is one: it checks the terminal and clipboard the app will use,
/// so it asks the app's own parts (crossterm's size, the multiplexer test).
const SHELLS: &[&str] = &[
    "app",
    "ui",
    "tui",
    "cli",
    "doctor",
    "main.rs",
    "fakebb",
    "fakebb.rs",
];

/// What an engine file must not say, in code.
const FORBIDDEN: &[&str] = &[
    "ratatui",
    "crossterm",
    "clap",
    "crate::cli",
    "crate::app",
    "crate::ui",
    "crate::tui",
    "#[arg(",
    "#[value(",
    "#[command(",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments: prose may name a library.
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `line` holds `word` not as part of a longer name
/// (`crate::client` is not `crate::cli`).
fn has_word(line: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        let glued_before = before.is_some_and(ident);
        let glued_after = word.ends_with(ident) && after.is_some_and(ident);
        !(glued_before || glued_after)
    })
}

/// The forbidden words in `text`, with their line numbers.
fn violations(text: &str) -> Vec<(usize, &'static str)> {
    code(text)
        .lines()
        .enumerate()
        .flat_map(|(i, l)| {
            FORBIDDEN
                .iter()
                .filter(move |w| has_word(l, w))
                .map(move |w| (i + 1, *w))
        })
        .collect()
}

fn engine_files() -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if SHELLS.contains(&name.as_str()) {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else if name.ends_with(".rs") && name != "lib.rs" {
            files.push(path);
        }
    }
    files
}

#[test]
fn the_checker_sees_an_import_and_ignores_prose() {
    assert_eq!(violations("use ratatui::text::Line;"), [(1, "ratatui")]);
    assert_eq!(
        violations("//! works like clap\nlet x = 1; // crossterm"),
        []
    );
    assert_eq!(
        violations("#[derive(Debug, clap::ValueEnum)]\nenum K { A }"),
        [(1, "clap")]
    );
    assert_eq!(violations("use crate::ui::remedy;"), [(1, "crate::ui")]);
    assert_eq!(
        violations("use crate::client::Client; let clapper = 1;"),
        []
    );
}

#[test]
fn the_engine_uses_no_terminal_library_clap_or_shell() {
    let files = engine_files();
    // The engine is most of the crate: an empty list would pass vacuously.
    for must in [
        "profile.rs",
        "validate.rs",
        "ops.rs",
        "client.rs",
        "urls.rs",
    ] {
        assert!(
            files.iter().any(|f| f.ends_with(must)),
            "{must} is not among the engine files read"
        );
    }
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (line, word) in violations(&text) {
            found.push(format!("{}:{line}: {word}", f.display()));
        }
    }
    assert!(
        found.is_empty(),
        "the engine reaches past its boundary:\n{}",
        found.join("\n")
    );
}
