//! The TUI's onboarding effect against a temp directory with real git: the
//! same engine steps as `bbtoken onboard`, reported as steps the panel shows.
//! Its own test binary: it points git's global config at a temp file for the
//! whole process.

use std::process::Command;

use bbtoken::app::OnboardRequest;
use bbtoken::git::onboard::Step;
use bbtoken::profile::{Profile, TokenKind};

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn onboarding_effect_sets_up_a_new_directory_and_reports_each_step() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    // SAFETY: this test binary has a single test; no other thread reads the
    // environment while it changes.
    unsafe {
        std::env::set_var("HOME", &home);
        std::env::set_var("GIT_CONFIG_GLOBAL", home.join(".gitconfig"));
        std::env::set_var("GIT_CONFIG_NOSYSTEM", "1");
    }
    let mut profile = Profile::new("web-bot", TokenKind::Repository, "acme", Some("web"));
    profile.bot_email = Some("b07a1b2c3@bots.bitbucket.org".into());
    let dir = tmp.path().join("work/web");
    let req = OnboardRequest {
        profile,
        workspace: "acme".into(),
        repo: "web".into(),
        dir: dir.clone(),
        push: false,
    };
    let git_url = "https://bitbucket.org";
    let (steps, result) = bbtoken::tui::effects::onboard(git_url, req.clone());
    let summary = result.unwrap();
    assert!(summary.contains("is set up for web-bot"), "{summary}");
    let done: Vec<&str> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Done(m) => Some(m.as_str()),
            _ => None,
        })
        .collect();
    assert!(done.iter().any(|m| m.starts_with("git init")), "{steps:?}");
    assert_eq!(
        git(&dir, &["remote", "get-url", "origin"]),
        "https://bitbucket.org/acme/web.git"
    );
    assert_eq!(
        git(&dir, &["config", "--local", "user.email"]),
        "b07a1b2c3@bots.bitbucket.org"
    );
    assert_eq!(
        git(&dir, &["config", "--local", "bbtoken.profile"]),
        "web-bot"
    );
    // The helper entry runs this test binary (current_exe), so check the
    // config itself rather than helper_is_set_up's name test.
    let helper = git(
        &dir,
        &[
            "config",
            "--global",
            "--get-urlmatch",
            "credential.helper",
            git_url,
        ],
    );
    assert!(helper.ends_with("' credential"), "{helper}");
    assert_eq!(
        git(
            &dir,
            &[
                "config",
                "--global",
                "credential.https://bitbucket.org.usehttppath"
            ]
        ),
        "true"
    );
    // Again: nothing left to do, every step says so.
    let (steps, result) = bbtoken::tui::effects::onboard(git_url, req.clone());
    assert!(result.is_ok());
    assert!(
        steps.iter().all(|s| matches!(s, Step::Unchanged(_))),
        "{steps:?}"
    );
    // A push with nothing committed stops with the reason, no panic.
    let (_, result) = bbtoken::tui::effects::onboard(git_url, OnboardRequest { push: true, ..req });
    assert!(result.unwrap_err().contains("commit something first"));
}
