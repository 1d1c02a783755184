//! The TUI's save and delete effects over real parts: a profiles file in a
//! temporary directory and the in-memory secret store. A profiles file that
//! cannot be parsed is a real way for the profile write to fail.

use bbtoken::app::{FormKind, SaveError, SaveRequest};
use bbtoken::bitbucket::{ApiConfig, Client};
use bbtoken::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::gitcmd::Endpoints;
use bbtoken::profile::{Profile, TokenKind};
use bbtoken::secret::Secret;
use bbtoken::store::{ProfileFile, SecretStore, StoreError};
use bbtoken::tui::clipboard::Clipboard;
use bbtoken::tui::effects::{Services, delete, save};
use bbtoken::validate::Validator;

fn services(dir: &std::path::Path) -> Services {
    let secrets = SecretStore::memory();
    Services {
        profiles: ProfileFile::at(dir.to_path_buf()),
        validator: Validator::new(Client::new(ApiConfig::default()).unwrap(), secrets.clone()),
        secrets,
        endpoints: Endpoints::default(),
        clipboard: Clipboard::osc52_only(),
    }
}

/// Services whose validator talks to a fake Bitbucket on loopback that
/// knows acme/web and accepts `tokens` as repository tokens for it: a
/// rotation checks the new token there before it replaces the old one.
async fn services_with_fake(dir: &std::path::Path, tokens: &[&str]) -> (Services, FakeBitbucket) {
    let fake = FakeBitbucket::start().await.unwrap();
    fake.add_repo(FakeRepo::new("acme", "web", "CORE"));
    for t in tokens {
        fake.add_token(
            t,
            FakeToken {
                credential_type: "repo_access_token".into(),
                scopes: vec!["repository".into(), "repository:write".into()],
                reach: Reach::Repo {
                    workspace: "acme".into(),
                    slug: "web".into(),
                },
                email: None,
                bot_id: None,
                quirks: Quirks::default(),
            },
        );
    }
    let mut svc = services(dir);
    let api = ApiConfig {
        base: fake.api_url(),
        ..ApiConfig::default()
    };
    svc.validator = Validator::new(Client::new(api).unwrap(), svc.secrets.clone());
    (svc, fake)
}

fn profile(name: &str) -> Profile {
    Profile::new(name, TokenKind::Repository, "acme", Some("web"))
}

fn add(p: &Profile, token: &str) -> SaveRequest {
    SaveRequest {
        kind: FormKind::Add,
        profile: p.clone(),
        token: Some(Secret::new(token)),
    }
}

fn break_file(svc: &Services) {
    std::fs::write(svc.profiles.path(), "this is = not [toml").unwrap();
}

#[tokio::test]
async fn add_saves_secret_and_profile() {
    let dir = tempfile::tempdir().unwrap();
    let svc = services(dir.path());
    let saved = save(&svc, add(&profile("web"), "tok-1")).await.unwrap();
    assert_eq!(saved.profile.name, "web");
    assert_eq!(svc.secrets.get("web").await.unwrap().expose(), "tok-1");
    assert!(svc.profiles.load().unwrap().find("web").is_some());
    // The same name again is refused, and the stored secret is kept.
    let err = save(&svc, add(&profile("web"), "tok-2")).await.unwrap_err();
    assert!(matches!(err, SaveError::Refused(_)), "{err:?}");
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(svc.secrets.get("web").await.unwrap().expose(), "tok-1");
}

#[tokio::test]
async fn failed_add_removes_the_new_secret() {
    let dir = tempfile::tempdir().unwrap();
    let svc = services(dir.path());
    break_file(&svc);
    let err = save(&svc, add(&profile("web"), "tok-1")).await.unwrap_err();
    assert!(matches!(err, SaveError::Config(_)), "{err:?}");
    assert!(err.to_string().contains("profiles.toml"), "{err}");
    assert!(matches!(
        svc.secrets.get("web").await,
        Err(StoreError::Missing { .. })
    ));
}

#[tokio::test]
async fn failed_rotate_puts_the_old_secret_back() {
    let dir = tempfile::tempdir().unwrap();
    let svc = services(dir.path());
    save(&svc, add(&profile("web"), "old-token")).await.unwrap();
    break_file(&svc);
    let err = save(
        &svc,
        SaveRequest {
            kind: FormKind::Rotate { name: "web".into() },
            profile: profile("web"),
            token: Some(Secret::new("new-token")),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, SaveError::Config(_)), "{err:?}");
    assert!(err.to_string().contains("profiles.toml"), "{err}");
    assert_eq!(svc.secrets.get("web").await.unwrap().expose(), "old-token");
}

#[tokio::test]
async fn rotate_replaces_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let (svc, _fake) = services_with_fake(dir.path(), &["new-token"]).await;
    let mut on_disk = profile("web");
    on_disk.note = Some("kept".into());
    save(&svc, add(&on_disk, "old-token")).await.unwrap();
    // The form's copy lacks what the form does not show; the disk's is kept.
    save(
        &svc,
        SaveRequest {
            kind: FormKind::Rotate { name: "web".into() },
            profile: profile("web"),
            token: Some(Secret::new("new-token")),
        },
    )
    .await
    .unwrap();
    assert_eq!(svc.secrets.get("web").await.unwrap().expose(), "new-token");
    assert_eq!(
        svc.profiles
            .load()
            .unwrap()
            .find("web")
            .unwrap()
            .note
            .as_deref(),
        Some("kept")
    );
}

#[tokio::test]
async fn edit_rename_moves_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let svc = services(dir.path());
    save(&svc, add(&profile("web"), "tok")).await.unwrap();
    save(
        &svc,
        SaveRequest {
            kind: FormKind::Edit {
                original: "web".into(),
            },
            profile: profile("web2"),
            token: None,
        },
    )
    .await
    .unwrap();
    let doc = svc.profiles.load().unwrap();
    assert!(doc.find("web").is_none() && doc.find("web2").is_some());
    assert_eq!(svc.secrets.get("web2").await.unwrap().expose(), "tok");
    assert!(matches!(
        svc.secrets.get("web").await,
        Err(StoreError::Missing { .. })
    ));
}

#[tokio::test]
async fn failed_rename_keeps_the_old_entry() {
    let dir = tempfile::tempdir().unwrap();
    let svc = services(dir.path());
    save(&svc, add(&profile("web"), "tok")).await.unwrap();
    break_file(&svc);
    save(
        &svc,
        SaveRequest {
            kind: FormKind::Edit {
                original: "web".into(),
            },
            profile: profile("web2"),
            token: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(svc.secrets.get("web").await.unwrap().expose(), "tok");
    assert!(matches!(
        svc.secrets.get("web2").await,
        Err(StoreError::Missing { .. })
    ));
}

#[tokio::test]
async fn delete_removes_profile_and_secret() {
    let dir = tempfile::tempdir().unwrap();
    let svc = services(dir.path());
    save(&svc, add(&profile("web"), "tok")).await.unwrap();
    save(&svc, add(&profile("api"), "tok2")).await.unwrap();
    delete(&svc, "web").await.unwrap();
    let doc = svc.profiles.load().unwrap();
    assert!(doc.find("web").is_none() && doc.find("api").is_some());
    assert!(matches!(
        svc.secrets.get("web").await,
        Err(StoreError::Missing { .. })
    ));
    // A broken file: nothing is deleted, and the user is told.
    break_file(&svc);
    let n = delete(&svc, "api").await.unwrap_err();
    assert!(n.text.starts_with("Not deleted"), "{n:?}");
    assert_eq!(svc.secrets.get("api").await.unwrap().expose(), "tok2");
}

/// The profile write fails after the keyring write (here: the file would
/// cross its size cap): the TUI's rotate and add put the keyring back.
#[tokio::test]
async fn profile_write_failing_after_the_keyring_write_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let (svc, _fake) = services_with_fake(dir.path(), &["new-token"]).await;
    save(&svc, add(&profile("web"), "old-token")).await.unwrap();
    // A rotation changes only state.json: start it with no outcome, so the
    // one the rotation records grows it past its cap and that write fails.
    svc.profiles
        .update(|d| {
            d.find_mut("web").unwrap().last_validation = None;
            Ok::<_, ()>(())
        })
        .unwrap()
        .unwrap();
    let len = |p: std::path::PathBuf| std::fs::metadata(p).unwrap().len();
    let tight = Services {
        profiles: ProfileFile::at(dir.path().to_path_buf())
            .with_max_size(len(svc.profiles.path()) + 5)
            .with_state_max_size(len(svc.profiles.state_path()) + 5),
        ..svc.clone()
    };
    let err = save(
        &tight,
        SaveRequest {
            kind: FormKind::Rotate { name: "web".into() },
            profile: profile("web"),
            token: Some(Secret::new("new-token")),
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("put back as it was"), "{err}");
    assert_eq!(svc.secrets.get("web").await.unwrap().expose(), "old-token");
    let err = save(&tight, add(&profile("api"), "tok-2"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert!(matches!(
        svc.secrets.get("api").await,
        Err(StoreError::Missing { .. })
    ));
}

/// A rotate or a change of reach bumps the revision and asks for a new
/// validation; an edit of other fields keeps both.
#[tokio::test]
async fn revision_follows_the_secret_and_the_reach() {
    let dir = tempfile::tempdir().unwrap();
    let (svc, _fake) = services_with_fake(dir.path(), &["tok-2"]).await;
    save(&svc, add(&profile("web"), "tok")).await.unwrap();
    let rev = |svc: &Services| svc.profiles.load().unwrap().find("web").unwrap().revision;
    assert_eq!(rev(&svc), 0);
    let edit = |p: Profile| SaveRequest {
        kind: FormKind::Edit {
            original: "web".into(),
        },
        profile: p,
        token: None,
    };
    let mut p = profile("web");
    p.expires = chrono::NaiveDate::from_ymd_opt(2030, 1, 1);
    let s = save(&svc, edit(p)).await.unwrap();
    assert!(!s.revalidate);
    assert_eq!(rev(&svc), 0);
    let s = save(
        &svc,
        SaveRequest {
            kind: FormKind::Rotate { name: "web".into() },
            profile: profile("web"),
            token: Some(Secret::new("tok-2")),
        },
    )
    .await
    .unwrap();
    // The new token was checked before it was stored: its outcome is
    // recorded on the new revision, and no second validation is needed.
    assert!(!s.revalidate);
    assert_eq!((s.profile.revision, rev(&svc)), (1, 1));
    let on_disk = svc.profiles.load().unwrap().find("web").cloned().unwrap();
    assert_eq!(
        on_disk.last_validation.map(|o| o.status),
        Some(bbtoken::profile::Status::Valid)
    );
    let mut p = profile("web");
    p.repo = Some("api".into());
    let s = save(&svc, edit(p)).await.unwrap();
    assert!(s.revalidate);
    assert_eq!(rev(&svc), 2);
}

/// Issue 10 A5, the app's path: a rotation to a token Bitbucket refuses keeps
/// the old token and says so; the profile is untouched.
#[tokio::test]
async fn rotate_to_a_failing_token_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let (svc, _fake) = services_with_fake(dir.path(), &["good-new"]).await;
    save(&svc, add(&profile("web"), "old-token")).await.unwrap();
    let before = svc.profiles.load().unwrap().find("web").cloned().unwrap();
    let rotate = |t: &str| SaveRequest {
        kind: FormKind::Rotate { name: "web".into() },
        profile: profile("web"),
        token: Some(Secret::new(t)),
    };
    let err = save(&svc, rotate("unknown-new")).await.unwrap_err();
    assert!(matches!(err, SaveError::Rejected(_)), "{err:?}");
    assert!(err.to_string().contains("not accepted (invalid"), "{err}");
    assert!(err.to_string().contains("the old token is kept"), "{err}");
    assert_eq!(svc.secrets.get("web").await.unwrap().expose(), "old-token");
    assert_eq!(svc.profiles.load().unwrap().find("web"), Some(&before));
    save(&svc, rotate("good-new")).await.unwrap();
    assert_eq!(svc.secrets.get("web").await.unwrap().expose(), "good-new");
}

/// A state file that cannot be used: the app loads the profiles anyway and
/// says so in the status line (as the CLI prints a warning), once, with no
/// raw escape from the file's path.
#[tokio::test]
async fn an_unusable_state_file_is_said_in_the_app() {
    use bbtoken::app::{Action, Effect, Level};
    use bbtoken::tui::effects::{Msg, spawn};
    let dir = tempfile::tempdir().unwrap();
    let svc = services(dir.path());
    save(&svc, add(&profile("web"), "tok")).await.unwrap();
    std::fs::write(svc.profiles.state_path(), b"\x1b]0;not json").unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    spawn(&svc, Effect::Load, tx);
    let mut actions = Vec::new();
    while let Some(m) = rx.recv().await {
        if let Msg::Action(a) = m {
            actions.push(a);
        }
    }
    let [Action::Loaded(Ok(doc)), Action::Warning(n)] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    assert_eq!(doc.profiles.len(), 1);
    assert_eq!(n.level, Level::Warn);
    assert!(n.text.contains("could not be used"), "{}", n.text);
    assert!(!n.text.contains('\x1b'));
}
