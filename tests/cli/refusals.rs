//! What bbtoken refuses, with exit 2 and a message that names the way out,
//! storing nothing.

use bbtoken::token::{ACCESS_PREFIX, API_PREFIX, synthesize};

use super::add_api_repo;
use crate::world::{World, code, run_with_stdin, stderr};

#[test]
fn bad_input_is_refused_with_exit_2_and_nothing_stored() {
    let Some(w) = World::start("bad input") else {
        return;
    };
    let app_password = format!("ATBB{}{}", "a".repeat(24), "DEADBEEF");
    // (command line, stdin, what the error must say)
    let cases = [
        (
            "add x -k api -w acme -r api --email d@example.com",
            app_password.as_str(),
            "app password",
        ),
        ("add x -k repository -w acme -r api", "", "no token given"),
        ("add x -k repository -w acme", "t", "--repo"),
        ("add x -k api -w acme -r api", "t", "--email"),
        (
            "add x -k repository -w acme -r api --bot-email me@example.com",
            "t",
            "bots.bitbucket.org",
        ),
        (
            "add x -k repository -w acme -r api --expires 'next week'",
            "t",
            "2026-12-31",
        ),
        ("add x -k repository -w 'Acme Co' -r api", "t", "lower-case"),
        ("add x -k nonsense -w acme", "t", "invalid value"),
    ];
    for (line, stdin, says) in cases {
        let args = shlex::split(line).unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = w.run(&args, stdin);
        assert_eq!(code(&o), 2, "{line}");
        assert!(stderr(&o).contains(says), "{line}: {}", stderr(&o));
    }
    assert!(w.names().is_empty(), "nothing was stored");
    assert!(w.secret("x").is_err(), "no secret was stored");
}

/// An API token entered as a repository token is refused (issue 10 A4).
#[test]
fn an_api_token_given_as_a_repository_token_is_refused() {
    let Some(w) = World::start("mixed kinds") else {
        return;
    };
    let api = synthesize(API_PREFIX, 5);
    let o = w.run(&add_api_repo("mixed"), &api);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--kind api"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(&api), "no token in messages");
    assert!(w.names().is_empty(), "nothing was stored");
}

/// ... and stored with a warning only with `--force`.
#[test]
fn force_stores_a_token_of_the_other_kind_with_a_warning() {
    let Some(w) = World::start("mixed kinds forced") else {
        return;
    };
    let api = synthesize(API_PREFIX, 5);
    let o = w.run(&[&add_api_repo("mixed")[..], &["--force"]].concat(), &api);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("--kind api"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(&api), "no token in messages");
    assert_eq!(w.names(), ["mixed"]);
}

/// A token with one character changed: its checksum no longer matches.
fn mistyped_token() -> String {
    let mut typo = synthesize(ACCESS_PREFIX, 6);
    typo.replace_range(30..31, if &typo[30..31] == "A" { "B" } else { "A" });
    typo
}

#[test]
fn a_mistyped_token_warns_about_the_checksum() {
    let Some(w) = World::start("typo") else {
        return;
    };
    let o = w.run(&add_api_repo("typo"), &mistyped_token());
    assert!(
        stderr(&o).contains("mistyped or truncated"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_second_add_under_the_same_name_is_refused() {
    let Some(w) = World::start("same name") else {
        return;
    };
    let first = synthesize(ACCESS_PREFIX, 6);
    w.add_repo_profile("dup", "api", &first);
    let o = w.run(&add_api_repo("dup"), &synthesize(ACCESS_PREFIX, 7));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(w.secret("dup").unwrap(), first, "the first secret stays");
}

/// No Secret Service on the bus: a clear error naming the way out, exit 2,
/// and no profile without its secret.
#[test]
fn no_keyring_is_refused_naming_the_way_out() {
    let Some(w) = World::start("no keyring") else {
        return;
    };
    let mut cmd = w.cmd(&add_api_repo("nokeyring"));
    cmd.env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/bbtoken-test-bus",
    );
    let o = run_with_stdin(cmd, &synthesize(ACCESS_PREFIX, 8));
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("BBTOKEN_STORE=keyutils"),
        "{}",
        stderr(&o)
    );
    assert!(
        w.names().is_empty(),
        "a profile whose secret could not be stored is not saved"
    );
}

#[test]
fn malformed_config_is_reported_with_line_and_left_untouched() {
    let Some(w) = World::start("malformed config") else {
        return;
    };
    let path = w.config.path().join("profiles.toml");
    let bad = "version = 1\n[[profile]]\nname = \"a\"\nkind = \"repository\"\nworkspace = \n";
    std::fs::write(&path, bad).unwrap();
    for args in [vec!["list"], vec!["validate"], add_api_repo("b").to_vec()] {
        let o = w.run(&args, &synthesize(ACCESS_PREFIX, 3));
        assert_eq!(code(&o), 2, "{args:?}");
        let err = stderr(&o);
        assert!(
            err.contains("profiles.toml") && err.contains("line 5"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), bad);
}

/// A token pasted onto the command line by mistake is refused with exit 2
/// and never printed back: clap's words mask it, in either language, and
/// the user is told it is in the shell history now.
#[test]
fn a_token_typed_as_an_argument_is_never_echoed() {
    let Some(w) = World::start("a_token_typed_as_an_argument_is_never_echoed") else {
        return;
    };
    let token = synthesize(ACCESS_PREFIX, 77);
    for lang in ["en", "ja"] {
        let mut c = w.cmd(&[
            "add",
            "ci",
            "-k",
            "repository",
            "-w",
            "acme",
            "-r",
            "api",
            &token,
        ]);
        c.env("BBTOKEN_LANG", lang);
        let o = run_with_stdin(c, "");
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{lang}: {err}");
        for piece in [&token[..24], &token[60..84], &token[168..]] {
            assert!(
                !err.contains(piece),
                "{lang}: a piece of the token was echoed"
            );
        }
        assert!(err.contains(&bbtoken::token::mask(&token)), "{lang}: {err}");
        assert!(
            err.contains("bbtoken add NAME ... < token.txt"),
            "{lang}: {err}"
        );
        assert!(o.stdout.is_empty());
    }
    // Pasted into a field that goes to the profiles file: refused, not
    // repeated, nothing written.
    let o = w.run(
        &[
            "add",
            "ci",
            "-k",
            "repository",
            "-w",
            "acme",
            "-r",
            "api",
            "--note",
            &token,
        ],
        &format!("{token}\n"),
    );
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("looks like a token"), "{err}");
    assert!(!err.contains(&token[..24]), "{err}");
    assert!(w.names().is_empty(), "nothing was stored");
    assert!(w.secret("ci").is_err(), "no secret was stored");
}
