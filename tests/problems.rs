//! Problems and remedies as values, through the built binary against a
//! private keyring and the fake Bitbucket (tests/common/world.rs):
//!
//! - `validate --json` names the problem kind and the remedy's step beside
//!   the remedy's words, which name the command;
//! - the profiles file keeps them, and a file written before they existed
//!   gets its problem kinds on load;
//! - exit codes follow the kind of failure (README "Exit codes").

mod common;
#[path = "common/world.rs"]
mod world;

use bbtoken::fakebb::Quirks;
use bbtoken::profile::{Outcome, Problem, Status, Step};
use bbtoken::store::ProfileFile;
use world::{World, code, stderr, stdout};

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn json_names_the_problem_and_the_remedy_step() {
    let Some(w) = World::start("problems_json") else {
        return;
    };
    let revoked = w.repo_token(
        1,
        "api",
        Quirks {
            revoked: true,
            ..Quirks::default()
        },
    );
    let o = w.run(
        &["add", "gone", "-k", "repository", "-w", "acme", "-r", "api"],
        &revoked,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let fine = w.repo_token(2, "api", Quirks::default());
    let o = w.run(
        &["add", "fine", "-k", "repository", "-w", "acme", "-r", "api"],
        &fine,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let o = w.run(&["validate", "gone", "fine", "--json"], "");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let rows = json(&o);
    let gone = &rows[0];
    assert_eq!(gone["status"], "invalid", "{gone}");
    assert_eq!(gone["problem"], "unauthorized", "{gone}");
    assert_eq!(gone["remedy_kind"], "rotate", "{gone}");
    let words = gone["remedy"].as_str().unwrap();
    assert!(
        words.ends_with("; run bbtoken edit gone --secret"),
        "{words}"
    );
    let fine = &rows[1];
    assert_eq!(fine["status"], "valid", "{fine}");
    assert!(fine.get("problem").is_none(), "{fine}");
    assert!(fine.get("remedy_kind").is_none(), "{fine}");

    // Recorded as values: read back, the remedy is the same step for the
    // same profile, and the app's words name the key, not the command.
    let file = ProfileFile::at(w.config.path().to_path_buf());
    let doc = file.load().unwrap();
    let o = doc.find("gone").unwrap().last_validation.clone().unwrap();
    assert_eq!(o.problem, Some(Problem::Unauthorized));
    let r = o.remedy.unwrap();
    assert_eq!((r.step, r.profile.as_str()), (Some(Step::Rotate), "gone"));
    let app = bbtoken::ui::remedy::words(&r);
    assert!(
        app.ends_with("; press r to rotate (store the new token)"),
        "{app}"
    );
    assert!(!app.contains("bbtoken"), "{app}");
}

#[test]
fn an_old_file_gets_its_problem_kinds_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.toml");
    let outcome = |status: &str, message: &str, remedy: &str| {
        format!(
            "status = \"{status}\"\nmessage = \"{message}\"\nremedy = \"{remedy}\"\nchecked_at = \"2026-01-01T00:00:00Z\"\n"
        )
    };
    let profile = |name: &str, last: String| {
        format!(
            "[[profile]]\nname = \"{name}\"\nkind = \"repository\"\nworkspace = \"acme\"\nrepo = \"api\"\ncreated = \"2026-01-01T00:00:00Z\"\n\n[profile.last_validation]\n{last}\n"
        )
    };
    let text = [
        profile(
            "locked",
            outcome("store_error", "the secret-service credential store refused access: locked", "see the message; other profiles are unaffected"),
        ),
        profile(
            "old",
            outcome("invalid", "Token is invalid", "the expiry date entered (2025-01-01) has passed: create a new token and run bbtoken edit old --secret --expires YYYY-MM-DD"),
        ),
        profile(
            "moved",
            outcome("bad_response", "Bitbucket redirected (301) to x", "update the profile with bbtoken edit moved --repo NEW-SLUG"),
        ),
    ]
    .concat();
    std::fs::write(&path, format!("version = 1\n\n{text}")).unwrap();
    let doc = ProfileFile::at(dir.path().to_path_buf()).load().unwrap();
    let kind = |name: &str| -> Outcome { doc.find(name).unwrap().last_validation.clone().unwrap() };
    assert_eq!(kind("locked").problem, Some(Problem::StoreUnavailable));
    assert!(bbtoken::validate::is_store_wide(&kind("locked")));
    assert_eq!(kind("old").problem, Some(Problem::Expired));
    assert_eq!(kind("moved").problem, Some(Problem::Moved));
    // Old words have no step: they stay as they were, on every surface.
    let r = kind("old").remedy.unwrap();
    assert_eq!(r.step, None);
    assert_eq!(bbtoken::ui::remedy::words(&r), r.command_words());
    assert_eq!(kind("moved").status, Status::BadResponse);
}

#[test]
fn exit_codes_follow_the_kind_of_failure() {
    let Some(w) = World::start("problems_exit") else {
        return;
    };
    // Usage: no such profile.
    let o = w.run(&["show", "nobody"], "");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no profile named \"nobody\""),
        "{}",
        stderr(&o)
    );
    // Not valid: a rotation to a token Bitbucket refuses keeps the old one, exit 1.
    let fine = w.repo_token(3, "api", Quirks::default());
    let o = w.run(
        &["add", "p", "-k", "repository", "-w", "acme", "-r", "api"],
        &fine,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let revoked = w.repo_token(
        4,
        "api",
        Quirks {
            revoked: true,
            ..Quirks::default()
        },
    );
    let o = w.run(&["edit", "p", "--secret", "--validate"], &revoked);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the old token is kept"),
        "{}",
        stderr(&o)
    );
    // Config: an unreadable profiles file.
    std::fs::write(w.config.path().join("profiles.toml"), "version = [").unwrap();
    let o = w.run(&["list"], "");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}
