//! Benchmark: `bbtoken credential get` as git runs it (a new process per
//! request, the request on stdin), with 200 profiles whose secrets live in a
//! real Secret Service (a private GNOME Keyring, see tests/common).
//!
//!     cargo build --release && cargo run --release --example bench_credential
//!
//! Prints the median and p99 of 200 gets (after a warm-up), each for a
//! different profile. Target: well under 100 ms. Exits non-zero when the
//! Secret Service cannot start, the binary is missing, or an answer is wrong;
//! a missed target is reported, not hidden.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bbtoken::profile::{Profile, TokenKind};
use bbtoken::secret::Secret;
use bbtoken::store::{ProfileFile, SecretBackend, SecretStore};
use bbtoken::token::{ACCESS_PREFIX, synthesize};

const PROFILES: usize = 200;
const WARMUP: usize = 5;
const TARGET: Duration = Duration::from_millis(100);

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("bench_credential: {msg}");
    std::process::exit(1)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// target/<profile>/bbtoken, next to target/<profile>/examples/.
fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| fail(e));
    let bin = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("bbtoken"))
        .unwrap_or_else(|| fail("cannot place the bbtoken binary"));
    if !bin.exists() {
        fail(format!(
            "{} is missing: cargo build --release first",
            bin.display()
        ));
    }
    bin
}

#[tokio::main]
async fn main() {
    let bin = binary();
    let keyring = common::Keyring::start()
        .unwrap_or_else(|r| fail(format!("the private Secret Service did not start: {r}")));
    let config = tempfile::tempdir().unwrap_or_else(|e| fail(e));
    let work = tempfile::tempdir().unwrap_or_else(|e| fail(e));
    let tokens: Vec<String> = (0..PROFILES)
        .map(|i| synthesize(ACCESS_PREFIX, i as u32 + 1))
        .collect();
    {
        let _env = keyring
            .in_process()
            .await
            .unwrap_or_else(|r| fail(format!("the private Secret Service is not usable: {r}")));
        let store =
            SecretStore::open(SecretBackend::SecretService).with_timeout(Duration::from_secs(30));
        for (i, t) in tokens.iter().enumerate() {
            if let Err(e) = store
                .set(&format!("bench-{i:03}"), &Secret::new(t.clone()))
                .await
            {
                fail(format!("storing bench-{i:03}: {e}"));
            }
        }
        let file = ProfileFile::at(config.path().to_path_buf());
        let written = file.update(|doc| {
            for i in 0..PROFILES {
                doc.profiles.push(Profile::new(
                    &format!("bench-{i:03}"),
                    TokenKind::Repository,
                    "acme",
                    Some(&format!("repo-{i:03}")),
                ));
            }
            Ok::<_, std::convert::Infallible>(())
        });
        if let Err(e) = written {
            fail(format!("writing the profiles: {e}"));
        }
    }

    let get = |i: usize| -> Duration {
        let mut c = Command::new(&bin);
        c.args(["credential", "get"])
            .envs(keyring.envs())
            .env("BBTOKEN_CONFIG_DIR", config.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", work.path().join("gitconfig"))
            .env_remove("BBTOKEN_STORE")
            .env_remove("BBTOKEN_GIT_URL")
            .current_dir(work.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = c.spawn().unwrap_or_else(|e| fail(e));
        let request = format!("protocol=https\nhost=bitbucket.org\npath=acme/repo-{i:03}.git\n\n");
        let _ = child
            .stdin
            .take()
            .map(|mut s| s.write_all(request.as_bytes()));
        let out = child.wait_with_output().unwrap_or_else(|e| fail(e));
        let took = started.elapsed();
        let want = format!("username=x-token-auth\npassword={}\n", tokens[i]);
        if !out.status.success() || out.stdout != want.as_bytes() {
            fail(format!(
                "bench-{i:03}: wrong answer (exit {:?}, {} bytes)",
                out.status.code(),
                out.stdout.len()
            ));
        }
        took
    };

    for i in 0..WARMUP {
        get(i);
    }
    let mut times: Vec<Duration> = (0..PROFILES).map(get).collect();
    times.sort();
    let median = times[times.len() / 2];
    let p99 = times[(times.len() * 99).div_ceil(100) - 1];
    let max = *times.last().unwrap_or(&Duration::ZERO);
    println!(
        "bench_credential: {PROFILES} repository profiles, secrets in a real Secret Service (private gnome-keyring-daemon); one `bbtoken credential get` process per request, as git runs it"
    );
    println!(
        "  median {}   p99 {}   max {}   (target: well under {})",
        ms(median),
        ms(p99),
        ms(max),
        ms(TARGET)
    );
    if p99 >= TARGET {
        println!("  target missed: p99 is not under {}", ms(TARGET));
    }
}
