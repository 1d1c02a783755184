//! Paste-first add on the command line: `add NAME --url URL` fills workspace
//! and repository from a URL copied out of the browser, and a token inside
//! the URL becomes the secret; `edit NAME --bot-email suggested` accepts the
//! bot email the clone link showed. The built binary, a real private
//! keyring, the fake Bitbucket.

mod common;
#[path = "common/world.rs"]
mod world;

use bbtoken::token::{ACCESS_PREFIX, synthesize};
use world::{World, code, stderr, stdout};

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// The profile as `show --json` reports it.
fn shown(w: &World, name: &str) -> serde_json::Value {
    let o = w.run(&["show", name, "--json"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    json(&o)
}

fn valid(w: &World, name: &str) -> bool {
    code(&w.run(&["validate", name], "")) == 0
}

#[test]
fn urls_from_the_browser_and_clone_dialogs_fill_workspace_and_repo() {
    let Some(w) = World::start("urls_fill_workspace_and_repo") else {
        return;
    };
    let api = w.repo_token(41, "api", Default::default());
    let web = w.repo_token(42, "web", Default::default());
    let cases = [
        (
            "page",
            "https://bitbucket.org/acme/api/src/main/README.md",
            &api,
            "api",
        ),
        ("https", "https://bitbucket.org/acme/web.git", &web, "web"),
        ("scp", "git@bitbucket.org:acme/api.git", &api, "api"),
        ("ssh", "ssh://git@bitbucket.org/acme/web.git", &web, "web"),
    ];
    for (name, url, token, repo) in cases {
        let o = w.run(
            &["add", name, "-k", "repository", "--url", url],
            &format!("{token}\n"),
        );
        assert_eq!(code(&o), 0, "{url}: {}", stderr(&o));
        let p = shown(&w, name);
        assert_eq!(p["workspace"], "acme", "{url}: {p}");
        assert_eq!(p["repo"], repo, "{url}: {p}");
        assert!(valid(&w, name), "{url}: the token from stdin was stored");
    }
}

#[test]
fn a_token_in_the_url_is_moved_out_and_stored_as_the_secret() {
    let Some(w) = World::start("a_token_in_the_url_is_moved_out") else {
        return;
    };
    let token = w.repo_token(43, "api", Default::default());
    let url = format!("https://x-token-auth:{token}@bitbucket.org/acme/api.git");

    // From stdin (`--url -`): nothing else is read, no history holds it.
    let o = w.run(
        &["add", "piped", "-k", "repository", "--url", "-"],
        &format!("{url}\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("taken out of the URL"), "{err}");
    assert!(!err.contains("shell history"), "{err}");
    assert!(!err.contains(&token[..12]) && !stdout(&o).contains(&token[..12]));
    assert!(valid(&w, "piped"));

    // On the command line it still works, with the truth about history.
    let o = w.run(&["add", "argv", "-k", "repository", "--url", &url], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("shell history"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(&token[..12]));
    assert!(valid(&w, "argv"));
    let p = shown(&w, "argv");
    assert!(!p.to_string().contains(&token[..12]), "{p}");
}

#[test]
fn a_url_that_disagrees_or_is_not_bitbucket_stores_nothing_and_is_not_echoed() {
    let Some(w) = World::start("a_url_that_disagrees_stores_nothing") else {
        return;
    };
    let token = synthesize(ACCESS_PREFIX, 44);
    let other_host = format!("https://x-token-auth:{token}@example.com/acme/api.git");
    let cases: [(&[&str], &str); 3] = [
        (
            &["-w", "other", "--url", "https://bitbucket.org/acme/api"],
            "disagrees",
        ),
        (
            &["-r", "web", "--url", "https://bitbucket.org/acme/api"],
            "disagrees",
        ),
        (&["--url", &other_host], "not a Bitbucket repository URL"),
    ];
    for (extra, says) in cases {
        let mut args = vec!["add", "x", "-k", "repository"];
        args.extend_from_slice(extra);
        let o = w.run(&args, &format!("{token}\n"));
        assert_eq!(code(&o), 2, "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{extra:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains(&token[..12]), "{}", stderr(&o));
    }
    let listed = json(&w.run(&["list", "--json"], ""));
    assert_eq!(listed.as_array().unwrap().len(), 0, "nothing was stored");
}

#[test]
fn the_suggested_bot_email_is_accepted_with_one_option() {
    let Some(w) = World::start("the_suggested_bot_email_is_accepted") else {
        return;
    };
    let token = w.repo_token(45, "api", Default::default());
    let o = w.run(
        &["add", "ci", "-k", "repository", "-w", "acme", "-r", "api"],
        &format!("{token}\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // Before validation nothing is suggested.
    let o = w.run(&["edit", "ci", "--bot-email", "suggested"], "");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("bbtoken validate ci"), "{}", stderr(&o));

    let o = w.run(&["validate", "ci"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("bbtoken edit ci --bot-email suggested"),
        "validate says how to accept it: {}",
        stdout(&o)
    );
    let before = w.run(&["show", "ci"], "");
    assert!(
        stdout(&before).contains("unconfirmed"),
        "{}",
        stdout(&before)
    );

    let o = w.run(&["edit", "ci", "--bot-email", "suggested"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let email = "52c16467c5f19101ff2061cc@bots.bitbucket.org"; // the fake's bot for repo_token
    assert_eq!(shown(&w, "ci")["bot_email"], email);
    let after = w.run(&["show", "ci"], "");
    assert!(stdout(&after).contains(email), "{}", stdout(&after));
    assert!(
        !stdout(&after).contains("unconfirmed"),
        "{}",
        stdout(&after)
    );
    let o = w.run(&["validate", "ci"], "");
    assert!(!stdout(&o).contains("suggest"), "{}", stdout(&o));

    // Once set, "suggested" does not silently replace it.
    let o = w.run(&["edit", "ci", "--bot-email", "suggested"], "");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("already has a bot email"),
        "{}",
        stderr(&o)
    );
}
