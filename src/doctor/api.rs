//! The Bitbucket API: the host resolves, HTTPS (and its certificate) works,
//! and Bitbucket answers. One unauthenticated request proves it, so no
//! token is used or sent: `GET /2.0/user` answers 401 to a stranger.

use super::{Check, shown};
use crate::i18n::{Said, say, tr};

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
                    Said::verbatim(shown(e)),
                    say!("doctor.api.bad_base_fix"),
                ),
                Check::skip(REQUEST, say!("doctor.api.bad_base")),
            ];
        }
    };
    if f.offline {
        return vec![
            Check::skip(RESOLVE, say!("doctor.offline")).fact("base", base.clone()),
            Check::skip(REQUEST, say!("doctor.offline")).fact("base", base),
        ];
    }
    let host = f
        .host
        .as_ref()
        .map(|(h, p)| format!("{}:{p}", shown(h)))
        .unwrap_or_default();
    let resolve = match &f.resolved {
        None => Check::skip(RESOLVE, say!("doctor.not_tried")),
        Some(Ok(addrs)) => {
            let first = addrs
                .iter()
                .take(3)
                .map(|a| shown(a))
                .collect::<Vec<_>>()
                .join(", ");
            Check::pass(
                RESOLVE,
                say!("doctor.api.resolves", host = host, addresses = first),
            )
            .fact(
                "addresses",
                addrs.iter().map(|a| shown(a)).collect::<Vec<_>>(),
            )
        }
        // Behind a proxy the proxy resolves names; this machine need not.
        Some(Err(e)) if f.proxy.is_some() => Check::warn(
            RESOLVE,
            say!("doctor.api.unresolved_proxy", host = host, error = shown(e)),
            say!("doctor.api.unresolved_proxy_fix"),
        ),
        Some(Err(e)) => Check::fail(
            RESOLVE,
            say!("doctor.api.unresolved", host = host, error = shown(e)),
            say!("doctor.api.unresolved_fix"),
        ),
    };
    let resolve = resolve
        .fact("base", base.clone())
        .fact("host", host.clone());
    let proxy = f.proxy.as_deref().map(shown);
    let request = match &f.answer {
        None => Check::skip(REQUEST, say!("doctor.api.not_resolved")),
        Some(Ok(a)) => answered(&base, proxy.as_deref(), a),
        Some(Err(e)) => failed(&base, proxy.as_deref(), e, f.from_env),
    };
    let request = request.fact("base", base).fact("proxy", proxy);
    vec![resolve, request]
}

/// ` through the proxy …`, or nothing.
fn via(proxy: Option<&str>) -> String {
    proxy.map_or_else(String::new, |p| {
        tr!("doctor.api.via", proxy = p).into_owned()
    })
}

fn answered(base: &str, proxy: Option<&str>, a: &Answer) -> Check {
    let head = || {
        tr!(
            "doctor.api.head",
            base = base,
            via = via(proxy),
            version = a.version,
            status = a.status,
            ms = a.elapsed_ms
        )
        .into_owned()
    };
    let c = match a.status {
        401 if a.bitbucket_error => {
            Check::pass(REQUEST, say!("doctor.api.stranger", head = head()))
        }
        401 | 403 | 404 => Check::warn(
            REQUEST,
            say!("doctor.api.not_bitbucket", head = head()),
            say!("doctor.api.not_bitbucket_fix"),
        ),
        300..=399 => Check::fail(
            REQUEST,
            say!(
                "doctor.api.redirect",
                head = head(),
                location = a
                    .location
                    .clone()
                    .unwrap_or_else(|| tr!("doctor.api.nowhere").into_owned())
            ),
            say!("doctor.api.redirect_fix"),
        ),
        429 => Check::warn(
            REQUEST,
            say!("doctor.api.rate_limited", head = head()),
            say!("doctor.api.rate_limited_fix"),
        ),
        500..=599 => Check::fail(
            REQUEST,
            say!("doctor.api.server", head = head()),
            say!("doctor.api.server_fix"),
        ),
        _ => Check::warn(
            REQUEST,
            say!("doctor.api.unexpected", head = head()),
            say!("doctor.api.unexpected_fix"),
        ),
    };
    c.fact("http_status", a.status)
        .fact("http_version", a.version.clone())
        .fact("elapsed_ms", a.elapsed_ms)
}

fn failed(base: &str, proxy: Option<&str>, e: &Failure, from_env: bool) -> Check {
    let check_base = || {
        if from_env {
            tr!("doctor.api.check_base").into_owned()
        } else {
            String::new()
        }
    };
    let via = || via(proxy);
    let (detail, remedy) = match e {
        Failure::Timeout => (
            say!("doctor.api.timeout", base = base, via = via()),
            say!("doctor.api.timeout_fix", check_base = check_base()),
        ),
        Failure::Tls(cause) => (
            say!(
                "doctor.api.tls",
                base = base,
                via = via(),
                error = shown(cause)
            ),
            say!("doctor.api.tls_fix"),
        ),
        Failure::Connect(cause) => (
            say!(
                "doctor.api.connect",
                base = base,
                via = via(),
                error = shown(cause)
            ),
            say!("doctor.api.connect_fix", check_base = check_base()),
        ),
        Failure::Other(cause) => (
            say!(
                "doctor.api.other",
                base = base,
                via = via(),
                error = shown(cause)
            ),
            say!("doctor.api.other_fix", check_base = check_base()),
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
            c[0].detail.en,
            "api.bitbucket.org:443 resolves to 104.192.142.1"
        );
        assert_eq!(c[1].status, Status::Pass, "{:?}", c[1]);
        assert!(c[1].detail.en.contains("HTTP/2 401"), "{}", c[1].detail.en);
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
        assert!(c.detail.en.contains("portal.example"));
        assert!(
            c.remedy
                .as_ref()
                .map(|r| r.en.as_str())
                .unwrap()
                .contains("captive portal")
        );
    }

    #[test]
    fn network_failures_fail_with_a_remedy() {
        let c = &checks(&facts(Err(Failure::Connect("Connection refused".into()))))[1];
        assert_eq!(c.status, Status::Fail);
        assert!(c.detail.en.contains("Connection refused"));
        assert!(
            c.remedy
                .as_ref()
                .map(|r| r.en.as_str())
                .unwrap()
                .contains("proxy")
        );
        let c = &checks(&facts(Err(Failure::Tls(
            "invalid peer certificate: UnknownIssuer".into(),
        ))))[1];
        assert!(
            c.remedy
                .as_ref()
                .map(|r| r.en.as_str())
                .unwrap()
                .contains("CA certificate")
        );
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
