//! The HTTP client for Get Repository: explicit timeouts, no redirects (so a
//! token is never sent to another host), a cap on body size, and bounded
//! back-off on 429 (Bitbucket Cloud sends no Retry-After).

use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, LOCATION, USER_AGENT};

use crate::bitbucket::classify::{Answer, classify};
use crate::gitcmd::repository_api_url;
use crate::profile::{Outcome, Profile, RateLimit, Status};
use crate::secret::Secret;

pub const DEFAULT_API: &str = "https://api.bitbucket.org/2.0";
pub const MAX_BODY: usize = 1024 * 1024;

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
    #[error("BBTOKEN_API_URL={0:?} is not a URL: give e.g. https://api.bitbucket.org/2.0")]
    BadUrl(String),
    #[error(
        "BBTOKEN_API_URL={0:?} uses plain http to a host that is not on this machine: tokens are only sent over https (plain http is allowed for 127.0.0.1, ::1 and localhost)"
    )]
    InsecureUrl(String),
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

/// https anywhere; plain http only to this machine.
pub fn check_base(base: &str) -> Result<(), ConfigError> {
    let url = reqwest::Url::parse(base).map_err(|_| ConfigError::BadUrl(base.into()))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d == "localhost",
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err(ConfigError::InsecureUrl(base.into()))
            }
        }
        _ => Err(ConfigError::BadUrl(base.into())),
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
    fn header(&self) -> reqwest::header::HeaderValue {
        use base64::Engine;
        let text = match self {
            Credential::Bearer(s) => format!("Bearer {}", s.expose()),
            Credential::Basic { email, secret } => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{email}:{}", secret.expose()))
            ),
        };
        let mut value = reqwest::header::HeaderValue::from_str(&text)
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
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.timeout)
            .pool_max_idle_per_host(64)
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
                Some(format!("bbtoken edit {} --repo SLUG", profile.name)),
            );
        };
        let url = repository_api_url(&self.cfg.base, &profile.workspace, repo);
        let mut attempt = 0;
        loop {
            let answer = match self.fetch(&url, cred).await {
                Ok(a) => a,
                Err(outcome) => return *outcome,
            };
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
                                Some("check BBTOKEN_API_URL points at the Bitbucket API".into()),
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
    Outcome::bare(Status::NetworkError, message, Some(remedy.into()))
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
            Err(ConfigError::InsecureUrl(_))
        ));
        assert!(matches!(check_base("ftp://x"), Err(ConfigError::BadUrl(_))));
        assert!(matches!(
            check_base("not a url"),
            Err(ConfigError::BadUrl(_))
        ));
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
