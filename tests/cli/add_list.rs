//! `add` (the secret on stdin) and `list`.

use bbtoken::token::{ACCESS_PREFIX, synthesize};

use super::{ADD_ME, add_api_repo, add_ci, ci_token, me_token, with_ci_and_me};
use crate::world::{World, code, stderr, stdout};

#[test]
fn list_shows_each_added_profile_and_its_repository() {
    let Some((w, _, _)) = with_ci_and_me("list text") else {
        return;
    };
    let o = w.run(&["list"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    for want in ["ci", "acme/api", "me", "acme/web"] {
        assert!(out.contains(want), "{want}: {out}");
    }
}

#[test]
fn list_json_names_the_profiles_in_order() {
    let Some((w, _, _)) = with_ci_and_me("list json") else {
        return;
    };
    assert_eq!(w.names(), ["ci", "me"]);
}

#[test]
fn list_of_an_empty_config_is_empty() {
    let Some(w) = World::start("list empty") else {
        return;
    };
    assert!(w.names().is_empty());
}

/// `--validate` checks the token with Bitbucket before it is stored; blanks
/// around a pasted token are trimmed.
#[test]
fn add_validate_trims_the_token_and_reports_it_valid() {
    let Some(w) = World::start("add validate") else {
        return;
    };
    let token = me_token(&w, 2);
    let o = w.run(
        &[&ADD_ME[..], &["--validate"]].concat(),
        &format!("  {token}  \n"),
    );
    assert_eq!(code(&o), 0, "add --validate: {}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("valid"), "{}", stdout(&o));
    assert_eq!(w.secret("me").unwrap(), token, "stored without the blanks");
}

#[test]
fn add_stores_the_secret_in_the_keyring_not_the_config() {
    let Some(w) = World::start("add stores") else {
        return;
    };
    let token = ci_token(&w, 1);
    add_ci(&w, &token);
    assert_eq!(w.secret("ci").unwrap(), token);
    crate::world::assert_no_secret_in(w.config.path(), &[&token]);
}

/// Profiles added by several bbtoken processes at once are all kept.
#[test]
fn concurrent_adds_from_many_processes_lose_nothing() {
    let Some(w) = World::start("concurrent adds") else {
        return;
    };
    let children: Vec<_> = (0..8)
        .map(|i| {
            let cmd = w.cmd(&add_api_repo(&format!("p{i}")));
            w.spawn_with_stdin(cmd, &synthesize(ACCESS_PREFIX, 200 + i))
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let mut names = w.names();
    names.sort();
    assert_eq!(names, (0..8).map(|i| format!("p{i}")).collect::<Vec<_>>());
}
