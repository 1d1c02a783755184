//! End-to-end tests of the built `bbtoken` binary, one module a feature: a
//! real private Secret Service, a fake Bitbucket on loopback and real git,
//! all set up by the shared [`World`].

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/world.rs"]
mod world;

mod add_list;
mod commands;
mod edit_remove;
mod refusals;
mod show;
mod validate;

use bbtoken::fakebb::Quirks;
use world::{World, code, stderr};

/// The repository access token of profile `ci`, which may read and write
/// acme/api.
fn ci_token(w: &World, seed: u32) -> String {
    w.repo_token_scoped(
        seed,
        "api",
        &["repository", "repository:write"],
        Quirks::default(),
    )
}

/// The API token of profile `me` (dev@example.com), for all of acme.
fn me_token(w: &World, seed: u32) -> String {
    w.api_token(seed, "dev@example.com")
}

/// Adds `ci`: a repository access token for acme/api with its bot's email.
fn add_ci(w: &World, token: &str) {
    let o = w.run(
        &[
            "add",
            "ci",
            "--kind",
            "repository",
            "--workspace",
            "acme",
            "--repo",
            "api",
            "--bot-email",
            "abc123@bots.bitbucket.org",
        ],
        &format!("{token}\n"),
    );
    assert_eq!(code(&o), 0, "add ci: {}", stderr(&o));
}

/// The arguments that add a repository access token profile `name` for
/// acme/api.
fn add_api_repo(name: &str) -> [&str; 8] {
    ["add", name, "-k", "repository", "-w", "acme", "-r", "api"]
}

/// The arguments that add `me`: an API token for acme/web with a username.
const ADD_ME: [&str; 12] = [
    "add",
    "me",
    "--kind",
    "api",
    "--workspace",
    "acme",
    "--repo",
    "web",
    "--email",
    "dev@example.com",
    "--username",
    "jdoe",
];

/// Adds `me` (see [`ADD_ME`]).
fn add_me(w: &World, token: &str) {
    let o = w.run(&ADD_ME, &format!("{token}\n"));
    assert_eq!(code(&o), 0, "add me: {}", stderr(&o));
}

/// A world holding `ci` and `me`, with their tokens.
fn with_ci_and_me(test: &str) -> Option<(World, String, String)> {
    let w = World::start(test)?;
    let ci = ci_token(&w, 1);
    let me = me_token(&w, 2);
    add_ci(&w, &ci);
    add_me(&w, &me);
    Some((w, ci, me))
}
