//! `show`: one profile, its recorded outcome, its token masked.

use super::{ci_token, with_ci_and_me};
use crate::world::{World, code, json, stderr, stdout};

#[test]
fn show_gives_the_recorded_outcome_and_the_masked_token() {
    let Some((w, ci, _)) = with_ci_and_me("show text") else {
        return;
    };
    assert_eq!(code(&w.run(&["validate"], "")), 0);
    let o = w.run(&["show", "ci"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("✓ valid"), "{out}");
    assert!(out.contains(&bbtoken::token::mask(&ci)), "{out}");
    assert!(!out.contains(&ci), "the token is masked: {out}");
}

#[test]
fn show_json_says_a_secret_is_stored_but_not_what_it_is() {
    let Some(w) = World::start("show json") else {
        return;
    };
    let ci = ci_token(&w, 1);
    super::add_ci(&w, &ci);
    let o = w.run(&["show", "ci", "--json"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains(&ci), "no token in JSON");
    let shown = json(&o);
    assert_eq!(shown["secret_stored"], true, "{shown}");
    assert_eq!(shown["git_username"], "x-token-auth");
    assert!(
        shown["last_validation"].is_null(),
        "never validated: {shown}"
    );
}
