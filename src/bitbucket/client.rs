//! The HTTP client for Get Repository: explicit timeouts, no redirects (so a
//! token is never sent to another host), a cap on body size, and bounded
//! back-off on 429 (Bitbucket Cloud sends no Retry-After).

use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, LOCATION, USER_AGENT};
use zeroize::Zeroizing;

use crate::bitbucket::classify::{Answer, classify};
use crate::bitbucket::urls::repository_api_url;
use crate::profile::{Outcome, Problem, Profile, RateLimit, Remedy, Status, Step};
use crate::secret::Secret;

pub(crate) const DEFAULT_API: &str = "https://api.bitbucket.org/2.0";
pub(crate) const MAX_BODY: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiConfig {
    pub base: String,
    pub connect_timeout: Duration,
    /// Whole request, body included, per attempt.
    pub timeout: Duration,
    pub max_body: usize,
    /// How many times a 429 is retried before it is reported.
    pub retries_429: u32,
    /// First back-off after a 429; doubled each time, with jitter.
    pub backoff: Duration,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            base: DEFAULT_API.into(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            max_body: MAX_BODY,
            retries_429: 3,
            backoff: Duration::from_secs(2),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{0}={1:?} is not a URL: give e.g. https://api.bitbucket.org/2.0")]
    BadUrl(&'static str, String),
    #[error(
        "{0}={1:?} uses plain http to a host that is not on this machine: tokens are only sent over https (plain http is allowed for 127.0.0.1, ::1 and localhost)"
    )]
    InsecureUrl(&'static str, String),
    /// The value shown has its user name and password replaced by `***`.
    #[error(
        "{name}={shown:?} has {what}: give the base URL alone, e.g. https://api.bitbucket.org/2.0 or https://bitbucket.org (bbtoken sends the profile's own credentials; a user or password, query or fragment in the base URL would be sent too, or break the request paths)"
    )]
    UrlExtras {
        name: &'static str,
        shown: String,
        what: &'static str,
    },
    #[error("{name}={value:?} is not a number of seconds")]
    BadNumber { name: &'static str, value: String },
    #[error("cannot set up HTTPS: {0}")]
    Tls(String),
}

impl ApiConfig {
    /// Defaults, overridden by `BBTOKEN_API_URL`, `BBTOKEN_HTTP_TIMEOUT` (seconds)
    /// and `BBTOKEN_RETRY_429` (retries).
    pub fn from_env() -> Result<ApiConfig, ConfigError> {
        let mut cfg = ApiConfig::default();
        if let Ok(url) = std::env::var("BBTOKEN_API_URL")
            && !url.is_empty()
        {
            cfg.base = url;
        }
        if let Ok(v) = std::env::var("BBTOKEN_HTTP_TIMEOUT") {
            let secs: f64 = v
                .parse()
                .ok()
                .filter(|s: &f64| *s > 0.0 && *s <= 600.0)
                .ok_or(ConfigError::BadNumber {
                    name: "BBTOKEN_HTTP_TIMEOUT",
                    value: v.clone(),
                })?;
            cfg.timeout = Duration::from_secs_f64(secs);
            cfg.connect_timeout = cfg.connect_timeout.min(cfg.timeout);
        }
        if let Ok(v) = std::env::var("BBTOKEN_RETRY_429") {
            cfg.retries_429 =
                v.parse()
                    .ok()
                    .filter(|n| *n <= 10)
                    .ok_or(ConfigError::BadNumber {
                        name: "BBTOKEN_RETRY_429",
                        value: v.clone(),
                    })?;
        }
        check_base(&cfg.base)?;
        Ok(cfg)
    }
}

/// https anywhere; plain http only to this machine. Checks `BBTOKEN_API_URL`.
pub(crate) fn check_base(base: &str) -> Result<(), ConfigError> {
    check_base_named("BBTOKEN_API_URL", base)
}

/// [`check_base`] for the variable `name` (`BBTOKEN_API_URL` or
/// `BBTOKEN_GIT_URL`). A base URL must carry no user name or password (reqwest
/// would send them as a second Authorization header, and git would mix them
/// with the profile's), no query and no fragment (paths are appended to it).
pub(crate) fn check_base_named(name: &'static str, base: &str) -> Result<(), ConfigError> {
    let url = reqwest::Url::parse(base).map_err(|_| ConfigError::BadUrl(name, base.into()))?;
    let extras = |what| ConfigError::UrlExtras {
        name,
        shown: without_userinfo(&url),
        what,
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(extras("a user name or password in it"));
    }
    if url.query().is_some() {
        return Err(extras("a query (?…)"));
    }
    if url.fragment().is_some() {
        return Err(extras("a fragment (#…)"));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            if is_loopback(&url) {
                Ok(())
            } else {
                Err(ConfigError::InsecureUrl(name, without_userinfo(&url)))
            }
        }
        _ => Err(ConfigError::BadUrl(name, without_userinfo(&url))),
    }
}

/// The URL with any user name and password shown as `***`: they may be a
/// credential and must not reach an error message.
fn without_userinfo(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    if !url.username().is_empty() || url.password().is_some() {
        let _ = shown.set_username("***");
        let _ = shown.set_password(None);
    }
    shown.to_string()
}

/// Whether `base` names this machine; false when it does not parse.
pub(crate) fn base_is_loopback(base: &str) -> bool {
    reqwest::Url::parse(base).is_ok_and(|u| is_loopback(&u))
}

/// Whether the URL's host is this machine (127.0.0.0/8, ::1 or `localhost`).
fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Credential {
    /// Access tokens.
    Bearer(Secret),
    /// API tokens: the Atlassian account email and the token.
    Basic { email: String, secret: Secret },
}

impl Credential {
    /// The Authorization header. Every intermediate string that holds the
    /// token is wiped when dropped; the `HeaderValue` itself (a `Bytes` that
    /// reqwest owns) cannot be, so it is marked sensitive, which keeps it out
    /// of `Debug` output and HTTP/2 header compression tables.
    fn header(&self) -> reqwest::header::HeaderValue {
        use base64::Engine;
        let text: Zeroizing<String> = match self {
            Credential::Bearer(s) => {
                let mut t = Zeroizing::new(String::with_capacity(7 + s.expose().len()));
                t.push_str("Bearer ");
                t.push_str(s.expose());
                t
            }
            Credential::Basic { email, secret } => {
                let mut pair = Zeroizing::new(String::with_capacity(
                    email.len() + 1 + secret.expose().len(),
                ));
                pair.push_str(email);
                pair.push(':');
                pair.push_str(secret.expose());
                let b64 = base64::engine::general_purpose::STANDARD;
                // Sized up front so the buffer never reallocates (a
                // reallocation would leave an unwiped copy behind).
                let mut t = Zeroizing::new(String::with_capacity(
                    6 + base64::encoded_len(pair.len(), true).unwrap_or(0),
                ));
                t.push_str("Basic ");
                b64.encode_string(pair.as_bytes(), &mut t);
                t
            }
        };
        let mut value = reqwest::header::HeaderValue::from_bytes(text.as_bytes())
            .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static("invalid"));
        value.set_sensitive(true);
        value
    }
}

/// A client to share: it keeps connections alive across validations.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    cfg: ApiConfig,
}

impl Client {
    pub fn new(cfg: ApiConfig) -> Result<Client, ConfigError> {
        check_base(&cfg.base)?;
        // reqwest is built without a bundled crypto provider; ring is ours.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.timeout)
            .pool_max_idle_per_host(64);
        if base_is_loopback(&cfg.base) {
            // A request to this machine never goes through a proxy: over
            // plain http the proxy would read the token in clear, and no
            // proxy is needed to reach loopback. Real Bitbucket (https) still
            // honours HTTPS_PROXY and friends.
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ConfigError::Tls(e.to_string()))?;
        Ok(Client { http, cfg })
    }

    pub fn config(&self) -> &ApiConfig {
        &self.cfg
    }

    /// Get Repository for the profile's repository with the given credential.
    pub async fn get_repository(&self, profile: &Profile, cred: &Credential) -> Outcome {
        let Some(repo) = profile.repo.as_deref() else {
            return Outcome::bare(
                Status::BadResponse,
                "the profile names no repository to validate against",
                Some(Remedy::step(
                    "name the repository to validate against",
                    Step::EditRepo,
                    &profile.name,
                )),
            )
            .with_problem(Problem::IncompleteProfile);
        };
        let url = repository_api_url(&self.cfg.base, &profile.workspace, repo);
        let mut attempt = 0;
        loop {
            let start = std::time::Instant::now();
            let fetched = self.fetch(&url, cred).await;
            let (who, ms) = (profile.name.as_str(), crate::diag::elapsed_ms(start));
            let answer = match fetched {
                Ok(a) => a,
                Err(outcome) => {
                    let status = outcome.status.as_str();
                    let http = outcome.http_status;
                    tracing::debug!(profile = who, attempt, ms, status, ?http, "request failed");
                    return *outcome;
                }
            };
            tracing::debug!(profile = who, attempt, ms, http = answer.status, "request");
            if answer.status == 429 && attempt < self.cfg.retries_429 {
                tokio::time::sleep(backoff(self.cfg.backoff, attempt)).await;
                attempt += 1;
                continue;
            }
            let mut outcome = classify(profile, &answer);
            if answer.status == 429 && attempt > 0 {
                outcome.message = format!("{} (still after {attempt} retries)", outcome.message);
            }
            return outcome;
        }
    }

    async fn fetch(&self, url: &str, cred: &Credential) -> Result<Answer, Box<Outcome>> {
        let mut resp = self
            .http
            .get(url)
            .header(AUTHORIZATION, cred.header())
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, concat!("bbtoken/", env!("CARGO_PKG_VERSION")))
            .send()
            .await
            .map_err(|e| Box::new(network_outcome(&e)))?;
        let headers = resp.headers().clone();
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.cfg.max_body {
                        return Err(Box::new(Outcome {
                            http_status: Some(resp.status().as_u16()),
                            ..Outcome::bare(
                                Status::BadResponse,
                                format!(
                                    "the answer is larger than {} KiB; bbtoken stopped reading it",
                                    self.cfg.max_body / 1024
                                ),
                                Some(Remedy::advice(
                                    "check BBTOKEN_API_URL points at the Bitbucket API",
                                )),
                            )
                        }));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(Box::new(network_outcome(&e))),
            }
        }
        Ok(answer_from(resp.status().as_u16(), &headers, body))
    }
}

/// What one unauthenticated request saw (`bbtoken doctor`): no credential
/// is sent, so no token is used or exposed.
#[derive(Debug, Clone)]
pub struct Probe {
    pub status: u16,
    /// `HTTP/1.1`, `HTTP/2`.
    pub version: String,
    /// The `Date` header, raw (the caller cleans it).
    pub date: Option<String>,
    /// The body is Bitbucket's error shape, `{"type": "error", …}`.
    pub bitbucket_error: bool,
    pub location: Option<String>,
}

/// Why an unauthenticated request got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeError {
    Timeout,
    /// The TLS handshake or certificate check failed.
    Tls(String),
    Connect(String),
    Other(String),
}

/// The most of a probe's body read: an error body is a few hundred bytes.
const PROBE_BODY: usize = 64 * 1024;

impl Client {
    /// `GET {base}{path}` with no Authorization header, through the same
    /// HTTP stack (TLS, proxy, timeouts, no redirects) as every validation.
    pub async fn probe(&self, path: &str) -> Result<Probe, ProbeError> {
        let url = format!("{}{path}", self.cfg.base.trim_end_matches('/'));
        let mut resp = self
            .http
            .get(&url)
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, concat!("bbtoken/", env!("CARGO_PKG_VERSION")))
            .send()
            .await
            .map_err(|e| probe_error(&e))?;
        let headers = resp.headers().clone();
        let mut body = Vec::new();
        while body.len() < PROBE_BODY {
            match resp.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return Err(probe_error(&e)),
            }
        }
        let bitbucket_error = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .is_some_and(|v| v["type"] == "error" && v["error"].is_object());
        Ok(Probe {
            status: resp.status().as_u16(),
            version: format!("{:?}", resp.version()),
            date: header(&headers, "date"),
            bitbucket_error,
            location: header(&headers, "location"),
        })
    }
}

fn probe_error(e: &reqwest::Error) -> ProbeError {
    let cause = root_cause(e);
    if e.is_timeout() {
        ProbeError::Timeout
    } else if is_tls(e) {
        ProbeError::Tls(cause)
    } else if e.is_connect() {
        ProbeError::Connect(cause)
    } else {
        ProbeError::Other(cause)
    }
}

/// Whether a rustls error is somewhere in the chain (hyper-rustls wraps it
/// in an `io::Error`).
fn is_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
        {
            return true;
        }
        cur = err.source();
    }
    false
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
}

fn answer_from(status: u16, headers: &HeaderMap, body: Vec<u8>) -> Answer {
    let limit = header(headers, "x-ratelimit-limit").and_then(|v| v.parse().ok());
    let resource = header(headers, "x-ratelimit-resource");
    let near_limit =
        header(headers, "x-ratelimit-nearlimit").map(|v| v.eq_ignore_ascii_case("true"));
    let rate_limit =
        (limit.is_some() || resource.is_some() || near_limit.is_some()).then_some(RateLimit {
            limit,
            resource,
            near_limit,
        });
    Answer {
        status,
        scopes: header(headers, "x-oauth-scopes"),
        accepted_scopes: header(headers, "x-accepted-oauth-scopes"),
        credential_type: header(headers, "x-credential-type"),
        rate_limit,
        location: headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body,
    }
}

/// Exponential back-off with up to 25 % jitter, so many profiles that hit the
/// limit together do not retry in lock-step.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1 << attempt.min(6));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    exp + exp.mul_f64(f64::from(nanos % 250) / 1000.0)
}

/// The deepest cause of an error, which says what actually went wrong
/// ("Connection refused", "dns error: …").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn network_outcome(e: &reqwest::Error) -> Outcome {
    let cause = root_cause(e);
    let (message, remedy) = if e.is_timeout() {
        (
            "Bitbucket did not answer in time".to_string(),
            "check your network or proxy; raise BBTOKEN_HTTP_TIMEOUT if the link is slow",
        )
    } else if e.is_connect() {
        (
            format!("cannot connect to the Bitbucket API: {cause}"),
            "check your network connection, proxy settings and BBTOKEN_API_URL",
        )
    } else {
        (
            format!("the request failed: {cause}"),
            "check your network connection and try again",
        )
    };
    Outcome::bare(Status::NetworkError, message, Some(Remedy::advice(remedy)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert!(check_base("https://api.bitbucket.org/2.0").is_ok());
        assert!(check_base("http://127.0.0.1:8080/2.0").is_ok());
        assert!(check_base("http://[::1]:8080/2.0").is_ok());
        assert!(check_base("http://localhost:1/2.0").is_ok());
        assert!(matches!(
            check_base("http://example.com/2.0"),
            Err(ConfigError::InsecureUrl(..))
        ));
        assert!(matches!(
            check_base("ftp://x"),
            Err(ConfigError::BadUrl(..))
        ));
        assert!(base_is_loopback("http://127.0.0.1:1/2.0"));
        assert!(base_is_loopback("http://LOCALHOST:1/2.0"));
        assert!(!base_is_loopback("https://api.bitbucket.org/2.0"));
        assert!(matches!(
            check_base("not a url"),
            Err(ConfigError::BadUrl(..))
        ));
    }

    #[test]
    fn base_urls_with_userinfo_query_or_fragment_are_refused() {
        for (url, what) in [
            ("https://user:hunter2@api.bitbucket.org/2.0", "user name"),
            ("https://user@api.bitbucket.org/2.0", "user name"),
            ("http://:pw@127.0.0.1:9/2.0", "user name"),
            ("https://api.bitbucket.org/2.0?x=1", "query"),
            ("https://api.bitbucket.org/2.0#frag", "fragment"),
            ("https://api.bitbucket.org/2.0?", "query"),
            ("https://api.bitbucket.org/2.0#", "fragment"),
        ] {
            let e = check_base_named("BBTOKEN_GIT_URL", url).unwrap_err();
            let text = e.to_string();
            assert!(matches!(e, ConfigError::UrlExtras { .. }), "{url}: {e:?}");
            assert!(text.contains(what), "{url}: {text}");
            assert!(text.starts_with("BBTOKEN_GIT_URL="), "{text}");
            assert!(!text.contains("hunter2") && !text.contains("pw@"), "{text}");
        }
    }

    #[test]
    fn basic_header_is_base64_of_email_and_token() {
        let h = Credential::Basic {
            email: "me@example.com".into(),
            secret: Secret::new("tok"),
        }
        .header();
        assert_eq!(h.to_str().unwrap(), "Basic bWVAZXhhbXBsZS5jb206dG9r");
        assert!(h.is_sensitive());
        let b = Credential::Bearer(Secret::new("tok")).header();
        assert_eq!(b.to_str().unwrap(), "Bearer tok");
    }

    #[test]
    fn backoff_grows() {
        let b = Duration::from_millis(100);
        assert!(backoff(b, 0) >= b && backoff(b, 0) < b * 2);
        assert!(backoff(b, 2) >= b * 4);
    }

    #[test]
    fn credential_header_is_sensitive() {
        let h = Credential::Bearer(Secret::new("tok")).header();
        assert!(h.is_sensitive());
        assert!(!format!("{h:?}").contains("tok"));
    }
}
