//! `edit` (a field, or the secret) and `remove` (the profile and its secret).

use bbtoken::store::StoreError;
use bbtoken::token::{ACCESS_PREFIX, synthesize};

use super::with_ci_and_me;
use crate::world::{assert_no_secret_in, code, stderr, stdout};

#[test]
fn edit_changes_a_field_and_keeps_the_secret() {
    let Some((w, ci, _)) = with_ci_and_me("edit note") else {
        return;
    };
    let o = w.run(&["edit", "ci", "--note", "deploy bot"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(w.json(&["show", "ci", "--json"])["note"], "deploy bot");
    assert_eq!(w.secret("ci").unwrap(), ci);
}

/// Rotating to a token Bitbucket does not know, with `--force` (replace it
/// even though the check fails, issue 10 A5): stored, recorded invalid, and
/// every later `validate` exits 1.
#[test]
fn a_forced_rotate_to_an_unknown_token_is_recorded_invalid() {
    let Some((w, ci, me)) = with_ci_and_me("edit secret") else {
        return;
    };
    let new_tok = synthesize(ACCESS_PREFIX, 99);
    let o = w.run(
        &["edit", "ci", "--secret", "--validate", "--force"],
        &format!("{new_tok}\n"),
    );
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("invalid 401"), "{}", stdout(&o));
    assert_eq!(w.secret("ci").unwrap(), new_tok);
    let shown = w.json(&["show", "ci", "--json"]);
    assert_eq!(shown["last_validation"]["status"], "invalid", "{shown}");
    let o = w.run(&["validate"], "");
    assert_eq!(code(&o), 1, "one invalid profile: exit 1");
    // No token, old or new, in any file of the config directory.
    assert_no_secret_in(w.config.path(), &[&ci, &me, &new_tok]);
}

#[test]
fn remove_takes_the_profile_and_its_secret_and_nothing_else() {
    let Some((w, _, me)) = with_ci_and_me("remove") else {
        return;
    };
    let o = w.run(&["remove", "ci"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("and its token"), "{}", stderr(&o));
    assert_eq!(w.names(), ["me"]);
    let left = w.secret("ci");
    assert!(
        matches!(left, Err(StoreError::Missing { .. })),
        "the removed profile's secret is gone from the keyring: {left:?}"
    );
    assert_eq!(
        w.secret("me").unwrap(),
        me,
        "the other profile's secret stays"
    );
}

#[test]
fn removing_twice_is_a_usage_error() {
    let Some((w, _, _)) = with_ci_and_me("remove twice") else {
        return;
    };
    assert_eq!(code(&w.run(&["remove", "ci"], "")), 0);
    let o = w.run(&["remove", "ci"], "");
    assert_eq!(code(&o), 2, "removing twice is an error");
    assert!(stderr(&o).contains("ci"), "{}", stderr(&o));
}
