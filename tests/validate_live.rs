//! `bbtoken validate` on a terminal: each result shows as it arrives, a
//! progress line on stderr says what is still awaited, and nothing of it is
//! left on the screen at the end. Piped output stays whole and plain.
//! The built binary on a real PTY, a real private keyring, the fake Bitbucket
//! with one slow repository.

mod common;
#[path = "common/world.rs"]
mod world;

use std::time::Duration;

use bbtoken::fakebb::{FakeRepo, Quirks};
use world::{World, code, stderr, stdout};

const SLOW: Duration = Duration::from_secs(3);

fn setup(test: &str) -> Option<World> {
    let w = World::start(test)?;
    w.fake.add_repo(FakeRepo::new("acme", "slow", "CORE"));
    let fast = w.repo_token(1, "api", Quirks::default());
    let slow = w.repo_token(
        2,
        "slow",
        Quirks {
            delay: Some(SLOW),
            ..Quirks::default()
        },
    );
    for (name, slug, tok) in [("fast", "api", &fast), ("slowpoke", "slow", &slow)] {
        let o = w.run(
            &[
                "add",
                name,
                "--kind",
                "repository",
                "--workspace",
                "acme",
                "--repo",
                slug,
            ],
            &format!("{tok}\n"),
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    Some(w)
}

#[test]
fn validate_on_a_terminal_streams_results_under_a_progress_line() {
    let Some(w) = setup("validate_on_a_terminal_streams_results_under_a_progress_line") else {
        return;
    };
    let run = w.pty(&["validate"], 30, 120);
    let raw = String::from_utf8_lossy(&run.bytes()).into_owned();
    assert_eq!(run.code, 0, "{raw}");

    // The fast result was on screen before the slow answer was sent.
    let slow_request = w
        .fake
        .seen()
        .into_iter()
        .find(|r| r.path.ends_with("/acme/slow"))
        .expect("the slow repository was asked");
    let slow_answer_sent = slow_request.at + SLOW;
    let fast_shown = run.first_seen("fast").expect("the fast result is shown");
    assert!(
        fast_shown < slow_answer_sent,
        "the fast result came {:?} after the slow answer was sent: {raw:?}",
        fast_shown.duration_since(slow_answer_sent)
    );

    // A progress line was shown, naming what is awaited and how many are done.
    assert!(raw.contains("1/2 checked"), "{raw:?}");
    assert!(raw.contains("waiting on slowpoke"), "{raw:?}");

    // The final screen holds the two results and no trace of the progress line.
    let screen = run.screen(30, 120);
    assert!(!screen.contains("checked"), "{screen}");
    assert!(!screen.contains("waiting on"), "{screen}");
    // Result lines start at column 0; their warnings are indented under them.
    let lines: Vec<&str> = screen
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with(' '))
        .collect();
    assert_eq!(lines.len(), 2, "{screen:?}");
    assert!(lines[0].starts_with("fast "), "{screen}");
    assert!(lines[1].starts_with("slowpoke "), "{screen}");
    assert!(lines.iter().all(|l| l.contains("✓ valid")), "{screen}");
}

/// Piped: the results come whole at the end, in the order of the profiles,
/// and stderr stays empty (no progress line).
#[test]
fn validate_piped_prints_whole_and_plain() {
    let Some(w) = setup("validate_piped_prints_whole_and_plain") else {
        return;
    };
    let o = w.run(&["validate", "slowpoke", "fast"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(lines.len(), 2, "{out:?}");
    assert!(lines[0].starts_with("slowpoke  "), "{out}");
    assert!(lines[1].starts_with("fast      "), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\r'), "{out:?}");
}
