//! The git smart-HTTP look-alike (src/fakebb/git.rs) against real git: the
//! token typed through GIT_ASKPASS (a script that prints it from a file, so it
//! is never in argv), clone and push with the right scopes, 401 for a wrong
//! token, 403 for a push with a read-only token, and no token in any URL.

use std::path::Path;
use std::process::{Command, Output};

use bbtoken::fakebb::git::{FakeGit, REALM};
use bbtoken::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::token::{ACCESS_PREFIX, synthesize};

struct Env {
    rt: tokio::runtime::Runtime,
    bb: FakeBitbucket,
    git: FakeGit,
    home: tempfile::TempDir,
}

impl Env {
    fn start() -> Env {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let bb = rt.block_on(FakeBitbucket::start()).unwrap();
        let git = rt.block_on(FakeGit::start(&bb)).unwrap();
        bb.add_repo(FakeRepo::new("acme", "api", "CORE"));
        git.create_bare("acme", "api");
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join(".gitconfig"), "").unwrap();
        let askpass = home.path().join("askpass.sh");
        std::fs::write(
            &askpass,
            "#!/bin/sh\ncase \"$1\" in\n  Username*) echo x-token-auth ;;\n  *) cat \"$FAKEGIT_TOKEN_FILE\" ;;\nesac\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&askpass, std::fs::Permissions::from_mode(0o700)).unwrap();
        Env { rt, bb, git, home }
    }

    fn token(&self, seed: u32, scopes: &[&str]) -> String {
        let t = synthesize(ACCESS_PREFIX, seed);
        self.bb.add_token(
            &t,
            FakeToken {
                credential_type: "repo_access_token".into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                reach: Reach::Repo {
                    workspace: "acme".into(),
                    slug: "api".into(),
                },
                email: None,
                bot_id: Some("bot1".into()),
                quirks: Quirks::default(),
            },
        );
        t
    }

    /// git with a clean config, the token typed through askpass.
    fn git(&self, dir: &Path, token: &str, args: &[&str]) -> Output {
        let file = self.home.path().join("token");
        std::fs::write(&file, token).unwrap();
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_GLOBAL", self.home.path().join(".gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_ASKPASS", self.home.path().join("askpass.sh"))
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("FAKEGIT_TOKEN_FILE", &file)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap()
    }

    fn url(&self) -> String {
        format!("{}/acme/api.git", self.git.url())
    }
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "git failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn clone_push_with_scopes_401_and_403() {
    let env = Env::start();
    let rw = env.token(1, &["repository:write"]);
    let ro = env.token(2, &["repository"]);
    let work = tempfile::tempdir().unwrap();
    let w = work.path();

    // An empty repository clones; a commit pushes with the write scope.
    ok(&env.git(w, &rw, &["clone", "--quiet", &env.url(), "a"]));
    let a = w.join("a");
    std::fs::write(a.join("f.txt"), "hello\n").unwrap();
    ok(&env.git(&a, &rw, &["add", "f.txt"]));
    ok(&env.git(&a, &rw, &["commit", "--quiet", "-m", "first"]));
    ok(&env.git(&a, &rw, &["push", "--quiet", "origin", "HEAD:main"]));

    // A read-only token clones (and sees the commit) but may not push.
    ok(&env.git(w, &ro, &["clone", "--quiet", &env.url(), "b"]));
    let b = w.join("b");
    assert_eq!(std::fs::read_to_string(b.join("f.txt")).unwrap(), "hello\n");
    std::fs::write(b.join("g.txt"), "x\n").unwrap();
    ok(&env.git(&b, &ro, &["add", "g.txt"]));
    ok(&env.git(&b, &ro, &["commit", "--quiet", "-m", "second"]));
    let push = env.git(&b, &ro, &["push", "origin", "HEAD:main"]);
    assert!(!push.status.success());
    let err = String::from_utf8_lossy(&push.stderr);
    assert!(err.contains("403"), "{err}");

    // A wrong token: git is refused with 401 and gives up.
    let wrong = synthesize(ACCESS_PREFIX, 99);
    let o = env.git(w, &wrong, &["clone", "--quiet", &env.url(), "c"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Authentication failed"), "{err}");

    // The fake saw 401s (git's first anonymous try, the wrong token), a 403,
    // and no token in any URL or header it recorded.
    let seen = env.git.seen();
    assert!(seen.iter().any(|s| s.status == 401));
    assert!(seen.iter().any(|s| s.status == 403));
    assert!(
        seen.iter()
            .any(|s| s.status == 200 && !s.cgi_argv.is_empty())
    );
    for s in &seen {
        for t in [&rw, &ro, &wrong] {
            assert!(!s.url.contains(t.as_str()));
            assert!(s.headers.iter().all(|(_, v)| !v.contains(t.as_str())));
            assert!(s.cgi_argv.iter().all(|a| !a.contains(t.as_str())));
        }
        if s.status == 200 {
            assert_eq!(s.username.as_deref(), Some("x-token-auth"));
        }
    }
}

#[test]
fn wrong_username_and_anonymous_get_401_with_the_realm() {
    let env = Env::start();
    let rw = env.token(3, &["repository:write"]);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let url = format!("{}/info/refs?service=git-upload-pack", env.url());
    let (anon, wrong_user, right) = env.rt.block_on(async {
        let anon = client.get(&url).send().await.unwrap();
        let wrong = client
            .get(&url)
            .basic_auth("someone", Some(&rw))
            .send()
            .await
            .unwrap();
        let right = client
            .get(&url)
            .basic_auth("x-token-auth", Some(&rw))
            .send()
            .await
            .unwrap();
        (anon, wrong, right)
    });
    for r in [&anon, &wrong_user] {
        assert_eq!(r.status().as_u16(), 401);
        assert_eq!(
            r.headers()["www-authenticate"].to_str().unwrap(),
            format!("Basic realm=\"{REALM}\"")
        );
    }
    assert_eq!(right.status().as_u16(), 200);
    assert_eq!(
        right.headers()["content-type"].to_str().unwrap(),
        "application/x-git-upload-pack-advertisement"
    );
    // A repository the token does not reach: 404.
    let other = format!(
        "{}/acme/nope.git/info/refs?service=git-upload-pack",
        env.git.url()
    );
    let r = env.rt.block_on(async {
        client
            .get(&other)
            .basic_auth("x-token-auth", Some(&rw))
            .send()
            .await
            .unwrap()
    });
    assert_eq!(r.status().as_u16(), 404);
}

#[test]
fn api_tokens_use_their_username_and_write_does_not_imply_read() {
    let env = Env::start();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let api = |seed: u32, scopes: &[&str]| {
        let t = synthesize(bbtoken::token::API_PREFIX, seed);
        env.bb.add_token(
            &t,
            FakeToken {
                credential_type: "api_token".into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                reach: Reach::User(vec!["acme".into()]),
                email: Some("dev@example.com".into()),
                bot_id: None,
                quirks: Quirks::default(),
            },
        );
        t
    };
    let read = api(4, &["read:repository:bitbucket"]);
    let write_only = api(5, &["write:repository:bitbucket"]);
    env.git.set_api_username(&read, "jdoe");
    let client = reqwest::Client::new();
    let status = |user: &str, token: &str, service: &str| {
        let url = format!("{}/info/refs?service={service}", env.url());
        env.rt.block_on(async {
            client
                .get(&url)
                .basic_auth(user, Some(token))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    assert_eq!(
        status("x-bitbucket-api-token-auth", &read, "git-upload-pack"),
        200
    );
    assert_eq!(status("jdoe", &read, "git-upload-pack"), 200);
    assert_eq!(status("someone-else", &read, "git-upload-pack"), 401);
    assert_eq!(status("x-token-auth", &read, "git-upload-pack"), 401);
    assert_eq!(status("jdoe", &read, "git-receive-pack"), 403);
    assert_eq!(
        status("x-bitbucket-api-token-auth", &write_only, "git-upload-pack"),
        403
    );
    assert_eq!(
        status(
            "x-bitbucket-api-token-auth",
            &write_only,
            "git-receive-pack"
        ),
        200
    );
    // A revoked token: 401.
    let revoked = Quirks {
        revoked: true,
        ..Quirks::default()
    };
    let t = synthesize(ACCESS_PREFIX, 6);
    env.bb.add_token(
        &t,
        FakeToken {
            credential_type: "repo_access_token".into(),
            scopes: vec!["repository:write".into()],
            reach: Reach::Repo {
                workspace: "acme".into(),
                slug: "api".into(),
            },
            email: None,
            bot_id: None,
            quirks: revoked,
        },
    );
    assert_eq!(status("x-token-auth", &t, "git-upload-pack"), 401);
}
