//! A loopback look-alike of Bitbucket Cloud's git smart-HTTP endpoint, for
//! end-to-end tests with real git: it serves `git http-backend` as a CGI and
//! asks for credentials the way bitbucket.org does.
//!
//! Why beside [`FakeBitbucket`]: it shares its token registry and scopes, so
//! one registered token works for the REST fake and for git alike. It runs on
//! its own port (point `BBTOKEN_GIT_URL` at [`FakeGit::url`]).
//!
//! The rules it enforces, from the facts doc:
//! - Basic auth with the kind's git username: `x-token-auth` for access
//!   tokens; for API tokens `x-bitbucket-api-token-auth` or the username set
//!   with [`FakeGit::set_api_username`]. Anything else, an unknown or a revoked
//!   token: 401 with `WWW-Authenticate: Basic realm="Bitbucket.org HTTP"`.
//! - fetch/clone (upload-pack) needs a read scope, push (receive-pack) a write
//!   scope (for API tokens write does not imply read): else 403.
//! - A repository the token does not reach, or one that does not exist: 404.
//!
//! Every request is recorded ([`SeenGit`]): method, the URL (path and query),
//! the headers (the Authorization header reduced to its username), the CGI
//! argv, and the status, so tests can prove no token travelled in a URL.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use super::{FakeBitbucket, FakeRepo, FakeToken, World, reaches};

/// The realm bitbucket.org names in its git 401s.
pub const REALM: &str = "Bitbucket.org HTTP";

/// One request as the git fake saw it.
#[derive(Debug, Clone)]
pub struct SeenGit {
    pub method: String,
    /// Path and query, exactly as requested.
    pub url: String,
    /// Every header; `authorization` is reduced to `Basic <username>:***`.
    pub headers: Vec<(String, String)>,
    /// The username of the Basic credentials, if any.
    pub username: Option<String>,
    /// The argv of the CGI, when one ran.
    pub cgi_argv: Vec<String>,
    pub status: u16,
}

struct GitState {
    world: Arc<Mutex<World>>,
    root: PathBuf,
    seen: Mutex<Vec<SeenGit>>,
    api_usernames: Mutex<Vec<(String, String)>>,
}

/// A running git fake. Dropping it stops the server and deletes its
/// repositories.
pub struct FakeGit {
    addr: std::net::SocketAddr,
    state: Arc<GitState>,
    _root: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeGit {
    /// Starts on 127.0.0.1 on a free port, sharing `bb`'s tokens and
    /// repositories, on the current tokio runtime.
    pub async fn start(bb: &FakeBitbucket) -> std::io::Result<FakeGit> {
        let root = tempfile::tempdir()?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(GitState {
            world: bb.world.clone(),
            root: root.path().to_path_buf(),
            seen: Mutex::new(Vec::new()),
            api_usernames: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(FakeGit {
            addr,
            state,
            _root: root,
            shutdown: Some(tx),
        })
    }

    /// The git base to give bbtoken (`BBTOKEN_GIT_URL`): `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Where the bare repositories live (`<root>/<workspace>/<slug>.git`).
    pub fn root(&self) -> &Path {
        &self.state.root
    }

    /// Creates an empty bare repository for `workspace/slug` on disk. The
    /// REST fake must also know it ([`FakeBitbucket::add_repo`]) for a token
    /// to reach it.
    pub fn create_bare(&self, workspace: &str, slug: &str) -> PathBuf {
        let dir = self.state.root.join(workspace).join(format!("{slug}.git"));
        std::fs::create_dir_all(&dir).expect("fake git: repository directory");
        let status = std::process::Command::new("git")
            .args(["init", "--quiet", "--bare", "--initial-branch=main"])
            .arg(&dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .expect("fake git: run git init");
        assert!(status.success(), "fake git: git init --bare failed");
        dir
    }

    /// Lets an API token authenticate to git with `username` (besides
    /// `x-bitbucket-api-token-auth`).
    pub fn set_api_username(&self, token: &str, username: &str) {
        self.state
            .api_usernames
            .lock()
            .expect("fake git")
            .push((token.into(), username.into()));
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<SeenGit> {
        self.state.seen.lock().expect("fake git").clone()
    }
}

impl Drop for FakeGit {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// What a request asks git to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Fetch,
    Push,
}

/// `/<workspace>/<slug>.git/<rest>` and the service, or `None`.
fn parse(path: &str, query: &str) -> Option<(String, String, Service)> {
    let mut it = path.trim_start_matches('/').splitn(3, '/');
    let ws = it.next()?;
    let slug = it.next()?.strip_suffix(".git")?;
    let rest = it.next()?;
    let name = match rest {
        "info/refs" => query
            .split('&')
            .find_map(|kv| kv.strip_prefix("service="))?
            .to_string(),
        other => other.to_string(),
    };
    let service = match name.as_str() {
        "git-upload-pack" => Service::Fetch,
        "git-receive-pack" => Service::Push,
        _ => return None,
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    (ok(ws) && ok(slug)).then(|| (ws.to_string(), slug.to_string(), service))
}

fn basic(headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let b64 = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

fn answer(status: StatusCode, text: &str) -> Response {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", "text/plain");
    if status == StatusCode::UNAUTHORIZED {
        b = b.header("www-authenticate", format!("Basic realm=\"{REALM}\""));
    }
    b.body(Body::from(text.to_string()))
        .expect("static response")
}

fn can(spec: &FakeToken, service: Service) -> bool {
    let api = spec.credential_type == "api_token";
    let has = |s: &str| spec.scopes.iter().any(|x| x == s);
    match (api, service) {
        (false, Service::Fetch) => has("repository") || has("repository:write"),
        (false, Service::Push) => has("repository:write"),
        (true, Service::Fetch) => has("read:repository:bitbucket"),
        (true, Service::Push) => has("write:repository:bitbucket"),
    }
}

async fn handle(State(st): State<Arc<GitState>>, req: Request) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let url = if query.is_empty() {
        path.clone()
    } else {
        format!("{path}?{query}")
    };
    let creds = basic(req.headers());
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            let v = if k == "authorization" {
                match &creds {
                    Some((u, _)) => format!("Basic {u}:***"),
                    None => "***".to_string(),
                }
            } else {
                String::from_utf8_lossy(v.as_bytes()).into_owned()
            };
            (k.as_str().to_string(), v)
        })
        .collect();
    let mut seen = SeenGit {
        method: method.clone(),
        url,
        headers,
        username: creds.as_ref().map(|(u, _)| u.clone()),
        cgi_argv: Vec::new(),
        status: 0,
    };
    let decided = decide(&st, &path, &query, creds.as_ref());
    let response = match decided {
        Err((status, text)) => answer(status, text),
        Ok(user) => {
            seen.cgi_argv = vec!["git".into(), "http-backend".into()];
            match cgi(&st, req, &method, &path, &query, &user).await {
                Ok(r) => r,
                Err(e) => answer(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        }
    };
    seen.status = response.status().as_u16();
    st.seen.lock().expect("fake git").push(seen);
    response
}

/// Authentication and authorisation: the user to hand the CGI, or the answer.
fn decide(
    st: &GitState,
    path: &str,
    query: &str,
    creds: Option<&(String, String)>,
) -> Result<String, (StatusCode, &'static str)> {
    let Some((ws, slug, service)) = parse(path, query) else {
        return Err((StatusCode::NOT_FOUND, "Not found"));
    };
    let unauthorized = || (StatusCode::UNAUTHORIZED, "Authentication failed");
    let Some((user, pass)) = creds else {
        return Err(unauthorized());
    };
    let (spec, repo): (Option<FakeToken>, Option<FakeRepo>) = {
        let w = st.world.lock().expect("fake world");
        (
            w.tokens.get(pass).cloned(),
            w.repos
                .iter()
                .find(|r| r.workspace == ws && r.slug == slug)
                .cloned(),
        )
    };
    let Some(spec) = spec.filter(|s| !s.quirks.revoked) else {
        return Err(unauthorized());
    };
    let user_ok = if spec.credential_type == "api_token" {
        user == crate::gitcmd::API_TOKEN_GIT_USER
            || st
                .api_usernames
                .lock()
                .expect("fake git")
                .iter()
                .any(|(t, u)| t == pass && u == user)
    } else {
        user == crate::gitcmd::ACCESS_TOKEN_GIT_USER
    };
    if !user_ok {
        return Err(unauthorized());
    }
    let on_disk = st.root.join(&ws).join(format!("{slug}.git")).is_dir();
    match repo {
        Some(r) if on_disk && reaches(&spec.reach, &r) => {}
        _ => {
            return Err((
                StatusCode::NOT_FOUND,
                "Repository not found\nThe requested repository either does not exist or you do not have access.",
            ));
        }
    }
    if !can(&spec, service) {
        return Err((
            StatusCode::FORBIDDEN,
            "Your credentials lack one or more required privilege scopes.",
        ));
    }
    Ok(user.clone())
}

/// Runs `git http-backend` for the request: the body streams into its
/// stdin, its headers become the response's, its body streams back.
async fn cgi(
    st: &GitState,
    req: Request,
    method: &str,
    path: &str,
    query: &str,
    user: &str,
) -> std::io::Result<Response> {
    let mut cmd = tokio::process::Command::new("git");
    cmd.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &st.root)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_PROJECT_ROOT", &st.root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("REQUEST_METHOD", method)
        .env("REMOTE_USER", user)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("GATEWAY_INTERFACE", "CGI/1.1");
    for (h, var) in [
        ("content-type", "CONTENT_TYPE"),
        ("content-length", "CONTENT_LENGTH"),
        ("content-encoding", "HTTP_CONTENT_ENCODING"),
        ("git-protocol", "HTTP_GIT_PROTOCOL"),
    ] {
        if let Some(v) = req.headers().get(h).and_then(|v| v.to_str().ok()) {
            cmd.env(var, v);
        }
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let mut body = req.into_body().into_data_stream();
    tokio::spawn(async move {
        while let Some(Ok(chunk)) = body.next().await {
            if stdin.write_all(&chunk).await.is_err() {
                break;
            }
        }
        // Dropping stdin closes it: the CGI sees the end of the body.
    });
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut builder = Response::builder().status(StatusCode::OK);
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).await? == 0 {
            break;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code = value
                .split_whitespace()
                .next()
                .and_then(|c| c.parse::<u16>().ok())
                .and_then(|c| StatusCode::from_u16(c).ok())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            builder = builder.status(code);
        } else {
            builder = builder.header(name, value);
        }
    }
    // The rest streams back; the child is reaped when its output ends.
    let stream = futures_util::stream::unfold(Some((out, child)), |state| async move {
        let (mut out, mut child) = state?;
        let mut buf = vec![0u8; 64 * 1024];
        match out.read(&mut buf).await {
            Ok(0) | Err(_) => {
                let _ = child.wait().await;
                None
            }
            Ok(n) => {
                buf.truncate(n);
                Some((
                    Ok::<_, std::io::Error>(axum::body::Bytes::from(buf)),
                    Some((out, child)),
                ))
            }
        }
    });
    builder
        .body(Body::from_stream(stream))
        .map_err(std::io::Error::other)
}
