//! Shared test harness: a private, real Secret Service.
//!
//! [`Keyring::start`] runs a private D-Bus session bus and a GNOME Keyring
//! daemon (secrets component only) under a temporary HOME, with an unlocked
//! `login` collection as the default collection, so bbtoken's Secret Service
//! backend can be exercised for real without ever touching the developer's own
//! keyring or session bus.
//!
//! Details that matter for reliability:
//! - The bus uses its own configuration file with no service directories, so
//!   nothing is ever D-Bus-activated from the system (the system's
//!   `org.freedesktop.secrets.service` would otherwise start a second keyring,
//!   and a prompter could be activated and hang).
//! - gnome-keyring-daemon does not create the `login` keyring when fed an
//!   *empty* password on `--unlock`; it is fed a fixed throwaway password
//!   instead (the keyring lives in a temporary directory and dies with it).
//! - Both daemons run under a tiny `sh` watchdog that reads our end of a pipe:
//!   when the test process goes away for any reason (including a panic abort
//!   or SIGKILL), the pipe closes and the watchdog kills its daemon. No daemon
//!   outlives the tests.
//! - `start` returns only once gnome-keyring owns `org.freedesktop.secrets`,
//!   the `default` alias resolves to a collection, and that collection is
//!   unlocked (all checked over the bus, bounded).
//!
//! Usable from integration tests (`mod common;`) and from the benchmark
//! (`#[path = "../tests/common/mod.rs"] mod common;`).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long the daemons get to come up before `start` gives up.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// The throwaway password of the temporary login keyring.
const KEYRING_PASSWORD: &str = "bbtoken-test-keyring";

/// Runs its arguments as a child and kills it when stdin reaches EOF.
/// Prints the child's pid first so Drop can SIGKILL it as a last resort.
const WATCHDOG: &str = r#"
"$@" &
child=$!
echo "watchdog-pid $child" >&2
while read -r _line; do :; done
kill -TERM "$child" 2>/dev/null
wait "$child" 2>/dev/null
exit 0
"#;

/// Like [`WATCHDOG`], but feeds the keyring password to the child's stdin.
const WATCHDOG_WITH_PASSWORD: &str = r#"
printf '%s' "$BBTOKEN_TEST_KEYRING_PASSWORD" | "$@" &
child=$!
echo "watchdog-pid $child" >&2
while read -r _line; do :; done
kill -TERM "$child" 2>/dev/null
wait "$child" 2>/dev/null
exit 0
"#;

struct Daemon {
    name: &'static str,
    shell: Child,
    /// Our end of the watchdog's stdin: dropping it stops the daemon.
    lifeline: Option<ChildStdin>,
    log: PathBuf,
}

impl Daemon {
    fn stop(&mut self) {
        drop(self.lifeline.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.shell.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => break,
            }
        }
        // The daemon ignored SIGTERM: kill it hard, then the watchdog.
        if let Some(pid) = watchdog_child_pid(&self.log) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.shell.kill();
        let _ = self.shell.wait();
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("watchdog-pid "))
            .collect();
        let tail = lines[lines.len().saturating_sub(10)..].join("\n");
        if tail.is_empty() {
            format!("({} printed nothing)", self.name)
        } else {
            format!("{} said:\n{tail}", self.name)
        }
    }
}

fn watchdog_child_pid(log: &Path) -> Option<u32> {
    std::fs::read_to_string(log)
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("watchdog-pid ")?.trim().parse().ok())
}

/// A private session bus with an unlocked GNOME Keyring on it.
pub struct Keyring {
    // Field order: the daemons are stopped in Drop before the directory goes.
    keyring: Option<Daemon>,
    bus: Option<Daemon>,
    address: String,
    home: tempfile::TempDir,
}

impl Keyring {
    /// Starts a private D-Bus session bus and gnome-keyring-daemon
    /// (`--components=secrets`, login keyring created and unlocked) under a
    /// temporary HOME with XDG_RUNTIME_DIR, XDG_DATA_HOME, XDG_CONFIG_HOME and
    /// XDG_CACHE_HOME inside it. `Err(reason)` when a binary is missing or the
    /// daemons do not come up in time.
    pub fn start() -> Result<Keyring, String> {
        let mut kr = Keyring::start_bus_only()?;
        if find_in_path("gnome-keyring-daemon").is_none() {
            return Err(
                "gnome-keyring-daemon is not installed (Debian: apt-get install gnome-keyring)"
                    .into(),
            );
        }
        let mut cmd = kr.watchdog(WATCHDOG_WITH_PASSWORD);
        cmd.args([
            "gnome-keyring-daemon",
            "--foreground",
            "--components=secrets",
            "--unlock",
        ])
        .env("BBTOKEN_TEST_KEYRING_PASSWORD", KEYRING_PASSWORD);
        let log = kr.home.path().join("keyring.log");
        kr.keyring = Some(spawn_daemon("gnome-keyring-daemon", cmd, &log, false)?);
        kr.wait_ready()?;
        Ok(kr)
    }

    /// Only the private session bus, with no secrets service on it (and none
    /// that can be activated): what a desktop-less machine looks like.
    pub fn start_bus_only() -> Result<Keyring, String> {
        for bin in ["dbus-daemon", "dbus-send", "sh"] {
            if find_in_path(bin).is_none() {
                return Err(format!(
                    "{bin} is not installed (Debian: apt-get install dbus-daemon dbus-bin)"
                ));
            }
        }
        let home = make_home().map_err(|e| format!("cannot create a temporary HOME: {e}"))?;
        let root = home.path().to_path_buf();
        for (dir, private) in [
            ("run", true),
            ("data", false),
            ("config", false),
            ("cache", false),
        ] {
            let path = root.join(dir);
            std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            if private {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        let socket = root.join("run").join("bus");
        let config = root.join("bus.conf");
        std::fs::write(&config, bus_config(&socket))
            .map_err(|e| format!("{}: {e}", config.display()))?;

        let mut kr = Keyring {
            keyring: None,
            bus: None,
            address: String::new(),
            home,
        };

        // The bus: --print-address writes the address on our stdout pipe.
        let (bus, address) = kr.spawn_bus(&config)?;
        kr.bus = Some(bus);
        kr.address = address;
        Ok(kr)
    }

    /// Environment to give a child process so that it uses this keyring:
    /// DBUS_SESSION_BUS_ADDRESS, HOME and the XDG base directories.
    pub fn envs(&self) -> Vec<(String, String)> {
        let root = self.home.path();
        let p = |d: &str| root.join(d).display().to_string();
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.address.clone()),
            ("HOME".into(), root.display().to_string()),
            ("XDG_RUNTIME_DIR".into(), p("run")),
            ("XDG_DATA_HOME".into(), p("data")),
            ("XDG_CONFIG_HOME".into(), p("config")),
            ("XDG_CACHE_HOME".into(), p("cache")),
        ]
    }

    /// Stops this harness's gnome-keyring-daemon (only the one it started),
    /// leaving the bus up: the Secret Service is then simply gone, as when
    /// the daemon crashed or was never started in this session.
    pub fn stop_secrets(&mut self) {
        if let Some(mut d) = self.keyring.take() {
            d.stop();
        }
    }

    /// CPU time (user + system) gnome-keyring-daemon has used so far, from
    /// /proc: what the Secret Service itself costs, apart from bbtoken
    /// (benchmarks; `None` when stopped or not on Linux).
    #[allow(dead_code)] // used by examples/bench_validate.rs only
    pub fn secrets_cpu(&self) -> Option<Duration> {
        let pid = watchdog_child_pid(&self.keyring.as_ref()?.log)?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command's closing parenthesis; utime and stime
        // are the 14th and 15th of the whole line, in clock ticks.
        let rest = &stat[stat.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
        // SAFETY: sysconf only reads a configuration value.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        (hz > 0).then(|| Duration::from_secs_f64(ticks as f64 / hz as f64))
    }

    /// The bus address (`unix:path=…`).
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The temporary HOME.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Points this process at the keyring, for in-process use of
    /// `bbtoken::store::SecretStore`, until the guard is dropped.
    ///
    /// Why this exists: the zbus Secret Service store reads
    /// DBUS_SESSION_BUS_ADDRESS from the process environment when a
    /// `SecretStore` first connects, and offers no other way to choose the bus.
    /// The environment is process-wide, so the guard holds a process-wide lock:
    /// tests that use it run one at a time, and each must open its
    /// `SecretStore` while holding the guard. Setting the variable is `unsafe`
    /// in edition 2024 because C code in another thread might call getenv at
    /// the same moment; under the lock, only code that is reading it through
    /// std (which takes std's own environment lock) runs in this process.
    ///
    /// Also proves the keyring works through bbtoken's own code path: stores,
    /// reads and deletes a probe secret with `SecretStore` (Secret Service).
    pub async fn in_process(&self) -> Result<InProcess<'_>, String> {
        let lock = ENV_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let previous = std::env::var_os("DBUS_SESSION_BUS_ADDRESS");
        // SAFETY: see above; ENV_LOCK is held and no C code in this process
        // reads the environment concurrently in the tests that use it.
        unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &self.address) };
        let guard = InProcess {
            _lock: lock,
            previous,
            _keyring: self,
        };
        probe_round_trip().await?;
        Ok(guard)
    }

    fn watchdog(&self, script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(script).arg("bbtoken-test-watchdog");
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        for (k, v) in self.envs() {
            if !(k == "DBUS_SESSION_BUS_ADDRESS" && v.is_empty()) {
                cmd.env(k, v);
            }
        }
        cmd.env("LANG", "C");
        cmd
    }

    fn spawn_bus(&self, config: &Path) -> Result<(Daemon, String), String> {
        let mut cmd = self.watchdog(WATCHDOG);
        cmd.arg("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--nopidfile", "--print-address=1"]);
        let log = self.home.path().join("bus.log");
        let mut daemon = spawn_daemon("dbus-daemon", cmd, &log, true)?;
        let stdout = daemon.shell.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let mut reader = BufReader::new(stdout);
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the daemon never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(line) if line.trim().starts_with("unix:") => Ok((daemon, line.trim().to_string())),
            Ok(_) | Err(_) => {
                let tail = daemon.log_tail();
                daemon.stop();
                Err(format!(
                    "dbus-daemon did not print its address within {START_TIMEOUT:?}; {tail}"
                ))
            }
        }
    }

    fn dbus_send(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("dbus-send")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .arg(format!("--bus={}", self.address))
            .args(["--print-reply", "--reply-timeout=2000"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("dbus-send: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// Waits (bounded) until the secrets service is usable without a prompt.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut last = String::from("nothing checked yet");
        while Instant::now() < deadline {
            match self.check_ready() {
                Ok(()) => return Ok(()),
                Err(e) => last = e,
            }
            if let Some(d) = &mut self.keyring
                && let Ok(Some(status)) = d.shell.try_wait()
            {
                return Err(format!(
                    "gnome-keyring-daemon stopped ({status}) before it was ready; {}",
                    d.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let tail = self
            .keyring
            .as_ref()
            .map(Daemon::log_tail)
            .unwrap_or_default();
        Err(format!(
            "the Secret Service was not ready within {START_TIMEOUT:?}: {last}; {tail}"
        ))
    }

    fn check_ready(&self) -> Result<(), String> {
        let owned = self.dbus_send(&[
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        ])?;
        if !owned.contains("boolean true") {
            return Err("org.freedesktop.secrets has no owner on the bus yet".into());
        }
        let alias = self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.ReadAlias",
            "string:default",
        ])?;
        let path = alias
            .lines()
            .find_map(|l| l.trim().strip_prefix("object path \""))
            .and_then(|l| l.strip_suffix('"'))
            .filter(|p| *p != "/")
            .ok_or("the default collection alias is not set yet")?
            .to_string();
        let locked = self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            &path,
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
        ])?;
        if locked.contains("boolean false") {
            Ok(())
        } else {
            Err(format!("the default collection {path} is locked"))
        }
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        if let Some(mut d) = self.keyring.take() {
            d.stop();
        }
        if let Some(mut d) = self.bus.take() {
            d.stop();
        }
    }
}

static ENV_LOCK: Mutex<()> = Mutex::new(());

/// Holds the process pointed at a [`Keyring`]; restores the previous
/// DBUS_SESSION_BUS_ADDRESS when dropped.
pub struct InProcess<'a> {
    _lock: MutexGuard<'static, ()>,
    previous: Option<std::ffi::OsString>,
    _keyring: &'a Keyring,
}

impl Drop for InProcess<'_> {
    fn drop(&mut self) {
        // SAFETY: as in `Keyring::in_process`; the lock is still held here.
        unsafe {
            match &self.previous {
                Some(v) => std::env::set_var("DBUS_SESSION_BUS_ADDRESS", v),
                None => std::env::remove_var("DBUS_SESSION_BUS_ADDRESS"),
            }
        }
    }
}

/// Sets the process-wide DBUS_SESSION_BUS_ADDRESS under the harness's lock,
/// for tests that point the process at a bus that is not a [`Keyring`] (a bus
/// without a secrets service, a dead socket). Same rules as
/// [`Keyring::in_process`].
pub fn with_bus_address(address: &str) -> BusAddressGuard {
    let lock = ENV_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let previous = std::env::var_os("DBUS_SESSION_BUS_ADDRESS");
    // SAFETY: see `Keyring::in_process`.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", address) };
    BusAddressGuard {
        _lock: lock,
        previous,
    }
}

pub struct BusAddressGuard {
    _lock: MutexGuard<'static, ()>,
    previous: Option<std::ffi::OsString>,
}

impl Drop for BusAddressGuard {
    fn drop(&mut self) {
        // SAFETY: as in `Keyring::in_process`; the lock is still held here.
        unsafe {
            match &self.previous {
                Some(v) => std::env::set_var("DBUS_SESSION_BUS_ADDRESS", v),
                None => std::env::remove_var("DBUS_SESSION_BUS_ADDRESS"),
            }
        }
    }
}

async fn probe_round_trip() -> Result<(), String> {
    use bbtoken::secret::Secret;
    use bbtoken::store::{SecretBackend, SecretStore};
    let store =
        SecretStore::open(SecretBackend::SecretService).with_timeout(Duration::from_secs(15));
    let name = format!("harness-probe-{}", std::process::id());
    let probe = Secret::new("harness-probe-value");
    store
        .set(&name, &probe)
        .await
        .map_err(|e| format!("storing a probe secret through SecretStore failed: {e}"))?;
    let back = store
        .get(&name)
        .await
        .map_err(|e| format!("reading the probe secret through SecretStore failed: {e}"))?;
    let _ = store.delete(&name).await;
    if back.expose() != probe.expose() {
        return Err(format!(
            "the probe secret read back differs ({} instead of {})",
            back.masked(),
            probe.masked()
        ));
    }
    Ok(())
}

/// Starts a [`Keyring`], or reports a skip ([`skip`]) and returns `None`.
/// When `CI` is set (see [`in_ci`]), panics instead: in CI these tests must
/// run.
pub fn keyring_or_skip(test: &str) -> Option<Keyring> {
    match Keyring::start() {
        Ok(k) => Some(k),
        Err(reason) if in_ci() => {
            panic!("{test}: the private Secret Service could not start, and CI is set: {reason}")
        }
        Err(reason) => {
            skip(test, &reason);
            None
        }
    }
}

/// Reports that `test` did not run, where a person reading `cargo test`
/// sees it: the test harness captures `eprintln!` of passing tests and shows
/// nothing, so the line is written to the process's stderr directly, which
/// it does not capture. It appears among the `test … ok` lines as
/// `skipped: <test>: <reason>`.
pub fn skip(test: &str, reason: &str) {
    use std::io::Write;
    let line = format!("\nskipped: {test}: {reason}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// True when the `CI` environment variable is set to anything but "", "0"
/// or "false" (any case): `CI=false` and `CI=0` mean "not CI", as most CI
/// services and tools read it. `.ci/run` sets `CI=true` itself.
pub fn in_ci() -> bool {
    std::env::var("CI")
        .map(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false"))
        .unwrap_or(false)
}

fn find_in_path(bin: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(bin))
        .find(|p| p.is_file())
}

/// A temporary directory with a short path: unix socket paths are limited to
/// 107 bytes.
fn make_home() -> std::io::Result<tempfile::TempDir> {
    let tmp = std::env::temp_dir();
    let base = if tmp.as_os_str().len() > 60 {
        PathBuf::from("/tmp")
    } else {
        tmp
    };
    tempfile::Builder::new()
        .prefix("bbtoken-kr-")
        .tempdir_in(base)
}

fn bus_config(socket: &Path) -> String {
    // A session bus that activates nothing: no <servicedir>, no
    // <standard_session_servicedirs/>.
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        socket.display()
    )
}

/// Starts a watchdog command; its stderr (and stdout unless `pipe_stdout`)
/// go to `log`.
fn spawn_daemon(
    name: &'static str,
    mut cmd: Command,
    log: &Path,
    pipe_stdout: bool,
) -> Result<Daemon, String> {
    let log_file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let out = if pipe_stdout {
        Stdio::piped()
    } else {
        Stdio::from(
            log_file
                .try_clone()
                .map_err(|e| format!("{}: {e}", log.display()))?,
        )
    };
    cmd.stdin(Stdio::piped())
        .stdout(out)
        .stderr(Stdio::from(log_file));
    let mut shell = cmd
        .spawn()
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    let lifeline = shell.stdin.take();
    Ok(Daemon {
        name,
        shell,
        lifeline,
        log: log.to_path_buf(),
    })
}
