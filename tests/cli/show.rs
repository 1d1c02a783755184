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

/// On a terminal that shows links, the token's page is an OSC 8 link to
/// itself; on one that does not, and in a pipe, it is plain text.
#[test]
fn show_links_the_token_page_where_the_terminal_shows_links() {
    let Some(w) = World::start("show link") else {
        return;
    };
    let ci = ci_token(&w, 1);
    super::add_ci(&w, &ci);
    let url = "https://bitbucket.org/acme/api/admin/access-tokens";
    let link = format!("\x1b]8;;{url}\x1b\\{url}\x1b]8;;\x1b\\");
    let shown = w.pty_with(&["show", "ci"], 30, 160, &[("FORCE_HYPERLINK", "1")]);
    let raw = String::from_utf8_lossy(&shown.bytes()).into_owned();
    assert_eq!(shown.code, 0, "{raw}");
    assert!(raw.contains(&link), "{raw:?}");
    assert_eq!(raw.matches("\x1b]8;").count(), 2, "one link: {raw:?}");
    let plain = w.pty(&["show", "ci"], 30, 160);
    let raw = String::from_utf8_lossy(&plain.bytes()).into_owned();
    assert!(raw.contains(url), "{raw:?}");
    assert!(!raw.contains("\x1b]8;"), "no link sign, no link: {raw:?}");
    let mut piped = w.cmd(&["show", "ci"]);
    piped.env("FORCE_HYPERLINK", "1").env_remove("NO_COLOR");
    let o = piped.output().unwrap();
    assert!(stdout(&o).contains(url), "{}", stdout(&o));
    assert!(!stdout(&o).contains('\x1b'), "{:?}", stdout(&o));
}
