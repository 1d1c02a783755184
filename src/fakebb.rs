//! A fake Bitbucket Cloud on loopback: answers Get Repository the way the real
//! one does (statuses, headers, error bodies from the facts doc). The demo runs
//! on it, and so do the HTTP tests and the benchmark.
//!
//! Tokens are registered with what they may see and how the server should
//! misbehave for them (delay, 429s, bad bodies, redirects, hostile text), so
//! every outcome can be produced on purpose.

pub mod git;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use base64::Engine;

/// A repository the fake knows.
#[derive(Debug, Clone)]
pub struct FakeRepo {
    pub workspace: String,
    pub slug: String,
    pub project: String,
    pub is_private: bool,
    /// `None` plays an empty repository (no main branch yet).
    pub main_branch: Option<String>,
}

impl FakeRepo {
    pub fn new(workspace: &str, slug: &str, project: &str) -> FakeRepo {
        FakeRepo {
            workspace: workspace.into(),
            slug: slug.into(),
            project: project.into(),
            is_private: true,
            main_branch: Some("main".into()),
        }
    }
}

/// Which repositories a token reaches.
#[derive(Debug, Clone)]
pub enum Reach {
    Repo {
        workspace: String,
        slug: String,
    },
    Project {
        workspace: String,
        project: String,
    },
    Workspace(String),
    /// An API token's user: every repository of these workspaces.
    User(Vec<String>),
}

/// How the fake answers for a token beyond the normal rules.
#[derive(Debug, Clone, Default)]
pub struct Quirks {
    pub delay: Option<Duration>,
    /// Answer 429 this many times before answering normally.
    pub rate_limited_times: u32,
    /// Always answer this status (5xx and others) with a plain body.
    pub fixed_status: Option<u16>,
    pub malformed_body: bool,
    /// Send a body of this many bytes.
    pub oversized_body: Option<usize>,
    /// Answer 301 with this Location.
    pub redirect_to: Option<String>,
    /// Answer as if the token were expired or revoked.
    pub revoked: bool,
    /// Answer like a hostile server: terminal escapes in every field and
    /// header bbtoken reads.
    pub hostile: Option<Hostile>,
}

/// Terminal attacks in one string: OSC 52 (writes the clipboard), clear
/// screen, OSC 0 (window title), an OSC 8 link, a fake red "token valid"
/// line after a carriage return, bracketed-paste end with Ctrl-U, C1 CSI
/// (U+009B) and a right-to-left override (U+202E).
pub const HOSTILE_TEXT: &str = "\u{1b}]52;c;dG91Y2ggL3RtcC9wd25lZA==\u{7}\u{1b}[2J\u{1b}]0;owned\u{7}\u{1b}]8;;https://evil.example/\u{1b}\\click\u{1b}]8;;\u{1b}\\\r\u{1b}[31m✓ token valid\u{1b}[0m\u{1b}[201~\u{15}\u{9b}2J\u{202e}txet";

/// Branch names that must never reach a git command as they are.
pub const HOSTILE_BRANCHES: [&str; 3] = [
    "main\u{1b}[201~\u{15}touch /tmp/x\r",
    "--mirror",
    "+refs/heads/*:refs/heads/*",
];

/// How a hostile answer looks.
#[derive(Debug, Clone)]
pub struct Hostile {
    /// Put into every text field and header.
    pub text: String,
    /// `mainbranch.name` of a 200 answer.
    pub branch: String,
    /// Answer this error status (with `error.message` and `error.detail`
    /// hostile) instead of 200.
    pub error_status: Option<u16>,
    /// `error.detail` as an object with `required` (else as a string).
    pub detail_object: bool,
    /// Answer 301 with the hostile text in `Location`.
    pub redirect: bool,
    /// Answer 200 with a body that never ends (hostile text, forever).
    pub endless_body: bool,
}

impl Hostile {
    pub fn new(branch: &str) -> Hostile {
        Hostile {
            text: HOSTILE_TEXT.into(),
            branch: branch.into(),
            error_status: None,
            detail_object: false,
            redirect: false,
            endless_body: false,
        }
    }

    pub fn error(status: u16, detail_object: bool) -> Hostile {
        Hostile {
            error_status: Some(status),
            detail_object,
            ..Hostile::new("main")
        }
    }
}

#[derive(Debug, Clone)]
pub struct FakeToken {
    /// `x-credential-type`: repo_access_token, project_access_token,
    /// workspace_access_token or api_token.
    pub credential_type: String,
    pub scopes: Vec<String>,
    pub reach: Reach,
    /// API tokens: the Atlassian email they authenticate with.
    pub email: Option<String>,
    /// Access tokens: the bot id shown in the clone link.
    pub bot_id: Option<String>,
    pub quirks: Quirks,
}

/// One request as the fake saw it, for tests to inspect.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub path: String,
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
    /// When the request arrived, so tests can measure the gaps between
    /// retries and when an answer was sent (arrival + delay).
    pub at: std::time::Instant,
}

#[derive(Default)]
struct World {
    repos: Vec<FakeRepo>,
    tokens: HashMap<String, FakeToken>,
    seen: Vec<SeenRequest>,
    answered_429: HashMap<String, u32>,
    /// Added to the real time in every `Date` header this fake sends, in
    /// seconds: plays a server (or a machine) whose clock is off.
    clock_skew: i64,
}

/// A running fake. Dropping it stops the server.
pub struct FakeBitbucket {
    addr: SocketAddr,
    world: Arc<Mutex<World>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeBitbucket {
    /// Starts on 127.0.0.1 on a free port, on the current tokio runtime.
    pub async fn start() -> std::io::Result<FakeBitbucket> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let world = Arc::new(Mutex::new(World::default()));
        let app =
            axum::Router::new()
                .route("/2.0/repositories/{workspace}/{slug}", get(get_repository))
                .route("/2.0/user", get(get_user))
                .fallback(
                    |headers: HeaderMap,
                     uri: axum::http::Uri,
                     State(w): State<Arc<Mutex<World>>>| async move {
                        record(&w, uri.path(), &headers);
                        plain(StatusCode::NOT_FOUND, "Not found")
                    },
                )
                .with_state(world.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(FakeBitbucket {
            addr,
            world,
            shutdown: Some(tx),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API base to give bbtoken: `http://127.0.0.1:PORT/2.0`.
    pub fn api_url(&self) -> String {
        format!("http://{}/2.0", self.addr)
    }

    pub fn add_repo(&self, repo: FakeRepo) {
        self.world.lock().expect("fake world").repos.push(repo);
    }

    pub fn add_token(&self, token: &str, spec: FakeToken) {
        self.world
            .lock()
            .expect("fake world")
            .tokens
            .insert(token.into(), spec);
    }

    /// Makes every later `Date` header `seconds` ahead of the real time
    /// (behind when negative), as a machine with a wrong clock would see it.
    pub fn set_clock_skew(&self, seconds: i64) {
        self.world.lock().expect("fake world").clock_skew = seconds;
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<SeenRequest> {
        self.world.lock().expect("fake world").seen.clone()
    }
}

impl Drop for FakeBitbucket {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn record(world: &Arc<Mutex<World>>, path: &str, headers: &HeaderMap) {
    let get = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    world.lock().expect("fake world").seen.push(SeenRequest {
        path: path.into(),
        authorization: get("authorization"),
        user_agent: get("user-agent"),
        at: std::time::Instant::now(),
    });
}

fn plain(status: StatusCode, text: &str) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain")
        .body(Body::from(text.to_string()))
        .expect("static response")
}

fn error_json(status: StatusCode, message: &str, detail: Option<serde_json::Value>) -> Response {
    let mut error = serde_json::json!({ "message": message });
    if let Some(d) = detail {
        error["detail"] = d;
    }
    let body = serde_json::json!({ "type": "error", "error": error });
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("static response")
}

/// The token and, for Basic, the email, from an Authorization header.
fn credentials(headers: &HeaderMap) -> Option<(String, Option<String>)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    if let Some(t) = value.strip_prefix("Bearer ") {
        return Some((t.to_string(), None));
    }
    let b64 = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (email, token) = text.split_once(':')?;
    Some((token.to_string(), Some(email.to_string())))
}

fn reaches(reach: &Reach, repo: &FakeRepo) -> bool {
    match reach {
        Reach::Repo { workspace, slug } => *workspace == repo.workspace && *slug == repo.slug,
        Reach::Project { workspace, project } => {
            *workspace == repo.workspace && *project == repo.project
        }
        Reach::Workspace(ws) => *ws == repo.workspace,
        Reach::User(wss) => wss.contains(&repo.workspace),
    }
}

/// `GET /2.0/user`. Only its unauthenticated answer is played (what
/// `bbtoken doctor` asks for): 401 with Bitbucket's error body, and a `Date`
/// header that carries the fake's clock skew. A token gets 403, as an access
/// token does on the real endpoint.
async fn get_user(State(world): State<Arc<Mutex<World>>>, headers: HeaderMap) -> Response {
    record(&world, "/2.0/user", &headers);
    let skew = world.lock().expect("fake world").clock_skew;
    let mut resp = if credentials(&headers).is_some() {
        error_json(
            StatusCode::FORBIDDEN,
            "This API is not accessible by this authentication mechanism",
            None,
        )
    } else {
        error_json(StatusCode::UNAUTHORIZED, INVALID, None)
    };
    let now = chrono::Utc::now() + chrono::Duration::seconds(skew);
    // hyper adds a `Date` only when the response has none.
    if let Ok(v) = HeaderValue::from_str(&now.format("%a, %d %b %Y %H:%M:%S GMT").to_string()) {
        resp.headers_mut().insert("date", v);
    }
    resp
}

const INVALID: &str = "Token is invalid, expired, or not supported for this endpoint.";
const NO_ACCESS: &str = "You may not have access to this repository or it no longer exists in this workspace. If you think this repository exists and you have access, make sure you are authenticated.";

async fn get_repository(
    State(world): State<Arc<Mutex<World>>>,
    Path((workspace, slug)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    record(
        &world,
        &format!("/2.0/repositories/{workspace}/{slug}"),
        &headers,
    );
    let Some((token, email)) = credentials(&headers) else {
        return error_json(StatusCode::UNAUTHORIZED, INVALID, None);
    };
    let (spec, repo) = {
        let w = world.lock().expect("fake world");
        let spec = w.tokens.get(&token).cloned();
        let repo = w
            .repos
            .iter()
            .find(|r| r.workspace == workspace && r.slug == slug)
            .cloned();
        (spec, repo)
    };
    let Some(spec) = spec else {
        return error_json(StatusCode::UNAUTHORIZED, INVALID, None);
    };
    let q = &spec.quirks;
    if let Some(d) = q.delay {
        tokio::time::sleep(d).await;
    }
    if q.rate_limited_times > 0 {
        let mut w = world.lock().expect("fake world");
        let n = w.answered_429.entry(token.clone()).or_insert(0);
        if *n < q.rate_limited_times {
            *n += 1;
            // Bitbucket Cloud: plain text, no Retry-After.
            return plain(
                StatusCode::TOO_MANY_REQUESTS,
                "Rate limit for this resource has been exceeded",
            );
        }
    }
    if let Some(status) = q.fixed_status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return plain(status, "Something went wrong");
    }
    if let Some(h) = &q.hostile {
        return hostile_answer(h, &workspace, &slug);
    }
    if let Some(to) = &q.redirect_to {
        return Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header("location", to.as_str())
            .body(Body::empty())
            .expect("static response");
    }
    let is_api = spec.credential_type == "api_token";
    // API tokens sent as Bearer, or with another account's email, get 401.
    if q.revoked || is_api != email.is_some() || (is_api && email != spec.email) {
        return error_json(StatusCode::UNAUTHORIZED, INVALID, None);
    }
    let read = if is_api {
        "read:repository:bitbucket"
    } else {
        "repository"
    };
    let can_read = spec
        .scopes
        .iter()
        .any(|s| s == read || (!is_api && s == "repository:write"));
    let mut resp = match repo.filter(|r| reaches(&spec.reach, r)) {
        None => error_json(StatusCode::NOT_FOUND, NO_ACCESS, None),
        Some(_) if !can_read => error_json(
            StatusCode::FORBIDDEN,
            "Your credentials lack one or more required privilege scopes.",
            Some(serde_json::json!({ "required": [read], "granted": spec.scopes })),
        ),
        Some(repo) if q.malformed_body => {
            let _ = repo;
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(Body::from("{\"type\": \"repository\", \"full_name\": "))
                .expect("static response")
        }
        Some(_) if q.oversized_body.is_some() => {
            let n = q.oversized_body.unwrap_or(0);
            let mut body = String::with_capacity(n + 64);
            body.push_str("{\"type\":\"repository\",\"full_name\":\"x/y\",\"pad\":\"");
            body.extend(std::iter::repeat_n('x', n));
            body.push_str("\"}");
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(Body::from(body))
                .expect("static response")
        }
        Some(repo) => {
            let user = spec.bot_id.clone().unwrap_or_else(|| "jdoe".into());
            let body = serde_json::json!({
                "type": "repository",
                "full_name": format!("{}/{}", repo.workspace, repo.slug),
                "name": repo.slug,
                "slug": repo.slug,
                "is_private": repo.is_private,
                "scm": "git",
                "uuid": "{00000000-0000-4000-8000-000000000000}",
                "mainbranch": repo.main_branch.as_ref().map(|b| serde_json::json!({"name": b, "type": "branch"})),
                "workspace": {"type": "workspace", "slug": repo.workspace, "name": repo.workspace},
                "project": {"type": "project", "key": repo.project, "name": repo.project},
                "links": {
                    "html": {"href": format!("https://bitbucket.org/{}/{}", repo.workspace, repo.slug)},
                    "clone": [
                        {"name": "https", "href": format!("https://{user}@bitbucket.org/{}/{}.git", repo.workspace, repo.slug)},
                        {"name": "ssh", "href": format!("git@bitbucket.org:{}/{}.git", repo.workspace, repo.slug)}
                    ]
                },
                "updated_on": "2026-05-01T23:14:57.312975+00:00"
            });
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .expect("static response")
        }
    };
    let h = resp.headers_mut();
    let put = |h: &mut HeaderMap, name: &'static str, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(name, v);
        }
    };
    put(h, "x-oauth-scopes", &spec.scopes.join(", "));
    put(h, "x-accepted-oauth-scopes", read);
    put(h, "x-credential-type", &spec.credential_type);
    if !is_api {
        put(h, "x-ratelimit-limit", "1000");
        put(h, "x-ratelimit-resource", "api-repository");
        put(h, "x-ratelimit-nearlimit", "false");
    }
    resp
}

/// A header value as close to `text` as HTTP allows: the bytes a header may
/// carry (tab, visible ASCII, and any byte from 0x80, which lets C1 and bidi
/// characters through as UTF-8) and nothing else.
fn hostile_header(text: &str) -> HeaderValue {
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|&b| b == b'\t' || (0x20..0x7f).contains(&b) || b >= 0x80)
        .collect();
    HeaderValue::from_bytes(&bytes).unwrap_or_else(|_| HeaderValue::from_static("x"))
}

fn hostile_answer(h: &Hostile, workspace: &str, slug: &str) -> Response {
    let t = &h.text;
    let mut resp = match h.error_status {
        _ if h.redirect => Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(
                "location",
                hostile_header(&format!("https://evil.example/{t}")),
            )
            .body(Body::empty())
            .expect("static response"),
        _ if h.endless_body => {
            let chunk = axum::body::Bytes::from(format!("{{\"full_name\":\"{t}"));
            let endless = futures_util::stream::repeat_with(move || {
                Ok::<_, std::convert::Infallible>(chunk.clone())
            });
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(Body::from_stream(endless))
                .expect("static response")
        }
        Some(status) => {
            let detail = if h.detail_object {
                serde_json::json!({ "required": [format!("repository{t}")], "granted": [t] })
            } else {
                serde_json::json!(t)
            };
            error_json(
                StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN),
                t,
                Some(detail),
            )
        }
        None => {
            let body = serde_json::json!({
                "type": "repository",
                "full_name": format!("{workspace}/{slug}{t}"),
                "is_private": true,
                "mainbranch": {"name": h.branch, "type": "branch"},
                "project": {"type": "project", "key": format!("P{t}")},
                "links": {"clone": [
                    {"name": "https", "href": format!("https://abcdefghijklmnopqrstuvwxyz{t}@bitbucket.org/{workspace}/{slug}.git")}
                ]}
            });
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .expect("static response")
        }
    };
    let headers = resp.headers_mut();
    headers.insert(
        "x-oauth-scopes",
        hostile_header(&format!("repository, {t}")),
    );
    headers.insert("x-accepted-oauth-scopes", hostile_header(t));
    headers.insert("x-credential-type", hostile_header(t));
    headers.insert("x-ratelimit-limit", hostile_header(t));
    headers.insert("x-ratelimit-resource", hostile_header(t));
    headers.insert("x-ratelimit-nearlimit", hostile_header(t));
    resp
}
