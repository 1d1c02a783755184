//! The state file (validation outcomes and revisions) apart from the
//! profiles file: migration from the old format, where it lives, what a
//! write touches, and what happens to a broken one; where the files go when
//! the folder settings are empty or the working folder takes no files. Real
//! files, the built binary, and for the end-to-end cases the private keyring
//! and the fake Bitbucket.

mod common;
#[path = "common/world.rs"]
mod world;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use bbtoken::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::profile::{Outcome, Profile, Status, TokenKind};
use bbtoken::store::ProfileFile;
use bbtoken::token::{ACCESS_PREFIX, synthesize};
use bbtoken::validate::still_current;

/// A profiles file as bbtoken wrote it before the state file: outcomes and
/// revisions inline. `old` was last seen valid, then the network failed.
const OLD_FORMAT: &str = r#"# bbtoken profiles. Secrets are not here: they are in the OS credential store.

version = 1

[settings]
validate_on_start = false

[[profile]]
name = "old"
kind = "repository"
workspace = "acme"
repo = "api"
note = "kept by hand"
created = "2025-01-02T03:04:05Z"
revision = 3

[profile.last_validation]
status = "network_error"
message = "could not reach api.bitbucket.org"
checked_at = "2025-02-01T00:00:00Z"

[profile.last_conclusive]
status = "valid"
http_status = 200
scopes = ["repository"]
message = "the token works"
checked_at = "2025-01-31T00:00:00Z"

[[profile]]
name = "plain"
kind = "project"
workspace = "acme"
repo = "web"
project = "CORE"
created = "2025-01-03T00:00:00Z"
"#;

fn update(file: &ProfileFile, change: impl FnOnce(&mut bbtoken::store::profiles::Document)) {
    file.update(|d| {
        change(d);
        Ok::<_, ()>(())
    })
    .unwrap()
    .unwrap();
}

#[test]
fn old_format_outcomes_survive_migration_and_leave_the_profiles_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = ProfileFile::at(dir.path().to_path_buf());
    fs::write(file.path(), OLD_FORMAT).unwrap();
    // Read as before, untouched by a read.
    let before = file.load().unwrap();
    let old = before.find("old").unwrap().clone();
    assert_eq!(old.revision, 3);
    assert_eq!(
        old.last_validation.as_ref().unwrap().status,
        Status::NetworkError
    );
    assert_eq!(old.last_conclusive.as_ref().unwrap().status, Status::Valid);
    assert!(!file.state_path().exists());
    assert_eq!(fs::read_to_string(file.path()).unwrap(), OLD_FORMAT);

    // The first write, about something else, migrates.
    update(&file, |d| {
        d.profiles.push(Profile::new(
            "new",
            TokenKind::Repository,
            "acme",
            Some("x"),
        ))
    });
    let config = fs::read_to_string(file.path()).unwrap();
    for gone in [
        "last_validation",
        "last_conclusive",
        "revision",
        "checked_at",
    ] {
        assert!(!config.contains(gone), "{gone} is still in:\n{config}");
    }
    assert!(config.contains("kept by hand"), "{config}");
    assert!(config.contains("validate_on_start = false"), "{config}");
    let state = fs::read_to_string(file.state_path()).unwrap();
    assert!(
        state.contains("could not reach api.bitbucket.org"),
        "{state}"
    );

    // Nothing was lost: the same profile, outcomes and revision.
    let after = file.load().unwrap();
    assert_eq!(after.find("old"), Some(&old));
    assert_eq!(after.find("plain"), before.find("plain"));
    // A validation begun on the old file still records on the new one...
    assert!(still_current(&old, after.find("old").unwrap()));
    // ...and an inconclusive one still keeps the last conclusive verdict.
    update(&file, |d| {
        d.find_mut("old")
            .unwrap()
            .record(Outcome::bare(Status::RateLimited, "slow down", None))
    });
    let p = file.load().unwrap().find("old").cloned().unwrap();
    assert_eq!(p.last_validation.unwrap().status, Status::RateLimited);
    assert_eq!(p.last_conclusive.unwrap().message, "the token works");
    assert_eq!(p.revision, 3);
}

#[test]
fn recording_an_outcome_rewrites_only_the_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = ProfileFile::at(dir.path().to_path_buf());
    update(&file, |d| {
        d.profiles.push(Profile::new(
            "a",
            TokenKind::Repository,
            "acme",
            Some("api"),
        ))
    });
    let config = fs::read(file.path()).unwrap();
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).unwrap());
    let config_inode = inode(&file.path());
    update(&file, |d| {
        d.find_mut("a")
            .unwrap()
            .record(Outcome::bare(Status::Valid, "ok", None))
    });
    assert_eq!(fs::read(file.path()).unwrap(), config);
    assert_eq!(
        inode(&file.path()),
        config_inode,
        "profiles.toml was rewritten"
    );
    let p = file.load().unwrap().find("a").cloned().unwrap();
    assert_eq!(p.last_validation.unwrap().message, "ok");
}

#[cfg(unix)]
#[test]
fn state_file_and_folder_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = ProfileFile::at(dir.path().join("cfg"));
    update(&file, |d| {
        let mut p = Profile::new("a", TokenKind::Repository, "acme", Some("api"));
        p.record(Outcome::bare(Status::Valid, "ok", None));
        d.profiles.push(p)
    });
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file.state_path()), 0o600);
    assert_eq!(mode(file.state_path().parent().unwrap()), 0o700);
    assert!(dir.path().join("cfg/state/state.lock").exists());
}

#[test]
fn a_record_of_a_removed_and_re_added_profile_is_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let file = ProfileFile::at(dir.path().to_path_buf());
    let mut first = Profile::new("a", TokenKind::Repository, "acme", Some("api"));
    first.created = "2025-01-01T00:00:00Z".parse().unwrap();
    first.record(Outcome::bare(Status::Invalid, "revoked", None));
    first.revision = 7;
    update(&file, |d| d.profiles.push(first));
    // Removed and added again by hand: same name, another creation time.
    let text = fs::read_to_string(file.path())
        .unwrap()
        .replace("2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z");
    fs::write(file.path(), text).unwrap();
    let p = file.load().unwrap().find("a").cloned().unwrap();
    assert_eq!((p.last_validation, p.revision), (None, 0));
    // The orphan record is dropped by the next write.
    update(&file, |_| {});
    assert!(
        !fs::read_to_string(file.state_path())
            .unwrap()
            .contains("revoked")
    );
}

/// A broken state file (unparsable, or over the size cap) is reported, the
/// profiles still load, and the next write moves it aside instead of
/// dropping it.
#[test]
fn broken_state_is_reported_and_moved_aside_never_dropped() {
    for (what, bytes, cap) in [
        (
            "garbage",
            b"{\"version\": 1, \"profiles\": [ oops".to_vec(),
            None,
        ),
        ("too large", vec![b' '; 401], Some(400)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut file = ProfileFile::at(dir.path().to_path_buf());
        if let Some(cap) = cap {
            file = file.with_state_max_size(cap);
        }
        update(&file, |d| {
            d.profiles.push(Profile::new(
                "a",
                TokenKind::Repository,
                "acme",
                Some("api"),
            ))
        });
        fs::write(file.state_path(), &bytes).unwrap();
        let doc = file.load().unwrap();
        assert_eq!(doc.profiles.len(), 1, "{what}");
        let notices = file.take_notices();
        assert_eq!(notices.len(), 1, "{what}: {notices:?}");
        assert!(notices[0].contains("state.json"), "{what}: {notices:?}");
        assert!(
            notices[0].contains("state.json.broken"),
            "{what}: {notices:?}"
        );
        // Reading again does not move it.
        assert_eq!(fs::read(file.state_path()).unwrap(), bytes, "{what}");
        update(&file, |d| {
            d.find_mut("a")
                .unwrap()
                .record(Outcome::bare(Status::Valid, "ok", None))
        });
        let aside = file.state_path().with_file_name("state.json.broken");
        assert_eq!(fs::read(&aside).unwrap(), bytes, "{what}");
        let notices = file.take_notices();
        assert!(
            notices.iter().any(|n| n.contains("was moved to")),
            "{what}: {notices:?}"
        );
        let p = file.load().unwrap().find("a").cloned().unwrap();
        assert_eq!(p.last_validation.unwrap().message, "ok", "{what}");
        assert!(file.take_notices().is_empty(), "{what}");
    }
}

#[test]
fn list_warns_about_a_broken_state_file_and_still_lists() {
    let dir = tempfile::tempdir().unwrap();
    let file = ProfileFile::at(dir.path().to_path_buf());
    update(&file, |d| {
        d.profiles.push(Profile::new(
            "a",
            TokenKind::Repository,
            "acme",
            Some("api"),
        ))
    });
    fs::create_dir_all(file.state_path().parent().unwrap()).unwrap();
    fs::write(file.state_path(), "\x1b[31mnot json").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_bbtoken"))
        .arg("list")
        .env("BBTOKEN_CONFIG_DIR", dir.path())
        .env_remove("BBTOKEN_STATE_DIR")
        .env("BBTOKEN_STORE", "keyutils")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.contains('a'), "{out}");
    assert!(err.contains("state.json"), "{err}");
    assert!(!err.contains('\x1b'), "raw escape in: {err:?}");
}

/// Through the binary: `add` then `validate` with only BBTOKEN_CONFIG_DIR
/// keeps the state in `$BBTOKEN_CONFIG_DIR/state`; with BBTOKEN_STATE_DIR,
/// there; without either, in `$XDG_STATE_HOME/bbtoken`. profiles.toml never
/// holds the outcome.
#[test]
fn state_lives_where_the_environment_says() {
    let Some(keyring) = common::keyring_or_skip("state_lives_where_the_environment_says") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(FakeBitbucket::start()).unwrap();
    fake.add_repo(FakeRepo::new("acme", "api", "CORE"));
    let root = tempfile::tempdir().unwrap();
    let cases = [
        ("config-only", true, None, "cfg-config-only/state"),
        ("state-dir", true, Some("elsewhere"), "elsewhere"),
        ("xdg", false, None, "xdg-state/bbtoken"),
    ];
    for (i, (case, with_config, state_dir, expected)) in cases.into_iter().enumerate() {
        let token = synthesize(ACCESS_PREFIX, 500 + i as u32);
        fake.add_token(
            &token,
            FakeToken {
                credential_type: "repo_access_token".into(),
                scopes: vec!["repository".into()],
                reach: Reach::Repo {
                    workspace: "acme".into(),
                    slug: "api".into(),
                },
                email: None,
                bot_id: None,
                quirks: Quirks::default(),
            },
        );
        let name = format!("p-{case}");
        let config = root.path().join(format!("cfg-{case}"));
        let run = |args: &[&str], stdin: &str| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_bbtoken"));
            c.args(args)
                .envs(keyring.envs())
                .env("XDG_STATE_HOME", root.path().join("xdg-state"))
                .env(
                    "XDG_CONFIG_HOME",
                    root.path().join(format!("xdg-config-{case}")),
                )
                .env("BBTOKEN_API_URL", fake.api_url())
                .env("NO_COLOR", "1")
                .env_remove("BBTOKEN_STORE")
                .env_remove("BBTOKEN_CONFIG_DIR")
                .env_remove("BBTOKEN_STATE_DIR")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            if with_config {
                c.env("BBTOKEN_CONFIG_DIR", &config);
            }
            if let Some(s) = state_dir {
                c.env("BBTOKEN_STATE_DIR", root.path().join(s));
            }
            let mut child = c.spawn().unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(stdin.as_bytes())
                .unwrap();
            let o = child.wait_with_output().unwrap();
            assert!(
                o.status.success(),
                "{case}: {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        };
        run(
            &["add", &name, "-k", "repository", "-w", "acme", "-r", "api"],
            &format!("{token}\n"),
        );
        run(&["validate", &name], "");
        let state = root.path().join(expected).join("state.json");
        let text = fs::read_to_string(&state)
            .unwrap_or_else(|e| panic!("{case}: {}: {e}", state.display()));
        assert!(
            text.contains(&name) && text.contains("\"valid\""),
            "{case}: {text}"
        );
        assert!(
            !text.contains(&token[10..]),
            "{case}: the token reached the state file"
        );
        let profiles = if with_config {
            config.join("profiles.toml")
        } else {
            root.path()
                .join(format!("xdg-config-{case}"))
                .join("bbtoken/profiles.toml")
        };
        let toml = fs::read_to_string(&profiles).unwrap();
        assert!(toml.contains(&name), "{case}: {toml}");
        assert!(!toml.contains("last_validation"), "{case}: {toml}");
    }
}

/// The built binary with the world's keyring and fake Bitbucket, but its
/// own HOME and XDG folders under `home`, started in `cwd`.
fn run_at(
    w: &world::World,
    home: &Path,
    cwd: &Path,
    env: &[(&str, &str)],
    args: &[&str],
    stdin: &str,
) {
    let mut c = w.cmd(args);
    c.current_dir(cwd)
        .env_remove("BBTOKEN_CONFIG_DIR")
        .env_remove("BBTOKEN_STATE_DIR")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .envs(env.iter().copied());
    let o = world::run_with_stdin(c, stdin);
    assert_eq!(world::code(&o), 0, "{args:?}: {}", world::stderr(&o));
}

/// `BBTOKEN_CONFIG_DIR=""` and `BBTOKEN_STATE_DIR=""` (as a shell's
/// `export BBTOKEN_CONFIG_DIR=` leaves them) count as unset: the profiles go
/// to the default config folder under HOME and the state to the default
/// state folder, not into the folder bbtoken was started in.
#[test]
fn empty_folder_settings_count_as_unset() {
    let Some(w) = world::World::start("empty_folder_settings_count_as_unset") else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let (home, cwd) = (root.path().join("home"), root.path().join("cwd"));
    fs::create_dir(&home).unwrap();
    fs::create_dir(&cwd).unwrap();
    let token = w.repo_token(700, "api", Quirks::default());
    let empty = [("BBTOKEN_CONFIG_DIR", ""), ("BBTOKEN_STATE_DIR", "")];
    run_at(
        &w,
        &home,
        &cwd,
        &empty,
        &["add", "p", "-k", "repository", "-w", "acme", "-r", "api"],
        &format!("{token}\n"),
    );
    run_at(&w, &home, &cwd, &empty, &["validate", "p"], "");
    let profiles = home.join(".config/bbtoken/profiles.toml");
    let toml =
        fs::read_to_string(&profiles).unwrap_or_else(|e| panic!("{}: {e}", profiles.display()));
    assert!(toml.contains("name = \"p\""), "{toml}");
    let state = home.join(".local/state/bbtoken/state.json");
    let json = fs::read_to_string(&state).unwrap_or_else(|e| panic!("{}: {e}", state.display()));
    assert!(
        json.contains("\"p\"") && json.contains("\"valid\""),
        "{json}"
    );
    assert_eq!(
        world::walk(&cwd),
        Vec::<std::path::PathBuf>::new(),
        "written in the working directory"
    );
}

/// Every write goes through a temporary file beside its target, never in
/// the working directory: bbtoken started in a folder where no file can be
/// made (here /proc, which refuses new files even to root) still adds,
/// validates and records.
#[cfg(target_os = "linux")]
#[test]
fn writes_work_from_a_folder_that_takes_no_files() {
    let Some(w) = world::World::start("writes_work_from_a_folder_that_takes_no_files") else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let token = w.repo_token(701, "api", Quirks::default());
    let proc = Path::new("/proc");
    run_at(
        &w,
        root.path(),
        proc,
        &[],
        &["add", "p", "-k", "repository", "-w", "acme", "-r", "api"],
        &format!("{token}\n"),
    );
    run_at(&w, root.path(), proc, &[], &["validate", "p"], "");
    let toml = fs::read_to_string(root.path().join(".config/bbtoken/profiles.toml")).unwrap();
    assert!(toml.contains("name = \"p\""), "{toml}");
    let json = fs::read_to_string(root.path().join(".local/state/bbtoken/state.json")).unwrap();
    assert!(json.contains("\"valid\""), "{json}");
}
