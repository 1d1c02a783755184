//! The demo: sample profiles of every kind, each answered by the fake
//! Bitbucket so that every outcome shows up. Secrets and profiles live in
//! memory (`SecretStore::memory`, `ProfileFile::memory`): nothing touches
//! disk or any keyring.

use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};

use crate::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use crate::profile::{Profile, TokenKind};
use crate::secret::Secret;
use crate::store::{ProfileFile, SecretStore};
use crate::token::{ACCESS_PREFIX, API_PREFIX, synthesize};

pub const WORKSPACE: &str = "acme";

/// A token the fake accepts for `acme/sandbox` that no sample profile uses:
/// add a profile with it to see a new profile validate.
pub fn sandbox_token() -> String {
    synthesize(ACCESS_PREFIX, 9000)
}
pub(crate) const SANDBOX_REPO: &str = "sandbox";

struct Sample {
    name: &'static str,
    kind: TokenKind,
    repo: &'static str,
    project: Option<&'static str>,
    bot_email: Option<&'static str>,
    email: Option<&'static str>,
    username: Option<&'static str>,
    expires_in: Option<i64>,
    scopes: &'static [&'static str],
    reach: Reach,
    quirks: Quirks,
    /// False plays a profile whose secret is missing from the store.
    stored: bool,
}

fn repo_reach(slug: &str) -> Reach {
    Reach::Repo {
        workspace: WORKSPACE.into(),
        slug: slug.into(),
    }
}

fn samples() -> Vec<Sample> {
    let base = || Sample {
        name: "",
        kind: TokenKind::Repository,
        repo: "web",
        project: None,
        bot_email: None,
        email: None,
        username: None,
        expires_in: None,
        scopes: &["repository", "repository:write"],
        reach: repo_reach("web"),
        quirks: Quirks::default(),
        stored: true,
    };
    vec![
        Sample {
            name: "web-deploy",
            expires_in: Some(40),
            scopes: &["repository", "repository:write", "pullrequest"],
            quirks: Quirks {
                delay: Some(Duration::from_millis(600)),
                ..Quirks::default()
            },
            ..base()
        },
        Sample {
            name: "platform-ci",
            kind: TokenKind::Project,
            repo: "api-server",
            project: Some("PLAT"),
            bot_email: Some("c0ffee42@bots.bitbucket.org"),
            expires_in: Some(9),
            scopes: &["repository"],
            reach: Reach::Project {
                workspace: WORKSPACE.into(),
                project: "PLAT".into(),
            },
            ..base()
        },
        Sample {
            name: "acme-admin",
            kind: TokenKind::Workspace,
            scopes: &["repository:write", "repository:admin", "repository:delete"],
            reach: Reach::Workspace(WORKSPACE.into()),
            quirks: Quirks {
                delay: Some(Duration::from_millis(1200)),
                ..Quirks::default()
            },
            ..base()
        },
        Sample {
            name: "jane-api",
            kind: TokenKind::Api,
            email: Some("jane@example.com"),
            username: Some("jdoe"),
            expires_in: Some(300),
            scopes: &["read:repository:bitbucket", "write:repository:bitbucket"],
            reach: Reach::User(vec![WORKSPACE.into()]),
            ..base()
        },
        Sample {
            name: "old-release",
            repo: "release",
            expires_in: Some(-3),
            reach: repo_reach("release"),
            quirks: Quirks {
                revoked: true,
                ..Quirks::default()
            },
            ..base()
        },
        Sample {
            name: "docs-readonly",
            repo: "docs",
            scopes: &["pullrequest"],
            reach: repo_reach("docs"),
            ..base()
        },
        Sample {
            name: "moved-repo",
            repo: "legacy-old",
            reach: repo_reach("legacy"),
            ..base()
        },
        Sample {
            name: "busy-bot",
            kind: TokenKind::Project,
            repo: "mobile",
            project: Some("MOB"),
            reach: Reach::Project {
                workspace: WORKSPACE.into(),
                project: "MOB".into(),
            },
            quirks: Quirks {
                rate_limited_times: u32::MAX,
                ..Quirks::default()
            },
            ..base()
        },
        Sample {
            name: "flaky-ws",
            kind: TokenKind::Workspace,
            repo: "infra",
            reach: Reach::Workspace(WORKSPACE.into()),
            quirks: Quirks {
                fixed_status: Some(503),
                ..Quirks::default()
            },
            ..base()
        },
        Sample {
            name: "slow-link",
            repo: "infra",
            reach: repo_reach("infra"),
            expires_in: Some(12),
            quirks: Quirks {
                delay: Some(Duration::from_secs(30)),
                ..Quirks::default()
            },
            ..base()
        },
        Sample {
            name: "broken-proxy",
            repo: "docs",
            reach: repo_reach("docs"),
            quirks: Quirks {
                malformed_body: true,
                ..Quirks::default()
            },
            ..base()
        },
        Sample {
            name: "no-secret",
            repo: "web",
            stored: false,
            ..base()
        },
    ]
}

/// Fills the fake, the store and the profiles file with the samples.
pub async fn seed(
    fake: &FakeBitbucket,
    file: &ProfileFile,
    secrets: &SecretStore,
    today: NaiveDate,
) -> Result<(), Box<dyn std::error::Error>> {
    for (slug, project) in [
        ("web", "WEB"),
        ("api-server", "PLAT"),
        ("release", "WEB"),
        ("docs", "DOC"),
        ("legacy", "WEB"),
        ("mobile", "MOB"),
        ("infra", "OPS"),
        (SANDBOX_REPO, "WEB"),
    ] {
        fake.add_repo(FakeRepo::new(WORKSPACE, slug, project));
    }
    fake.add_token(
        &sandbox_token(),
        FakeToken {
            credential_type: TokenKind::Repository.credential_type().into(),
            scopes: vec!["repository".into(), "repository:write".into()],
            reach: repo_reach(SANDBOX_REPO),
            email: None,
            bot_id: Some("5a4db0c5e1f2a3b4c5d6e7f8a9b0c1".into()),
            quirks: Quirks::default(),
        },
    );
    let mut profiles = Vec::new();
    for (i, s) in samples().into_iter().enumerate() {
        let prefix = if s.kind == TokenKind::Api {
            API_PREFIX
        } else {
            ACCESS_PREFIX
        };
        let token = synthesize(prefix, 100 + i as u32);
        fake.add_token(
            &token,
            FakeToken {
                credential_type: s.kind.credential_type().into(),
                scopes: s.scopes.iter().map(|x| x.to_string()).collect(),
                reach: s.reach,
                email: s.email.map(str::to_string),
                // The bot a sample names is the one the clone link shows;
                // the others get an id of their own.
                bot_id: s.kind.is_access_token().then(|| {
                    s.bot_email
                        .and_then(|e| e.strip_suffix("@bots.bitbucket.org"))
                        .map_or_else(|| format!("b07{i:027}"), str::to_string)
                }),
                quirks: s.quirks,
            },
        );
        if s.stored {
            secrets.set(s.name, &Secret::new(token)).await?;
        }
        profiles.push(Profile {
            name: s.name.into(),
            kind: s.kind,
            workspace: WORKSPACE.into(),
            repo: Some(s.repo.into()),
            project: s.project.map(str::to_string),
            bot_email: s.bot_email.map(str::to_string),
            email: s.email.map(str::to_string),
            username: s.username.map(str::to_string),
            expires: s.expires_in.and_then(|d| {
                if d >= 0 {
                    today.checked_add_days(Days::new(d as u64))
                } else {
                    today.checked_sub_days(Days::new(d.unsigned_abs()))
                }
            }),
            note: None,
            created: Utc::now(),
            last_validation: None,
            last_conclusive: None,
            revision: 0,
        });
    }
    let file = file.clone();
    tokio::task::spawn_blocking(move || {
        file.update(|doc| {
            doc.profiles = profiles;
            Ok::<_, std::convert::Infallible>(())
        })
    })
    .await??
    .map_err(|e| -> Box<dyn std::error::Error> { match e {} })?;
    Ok(())
}
