//! Benchmark: `bbtoken list` over 1,000 profiles, each with a recorded
//! validation (as after a `validate`), run as a real process.
//!
//!     cargo build --release && BENCH_LIST_DIR=/tmp/bbtoken-list \
//!         cargo run --release --example bench_list
//!
//! Writes the profiles into `BENCH_LIST_DIR` (default: a folder under the
//! temp dir) unless a profiles file is already there, then runs
//! `target/release/bbtoken list` (`BENCH_BIN` overrides) `BENCH_RUNS` times
//! (default 40) with `BBTOKEN_CONFIG_DIR` set to that dir and prints the
//! mean, minimum and maximum wall time and the largest peak RSS (from
//! `wait4`). The same dir can be timed with `perf stat -r 40` or
//! `hyperfine`; the command is printed. Figures are printed, never asserted.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bbtoken::profile::{Outcome, Profile, RateLimit, RepoFacts, Status, TokenKind};
use bbtoken::store::ProfileFile;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("bench_list: {msg}");
    std::process::exit(1)
}

/// A profile as a real user's would look after one `validate`.
fn profile(i: usize) -> Profile {
    let mut p = Profile::new(
        &format!("bench-{i:04}"),
        TokenKind::Repository,
        "acme",
        Some(&format!("repo-{i:04}")),
    );
    p.bot_email = Some(format!("b{i:04}@bots.bitbucket.org"));
    p.expires = chrono::NaiveDate::from_ymd_opt(2027, 1 + (i % 12) as u32, 1 + (i % 28) as u32);
    p.note = Some(format!("CI deploy token number {i}"));
    p.record(Outcome {
        http_status: Some(200),
        scopes: Some(vec!["repository".into(), "repository:write".into()]),
        credential_type: Some("repo_access_token".into()),
        repository: Some(RepoFacts {
            full_name: format!("acme/repo-{i:04}"),
            is_private: Some(true),
            main_branch: Some("main".into()),
            project_key: Some("PROJ".into()),
            bot_id_candidate: None,
        }),
        rate_limit: Some(RateLimit {
            limit: Some(1000),
            resource: Some("repository".into()),
            near_limit: Some(false),
        }),
        ..Outcome::bare(Status::Valid, "the token works for acme/repo", None)
    });
    p
}

/// Runs the binary once; wall time and peak RSS in KiB.
fn run_once(bin: &PathBuf, dir: &PathBuf) -> (Duration, i64) {
    let started = Instant::now();
    // Reaped by wait4 below, which also gives the peak RSS.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(bin)
        .arg("list")
        .env("BBTOKEN_CONFIG_DIR", dir)
        .env_remove("BBTOKEN_STATE_DIR")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| fail(format!("{}: {e}", bin.display())));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 fills status and a full rusage for our own child.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    let took = started.elapsed();
    if rc != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        fail(format!("{} list failed (status {status})", bin.display()));
    }
    // SAFETY: initialised by the successful wait4 above.
    (took, unsafe { usage.assume_init() }.ru_maxrss)
}

fn main() {
    let n = env_usize("BENCH_PROFILES", 1000);
    let runs = env_usize("BENCH_RUNS", 40);
    let dir = std::env::var_os("BENCH_LIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("bbtoken-bench-list-{n}")));
    let bin = std::env::var_os("BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/bbtoken")
        });
    let file = ProfileFile::at(dir.clone());
    if file.path().exists() {
        println!("using the profiles in {}", dir.display());
    } else {
        file.update(|doc| {
            doc.profiles.extend((0..n).map(profile));
            Ok::<_, ()>(())
        })
        .unwrap_or_else(|e| fail(e))
        .unwrap_or_else(|()| fail("unreachable"));
        println!("wrote {n} profiles into {}", dir.display());
    }
    if !bin.exists() {
        fail(format!(
            "{} is missing: run cargo build --release first",
            bin.display()
        ));
    }
    // One warm-up run: page cache and dynamic loader.
    run_once(&bin, &dir);
    let mut times = Vec::with_capacity(runs);
    let mut peak = 0;
    for _ in 0..runs {
        let (t, rss) = run_once(&bin, &dir);
        times.push(t);
        peak = peak.max(rss);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / runs as f64;
    let min = times.iter().map(|d| ms(*d)).fold(f64::INFINITY, f64::min);
    let max = times.iter().map(|d| ms(*d)).fold(0.0, f64::max);
    println!(
        "bbtoken list, {n} profiles, {runs} runs: mean {mean:.1} ms, min {min:.1} ms, max {max:.1} ms, peak RSS {:.1} MB",
        peak as f64 / 1024.0
    );
    println!("goal: <= 10 ms and <= 15 MB");
    println!(
        "reproduce with perf: BBTOKEN_CONFIG_DIR={} perf stat -r 40 {} list > /dev/null",
        dir.display(),
        bin.display()
    );
}
