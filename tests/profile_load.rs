//! Loading a hand-edited or hostile profiles file: every profile passes the
//! field checks of `add`/`edit`, a failure names the file, the line and the
//! field, the file is never overwritten while invalid, and recorded outcomes
//! come out clean.

use std::path::Path;

use bbtoken::store::ProfileFile;
use bbtoken::store::profiles::{ConfigError, parse};
use bbtoken::text::has_unsafe;

const HEAD: &str = "version = 1\n\n";

fn profile(extra: &str) -> String {
    format!(
        "{HEAD}[[profile]]\nname = \"good\"\nkind = \"repository\"\nworkspace = \"acme\"\nrepo = \"api\"\ncreated = \"2026-01-01T00:00:00Z\"\n\n[[profile]]\nname = \"bad\"\nkind = \"api\"\nworkspace = \"acme\"\nrepo = \"api\"\nemail = \"dev@example.com\"\ncreated = \"2026-01-01T00:00:00Z\"\n{extra}"
    )
}

/// (what to change in the second profile, field named, line of the value)
#[test]
fn a_failing_field_is_reported_with_file_line_and_field() {
    let email = profile("").replace("dev@example.com", "dev\\u001b[2J@example.com");
    let ws = profile("").replace(
        "workspace = \"acme\"\nrepo = \"api\"\nemail",
        "workspace = \"..\"\nrepo = \"api\"\nemail",
    );
    let repo = profile("").replace("repo = \"api\"\nemail", "repo = \".\"\nemail");
    let user = profile("username = \"j\\u009bdoe\"\n");
    let note = profile("note = \"a \\u202e b\"\n");
    let name = profile("").replace("name = \"bad\"", "name = \"b\\u001b]0;x\\u0007\"");
    let cases = [
        (email, "email", 15),
        (ws, "workspace", 13),
        (repo, "repo", 14),
        (user, "username", 17),
        (note, "note", 17),
        (name, "name", 11),
    ];
    for (text, field, line) in cases {
        let err = parse(Path::new("/cfg/profiles.toml"), &text).unwrap_err();
        match &err {
            ConfigError::InvalidField {
                field: f, line: l, ..
            } => {
                assert_eq!((*f, *l), (field, line), "{err}");
            }
            other => panic!("{field}: {other}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("/cfg/profiles.toml"), "{msg}");
        assert!(msg.contains(&format!("line {line}")), "{msg}");
        assert!(
            !msg.chars()
                .any(|c| c != '\n' && bbtoken::text::is_unsafe(c)),
            "{msg:?}"
        );
    }
}

#[test]
fn an_invalid_file_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let file = ProfileFile::at(dir.path().to_path_buf());
    let bad = profile("").replace("dev@example.com", "dev\\u001b@example.com");
    std::fs::write(file.path(), &bad).unwrap();
    assert!(matches!(file.load(), Err(ConfigError::InvalidField { .. })));
    let r = file.update(|d| {
        d.profiles.clear();
        Ok::<_, ()>(())
    });
    assert!(r.is_err());
    assert_eq!(std::fs::read_to_string(file.path()).unwrap(), bad);
}

#[test]
fn toml_errors_that_echo_a_value_are_cleaned() {
    let text = profile("").replace(
        "kind = \"api\"",
        "kind = \"x\\u001b]52;c;eA==\\u0007\\u009b2J\"",
    );
    let err = parse(Path::new("p.toml"), &text).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("\\u{1b}]52"), "{msg}");
    assert!(
        !msg.chars()
            .any(|c| c != '\n' && bbtoken::text::is_unsafe(c)),
        "{msg:?}"
    );
}

#[test]
fn recorded_outcomes_are_cleaned_on_load() {
    let evil = "\\u001b[2J\\u009b31m\\u202e";
    let text = profile(&format!(
        "\n[profile.last_validation]\nstatus = \"valid\"\nmessage = \"ok{evil}\"\nremedy = \"r{evil}\"\nwarnings = [\"w{evil}\"]\nchecked_at = \"2026-01-01T00:00:00Z\"\ncredential_type = \"c{evil}\"\nscopes = [\"s{evil}\"]\n\n[profile.last_validation.repository]\nfull_name = \"acme/api{evil}\"\nis_private = true\nmain_branch = \"--mirror\"\nproject_key = \"P{evil}\"\n\n[[profile.last_validation.warning_kinds]]\nkind = \"least_privilege\"\nextra = [\"x{evil}\"]\nread = \"r{evil}\"\nwrite = \"w{evil}\"\n"
    ));
    let doc = parse(Path::new("p.toml"), &text).unwrap();
    let o = doc.profiles[1].last_validation.as_ref().unwrap();
    let json = serde_json::to_string(o).unwrap();
    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
    fn walk(v: &serde_json::Value) {
        match v {
            serde_json::Value::String(s) => assert!(!has_unsafe(s), "{s:?}"),
            serde_json::Value::Array(a) => a.iter().for_each(walk),
            serde_json::Value::Object(m) => m.values().for_each(walk),
            _ => {}
        }
    }
    walk(&back);
    assert_eq!(o.warning_kinds.len(), 3, "{json}");
    for w in o.warning_words() {
        assert!(!has_unsafe(&w), "{w:?}");
    }
    let r = o.repository.as_ref().unwrap();
    assert_eq!(r.main_branch, None);
    assert_eq!(r.project_key, None);
    assert!(o.message.starts_with("ok\\u{1b}[2J"));
}

#[test]
fn the_good_file_loads() {
    let doc = parse(Path::new("p.toml"), &profile("note = \"two\\nlines\"\n")).unwrap();
    assert_eq!(doc.profiles.len(), 2);
}

proptest::proptest! {
    /// Loading never panics, whatever the file holds.
    #[test]
    fn loading_never_panics(text in "\\PC{0,300}|[\u{0}-\u{7f}]{0,200}") {
        let _ = parse(Path::new("p.toml"), &text);
    }

    /// Whatever value a field is given, a profile that loads holds no
    /// control character (a note may hold newlines), and one that does not
    /// load names a line inside the file.
    #[test]
    fn loaded_profiles_hold_no_control(
        field in 0usize..8,
        value in "\\PC{0,20}|[\u{0}-\u{3f}\u{7f}-\u{a0}\u{202a}-\u{202e}\u{2066}-\u{2069}a-z@.]{0,12}",
    ) {
        let keys = ["name", "workspace", "repo", "email", "username", "note", "project", "bot_email"];
        let quoted = toml::Value::String(value.clone()).to_string();
        let text = format!(
            "{HEAD}[[profile]]\nkind = \"api\"\ncreated = \"2026-01-01T00:00:00Z\"\n{}\n",
            keys.iter()
                .map(|k| {
                    let v = if *k == keys[field] {
                        quoted.clone()
                    } else {
                        match *k {
                            "name" => "\"n\"".into(),
                            "workspace" => "\"acme\"".into(),
                            "repo" => "\"api\"".into(),
                            "email" => "\"dev@example.com\"".into(),
                            _ => return String::new(),
                        }
                    };
                    format!("{k} = {v}\n")
                })
                .collect::<String>()
        );
        match parse(Path::new("p.toml"), &text) {
            Ok(doc) => {
                for p in &doc.profiles {
                    let fields = [
                        Some(&p.name), Some(&p.workspace), p.repo.as_ref(), p.email.as_ref(),
                        p.username.as_ref(), p.project.as_ref(), p.bot_email.as_ref(),
                    ];
                    for f in fields.into_iter().flatten() {
                        proptest::prop_assert!(!has_unsafe(f), "{:?}", f);
                    }
                    if let Some(n) = &p.note {
                        proptest::prop_assert!(!n.chars().any(|c| c != '\n' && bbtoken::text::is_unsafe(c)));
                    }
                }
            }
            Err(ConfigError::InvalidField { line, .. }) | Err(ConfigError::Parse { line, .. }) => {
                proptest::prop_assert!(line >= 1 && line <= text.lines().count() + 1);
            }
            Err(other) => proptest::prop_assert!(false, "{other}"),
        }
    }
}

/// A missing field points at its profile's table.
#[test]
fn a_missing_field_names_its_profile() {
    let text = profile("").replace("email = \"dev@example.com\"\n", "");
    let err = parse(Path::new("p.toml"), &text).unwrap_err();
    match err {
        ConfigError::InvalidField { field, line, .. } => {
            assert_eq!(field, "email");
            // The `[[profile]]` line of the second profile.
            assert_eq!(line, 10);
        }
        other => panic!("{other}"),
    }
}
