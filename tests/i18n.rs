//! The catalogs hold every word the converted surfaces show, in English and
//! Japanese alike, and nothing in those surfaces goes around them.
//!
//! - parity: every key has both an `en` and a `ja` text, with the same
//!   `%{placeholders}`;
//! - every `tr!("key")` and `tk!("key")` in the source names a key the catalogs hold, and
//!   every key in the catalogs is used somewhere (no dead or mistyped keys);
//! - the bypass check: in the modules that draw or print, a string literal
//!   that reads as prose (two words, or a capitalised word) outside `tr!`
//!   fails the test, unless it is in the short list of literals that are not
//!   words for people (key names, command names, protocol text).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every key of every catalog, with its texts by language.
fn catalog() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let dir = Path::new(ROOT).join("assets/locales");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("assets/locales")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no catalog in {}", dir.display());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let doc: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", f.display()));
        assert_eq!(
            doc.get("_version").and_then(|v| v.as_integer()),
            Some(2),
            "{}: _version = 2 (every key with its languages side by side)",
            f.display()
        );
        for (k, v) in doc.iter().filter(|(k, _)| *k != "_version") {
            flatten(k, v, &f, &mut out);
        }
    }
    out
}

fn flatten(
    key: &str,
    v: &toml::Value,
    file: &Path,
    out: &mut BTreeMap<String, BTreeMap<String, String>>,
) {
    let t = v
        .as_table()
        .unwrap_or_else(|| panic!("{}: {key} is not a table", file.display()));
    let is_leaf = t.values().all(|v| v.is_str());
    if is_leaf {
        let texts = t
            .iter()
            .map(|(lang, s)| (lang.clone(), s.as_str().unwrap().to_string()))
            .collect();
        assert!(
            out.insert(key.to_string(), texts).is_none(),
            "{key} is defined twice ({})",
            file.display()
        );
    } else {
        for (k, v) in t {
            flatten(&format!("{key}.{k}"), v, file, out);
        }
    }
}

fn placeholders(s: &str) -> BTreeSet<String> {
    s.match_indices("%{")
        .filter_map(|(i, _)| {
            let rest = &s[i + 2..];
            rest.find('}').map(|end| rest[..end].to_string())
        })
        .collect()
}

#[test]
fn every_key_has_english_and_japanese_with_the_same_placeholders() {
    let cat = catalog();
    assert!(!cat.is_empty(), "only {} keys", cat.len());
    for (key, texts) in &cat {
        let langs: Vec<&str> = texts.keys().map(String::as_str).collect();
        assert_eq!(langs, ["en", "ja"], "{key}: languages {langs:?}");
        for (lang, s) in texts {
            assert!(!s.trim().is_empty(), "{key}.{lang} is empty");
            // Words go into generated commands' notes and onto terminals
            // unchecked: no character bbtoken refuses from outside (controls,
            // bidi overrides, line separators) but a newline.
            assert!(
                !s.chars().any(|c| bbtoken::text::is_unsafe(c) && c != '\n'),
                "{key}.{lang} holds an unsafe character"
            );
        }
        assert_eq!(
            placeholders(&texts["en"]),
            placeholders(&texts["ja"]),
            "{key}: the placeholders differ"
        );
    }
}

/// The Rust files under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn all_source() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let s = std::fs::read_to_string(&p).unwrap();
            (p, s)
        })
        .collect()
}

/// The string literals of a Rust source, each with its line and the text
/// just before it on that line; comments skipped. Raw strings included.
fn literals(src: &str) -> Vec<(usize, String, String)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let mut line_start = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = src[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                line += src[i..end].matches('\n').count();
                i = end;
            }
            b'\'' => {
                // A char literal ('"', '\'') or a lifetime: skip the char.
                if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                } else if b.get(i + 1) == Some(&b'\\') {
                    let end = src[i + 2..].find('\'').map_or(b.len(), |e| i + 2 + e + 1);
                    i = end;
                } else {
                    i += 1;
                }
            }
            b'r' if (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let start = i + 2 + hashes;
                let end = src[start..].find(&close).map_or(b.len(), |e| start + e);
                out.push((line, src[start..end].to_string(), lead(src, line_start, i)));
                line += src[i..end].matches('\n').count();
                i = end + close.len();
            }
            b'"' => {
                let before = lead(src, line_start, i);
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                out.push((line, src[start..j.min(b.len())].to_string(), before));
                line += src[i..j.min(b.len())].matches('\n').count();
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// What comes before a literal at `i`: its line's text, or, when the
/// literal starts its line, the end of the line above (`tr!(` then the key
/// on the next line, as rustfmt writes long calls).
fn lead(src: &str, line_start: usize, i: usize) -> String {
    let own = &src[line_start..i];
    if !own.trim().is_empty() || line_start == 0 {
        return own.to_string();
    }
    let above = &src[..line_start - 1];
    let from = above.rfind('\n').map_or(0, |n| n + 1);
    above[from..].to_string()
}

/// The source without its unit tests: from `#[cfg(test)]` at the start of
/// a line to the end (the tests module is last in every file).
fn without_tests(src: &str) -> &str {
    match src.find("\n#[cfg(test)]") {
        Some(i) => &src[..i],
        None => src,
    }
}

/// A literal right after `tr!(` (words now) or `tk!(` (a key kept in a
/// table, said later with `i18n::text`).
fn names_a_key(before: &str) -> bool {
    let b = before.trim_end();
    b.ends_with("tr!(") || b.ends_with("tk!(") || b.ends_with("say!(")
}

fn used_keys() -> BTreeMap<String, String> {
    let mut used = BTreeMap::new();
    for (path, src) in all_source() {
        for (line, lit, before) in literals(&src) {
            if names_a_key(&before) {
                used.insert(lit, format!("{}:{line}", path.display()));
            }
        }
    }
    used
}

#[test]
fn every_key_used_is_in_the_catalogs_and_every_key_is_used() {
    let cat = catalog();
    let used = used_keys();
    for (key, at) in &used {
        assert!(cat.contains_key(key), "{at}: {key} is not in the catalogs");
    }
    // `clap.*` keys are looked up by command path: the next test holds them.
    let dead: Vec<&String> = cat
        .keys()
        .filter(|k| !used.contains_key(*k) && !k.starts_with("clap."))
        .collect();
    assert!(dead.is_empty(), "keys no code uses: {dead:?}");
}

/// Every help text clap shows has its catalog key, with English exactly
/// as clap shows it (so a changed doc comment fails here until its Japanese
/// is changed too), and every `clap.*` key names a text clap shows.
#[test]
fn help_texts_and_their_catalog_agree() {
    use clap::CommandFactory;
    let cat = catalog();
    let texts = bbtoken::cli::help::texts(&bbtoken::cli::Cli::command());
    assert!(texts.len() > 50, "{}", texts.len());
    for (key, english) in &texts {
        let entry = cat
            .get(key)
            .unwrap_or_else(|| panic!("{key} is not in assets/locales/clap.toml: {english:?}"));
        assert_eq!(entry.get("en"), Some(english), "{key}");
    }
    let keys: std::collections::HashSet<&String> = texts.iter().map(|(k, _)| k).collect();
    let dead: Vec<&String> = cat
        .keys()
        .filter(|k| k.starts_with("clap.") && !keys.contains(k))
        .collect();
    assert!(dead.is_empty(), "clap keys for no help text: {dead:?}");
}

/// The modules whose every word goes through the catalogs.
const CONVERTED: &[&str] = &[
    "src/i18n.rs",
    "src/cli/mod.rs",
    "src/cli/output.rs",
    "src/cli/words.rs",
    "src/cli/manage.rs",
    "src/cli/show.rs",
    "src/cli/validate.rs",
    "src/cli/expiring.rs",
    "src/cli/commands.rs",
    "src/cli/store.rs",
    "src/cli/input.rs",
    "src/cli/here.rs",
    "src/cli/setup_git.rs",
    "src/cli/onboard.rs",
    "src/cli/audit.rs",
    "src/cli/doctor.rs",
    // Not probe.rs: it gathers facts (the system's own error texts, shown
    // as they come, like a server's message), and says nothing itself.
    "src/doctor/mod.rs",
    "src/doctor/api.rs",
    "src/doctor/clock.rs",
    "src/doctor/git.rs",
    "src/doctor/profiles.rs",
    "src/doctor/store.rs",
    "src/doctor/terminal.rs",
    "src/cli/credential.rs",
    "src/cli/help.rs",
    "src/cli/manpage.rs",
    "src/expiry.rs",
    "src/describe.rs",
    "src/timefmt.rs",
    "src/fields.rs",
    "src/token.rs",
    "src/git/pasted.rs",
    "src/git/here.rs",
    "src/git/onboard.rs",
    "src/git/select.rs",
    "src/problem.rs",
    "src/error_words.rs",
    "src/gitcmd/note.rs",
    "src/ui",
    "src/app",
    "src/tui",
];

/// Literals in those modules that are not words for people.
const NOT_WORDS: &[&str] = &[
    // unreachable!'s words, for the programmer.
    "handled in run",
    "read is tried after every successful write",
    // What git's helper records in state.json: data, kept English.
    "rejected by git at",
    "used by git at",
    // Commands, typed as they are in any language.
    "`keyctl purge user 'bbtoken:profile:{item}'`",
    "`secret-tool clear service bbtoken username '{item}'`",
    "tmux set -g set-clipboard on",
    // A flag and its value, as typed.
    "--{field} {given}",
    // The note audit --fix records in the profiles file: data, kept English.
    "moved from plain text by bbtoken audit --fix",
    // A git command and the change it made.
    "git config --global: {c}",
    // The helper's diagnostics start with the command's name.
    "bbtoken credential: {msg}",
    // The note a profile added from git's prompt records: data, English.
    "added from git's prompt at {}; the kind is a guess (repository): fix it with bbtoken edit {name} --kind",
    // Key names, shown as they are on the keyboard.
    "n / Esc",
    // Part of a remedy's command words, which stay English (JSON, state).
    ", then add it again as that kind",
    // Debug output, for developers.
    "TokenInput({} chars)",
    "clipboard::Worker",
];

/// Keys as the keyboard names them, one or more, split by spaces or `/`.
fn names_keys(s: &str) -> bool {
    const KEYS: &[&str] = &[
        "Enter",
        "Esc",
        "Backspace",
        "Tab",
        "Shift-Tab",
        "Home",
        "End",
        "Space",
        "PgUp",
        "PgDn",
        "Ctrl-C",
        "Ctrl-Q",
    ];
    s.split(|c: char| c.is_whitespace() || c == '/')
        .filter(|t| !t.is_empty())
        .all(|t| KEYS.contains(&t) || t.chars().count() == 1)
}

/// Prose: two words in a row, or a word with a capital then small letters.
fn reads_as_prose(s: &str) -> bool {
    // Commands are not translated, nor are `format!` placeholders words,
    // nor key names ("Esc  Enter", "g/G  Home/End").
    if s.starts_with("bbtoken ") || s.trim_start().starts_with("--") || names_keys(s) {
        return false;
    }
    let mut plain = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            c if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let s = plain.as_str();
    let words: Vec<&str> = s
        .split(|c: char| !c.is_ascii_alphabetic() && c != '\'')
        .filter(|w| w.len() >= 2)
        .collect();
    let two_words = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| {
            let word = |x: &str| {
                x.trim_matches(|c: char| !c.is_ascii_alphabetic()).len() >= 2
                    && x.chars().filter(|c| c.is_ascii_alphabetic()).count() * 2 > x.len()
            };
            word(w[0]) && word(w[1])
        });
    let capitalised = words.iter().any(|w| {
        let mut c = w.chars();
        c.next().is_some_and(|f| f.is_ascii_uppercase())
            && w.len() >= 3
            && c.all(|c| c.is_ascii_lowercase())
    });
    two_words || capitalised
}

#[test]
fn the_converted_modules_say_nothing_around_the_catalogs() {
    let mut found = Vec::new();
    for rel in CONVERTED {
        let path = Path::new(ROOT).join(rel);
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path);
        }
        // Unit tests in their own file are not the module's words.
        files.retain(|f| !f.ends_with("tests.rs"));
        for f in files {
            let src = std::fs::read_to_string(&f).unwrap();
            for (line, lit, before) in literals(without_tests(&src)) {
                let before = before.trim();
                let exempt = names_a_key(before)
                    || before.starts_with("#[")
                    || before.contains("tracing::")
                    || before.contains("expect(")
                    // Patterns matched against text, not text shown.
                    || before.ends_with(".contains(")
                    || before.ends_with("starts_with(")
                    || before.ends_with("strip_prefix(")
                    || before.ends_with("trim_start_matches(")
                    || NOT_WORDS.contains(&lit.as_str());
                if !exempt && reads_as_prose(&lit) {
                    found.push(format!("{}:{line}: {lit:?}", f.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "words that go around the catalogs (put them in assets/locales/, or in NOT_WORDS if they are not for people):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_prose_check_tells_words_from_tokens() {
    for s in [
        "The terminal is too small",
        "Kind",
        "validate all",
        "validates the profile",
    ] {
        assert!(reads_as_prose(s), "{s}");
    }
    for s in [
        "{} · {}",
        "ja",
        "%Y-%m-%d",
        "x-oauth-scopes",
        "ui.title",
        " · ",
        "↑↓",
    ] {
        assert!(!reads_as_prose(s), "{s}");
    }
}
