//! A hostile server (src/fakebb.rs `Quirks::hostile`): terminal escapes in
//! every field and header bbtoken reads, option-like and refspec-like branch
//! names, C1 and bidi characters. The built binary runs `validate`, `show`,
//! `list` and `commands` on a real PTY against a real private gnome-keyring,
//! and the RAW bytes are checked: the only escape sequences are SGR colours.
//! `--json` is checked for exact, clean data; a closed stdout must end the
//! program quietly; the TUI buffer must hold no control character.

mod common;
#[path = "common/world.rs"]
mod world;

use std::process::Stdio;

use bbtoken::app::{Action, App, update};
use bbtoken::bitbucket::classify::{Answer, classify};
use bbtoken::fakebb::{FakeRepo, HOSTILE_BRANCHES, HOSTILE_TEXT, Hostile, Quirks};
use bbtoken::gitcmd::Endpoints;
use bbtoken::profile::{Outcome, Profile, RateLimit, Status, TokenKind};
use bbtoken::store::profiles::{Document, Settings};
use bbtoken::text::is_unsafe;
use world::{World, code, stderr};

/// The shared world with a profile for each hostile answer.
struct HostileWorld {
    base: World,
    names: Vec<String>,
}

impl std::ops::Deref for HostileWorld {
    type Target = World;
    fn deref(&self) -> &World {
        &self.base
    }
}

/// The hostile answers, one profile each.
fn scenarios() -> Vec<(String, Hostile)> {
    let mut v: Vec<(String, Hostile)> = HOSTILE_BRANCHES
        .iter()
        .enumerate()
        .map(|(i, b)| (format!("branch-{i}"), Hostile::new(b)))
        .collect();
    v.push((
        "redirect".into(),
        Hostile {
            redirect: true,
            ..Hostile::new("main")
        },
    ));
    v.push((
        "endless".into(),
        Hostile {
            endless_body: true,
            ..Hostile::new("main")
        },
    ));
    for (status, object) in [
        (401, false),
        (403, true),
        (403, false),
        (404, false),
        (500, false),
        (418, true),
    ] {
        v.push((
            format!("error-{status}-{}", if object { "obj" } else { "str" }),
            Hostile::error(status, object),
        ));
    }
    v
}

impl HostileWorld {
    fn start(test: &str) -> Option<HostileWorld> {
        let base = World::with_repos(test, [FakeRepo::new("acme", "api", "CORE")])?;
        let mut names = Vec::new();
        for (i, (name, hostile)) in scenarios().into_iter().enumerate() {
            let quirks = Quirks {
                hostile: Some(hostile),
                ..Quirks::default()
            };
            let token = base.repo_token_with(900 + i as u32, "api", &["repository"], None, quirks);
            let out = base.run(
                &["add", &name, "-k", "repository", "-w", "acme", "-r", "api"],
                &token,
            );
            assert_eq!(code(&out), 0, "add {name}: {}", stderr(&out));
            names.push(name);
        }
        Some(HostileWorld { base, names })
    }

    /// Runs bbtoken on a fresh PTY (colour on: it is a terminal) and returns
    /// every byte it wrote, stdout and stderr together, and its exit code.
    fn pty(&self, args: &[&str]) -> (Vec<u8>, u32) {
        let run = self.base.pty(args, 50, 200);
        (run.bytes(), run.code)
    }
}

/// The raw bytes hold no escape sequence but SGR colour (`ESC [ digits;… m`),
/// no other C0 control but the PTY's CR LF, no DEL, no C1, no bidi control;
/// the one exception is the progress line's own redraw (CR, ESC [ 2 K).
fn assert_only_sgr(what: &str, raw: &[u8]) {
    let text = std::str::from_utf8(raw).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\u{1b}' {
            let mut j = i + 1;
            assert_eq!(
                chars.get(j),
                Some(&'['),
                "{what}: ESC not opening CSI at {i}: {text:?}"
            );
            j += 1;
            while chars
                .get(j)
                .is_some_and(|c| c.is_ascii_digit() || *c == ';')
            {
                j += 1;
            }
            // The progress line of `validate` (indicatif) redraws itself with
            // CR and "erase line" (ESC [ 2 K); nothing else but SGR.
            let erase = chars.get(j) == Some(&'K') && chars[i + 2..j] == ['2'];
            assert!(
                chars.get(j) == Some(&'m') || erase,
                "{what}: CSI other than SGR or erase-line at {i}: {text:?}"
            );
            i = j + 1;
            continue;
        }
        if c == '\r' && chars.get(i + 1) == Some(&'\n') {
            i += 1;
            continue;
        }
        // A lone CR only right before the progress line's erase-line.
        if c == '\r' && chars[i + 1..].starts_with(&['\u{1b}', '[', '2', 'K']) {
            i += 1;
            continue;
        }
        assert!(
            c == '\n' || !is_unsafe(c),
            "{what}: control {:?} at {i}: {text:?}",
            c
        );
        i += 1;
    }
}

/// No line with a git command carries a hostile branch name (the warning
/// that names the rejected value, escaped, is not a command).
fn assert_no_hostile_command(screen: &str) {
    for line in screen.lines().filter(|l| l.contains("git ")) {
        for bad in ["--mirror", "+refs", "touch /tmp/x", "201~"] {
            assert!(
                !line.contains(bad),
                "{bad:?} in a command: {line}\n{screen}"
            );
        }
    }
}

/// Every string in a JSON document is free of control characters.
fn assert_clean_json(what: &str, v: &serde_json::Value) {
    match v {
        serde_json::Value::String(s) => assert!(!s.chars().any(is_unsafe), "{what}: {s:?}"),
        serde_json::Value::Array(a) => a.iter().for_each(|x| assert_clean_json(what, x)),
        serde_json::Value::Object(m) => m.values().for_each(|x| assert_clean_json(what, x)),
        _ => {}
    }
}

#[test]
fn hostile_server_never_reaches_the_terminal() {
    let Some(w) = HostileWorld::start("hostile_server_never_reaches_the_terminal") else {
        return;
    };
    let (raw, code) = w.pty(&["validate"]);
    assert_eq!(
        code,
        1,
        "some answers are errors: {}",
        String::from_utf8_lossy(&raw)
    );
    assert_only_sgr("validate", &raw);
    let shown = String::from_utf8_lossy(&raw);
    assert!(shown.contains("\u{1b}["), "colour is on, on a terminal");
    assert!(
        shown.contains("\\u{1b}]52"),
        "the hostile text is shown, escaped: {shown}"
    );
    // The endless body was cut off; the redirect was not followed.
    assert!(shown.contains("larger than"), "{shown}");
    assert!(shown.contains("redirected (301)"), "{shown}");

    for name in &w.names {
        let (raw, code) = w.pty(&["show", name]);
        assert_eq!(code, 0, "show {name}: {}", String::from_utf8_lossy(&raw));
        assert_only_sgr(&format!("show {name}"), &raw);
        let (raw, _) = w.pty(&["commands", name]);
        assert_only_sgr(&format!("commands {name}"), &raw);
        assert_no_hostile_command(&String::from_utf8_lossy(&raw));
    }
    let (raw, code) = w.pty(&["list"]);
    assert_eq!(code, 0);
    assert_only_sgr("list", &raw);

    // The branch-name scenarios recorded a warning and no usable branch.
    let (raw, _) = w.pty(&["show", "branch-1"]);
    let shown = String::from_utf8_lossy(&raw);
    assert!(shown.contains("will not put in a command"), "{shown}");

    // --json: exact data, and no control character in it.
    for args in [
        vec!["list", "--json"],
        vec!["validate", "--json"],
        vec!["show", "error-403-obj", "--json"],
        vec!["show", "branch-0", "--json"],
    ] {
        let out = w.cmd(&args).stdin(Stdio::null()).output().unwrap();
        assert!(!out.stdout.contains(&0x1b), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
        assert_clean_json(&format!("{args:?}"), &v);
        assert!(!out.stderr.contains(&0x1b), "{args:?}");
    }

    // The files hold the cleaned outcomes only: the state file (where the
    // outcomes are) and the profiles file.
    let state = std::fs::read_to_string(w.config.path().join("state/state.json")).unwrap();
    assert!(
        state.contains("error-403-obj"),
        "no outcomes recorded: {state}"
    );
    for name in ["profiles.toml", "state/state.json"] {
        let file = std::fs::read_to_string(w.config.path().join(name)).unwrap();
        assert!(!file.chars().any(|c| c != '\n' && is_unsafe(c)), "{file}");
        assert!(
            !file.contains("\\u001b") && !file.contains("\\u001B"),
            "{file}"
        );
    }
}

#[test]
fn closed_stdout_ends_quietly() {
    let Some(w) = HostileWorld::start("closed_stdout_ends_quietly") else {
        return;
    };
    for args in [
        vec!["list", "--json"],
        vec!["list"],
        vec!["show", "branch-0"],
        vec!["show", "branch-0", "--json"],
        vec!["validate", "--json", "branch-0"],
        vec!["commands", "branch-0"],
        vec!["completions", "bash"],
    ] {
        // A pipe whose reading end is already closed: the first write fails
        // with EPIPE, as under `| head -c1` once head has gone.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = w
            .cmd(&args)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The TUI shows outcomes made from hostile answers, and profiles loaded
/// from a file: no cell of the rendered buffer holds a control character.
#[test]
fn tui_shows_no_control_character() {
    let mut profiles = Vec::new();
    for (i, (name, hostile)) in scenarios().into_iter().enumerate() {
        let mut p = Profile::new(&name, TokenKind::Repository, "acme", Some("api"));
        p.project = Some("CORE".into());
        let body = match hostile.error_status {
            None => serde_json::json!({
                "full_name": format!("acme/api{HOSTILE_TEXT}"),
                "mainbranch": {"name": hostile.branch},
                "project": {"key": format!("P{HOSTILE_TEXT}")},
            }),
            Some(_) => {
                serde_json::json!({"error": {"message": HOSTILE_TEXT, "detail": HOSTILE_TEXT}})
            }
        };
        let answer = Answer {
            status: if hostile.redirect {
                301
            } else {
                hostile.error_status.unwrap_or(200)
            },
            scopes: Some(format!("repository, {HOSTILE_TEXT}")),
            accepted_scopes: Some(HOSTILE_TEXT.into()),
            credential_type: Some(HOSTILE_TEXT.into()),
            rate_limit: Some(RateLimit {
                limit: Some(1),
                resource: Some(HOSTILE_TEXT.into()),
                near_limit: Some(true),
            }),
            location: hostile.redirect.then(|| HOSTILE_TEXT.into()),
            body: body.to_string().into_bytes(),
        };
        let o: Outcome = classify(&p, &answer);
        if i == 0 {
            assert_eq!(o.status, Status::Valid);
        }
        p.last_validation = Some(o);
        profiles.push(p);
    }
    let mut app = App::new(Endpoints::default(), "secret-service", chrono::Utc::now());
    update(
        &mut app,
        Action::Loaded(Ok(Document {
            version: 1,
            settings: Settings {
                validate_on_start: false,
                ..Settings::default()
            },
            profiles: profiles.clone(),
        })),
    );
    let mut screens = 0;
    for i in 0..profiles.len() {
        update(&mut app, Action::Select(i));
        for overlay in [false, true] {
            if overlay {
                update(&mut app, Action::OpenCommands);
            }
            let mut t =
                ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 50)).unwrap();
            t.draw(|f| bbtoken::ui::render(f, &app, &bbtoken::ui::Theme::plain()))
                .unwrap();
            let buf = t.backend().buffer();
            let mut all = String::new();
            for y in 0..buf.area.height {
                for x in 0..buf.area.width {
                    let sym = buf[(x, y)].symbol();
                    assert!(
                        !sym.chars().any(is_unsafe),
                        "cell ({x},{y}) holds {sym:?} (profile {i}, overlay {overlay})"
                    );
                    all.push_str(sym);
                }
                all.push('\n');
            }
            assert_no_hostile_command(&all);
            screens += 1;
            if overlay {
                update(&mut app, Action::Back);
            }
        }
    }
    assert_eq!(screens, profiles.len() * 2);
}
