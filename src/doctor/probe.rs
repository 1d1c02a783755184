//! The edge of `bbtoken doctor`: gathers the facts each pure check reads
//! (environment, files, the credential store, one HTTP request, git, the
//! terminal), every step bounded in time, the slow ones at once.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::{Check, Report, api, clock, git, profiles, store, terminal};
use crate::bitbucket::client::{ApiConfig, Client, ProbeError, base_is_loopback};
use crate::i18n::{Said, say};
use crate::secret::Secret;
use crate::store::secrets::{SecretBackend, SecretStore, checked_timeout_from_env};

/// How long name resolution, a helper process or the X server may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);
/// How long doctor waits for the profiles lock: enough to tell a held lock
/// from a passing write.
const LOCK_WAIT: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// No network: the API and clock checks are skipped.
    pub offline: bool,
}

/// Runs every check; the report is in the order a token travels.
pub async fn run(opts: Options) -> Report {
    let (store, files, (api_checks, clock_check), git, term) = tokio::join!(
        store_check(),
        blocking(profile_checks),
        api_and_clock(opts.offline),
        blocking(git_checks),
        terminal_checks(),
    );
    let mut checks = vec![store];
    checks.extend(files);
    checks.extend(api_checks);
    checks.push(clock_check);
    checks.extend(git);
    checks.extend(term);
    Report::new(checks)
}

async fn blocking(f: fn() -> Vec<Check>) -> Vec<Check> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        vec![Check::fail(
            "doctor",
            say!("doctor.stopped", error = e.to_string()),
            say!("doctor.stopped_fix"),
        )]
    })
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

async fn store_check() -> Check {
    let setting = env("BBTOKEN_STORE");
    let backend = SecretBackend::from_env();
    let timeout = checked_timeout_from_env();
    let item = store::probe_name(std::process::id());
    let round_trip = match (&backend, &timeout) {
        (Ok(b), Ok(t)) => Some(round_trip(SecretStore::open(*b).with_timeout(*t), &item).await),
        _ => None,
    };
    store::check(&store::Facts {
        setting: setting.as_deref().map(crate::text::clean),
        backend,
        timeout,
        session_bus: env("DBUS_SESSION_BUS_ADDRESS").is_some(),
        item,
        round_trip,
    })
}

/// Stores, reads back and deletes the throwaway item; the delete is tried
/// whatever happened before it.
async fn round_trip(s: SecretStore, item: &str) -> store::RoundTrip {
    let start = Instant::now();
    // Not a token: a value no profile holds, different on every run.
    let value = Secret::new(format!(
        "bbtoken-doctor-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let write = s.set(item, &value).await;
    let read = match &write {
        Ok(()) => Some(
            s.get(item)
                .await
                .map(|back| back.expose() == value.expose()),
        ),
        Err(_) => None,
    };
    let delete = s.delete(item).await;
    store::RoundTrip {
        write,
        read,
        delete,
        elapsed: start.elapsed(),
    }
}

fn profile_checks() -> Vec<Check> {
    let from_env = env("BBTOKEN_CONFIG_DIR").is_some();
    let pf = match crate::store::ProfileFile::from_env() {
        Ok(pf) => pf,
        Err(e) => return profiles::no_dir(&e.to_string()),
    };
    let path = pf.path();
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir_mode = mode(std::fs::metadata(&dir).ok().as_ref());
    let file = match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => profiles::FileState::Missing,
        Err(e) => profiles::FileState::Unreadable(e.to_string()),
        Ok(m) => match std::fs::metadata(&path) {
            Ok(target) => profiles::FileState::Present {
                mode: mode(Some(&target)),
                symlink: m.file_type().is_symlink(),
            },
            Err(e) => profiles::FileState::Unreadable(e.to_string()),
        },
    };
    let parsed = matches!(file, profiles::FileState::Present { .. }).then(|| {
        pf.load()
            .map(|d| d.profiles.len())
            .map_err(|e| e.to_string())
    });
    // Only where bbtoken already has a folder: doctor creates none.
    let lock = dir
        .is_dir()
        .then(|| match pf.clone().with_lock_timeout(LOCK_WAIT).lock() {
            Ok(guard) => {
                drop(guard);
                profiles::LockState::Free
            }
            Err(crate::store::ConfigError::LockTimeout { .. }) => profiles::LockState::Held {
                waited_ms: LOCK_WAIT.as_millis() as u64,
            },
            Err(e) => profiles::LockState::Error(e.to_string()),
        });
    profiles::checks(&profiles::Facts {
        dir,
        from_env,
        dir_mode,
        file,
        parsed,
        lock,
    })
}

fn mode(m: Option<&std::fs::Metadata>) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        m.map(|m| m.permissions().mode())
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        None
    }
}

async fn api_and_clock(offline: bool) -> (Vec<Check>, Check) {
    let from_env = env("BBTOKEN_API_URL").is_some();
    let cfg = ApiConfig::from_env();
    let mut facts = api::Facts {
        base: cfg
            .as_ref()
            .map(|c| c.base.clone())
            .map_err(|e| e.to_string()),
        from_env,
        host: None,
        proxy: None,
        resolved: None,
        answer: None,
        offline,
    };
    let no_date = |why: Said| Check::skip(clock::NAME, why);
    let Ok(cfg) = cfg else {
        return (api::checks(&facts), no_date(say!("doctor.api.bad_base")));
    };
    let url = reqwest::Url::parse(&cfg.base).ok();
    let host = url
        .as_ref()
        .and_then(|u| Some((u.host_str()?.to_string(), u.port_or_known_default()?)));
    facts.host = host.clone();
    facts.proxy = url.as_ref().and_then(proxy_for);
    if offline {
        return (api::checks(&facts), no_date(say!("doctor.offline")));
    }
    let Some((name, port)) = host else {
        facts.resolved = Some(Err("the API base names no host".into()));
        return (api::checks(&facts), no_date(say!("doctor.api.no_host")));
    };
    let resolved =
        match tokio::time::timeout(STEP_TIMEOUT, tokio::net::lookup_host((name.as_str(), port)))
            .await
        {
            Ok(Ok(addrs)) => {
                let mut ips: Vec<String> = addrs.map(|a| a.ip().to_string()).collect();
                ips.dedup();
                Ok(ips)
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "no answer from DNS in {} s",
                STEP_TIMEOUT.as_secs()
            )),
        };
    let go = resolved.is_ok() || facts.proxy.is_some();
    facts.resolved = Some(resolved);
    if !go {
        return (api::checks(&facts), no_date(say!("doctor.clock.no_answer")));
    }
    // One attempt, no 429 retries: a doctor says what it saw.
    let client = match Client::new(ApiConfig {
        retries_429: 0,
        ..cfg
    }) {
        Ok(c) => c,
        Err(e) => {
            facts.answer = Some(Err(api::Failure::Tls(e.to_string())));
            return (api::checks(&facts), no_date(say!("doctor.clock.no_api")));
        }
    };
    let sent = Utc::now();
    let start = Instant::now();
    let probe = client.probe("/user").await;
    let elapsed = start.elapsed();
    // The server stamped its Date somewhere in the round trip: compare
    // with the middle of it.
    let local: DateTime<Utc> = sent + chrono::Duration::from_std(elapsed / 2).unwrap_or_default();
    let (answer, clock_check) = match probe {
        Ok(p) => {
            let c = clock::check(local, p.date.as_deref(), &crate::text::clean(&name));
            (
                Ok(api::Answer {
                    status: p.status,
                    version: p.version,
                    date: p.date.as_deref().map(crate::text::clean),
                    bitbucket_error: p.bitbucket_error,
                    elapsed_ms: elapsed.as_millis() as u64,
                    location: p.location.as_deref().map(crate::text::clean),
                }),
                c,
            )
        }
        Err(e) => (
            Err(match e {
                ProbeError::Timeout => api::Failure::Timeout,
                ProbeError::Tls(c) => api::Failure::Tls(c),
                ProbeError::Connect(c) => api::Failure::Connect(c),
                ProbeError::Other(c) => api::Failure::Other(c),
            }),
            no_date(say!("doctor.clock.no_answer")),
        ),
    };
    facts.answer = Some(answer);
    (api::checks(&facts), clock_check)
}

/// The proxy reqwest will use for `url`, from the usual variables, with any
/// user name and password masked. Loopback never goes through one.
fn proxy_for(url: &reqwest::Url) -> Option<String> {
    if base_is_loopback(url.as_str()) {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let no_proxy = env("NO_PROXY")
        .or_else(|| env("no_proxy"))
        .unwrap_or_default();
    let excluded = no_proxy.split(',').map(str::trim).any(|p| {
        let p = p.trim_start_matches('.').to_ascii_lowercase();
        p == "*" || (!p.is_empty() && (host == p || host.ends_with(&format!(".{p}"))))
    });
    if excluded {
        return None;
    }
    let names: &[&str] = if url.scheme() == "https" {
        &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
    } else {
        &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
    };
    let raw = names.iter().find_map(|n| env(n))?;
    Some(match reqwest::Url::parse(&raw) {
        Ok(mut u) => {
            if !u.username().is_empty() || u.password().is_some() {
                let _ = u.set_username("***");
                let _ = u.set_password(None);
            }
            u.to_string()
        }
        // Not a URL: show no part of it, it may hold a password.
        Err(_) => "(a value that is not a URL)".into(),
    })
}

fn git_checks() -> Vec<Check> {
    let url = env("BBTOKEN_GIT_URL")
        .map(|u| u.trim_end_matches('/').to_string())
        .unwrap_or_else(|| crate::gitcmd::Endpoints::default().git);
    let version = std::process::Command::new("git")
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| e.to_string())
        .and_then(|o| {
            if o.status.success() {
                Ok(String::from_utf8_lossy(&o.stdout).into_owned())
            } else {
                Err(String::from_utf8_lossy(&o.stderr).trim().to_string())
            }
        });
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let (repository, helpers, use_http_path) = if version.is_ok() {
        let entries = crate::git::run::config_regexp(&cwd, &[], r"^credential\..*helper$");
        (
            crate::git::run::toplevel(&cwd).map(|p| p.display().to_string()),
            crate::git::here::helpers_for(&entries, &url),
            crate::git::run::config_get(
                &cwd,
                &["config", "--get-urlmatch", "credential.useHttpPath", &url],
            ),
        )
    } else {
        (None, Vec::new(), None)
    };
    let target = helpers
        .iter()
        .rev()
        .find(|h| crate::git::config::is_bbtoken_helper(h))
        .map(|h| {
            let path = git::helper_path(h);
            let resolved = path.as_deref().and_then(|p| std::fs::canonicalize(p).ok());
            let this = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
            git::Target {
                exists: resolved.as_ref().is_some_and(|p| p.is_file()),
                is_this_binary: resolved.is_some() && resolved == this,
                path,
            }
        });
    git::checks(&git::Facts {
        version,
        url,
        repository,
        helpers,
        target,
        use_http_path,
    })
}

async fn terminal_checks() -> Vec<Check> {
    use std::io::IsTerminal;
    let stdout_tty = std::io::stdout().is_terminal();
    let multiplexer = crate::tui::clipboard::Multiplexer::from_env();
    let setting = env("BBTOKEN_CLIPBOARD");
    let display = if cfg!(target_os = "linux") {
        env("DISPLAY")
    } else {
        Some("(the system's)".into())
    };
    let tmux_set_clipboard = if multiplexer == Some(crate::tui::clipboard::Multiplexer::Tmux) {
        tmux_option("set-clipboard").await
    } else {
        None
    };
    let native = match (&display, setting.as_deref()) {
        (Some(_), s) if s != Some("osc52") && cfg!(target_os = "linux") => {
            Some(x11_answers().await)
        }
        _ => None,
    };
    terminal::checks(&terminal::Facts {
        stdin_tty: std::io::stdin().is_terminal(),
        stdout_tty,
        term: std::env::var("TERM").ok(),
        size: stdout_tty
            .then(|| crossterm::terminal::size().ok())
            .flatten(),
        multiplexer,
        tmux_set_clipboard,
        setting,
        display,
        wayland: env("WAYLAND_DISPLAY").is_some(),
        native,
    })
}

async fn tmux_option(name: &str) -> Option<String> {
    let run = tokio::process::Command::new("tmux")
        .args(["show-options", "-gv", name])
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(STEP_TIMEOUT, run).await {
        Ok(Ok(o)) if o.status.success() => {
            Some(String::from_utf8_lossy(&o.stdout).trim().to_string())
        }
        _ => None,
    }
}

/// Whether the X server answers, the way the app's clipboard connects to it
/// (nothing is copied).
async fn x11_answers() -> Result<(), String> {
    let connect = tokio::task::spawn_blocking(|| {
        arboard::Clipboard::new()
            .map(drop)
            .map_err(|e| e.to_string())
    });
    match tokio::time::timeout(STEP_TIMEOUT, connect).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer in {} s", STEP_TIMEOUT.as_secs())),
    }
}
