//! git's credential-helper protocol (gitcredentials(7), git-credential(1)):
//! parsing what git sends and writing what bbtoken answers. Pure; the I/O is
//! in `cli::credential`.
//!
//! Everything git sends is treated as hostile (it may come from a URL someone
//! else wrote): a NUL, invalid UTF-8, a line without `=`, a line longer than
//! git's own limit, or too much input is an error and nothing is answered.
//! Fields are checked with the profile field rules before use, and only the
//! attributes bbtoken understands are kept, so an unknown one can never be
//! echoed back.

use crate::fields;
use crate::gitcmd::safe;

/// git's longest credential line: its packet-line data limit.
pub(crate) const MAX_LINE: usize = 65516;
/// The most input read at all.
pub(crate) const MAX_INPUT: usize = 1 << 20;

/// Why the input was refused. Never holds input text: it may be a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("a line is longer than git allows")]
    LineTooLong,
    #[error("the input is larger than a credential can be")]
    TooLarge,
    #[error("the input holds a NUL byte")]
    Nul,
    #[error("the input is not UTF-8")]
    NotUtf8,
    #[error("a line has no '='")]
    NoEquals,
    #[error("a value holds a control character")]
    Control,
}

/// The attributes bbtoken uses, as git sent them (`Some("")` for an empty
/// value: empty values round-trip). Anything else is dropped.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    pub protocol: Option<String>,
    pub host: Option<String>,
    pub path: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub quit: bool,
}

/// Never shows the password.
impl std::fmt::Debug for Attributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attributes")
            .field("protocol", &self.protocol)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("quit", &self.quit)
            .finish()
    }
}

/// Reads the attribute lines up to a blank line or the end. The last value of
/// a repeated key wins, as in git.
pub fn parse(input: &[u8]) -> Result<Attributes, ProtocolError> {
    if input.len() > MAX_INPUT {
        return Err(ProtocolError::TooLarge);
    }
    if input.contains(&0) {
        return Err(ProtocolError::Nul);
    }
    let text = std::str::from_utf8(input).map_err(|_| ProtocolError::NotUtf8)?;
    let mut a = Attributes::default();
    for line in text.split('\n') {
        if line.len() > MAX_LINE {
            return Err(ProtocolError::LineTooLong);
        }
        if line.is_empty() {
            break;
        }
        let (key, value) = line.split_once('=').ok_or(ProtocolError::NoEquals)?;
        // git itself refuses newlines in values; a CR or another control
        // character has no business in any attribute bbtoken reads.
        let slot = match key {
            "protocol" => &mut a.protocol,
            "host" => &mut a.host,
            "path" => &mut a.path,
            "username" => &mut a.username,
            "password" => &mut a.password,
            "quit" => {
                a.quit = matches!(value, "1" | "true" | "yes" | "on");
                continue;
            }
            _ => continue,
        };
        if safe::has_forbidden(value) || crate::text::has_unsafe(value) {
            return Err(ProtocolError::Control);
        }
        *slot = Some(value.to_string());
    }
    Ok(a)
}

/// Where bbtoken answers: the protocol and `host[:port]` of `BBTOKEN_GIT_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub protocol: String,
    pub host: String,
}

impl Scope {
    /// From a base URL like `https://bitbucket.org` (already checked).
    pub(crate) fn from_url(url: &str) -> Option<Scope> {
        let (protocol, rest) = url.split_once("://")?;
        let host = rest.split('/').next()?;
        // A userinfo part has no place in the base URL.
        if host.is_empty() || host.contains('@') {
            return None;
        }
        Some(Scope {
            protocol: protocol.to_ascii_lowercase(),
            host: host.to_ascii_lowercase(),
        })
    }

    /// Whether git asks about this scope. Host names compare without case;
    /// the port is part of the host, as git sends it.
    pub fn covers(&self, a: &Attributes) -> bool {
        let default_port = match self.protocol.as_str() {
            "https" => Some(":443"),
            "http" => Some(":80"),
            _ => None,
        };
        let strip = |h: &str| -> String {
            let h = h.to_ascii_lowercase();
            match default_port.and_then(|p| h.strip_suffix(p)) {
                Some(s) => s.to_string(),
                None => h,
            }
        };
        a.protocol
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
            == Some(self.protocol.as_str())
            && a.host.as_deref().map(strip) == Some(strip(&self.host))
    }
}

/// The request's target, checked: `path` must be `workspace/repo[.git]`
/// (anything after the second segment, like `info/lfs`, is ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub workspace: String,
    pub repo: String,
}

/// `Ok(None)` when git sent no path (useHttpPath off); `Err` when it sent one
/// that is not a Bitbucket repository path.
pub fn target(path: Option<&str>) -> Result<Option<Target>, String> {
    let Some(path) = path.filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let path = path.trim_start_matches('/');
    let mut parts = path.split('/');
    let (Some(ws), Some(repo)) = (parts.next(), parts.next()) else {
        return Err("the path names no workspace/repository".into());
    };
    let ws = ws.to_ascii_lowercase();
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    fields::workspace(&ws).map_err(|e| format!("path: {e}"))?;
    fields::repo_slug(repo).map_err(|e| format!("path: {e}"))?;
    Ok(Some(Target {
        workspace: ws,
        repo: repo.to_string(),
    }))
}

/// A username from git, checked: `Ok(None)` when absent or empty.
pub fn username(u: Option<&str>) -> Result<Option<&str>, String> {
    match u.filter(|u| !u.is_empty()) {
        None => Ok(None),
        Some(u) => fields::username(u).map(|()| Some(u)),
    }
}

/// The answer to `get`. `None` when a value could not be written as a
/// protocol line (a newline or control character in the token: never sent).
pub fn answer(username: &str, password: &str, expiry_utc: Option<i64>) -> Option<String> {
    if [username, password]
        .iter()
        .any(|v| v.is_empty() || safe::has_forbidden(v) || crate::text::has_unsafe(v))
    {
        return None;
    }
    let mut s = format!("username={username}\npassword={password}\n");
    if let Some(t) = expiry_utc {
        s.push_str(&format!("password_expiry_utc={t}\n"));
    }
    Some(s)
}

/// The moment git should stop using a token with this expiry date: the first
/// second of that day, UTC. Bitbucket shows a date, not a time, so bbtoken
/// never lets git offer a token on or after its date.
pub(crate) fn expiry_timestamp(date: chrono::NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Attributes, ProtocolError> {
        parse(s.as_bytes())
    }

    #[test]
    fn parse_table() {
        let a = p("protocol=https\nhost=bitbucket.org\npath=acme/api.git\nusername=\nwwwauth[]=Basic\nfoo=bar\n\nignored=1\n").unwrap();
        assert_eq!(a.protocol.as_deref(), Some("https"));
        assert_eq!(a.path.as_deref(), Some("acme/api.git"));
        assert_eq!(a.username.as_deref(), Some(""), "empty values are kept");
        assert!(!a.quit);
        assert!(p("quit=1\n").unwrap().quit);
        assert!(p("quit=true\n").unwrap().quit);
        assert!(!p("quit=0\n").unwrap().quit);
        let cases: &[(&[u8], ProtocolError)] = &[
            (b"host=a\0b\n", ProtocolError::Nul),
            (b"host\n", ProtocolError::NoEquals),
            (b"host=\xff\n", ProtocolError::NotUtf8),
            (b"host=a\rb\n", ProtocolError::Control),
            (b"password=a\x1bb\n", ProtocolError::Control),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input), Err(*want), "{input:?}");
        }
        let long = format!("host={}\n", "a".repeat(MAX_LINE));
        assert_eq!(p(&long), Err(ProtocolError::LineTooLong));
        // An unknown attribute may hold anything printable; it is dropped.
        assert!(p(&format!("x={}\n", "a".repeat(1000))).is_ok());
    }

    #[test]
    fn scope_table() {
        let s = Scope::from_url("https://bitbucket.org").unwrap();
        let a = |proto: &str, host: &str| Attributes {
            protocol: Some(proto.into()),
            host: Some(host.into()),
            ..Attributes::default()
        };
        assert!(s.covers(&a("https", "bitbucket.org")));
        assert!(s.covers(&a("https", "BitBucket.org")));
        assert!(s.covers(&a("https", "bitbucket.org:443")));
        assert!(!s.covers(&a("http", "bitbucket.org")));
        assert!(!s.covers(&a("https", "github.com")));
        assert!(!s.covers(&a("https", "bitbucket.org.evil.com")));
        assert!(!s.covers(&a("https", "bitbucket.org:8443")));
        assert!(!s.covers(&Attributes::default()));
        let local = Scope::from_url("http://127.0.0.1:8080/").unwrap();
        assert!(local.covers(&a("http", "127.0.0.1:8080")));
        assert!(!local.covers(&a("http", "127.0.0.1")));
    }

    #[test]
    fn target_table() {
        let t = |s: &str| target(Some(s));
        assert_eq!(
            t("acme/api.git").unwrap().unwrap(),
            Target {
                workspace: "acme".into(),
                repo: "api".into()
            }
        );
        assert_eq!(t("Acme/api").unwrap().unwrap().workspace, "acme");
        assert_eq!(t("acme/api.git/info/lfs").unwrap().unwrap().repo, "api");
        assert_eq!(target(None), Ok(None));
        assert_eq!(t(""), Ok(None));
        for bad in ["acme", "../x", "acme/..", "acme/a b", "ac%me/x", "acme/"] {
            assert!(t(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers() {
        assert_eq!(
            answer("x-token-auth", "T", Some(5)).unwrap(),
            "username=x-token-auth\npassword=T\npassword_expiry_utc=5\n"
        );
        assert_eq!(answer("u", "a\nb", None), None);
        assert_eq!(answer("u", "", None), None);
        let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        assert_eq!(expiry_timestamp(d), 1767312000);
    }
}
