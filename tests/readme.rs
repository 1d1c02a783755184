//! The README's "Using it" block runs as written, in order, so it cannot
//! drift from the program again: the ```sh block is read from README.md,
//! each command (continuation lines joined, comments dropped) runs in `sh`
//! with the built binary first on PATH, a fresh HOME, a real private keyring
//! and the fake Bitbucket, the token files in the working directory. Each
//! must exit 0 (every profile in it is valid), and the end state must be
//! what the block says.

mod common;
#[path = "common/world.rs"]
mod world;

use std::path::Path;
use std::process::Command;

use bbtoken::fakebb::{FakeToken, Quirks, Reach};
use bbtoken::token::{ACCESS_PREFIX, synthesize};
use world::{World, code, stderr, stdout};

/// The commands of the first ```sh block after `## Using it`.
fn using_it_commands(readme: &str) -> Vec<String> {
    let section = &readme[readme.find("## Using it").expect("a Using it section")..];
    let block = &section[section.find("```sh\n").expect("a sh block") + 6..];
    let block = &block[..block.find("```").expect("the block ends")];
    let mut commands = Vec::new();
    let mut current = String::new();
    for line in block.lines() {
        // No '#' in the block is inside quotes; every one starts a comment.
        let code = line.split('#').next().unwrap_or("").trim_end();
        if let Some(head) = code.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(code);
        let cmd = current.split_whitespace().collect::<Vec<_>>().join(" ");
        if !cmd.is_empty() {
            commands.push(cmd);
        }
        current.clear();
    }
    commands
}

#[test]
fn the_block_is_read_as_expected() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let cmds = using_it_commands(&readme);
    assert!(cmds.len() >= 15, "{cmds:#?}");
    assert!(cmds[0].starts_with("bbtoken add ci-api --kind repository"));
    assert!(cmds[0].ends_with("< token.txt"), "{}", cmds[0]);
    assert!(cmds.iter().all(|c| !c.contains('#')), "{cmds:#?}");
}

#[test]
fn readme_using_it_runs_in_order() {
    let Some(w) = World::start("readme_using_it_runs_in_order") else {
        return;
    };
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let cmds = using_it_commands(&readme);

    let project = synthesize(ACCESS_PREFIX, 40);
    w.fake.add_token(
        &project,
        FakeToken {
            credential_type: "project_access_token".into(),
            scopes: vec!["repository".into(), "repository:write".into()],
            reach: Reach::Project {
                workspace: "acme".into(),
                project: "CORE".into(),
            },
            email: None,
            bot_id: Some("0f1e2d3c4b5a69788796a5b4".into()),
            quirks: Quirks::default(),
        },
    );
    let files = [
        ("token.txt", w.repo_token(10, "api", Quirks::default())),
        ("new.txt", w.repo_token(11, "api", Quirks::default())),
        ("workspace-token.txt", w.workspace_token(12)),
        ("project-token.txt", project),
        ("api-token.txt", w.api_token(13, "you@example.com")),
    ];
    let cwd = tempfile::tempdir().unwrap();
    for (name, tok) in &files {
        std::fs::write(cwd.path().join(name), format!("{tok}\n")).unwrap();
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_bbtoken")).parent().unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin_dir.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();

    for cmd in &cmds {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(cmd)
            .current_dir(cwd.path())
            .envs(w.envs())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env_remove("BBTOKEN_STORE")
            .env_remove("BBTOKEN_RETRY_429");
        let o = world::run_with_stdin(c, "");
        assert_eq!(
            code(&o),
            0,
            "README command failed: {cmd}\nstdout: {}\nstderr: {}",
            stdout(&o),
            stderr(&o)
        );
        if cmd == "bbtoken list" {
            // Ordered by name, as the full-screen app opens.
            let names: Vec<String> = stdout(&o)
                .lines()
                .skip(1)
                .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
                .collect();
            assert_eq!(
                names,
                ["ci-api", "core", "me", "platform"],
                "{}",
                stdout(&o)
            );
        }
        if cmd.starts_with("bbtoken commands platform --repo web") {
            assert!(stdout(&o).contains("acme/web"), "{}", stdout(&o));
        }
    }

    // The end state the block describes.
    let o = w.run(&["list"], "");
    assert!(!stdout(&o).contains("ci-api"), "{}", stdout(&o));
    let completions = w
        .keyring
        .home()
        .join(".local/share/bash-completion/completions/bbtoken");
    let script = std::fs::read_to_string(&completions).unwrap();
    assert!(
        script.contains("bbtoken"),
        "a completion script was written"
    );
    // The rotation stored the new token: the fake saw it.
    let new_tok = &files[1].1;
    assert!(
        w.fake.seen().iter().any(|r| r
            .authorization
            .as_deref()
            .is_some_and(|a| a.ends_with(new_tok.as_str()))),
        "the rotated token was validated"
    );
}
