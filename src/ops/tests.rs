//! The write path's rules, one by one, over a real profiles file in a
//! temporary directory and the in-memory secret store (the demo's store:
//! real code, no mock). A failed file write is produced the real way: a size
//! cap the change would cross. Found by `cargo mutants` (README,
//! Development): each test here turns a surviving mutant red.

use super::*;
use crate::profile::TokenKind;
use std::sync::atomic::{AtomicUsize, Ordering};

struct World {
    _dir: tempfile::TempDir,
    file: ProfileFile,
    secrets: SecretStore,
    ops: Ops,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let file = ProfileFile::at(dir.path().to_path_buf());
    let secrets = SecretStore::memory();
    World {
        ops: Ops::new(file.clone(), secrets.clone()),
        file,
        secrets,
        _dir: dir,
    }
}

impl World {
    /// The same profiles file, with its size cap at its current size plus
    /// `room` bytes: a change that grows it more cannot be written.
    fn capped(&self, room: u64) -> Ops {
        let size = std::fs::metadata(self.file.path()).unwrap().len();
        Ops::new(
            self.file.clone().with_max_size(size + room),
            self.secrets.clone(),
        )
    }

    async fn secret(&self, name: &str) -> Option<String> {
        match self.secrets.get(name).await {
            Ok(s) => Some(s.expose().to_string()),
            Err(StoreError::Missing { .. }) => None,
            Err(e) => panic!("{e}"),
        }
    }

    fn saved(&self, name: &str) -> Option<Profile> {
        self.file.load().unwrap().find(name).cloned()
    }
}

fn repo(name: &str) -> Profile {
    Profile::new(name, TokenKind::Repository, "acme", Some("api"))
}

fn outcome(status: Status) -> Outcome {
    Outcome::bare(status, format!("checked: {status}"), None)
}

fn note(text: &str) -> impl Fn(&Profile) -> Result<Profile, String> + Send + Sync + '_ {
    move |p| {
        Ok(Profile {
            note: Some(text.into()),
            ..p.clone()
        })
    }
}

/// A profile saved with a valid outcome recorded at revision 0.
async fn added(w: &World, name: &str, token: &str) -> Profile {
    w.ops.add(repo(name), &Secret::new(token)).await.unwrap();
    w.file
        .update(|d| {
            d.find_mut(name).unwrap().record(outcome(Status::Valid));
            Ok::<_, ()>(())
        })
        .unwrap()
        .unwrap();
    w.saved(name).unwrap()
}

#[tokio::test]
async fn add_stores_the_secret_and_the_profile() {
    let w = world();
    let saved = w.ops.add(repo("a"), &Secret::new("tok-a")).await.unwrap();
    assert_eq!(saved.name, "a");
    assert_eq!(w.secret("a").await.as_deref(), Some("tok-a"));
    assert_eq!(w.saved("a").unwrap().workspace, "acme");
}

#[tokio::test]
async fn add_refuses_an_incomplete_profile_and_stores_nothing() {
    let w = world();
    let no_repo = Profile::new("b", TokenKind::Repository, "acme", None);
    let e = w.ops.add(no_repo, &Secret::new("tok-b")).await.unwrap_err();
    assert!(matches!(e, OpError::Invalid { .. }), "{e:?}");
    assert!(e.to_string().contains("needs --repo"), "{e}");
    assert_eq!(w.secret("b").await, None);
    assert!(w.saved("b").is_none());
}

#[tokio::test]
async fn failed_add_puts_back_the_entry_it_overwrote() {
    let w = world();
    added(&w, "first", "tok-1").await;
    w.secrets
        .set("orphan", &Secret::new("left-by-another-tool"))
        .await
        .unwrap();
    let e = w
        .capped(10)
        .add(repo("orphan"), &Secret::new("tok-new"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, OpError::ProfileWrite { rollback: None, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("put back as it was"), "{e}");
    assert_eq!(
        w.secret("orphan").await.as_deref(),
        Some("left-by-another-tool")
    );

    // With no earlier entry, putting back means deleting.
    let e = w
        .capped(10)
        .add(repo("fresh"), &Secret::new("tok-fresh"))
        .await
        .unwrap_err();
    assert!(matches!(e, OpError::ProfileWrite { .. }), "{e:?}");
    assert_eq!(w.secret("fresh").await, None);
}

#[tokio::test]
async fn an_edit_that_keeps_the_reach_keeps_the_outcome() {
    let w = world();
    let before = added(&w, "p", "tok").await;
    let u = w.ops.update("p", note("hello"), None).await.unwrap();
    assert!(!u.outcome_dropped);
    let after = w.saved("p").unwrap();
    assert_eq!(after.note.as_deref(), Some("hello"));
    assert_eq!(after.revision, before.revision);
    assert_eq!(after.last_validation, before.last_validation);
    assert!(after.last_validation.is_some());
}

#[tokio::test]
async fn an_edit_of_a_profile_without_secret_needs_none() {
    let w = world();
    added(&w, "p", "tok").await;
    w.secrets.delete("p").await.unwrap();
    w.ops.update("p", note("x"), None).await.unwrap();
    assert_eq!(w.secret("p").await, None, "nothing was stored");
}

#[tokio::test]
async fn a_new_reach_or_a_new_secret_drops_the_outcome_and_bumps_the_revision() {
    let w = world();
    let before = added(&w, "p", "tok").await;
    let elsewhere = |p: &Profile| {
        Ok(Profile {
            workspace: "other".into(),
            ..p.clone()
        })
    };
    let u = w.ops.update("p", elsewhere, None).await.unwrap();
    assert!(u.outcome_dropped);
    let after = w.saved("p").unwrap();
    assert_eq!(after.revision, before.revision + 1);
    assert_eq!(after.last_validation, None);

    let u = w
        .ops
        .update("p", note("rotated"), Some(&Secret::new("tok-2")))
        .await
        .unwrap();
    assert!(u.outcome_dropped);
    assert_eq!(w.saved("p").unwrap().revision, before.revision + 2);
    assert_eq!(w.secret("p").await.as_deref(), Some("tok-2"));
}

#[tokio::test]
async fn rename_moves_the_secret() {
    let w = world();
    added(&w, "old", "tok").await;
    let rename = |p: &Profile| {
        Ok(Profile {
            name: "new".into(),
            ..p.clone()
        })
    };
    let u = w.ops.update("old", rename, None).await.unwrap();
    assert!(u.old_entry_left.is_none());
    assert!(w.saved("old").is_none());
    assert_eq!(w.saved("new").unwrap().name, "new");
    assert_eq!(w.secret("new").await.as_deref(), Some("tok"));
    assert_eq!(w.secret("old").await, None);
}

#[tokio::test]
async fn failed_rotation_write_keeps_the_old_token() {
    let w = world();
    // No outcome recorded: dropping it would shrink the file.
    w.ops.add(repo("p"), &Secret::new("tok-old")).await.unwrap();
    let e = w
        .capped(0)
        .update(
            "p",
            note("a note that grows the file"),
            Some(&Secret::new("tok-new")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, OpError::ProfileWrite { rollback: None, .. }),
        "{e:?}"
    );
    assert_eq!(w.secret("p").await.as_deref(), Some("tok-old"));
}

#[tokio::test]
async fn rotate_checked_replaces_only_a_token_that_passed() {
    let w = world();
    added(&w, "p", "tok-old").await;

    let e = w
        .ops
        .rotate_checked(
            "p",
            note("n"),
            &Secret::new("tok-bad"),
            |_| async { outcome(Status::Invalid) },
            false,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, OpError::Rejected { .. }), "{e:?}");
    assert_eq!(w.secret("p").await.as_deref(), Some("tok-old"));

    let c = w
        .ops
        .rotate_checked(
            "p",
            note("n"),
            &Secret::new("tok-good"),
            |_| async { outcome(Status::Valid) },
            false,
        )
        .await
        .unwrap();
    assert!(c.accepted);
    assert_eq!(w.secret("p").await.as_deref(), Some("tok-good"));
    let saved = w.saved("p").unwrap();
    assert_eq!(saved.last_validation.unwrap().message, "checked: valid");

    let c = w
        .ops
        .rotate_checked(
            "p",
            note("n"),
            &Secret::new("tok-forced"),
            |_| async { outcome(Status::Invalid) },
            true,
        )
        .await
        .unwrap();
    assert!(!c.accepted);
    assert_eq!(w.secret("p").await.as_deref(), Some("tok-forced"));
    assert_eq!(
        w.saved("p").unwrap().last_validation.unwrap().status,
        Status::Invalid
    );
}

/// The check runs before the lock: a change made meanwhile decides whether
/// its outcome still speaks for what is saved.
#[tokio::test]
async fn rotate_checked_does_not_record_a_check_made_for_something_else() {
    let w = world();
    added(&w, "p", "tok-old").await;
    // Another process moves the profile to another workspace during the check.
    let moved = |_| async {
        w.file
            .update(|d| {
                d.find_mut("p").unwrap().workspace = "moved".into();
                Ok::<_, ()>(())
            })
            .unwrap()
            .unwrap();
        outcome(Status::Valid)
    };
    w.ops
        .rotate_checked("p", note("n"), &Secret::new("tok-2"), moved, false)
        .await
        .unwrap();
    assert_eq!(w.saved("p").unwrap().last_validation, None);

    // A change that names the profile differently the second time it runs
    // (it is handed what is on disk, which may differ): same reach, other
    // name, so the check is not for it.
    let calls = AtomicUsize::new(0);
    let renames_later = |p: &Profile| {
        let name = if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            p.name.clone()
        } else {
            "q".to_string()
        };
        Ok(Profile { name, ..p.clone() })
    };
    w.ops
        .rotate_checked(
            "p",
            renames_later,
            &Secret::new("tok-3"),
            |_| async { outcome(Status::Valid) },
            false,
        )
        .await
        .unwrap();
    assert_eq!(w.saved("q").unwrap().last_validation, None);
}

#[tokio::test]
async fn remove_deletes_only_that_profile_and_its_secret() {
    let w = world();
    added(&w, "a", "tok-a").await;
    added(&w, "b", "tok-b").await;
    let r = w.ops.remove("a").await.unwrap();
    assert!(r.had_secret);
    assert!(w.saved("a").is_none());
    assert!(w.saved("b").is_some());
    assert_eq!(w.secret("a").await, None);
    assert_eq!(w.secret("b").await.as_deref(), Some("tok-b"));
}

#[test]
fn each_error_says_what_was_left_changed() {
    let failed = || StoreError::Failed {
        backend: "test",
        detail: "gone".into(),
    };
    let write = || Box::new(ConfigError::NoConfigDir);
    let cases = [
        (
            OpError::ProfileWrite {
                name: "p".into(),
                source: write(),
                rollback: None,
            },
            "put back as it was",
        ),
        (
            OpError::ProfileWrite {
                name: "p".into(),
                source: write(),
                rollback: Some(failed()),
            },
            "could not be put back",
        ),
        (
            OpError::RemoveWrite {
                name: "p".into(),
                source: write(),
                restored: None,
            },
            "its secret was stored again",
        ),
        (
            OpError::RemoveWrite {
                name: "p".into(),
                source: write(),
                restored: Some(failed()),
            },
            "stays without a token",
        ),
        (
            OpError::StoreWrite { source: failed() },
            "run the command again",
        ),
        (OpError::Exists { name: "p".into() }, "nothing was changed"),
    ];
    for (e, says) in cases {
        assert!(e.to_string().contains(says), "{e}");
    }
}
