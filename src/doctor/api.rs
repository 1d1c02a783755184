//! The Bitbucket API: the host resolves, HTTPS (and its certificate) works,
//! and Bitbucket answers. One unauthenticated request proves it, so no
//! token is used or sent: `GET /2.0/user` answers 401 to a stranger.

use super::{Check, shown};

pub(crate) const RESOLVE: &str = "api.resolve";
pub(crate) const REQUEST: &str = "api.request";

/// What came back from the one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    /// `HTTP/1.1`, `HTTP/2`.
    pub version: String,
    /// The `Date` header as sent (cleaned).
    pub date: Option<String>,
    /// The body is Bitbucket's JSON error shape (`{"type": "error", …}`).
    pub bitbucket_error: bool,
    pub elapsed_ms: u64,
    /// `Location` of a redirect (cleaned).
    pub location: Option<String>,
}

/// Why the request got no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    Timeout,
    /// The TLS handshake or the certificate check failed: the cause.
    Tls(String),
    /// No connection (refused, unreachable): the cause.
    Connect(String),
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// The API base (`BBTOKEN_API_URL` or the default), or why it is refused.
    pub base: Result<String, String>,
    pub from_env: bool,
    /// The host and port of the base.
    pub host: Option<(String, u16)>,
    /// The proxy requests go through (user and password masked).
    pub proxy: Option<String>,
    /// `None`: not tried (`--offline`, or a bad base).
    pub resolved: Option<Result<Vec<String>, String>>,
    pub answer: Option<Result<Answer, Failure>>,
    pub offline: bool,
}

pub fn checks(f: &Facts) -> Vec<Check> {
    let base = match &f.base {
        Ok(b) => shown(b),
        Err(e) => {
            return vec![
                Check::fail(
                    RESOLVE,
                    shown(e),
                    "set BBTOKEN_API_URL to the API base, e.g. https://api.bitbucket.org/2.0, or unset it",
                ),
                Check::skip(REQUEST, "the API base is not usable"),
            ];
        }
    };
    if f.offline {
        return vec![
            Check::skip(RESOLVE, "--offline: the network was not used").fact("base", base.clone()),
            Check::skip(REQUEST, "--offline: the network was not used").fact("base", base),
        ];
    }
    let host = f
        .host
        .as_ref()
        .map(|(h, p)| format!("{}:{p}", shown(h)))
        .unwrap_or_default();
    let resolve = match &f.resolved {
        None => Check::skip(RESOLVE, "not tried"),
        Some(Ok(addrs)) => Check::pass(
            RESOLVE,
            format!(
                "{host} resolves to {}",
                addrs
                    .iter()
                    .take(3)
                    .map(|a| shown(a))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .fact(
            "addresses",
            addrs.iter().map(|a| shown(a)).collect::<Vec<_>>(),
        ),
        // Behind a proxy the proxy resolves names; this machine need not.
        Some(Err(e)) if f.proxy.is_some() => Check::warn(
            RESOLVE,
            format!(
                "{host} does not resolve here ({}); requests go through the proxy, which may resolve it",
                shown(e)
            ),
            "nothing to do if the request check passes; else check the proxy",
        ),
        Some(Err(e)) => Check::fail(
            RESOLVE,
            format!("{host} does not resolve: {}", shown(e)),
            "check your network and DNS (resolvectl status; cat /etc/resolv.conf); behind a proxy set HTTPS_PROXY",
        ),
    };
    let resolve = resolve
        .fact("base", base.clone())
        .fact("host", host.clone());
    let via = f
        .proxy
        .as_ref()
        .map(|p| format!(" through the proxy {}", shown(p)))
        .unwrap_or_default();
    let request = match &f.answer {
        None => Check::skip(REQUEST, "not tried: the host does not resolve"),
        Some(Ok(a)) => answered(&base, &via, a),
        Some(Err(e)) => failed(&base, &via, e, f.from_env),
    };
    let request = request
        .fact("base", base)
        .fact("proxy", f.proxy.as_deref().map(shown));
    vec![resolve, request]
}

fn answered(base: &str, via: &str, a: &Answer) -> Check {
    let head = format!(
        "GET {base}/user without a token{via}: {} {} in {} ms",
        a.version, a.status, a.elapsed_ms
    );
    let c = match a.status {
        401 if a.bitbucket_error => Check::pass(
            REQUEST,
            format!("{head}, Bitbucket's answer to a stranger: HTTPS and the API work"),
        ),
        401 | 403 | 404 => Check::warn(
            REQUEST,
            format!(
                "{head}, but the answer is not Bitbucket's error body: something else answers there"
            ),
            "check that BBTOKEN_API_URL is the Bitbucket API (https://api.bitbucket.org/2.0) and that no proxy or captive portal answers in its place",
        ),
        300..=399 => Check::fail(
            REQUEST,
            format!(
                "{head}: a redirect to {} (bbtoken never follows one: a token must not go elsewhere)",
                a.location.as_deref().unwrap_or("nowhere")
            ),
            "a captive portal (sign in to the network) or a wrong BBTOKEN_API_URL: give the API base itself",
        ),
        429 => Check::warn(
            REQUEST,
            format!("{head}: rate limited"),
            "wait a while: Bitbucket counts requests per hour",
        ),
        500..=599 => Check::fail(
            REQUEST,
            format!("{head}: Bitbucket (or a proxy) has a problem"),
            "see https://bitbucket.status.atlassian.com and try again later",
        ),
        _ => Check::warn(
            REQUEST,
            format!("{head}: not the 401 Bitbucket gives without a token"),
            "check that BBTOKEN_API_URL is the Bitbucket API (https://api.bitbucket.org/2.0)",
        ),
    };
    c.fact("http_status", a.status)
        .fact("http_version", a.version.clone())
        .fact("elapsed_ms", a.elapsed_ms)
}

fn failed(base: &str, via: &str, e: &Failure, from_env: bool) -> Check {
    let wrong_base = if from_env {
        "; check BBTOKEN_API_URL"
    } else {
        ""
    };
    let (detail, remedy) = match e {
        Failure::Timeout => (
            format!("GET {base}/user{via}: no answer in time"),
            format!("check your network, firewall or proxy (HTTPS_PROXY); raise BBTOKEN_HTTP_TIMEOUT on a slow link{wrong_base}"),
        ),
        Failure::Tls(cause) => (
            format!("GET {base}/user{via}: HTTPS failed: {}", shown(cause)),
            "a proxy or antivirus that intercepts HTTPS needs its CA certificate installed in the system store; a wrong system clock also breaks certificates (see the clock check)".to_string(),
        ),
        Failure::Connect(cause) => (
            format!("GET {base}/user{via}: cannot connect: {}", shown(cause)),
            format!("check your network connection, firewall and proxy settings (HTTPS_PROXY, NO_PROXY){wrong_base}"),
        ),
        Failure::Other(cause) => (
            format!("GET {base}/user{via}: the request failed: {}", shown(cause)),
            format!("check your network connection and try again{wrong_base}"),
        ),
    };
    Check::fail(REQUEST, detail, remedy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    fn facts(answer: Result<Answer, Failure>) -> Facts {
        Facts {
            base: Ok("https://api.bitbucket.org/2.0".into()),
            from_env: false,
            host: Some(("api.bitbucket.org".into(), 443)),
            proxy: None,
            resolved: Some(Ok(vec!["104.192.142.1".into()])),
            answer: Some(answer),
            offline: false,
        }
    }

    fn answer(status: u16, bitbucket_error: bool) -> Answer {
        Answer {
            status,
            version: "HTTP/2".into(),
            date: None,
            bitbucket_error,
            elapsed_ms: 120,
            location: None,
        }
    }

    #[test]
    fn bitbuckets_401_to_a_stranger_passes_and_names_the_http_version() {
        let c = checks(&facts(Ok(answer(401, true))));
        assert_eq!(c[0].status, Status::Pass);
        assert_eq!(
            c[0].detail,
            "api.bitbucket.org:443 resolves to 104.192.142.1"
        );
        assert_eq!(c[1].status, Status::Pass, "{:?}", c[1]);
        assert!(c[1].detail.contains("HTTP/2 401"), "{}", c[1].detail);
        assert_eq!(c[1].facts["http_version"], "HTTP/2");
    }

    #[test]
    fn something_else_answering_warns_or_fails() {
        assert_eq!(
            checks(&facts(Ok(answer(401, false))))[1].status,
            Status::Warn
        );
        assert_eq!(
            checks(&facts(Ok(answer(200, false))))[1].status,
            Status::Warn
        );
        assert_eq!(
            checks(&facts(Ok(answer(503, false))))[1].status,
            Status::Fail
        );
        let mut redirect = answer(302, false);
        redirect.location = Some("http://portal.example/login".into());
        let c = &checks(&facts(Ok(redirect)))[1];
        assert_eq!(c.status, Status::Fail);
        assert!(c.detail.contains("portal.example"));
        assert!(c.remedy.as_deref().unwrap().contains("captive portal"));
    }

    #[test]
    fn network_failures_fail_with_a_remedy() {
        let c = &checks(&facts(Err(Failure::Connect("Connection refused".into()))))[1];
        assert_eq!(c.status, Status::Fail);
        assert!(c.detail.contains("Connection refused"));
        assert!(c.remedy.as_deref().unwrap().contains("proxy"));
        let c = &checks(&facts(Err(Failure::Tls(
            "invalid peer certificate: UnknownIssuer".into(),
        ))))[1];
        assert!(c.remedy.as_deref().unwrap().contains("CA certificate"));
        assert_eq!(
            checks(&facts(Err(Failure::Timeout)))[1].status,
            Status::Fail
        );
    }

    #[test]
    fn unresolvable_fails_unless_a_proxy_resolves() {
        let mut f = facts(Err(Failure::Timeout));
        f.resolved = Some(Err("failed to lookup address".into()));
        f.answer = None;
        let c = checks(&f);
        assert_eq!(c[0].status, Status::Fail);
        assert_eq!(c[1].status, Status::Skip);
        f.proxy = Some("http://proxy:3128".into());
        assert_eq!(checks(&f)[0].status, Status::Warn);
    }

    #[test]
    fn offline_and_bad_base_skip_the_request() {
        let mut f = facts(Ok(answer(401, true)));
        f.offline = true;
        assert!(checks(&f).iter().all(|c| c.status == Status::Skip));
        f.base = Err("BBTOKEN_API_URL=\"x\" is not a URL".into());
        let c = checks(&f);
        assert_eq!(c[0].status, Status::Fail);
        assert_eq!(c[1].status, Status::Skip);
    }
}
