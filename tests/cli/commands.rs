//! `commands`: the git and curl commands for a profile, with the token kept
//! out unless `--reveal`; and proof that they work, run by real git and sh.

use std::process::Command;

use super::{add_api_repo, ci_token, me_token, with_ci_and_me};
use crate::world::{World, code, run_with_stdin, stderr, stdout};

#[test]
fn interactive_commands_hold_no_token_and_set_the_bot_email() {
    let Some((w, ci, _)) = with_ci_and_me("commands interactive") else {
        return;
    };
    let o = w.run(&["commands", "ci"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("https://x-token-auth@"), "{out}");
    assert!(
        out.contains("git config user.email abc123@bots.bitbucket.org"),
        "{out}"
    );
    assert!(!out.contains(&ci), "{out}");
}

#[test]
fn embedded_commands_show_the_token_masked() {
    let Some((w, _, me)) = with_ci_and_me("commands embedded") else {
        return;
    };
    let o = w.run(&["commands", "me", "--mode", "embedded"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("https://jdoe:ATATT3****"), "{out}");
    assert!(!out.contains(&me), "{out}");
}

#[test]
fn reveal_puts_the_token_in_the_url_and_says_so() {
    let Some((w, ci, _)) = with_ci_and_me("commands reveal") else {
        return;
    };
    let revealed = w.json(&["commands", "ci", "--mode", "embedded", "--reveal", "--json"]);
    let clone = &revealed["commands"][0];
    assert!(
        clone["text"].as_str().unwrap().contains(&ci),
        "--reveal puts the token in the URL: {clone}"
    );
    assert_eq!(clone["holds_secret"], true);
}

/// The text of the command of `kind` in `commands --json` output.
fn command_text(out: &serde_json::Value, kind: &str) -> String {
    out["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} command: {out}"))["text"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Runs the `mode` commands of a repository token profile with real git in
/// a fresh repository, checking the remote URL and the user email they set.
fn git_commands_work(test: &str, mode: &str, reveal: bool) {
    let Some(w) = World::start(test) else {
        return;
    };
    let t = ci_token(&w, 11);
    let o = w.run(
        &[
            &add_api_repo("ci")[..],
            &["--bot-email", "52c16467c5f19101ff2061cc@bots.bitbucket.org"],
        ]
        .concat(),
        &t,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut args = vec!["commands", "ci", "--mode", mode, "--json"];
    if reveal {
        args.push("--reveal");
    }
    let out = w.json(&args);
    let repo = tempfile::tempdir().unwrap();
    let sh = |script: &str| {
        let o = Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(repo.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", repo.path())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    sh("git init -q -b main .");
    let onboard = command_text(&out, "onboard");
    sh(onboard.lines().next().unwrap());
    let want = if reveal {
        format!("https://x-token-auth:{t}@bitbucket.org/acme/api.git")
    } else {
        "https://x-token-auth@bitbucket.org/acme/api.git".to_string()
    };
    assert_eq!(sh("git remote get-url origin"), want);
    sh("git remote set-url origin https://example.invalid/x.git");
    // The existing-clone group's set-url (its push is in tests/existing_clone.rs).
    sh(command_text(&out, "existing-clone").lines().next().unwrap());
    assert_eq!(sh("git remote get-url origin"), want);
    sh(&command_text(&out, "user-email"));
    assert_eq!(
        sh("git config user.email"),
        "52c16467c5f19101ff2061cc@bots.bitbucket.org"
    );
    // No validation has named the main branch: push the current one.
    assert_eq!(onboard.lines().nth(1).unwrap(), "git push -u origin HEAD");
}

#[test]
fn interactive_git_commands_work_with_real_git() {
    git_commands_work("real git interactive", "interactive", false);
}

#[test]
fn embedded_git_commands_work_with_real_git() {
    git_commands_work("real git embedded", "embedded", true);
}

/// The generated curl commands, pasted into a POSIX shell, really call the
/// API: the interactive ones read the token from the terminal (here: stdin),
/// the embedded ones carry it.
#[test]
fn generated_curl_commands_reach_the_api() {
    let Some(w) = World::start("curl") else {
        return;
    };
    let repo_tok = ci_token(&w, 21);
    let api_tok = me_token(&w, 22);
    w.add_repo_profile("ci", "api", &repo_tok);
    let o = w.run(
        &[
            "add",
            "me",
            "-k",
            "api",
            "-w",
            "acme",
            "-r",
            "api",
            "--email",
            "dev@example.com",
        ],
        &api_tok,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let cases = [
        ("ci", "interactive", "curl", &repo_tok),
        ("ci", "embedded", "curl", &repo_tok),
        ("me", "interactive", "curl-basic", &api_tok),
        ("me", "embedded", "curl", &api_tok),
        ("me", "embedded", "curl-basic", &api_tok),
    ];
    for (profile, mode, kind, token) in cases {
        let out = w.json(&["commands", profile, "--mode", mode, "--reveal", "--json"]);
        let mut sh = Command::new("sh");
        sh.arg("-c").arg(command_text(&out, kind));
        // What a person types at the prompt (ignored by embedded commands).
        let o = run_with_stdin(sh, &format!("{token}\n"));
        let body: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| {
            panic!(
                "{profile} {mode} {kind}: not JSON: {} {}",
                stdout(&o),
                stderr(&o)
            )
        });
        assert_eq!(
            body["full_name"], "acme/api",
            "{profile} {mode} {kind}: {body}"
        );
    }
}
