//! Validation end to end over real HTTP: `Validator` + `Client` against the
//! fake Bitbucket (a real axum server on 127.0.0.1), secrets in the memory
//! store. Every status an outcome can have is produced here on purpose.

use std::time::Duration;

use bbtoken::bitbucket::{ApiConfig, Client, Credential};
use bbtoken::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::profile::{Outcome, Profile, Status, TokenKind};
use bbtoken::secret::Secret;
use bbtoken::store::SecretStore;
use bbtoken::validate::Validator;
use futures_util::StreamExt;

const BOT_ID: &str = "abcdefghijklmnopqrstuvwxyz1234";
const EMAIL: &str = "dev@example.com";

fn profile(name: &str, kind: TokenKind, repo: &str) -> Profile {
    Profile {
        name: name.into(),
        kind,
        workspace: "acme".into(),
        repo: Some(repo.into()),
        project: None,
        bot_email: None,
        email: (kind == TokenKind::Api).then(|| EMAIL.to_string()),
        username: None,
        expires: None,
        note: None,
        created: chrono::Utc::now(),
        last_validation: None,
        last_conclusive: None,
        revision: 0,
    }
}

fn repo_token(scopes: &[&str], slug: &str) -> FakeToken {
    FakeToken {
        credential_type: "repo_access_token".into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        reach: Reach::Repo {
            workspace: "acme".into(),
            slug: slug.into(),
        },
        email: None,
        bot_id: Some(BOT_ID.into()),
        quirks: Quirks::default(),
    }
}

fn api_token(scopes: &[&str]) -> FakeToken {
    FakeToken {
        credential_type: "api_token".into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        reach: Reach::User(vec!["acme".into()]),
        email: Some(EMAIL.into()),
        bot_id: None,
        quirks: Quirks::default(),
    }
}

fn with_quirks(mut t: FakeToken, q: Quirks) -> FakeToken {
    t.quirks = q;
    t
}

async fn fake() -> FakeBitbucket {
    let f = FakeBitbucket::start().await.expect("fake Bitbucket starts");
    f.add_repo(FakeRepo::new("acme", "api", "PROJ"));
    f.add_repo(FakeRepo::new("acme", "web", "PROJ"));
    f
}

fn config(f: &FakeBitbucket) -> ApiConfig {
    ApiConfig {
        base: f.api_url(),
        backoff: Duration::from_millis(10),
        ..ApiConfig::default()
    }
}

fn validator(cfg: ApiConfig) -> Validator {
    Validator::new(Client::new(cfg).expect("client"), SecretStore::memory())
}

/// Stores `token` for `p` and validates it.
async fn check(v: &Validator, p: &Profile, token: &str) -> Outcome {
    v.secrets().set(&p.name, &Secret::new(token)).await.unwrap();
    v.validate(p).await
}

fn describe(o: &Outcome) -> String {
    format!(
        "{:?} {:?}: {} (remedy: {:?})",
        o.status, o.http_status, o.message, o.remedy
    )
}

#[tokio::test]
async fn valid_access_token_reports_scopes_type_facts_and_limits() {
    let f = fake().await;
    f.add_token(
        "tok-repo",
        repo_token(&["repository", "pullrequest"], "api"),
    );
    let v = validator(config(&f));
    let o = check(&v, &profile("p", TokenKind::Repository, "api"), "tok-repo").await;

    assert_eq!(o.status, Status::Valid, "{}", describe(&o));
    assert_eq!(o.http_status, Some(200));
    assert_eq!(
        o.scopes,
        Some(vec!["repository".to_string(), "pullrequest".to_string()])
    );
    assert_eq!(o.credential_type.as_deref(), Some("repo_access_token"));
    let r = o.repository.as_ref().expect("repository facts");
    assert_eq!(r.full_name, "acme/api");
    assert_eq!(r.is_private, Some(true));
    assert_eq!(r.main_branch.as_deref(), Some("main"));
    assert_eq!(r.project_key.as_deref(), Some("PROJ"));
    assert_eq!(r.bot_id_candidate.as_deref(), Some(BOT_ID));
    let rl = o.rate_limit.as_ref().expect("rate-limit headers");
    assert_eq!(rl.limit, Some(1000));
    assert_eq!(rl.resource.as_deref(), Some("api-repository"));
    assert_eq!(rl.near_limit, Some(false));
    // No write scope, and the bot email suggestion.
    assert!(
        o.warnings.iter().any(|w| w.contains("repository:write")),
        "{:?}",
        o.warnings
    );
    // The suggestion is said when the recorded outcome is shown (describe),
    // so it goes away once the user sets the bot email.
    let mut p = profile("p", TokenKind::Repository, "api");
    p.record(o.clone());
    let said = bbtoken::describe::bot_email_suggestion(&p).expect("a suggestion");
    assert!(
        said.contains(&format!("{BOT_ID}@bots.bitbucket.org")),
        "{said}"
    );
    p.bot_email = Some(format!("{BOT_ID}@bots.bitbucket.org"));
    assert_eq!(bbtoken::describe::bot_email_suggestion(&p), None);

    let seen = f.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/2.0/repositories/acme/api");
    assert!(
        seen[0].authorization.as_deref() == Some("Bearer tok-repo"),
        "access tokens go as Bearer"
    );
    let ua = seen[0].user_agent.as_deref().unwrap_or("");
    assert!(ua.starts_with("bbtoken/"), "User-Agent {ua:?}");
    assert!(ua.len() > "bbtoken/".len(), "User-Agent carries a version");
}

#[tokio::test]
async fn valid_api_token_uses_basic_auth_with_the_email() {
    let f = fake().await;
    f.add_token(
        "tok-api",
        api_token(&["read:repository:bitbucket", "write:repository:bitbucket"]),
    );
    let v = validator(config(&f));
    let o = check(&v, &profile("me", TokenKind::Api, "web"), "tok-api").await;
    assert_eq!(o.status, Status::Valid, "{}", describe(&o));
    assert_eq!(o.credential_type.as_deref(), Some("api_token"));
    assert_eq!(o.repository.as_ref().unwrap().full_name, "acme/web");
    // A person's clone-link username says nothing about a bot; API tokens get
    // no rate-limit headers.
    assert_eq!(o.repository.as_ref().unwrap().bot_id_candidate, None);
    assert_eq!(o.rate_limit, None);
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    let auth = f.seen()[0].authorization.clone().unwrap_or_default();
    assert!(auth.starts_with("Basic "), "API tokens go as Basic");
}

#[tokio::test]
async fn invalid_tokens_are_401() {
    let f = fake().await;
    f.add_token(
        "tok-revoked",
        with_quirks(
            repo_token(&["repository"], "api"),
            Quirks {
                revoked: true,
                ..Quirks::default()
            },
        ),
    );
    f.add_token("tok-api", api_token(&["read:repository:bitbucket"]));
    let v = validator(config(&f));

    // Revoked, and never issued.
    for token in ["tok-revoked", "tok-unknown"] {
        let p = profile("r", TokenKind::Repository, "api");
        let o = check(&v, &p, token).await;
        assert_eq!(o.status, Status::Invalid, "{}", describe(&o));
        assert_eq!(o.http_status, Some(401));
        assert!(o.message.contains("Token is invalid"), "{}", o.message);
        assert!(
            o.remedy
                .as_deref()
                .unwrap_or("")
                .contains("bbtoken edit r --secret"),
            "{:?}",
            o.remedy
        );
    }

    // An API token with another account's email.
    let mut p = profile("a", TokenKind::Api, "api");
    p.email = Some("someone.else@example.com".into());
    let o = check(&v, &p, "tok-api").await;
    assert_eq!(o.status, Status::Invalid, "{}", describe(&o));
    assert!(
        o.remedy
            .as_deref()
            .unwrap_or("")
            .contains("someone.else@example.com"),
        "the remedy names the email to check: {:?}",
        o.remedy
    );

    // An API token filed under an access-token profile goes as Bearer: 401.
    let o = check(&v, &profile("b", TokenKind::Repository, "api"), "tok-api").await;
    assert_eq!(o.status, Status::Invalid, "{}", describe(&o));
    let bearer = f
        .seen()
        .last()
        .and_then(|r| r.authorization.clone())
        .unwrap_or_default();
    assert!(bearer.starts_with("Bearer "), "sent as Bearer");

    // The same token with the right email is fine: the 401s above were about
    // how it was sent.
    let o = check(&v, &profile("c", TokenKind::Api, "api"), "tok-api").await;
    assert_eq!(o.status, Status::Valid, "{}", describe(&o));
}

#[tokio::test]
async fn missing_scope_is_403_naming_the_scope() {
    let f = fake().await;
    f.add_token("tok-pr", repo_token(&["pullrequest"], "api"));
    f.add_token("tok-api-w", api_token(&["write:repository:bitbucket"]));
    let v = validator(config(&f));

    let o = check(&v, &profile("p", TokenKind::Repository, "api"), "tok-pr").await;
    assert_eq!(o.status, Status::Forbidden, "{}", describe(&o));
    assert_eq!(o.http_status, Some(403));
    let remedy = o.remedy.clone().unwrap_or_default();
    assert!(
        remedy.contains("lacks a scope this call needs: repository."),
        "{remedy}"
    );

    // API tokens: write does not imply read.
    let o = check(&v, &profile("a", TokenKind::Api, "api"), "tok-api-w").await;
    assert_eq!(o.status, Status::Forbidden, "{}", describe(&o));
    let remedy = o.remedy.clone().unwrap_or_default();
    assert!(remedy.contains("read:repository:bitbucket"), "{remedy}");
}

#[tokio::test]
async fn unseen_repository_is_404() {
    let f = fake().await;
    f.add_token("tok-web", repo_token(&["repository"], "web"));
    let v = validator(config(&f));
    // The token exists but belongs to acme/web; and a repository that does not
    // exist at all.
    for slug in ["api", "no-such-repo"] {
        let o = check(&v, &profile("p", TokenKind::Repository, slug), "tok-web").await;
        assert_eq!(o.status, Status::NotFound, "{slug}: {}", describe(&o));
        assert_eq!(o.http_status, Some(404));
        assert!(o.message.contains(&format!("acme/{slug}")), "{}", o.message);
        assert!(
            o.remedy
                .as_deref()
                .unwrap_or("")
                .contains("sees only its own repository"),
            "{:?}",
            o.remedy
        );
    }
}

#[tokio::test]
async fn always_429_is_rate_limited_after_bounded_retries() {
    let f = fake().await;
    f.add_token(
        "tok-busy",
        with_quirks(
            repo_token(&["repository"], "api"),
            Quirks {
                rate_limited_times: 1000,
                ..Quirks::default()
            },
        ),
    );
    let cfg = ApiConfig {
        retries_429: 2,
        ..config(&f)
    };
    let v = validator(cfg);
    let o = check(&v, &profile("p", TokenKind::Repository, "api"), "tok-busy").await;
    assert_eq!(o.status, Status::RateLimited, "{}", describe(&o));
    assert_eq!(o.http_status, Some(429));
    assert!(o.message.contains("after 2 retries"), "{}", o.message);
    assert_eq!(f.seen().len(), 3, "one try and two retries");
}

#[tokio::test]
async fn one_429_then_success_is_valid() {
    let f = fake().await;
    f.add_token(
        "tok-once",
        with_quirks(
            repo_token(&["repository"], "api"),
            Quirks {
                rate_limited_times: 1,
                ..Quirks::default()
            },
        ),
    );
    let v = validator(config(&f));
    let o = check(&v, &profile("p", TokenKind::Repository, "api"), "tok-once").await;
    assert_eq!(o.status, Status::Valid, "{}", describe(&o));
    assert_eq!(f.seen().len(), 2);
}

#[tokio::test]
async fn five_hundreds_are_server_errors() {
    let f = fake().await;
    for code in [500u16, 502, 503] {
        f.add_token(
            &format!("tok-{code}"),
            with_quirks(
                repo_token(&["repository"], "api"),
                Quirks {
                    fixed_status: Some(code),
                    ..Quirks::default()
                },
            ),
        );
    }
    let v = validator(config(&f));
    for code in [500u16, 502, 503] {
        let p = profile("p", TokenKind::Repository, "api");
        let o = check(&v, &p, &format!("tok-{code}")).await;
        assert_eq!(o.status, Status::ServerError, "{code}: {}", describe(&o));
        assert_eq!(o.http_status, Some(code));
        assert!(o.message.contains(&code.to_string()), "{}", o.message);
    }
}

#[tokio::test]
async fn refused_connection_is_a_network_error() {
    // A port that was free a moment ago and has no listener now.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cfg = ApiConfig {
        base: format!("http://127.0.0.1:{port}/2.0"),
        ..ApiConfig::default()
    };
    let v = validator(cfg);
    let o = check(&v, &profile("p", TokenKind::Repository, "api"), "tok").await;
    assert_eq!(o.status, Status::NetworkError, "{}", describe(&o));
    assert_eq!(o.http_status, None);
    assert!(o.message.contains("cannot connect"), "{}", o.message);
    assert!(o.remedy.is_some());
}

#[tokio::test]
async fn slow_answer_beyond_the_timeout_is_a_network_error() {
    let f = fake().await;
    f.add_token(
        "tok-slow",
        with_quirks(
            repo_token(&["repository"], "api"),
            Quirks {
                delay: Some(Duration::from_secs(5)),
                ..Quirks::default()
            },
        ),
    );
    let cfg = ApiConfig {
        timeout: Duration::from_millis(300),
        ..config(&f)
    };
    let v = validator(cfg);
    let started = std::time::Instant::now();
    let o = check(&v, &profile("p", TokenKind::Repository, "api"), "tok-slow").await;
    assert_eq!(o.status, Status::NetworkError, "{}", describe(&o));
    assert!(
        o.message.contains("did not answer in time"),
        "{}",
        o.message
    );
    assert!(
        o.remedy
            .as_deref()
            .unwrap_or("")
            .contains("BBTOKEN_HTTP_TIMEOUT")
    );
    // No-hang bound only (the server would answer after 5 s).
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn malformed_and_oversized_bodies_are_bad_responses() {
    let f = fake().await;
    f.add_token(
        "tok-garbled",
        with_quirks(
            repo_token(&["repository"], "api"),
            Quirks {
                malformed_body: true,
                ..Quirks::default()
            },
        ),
    );
    f.add_token(
        "tok-huge",
        with_quirks(
            repo_token(&["repository"], "api"),
            Quirks {
                oversized_body: Some(300 * 1024),
                ..Quirks::default()
            },
        ),
    );
    // Just under the cap: read in full, and it is a repository.
    f.add_token(
        "tok-big",
        with_quirks(
            repo_token(&["repository"], "api"),
            Quirks {
                oversized_body: Some(100 * 1024),
                ..Quirks::default()
            },
        ),
    );
    let cfg = ApiConfig {
        max_body: 256 * 1024,
        ..config(&f)
    };
    let v = validator(cfg);
    let p = profile("p", TokenKind::Repository, "api");

    let o = check(&v, &p, "tok-garbled").await;
    assert_eq!(o.status, Status::BadResponse, "{}", describe(&o));
    assert_eq!(o.http_status, Some(200));
    assert!(o.message.contains("not a repository"), "{}", o.message);

    let o = check(&v, &p, "tok-huge").await;
    assert_eq!(o.status, Status::BadResponse, "{}", describe(&o));
    assert!(o.message.contains("larger than 256 KiB"), "{}", o.message);

    let o = check(&v, &p, "tok-big").await;
    assert_eq!(o.status, Status::Valid, "{}", describe(&o));
    assert_eq!(o.repository.unwrap().full_name, "x/y");
}

#[tokio::test]
async fn missing_secret_is_a_store_error_and_sends_nothing() {
    let f = fake().await;
    let v = validator(config(&f));
    let o = v
        .validate(&profile("nosecret", TokenKind::Repository, "api"))
        .await;
    assert_eq!(o.status, Status::StoreError, "{}", describe(&o));
    assert!(
        o.message
            .contains("bbtoken edit nosecret --secret to store one"),
        "{}",
        o.message
    );

    // An API-token profile without an email cannot authenticate at all.
    let mut p = profile("noemail", TokenKind::Api, "api");
    p.email = None;
    let o = check(&v, &p, "tok-api").await;
    assert_eq!(o.status, Status::StoreError, "{}", describe(&o));
    assert!(o.remedy.as_deref().unwrap_or("").contains("--email"));

    assert!(f.seen().is_empty(), "no request without a credential");
}

#[tokio::test]
async fn redirect_to_another_host_is_not_followed() {
    let other = FakeBitbucket::start().await.unwrap();
    other.add_repo(FakeRepo::new("acme", "api", "PROJ"));
    let target = format!("{}/repositories/acme/api", other.api_url());
    let f = fake().await;
    f.add_token(
        "tok-moved",
        with_quirks(
            repo_token(&["repository"], "api"),
            Quirks {
                redirect_to: Some(target.clone()),
                ..Quirks::default()
            },
        ),
    );
    let v = validator(config(&f));
    let o = check(&v, &profile("p", TokenKind::Repository, "api"), "tok-moved").await;

    assert_eq!(o.status, Status::BadResponse, "{}", describe(&o));
    assert_eq!(o.http_status, Some(301));
    assert!(o.message.contains("redirected (301)"), "{}", o.message);
    assert!(o.message.contains(&target), "{}", o.message);
    assert!(o.message.contains("never sends a token along a redirect"));
    assert_eq!(f.seen().len(), 1, "the first host was asked once");
    let leaked: Vec<_> = other
        .seen()
        .into_iter()
        .filter(|r| r.authorization.is_some())
        .collect();
    assert!(
        leaked.is_empty(),
        "the other host received {} request(s) with Authorization",
        leaked.len()
    );
    assert!(other.seen().is_empty(), "the redirect was not followed");
}

#[tokio::test]
async fn results_arrive_in_completion_order() {
    let f = fake().await;
    let n = 50;
    let slow = 17;
    let v = validator(config(&f));
    let mut profiles = Vec::new();
    for i in 0..n {
        let token = format!("tok-{i}");
        let mut spec = repo_token(&["repository", "repository:write"], "api");
        if i == slow {
            spec.quirks.delay = Some(Duration::from_secs(3));
        }
        f.add_token(&token, spec);
        let p = profile(&format!("p{i}"), TokenKind::Repository, "api");
        v.secrets().set(&p.name, &Secret::new(token)).await.unwrap();
        profiles.push(p);
    }
    let results: Vec<(usize, Outcome)> = v.validate_all(&profiles).collect().await;

    assert_eq!(results.len(), n);
    let mut indexes: Vec<usize> = results.iter().map(|(i, _)| *i).collect();
    assert_eq!(
        indexes.last(),
        Some(&slow),
        "the slow profile arrives last: {indexes:?}"
    );
    indexes.sort_unstable();
    assert_eq!(indexes, (0..n).collect::<Vec<_>>(), "each profile once");
    for (i, o) in &results {
        assert_eq!(o.status, Status::Valid, "p{i}: {}", describe(o));
    }
}

#[tokio::test]
async fn client_can_be_used_directly_with_a_credential() {
    // The client alone (what the CLI's "validate --secret-stdin" path would use).
    let f = fake().await;
    f.add_token("tok-repo", repo_token(&["repository"], "api"));
    let client = Client::new(config(&f)).unwrap();
    let p = profile("p", TokenKind::Repository, "api");
    let o = client
        .get_repository(&p, &Credential::Bearer(Secret::new("tok-repo")))
        .await;
    assert_eq!(o.status, Status::Valid, "{}", describe(&o));
    let mut no_repo = p.clone();
    no_repo.repo = None;
    let o = client
        .get_repository(&no_repo, &Credential::Bearer(Secret::new("tok-repo")))
        .await;
    assert_eq!(o.status, Status::BadResponse);
    assert!(o.message.contains("names no repository"), "{}", o.message);
    assert_eq!(f.seen().len(), 1, "no request without a repository");
}
