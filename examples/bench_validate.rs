//! Benchmark: validate 200 profiles whose secrets live in a real Secret
//! Service (a private GNOME Keyring, see tests/common) against the fake
//! Bitbucket, every token answering after 250 ms.
//!
//!     cargo run --release --example bench_validate
//!
//! Environment: `BENCH_PROFILES` (default 200), `BENCH_JOBS` (default: the
//! validator's default concurrency), `BENCH_SEQUENTIAL=0` to skip the
//! sequential pass, `BENCH_STORE=memory` to keep the secrets in memory
//! instead of the keyring (for thousands of profiles: gnome-keyring rewrites
//! its file on every store, so filling it grows quadratically). It prints the process's peak RSS (getrusage) at the end.
//!
//! Target: all within 1.2× one request's latency. Exits non-zero when the
//! Secret Service cannot start or a validation does not come back valid; a
//! missed target is reported, not hidden, but does not fail the run.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use bbtoken::bitbucket::{ApiConfig, Client};
use bbtoken::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::profile::{Profile, Status, TokenKind};
use bbtoken::secret::Secret;
use bbtoken::store::{SecretBackend, SecretStore};
use bbtoken::validate::{DEFAULT_CONCURRENCY, Validator};
use futures_util::StreamExt;

const DELAY: Duration = Duration::from_millis(250);
const TARGET_FACTOR: f64 = 1.2;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// Peak resident set size of this process (KiB on Linux).
fn peak_rss_kib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a full rusage into the pointer it is given.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    if rc != 0 {
        return -1;
    }
    // SAFETY: initialised by the successful call above.
    unsafe { usage.assume_init() }.ru_maxrss
}
/// Run the sequential pass for real when it is estimated to take less.
const SEQUENTIAL_BUDGET: Duration = Duration::from_secs(60);

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("bench_validate: {msg}");
    std::process::exit(1)
}

fn profile(i: usize) -> Profile {
    Profile::new(
        &format!("bench-{i:03}"),
        TokenKind::Repository,
        "acme",
        Some("api"),
    )
}

/// A distinct, realistically long (192 characters) token per profile.
fn token(i: usize) -> String {
    let body: String = format!("{i:05}")
        .chars()
        .cycle()
        .take(171)
        .collect::<String>();
    format!("ATCTT3xFfGN0{body}=0000{i:04X}")
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let profiles_n = env_usize("BENCH_PROFILES", 200);
    let jobs = env_usize("BENCH_JOBS", DEFAULT_CONCURRENCY);
    let run_sequential = std::env::var("BENCH_SEQUENTIAL").as_deref() != Ok("0");
    let in_memory = std::env::var("BENCH_STORE").as_deref() == Ok("memory");
    let keyring = if in_memory {
        None
    } else {
        match common::Keyring::start() {
            Ok(k) => Some(k),
            Err(reason) => fail(format!(
                "the private Secret Service did not start: {reason}"
            )),
        }
    };
    let _env = match &keyring {
        None => None,
        Some(k) => match k.in_process().await {
            Ok(g) => Some(g),
            Err(reason) => fail(format!(
                "the private Secret Service is not usable: {reason}"
            )),
        },
    };
    let fake = match FakeBitbucket::start().await {
        Ok(f) => f,
        Err(e) => fail(format!("the fake Bitbucket did not start: {e}")),
    };
    fake.add_repo(FakeRepo::new("acme", "api", "PROJ"));
    for i in 0..profiles_n {
        fake.add_token(
            &token(i),
            FakeToken {
                credential_type: "repo_access_token".into(),
                scopes: vec!["repository".into(), "repository:write".into()],
                reach: Reach::Repo {
                    workspace: "acme".into(),
                    slug: "api".into(),
                },
                email: None,
                bot_id: None,
                quirks: Quirks {
                    delay: Some(DELAY),
                    ..Quirks::default()
                },
            },
        );
    }
    let profiles: Vec<Profile> = (0..profiles_n).map(profile).collect();
    let store = if in_memory {
        SecretStore::memory()
    } else {
        SecretStore::open(SecretBackend::SecretService).with_timeout(Duration::from_secs(30))
    };

    // Store the secrets (not part of the target).
    let started = Instant::now();
    for (i, p) in profiles.iter().enumerate() {
        if let Err(e) = store.set(&p.name, &Secret::new(token(i))).await {
            fail(format!("storing {}: {e}", p.name));
        }
    }
    let stored = started.elapsed();

    let client = match Client::new(ApiConfig {
        base: fake.api_url(),
        ..ApiConfig::default()
    }) {
        Ok(c) => c,
        Err(e) => fail(e),
    };
    let validator = Validator::new(client, store.clone()).with_concurrency(jobs);

    // Reading the 200 secrets on their own, issued the way validate_all issues
    // them (all at once, up to the default concurrency).
    let started = Instant::now();
    let reads: Vec<_> = futures_util::stream::iter(profiles.iter())
        .map(|p| store.get(&p.name))
        .buffer_unordered(jobs)
        .collect()
        .await;
    let read_all = started.elapsed();
    if let Some(Err(e)) = reads.iter().find(|r| r.is_err()) {
        fail(format!("reading secrets: {e}"));
    }
    // The same secrets in one batch, as validate_all reads them.
    let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
    let daemon_before = keyring.as_ref().and_then(|k| k.secrets_cpu());
    let started = Instant::now();
    let batch = store.get_many(&names).await;
    let read_batch = started.elapsed();
    let daemon_batch = daemon_before
        .zip(keyring.as_ref().and_then(|k| k.secrets_cpu()))
        .map(|(before, after)| after.saturating_sub(before));
    if let Some(Err(e)) = batch.values().find(|r| r.is_err()) {
        fail(format!("reading secrets in a batch: {e}"));
    }
    drop(batch);
    let started = Instant::now();
    for p in &profiles[..20] {
        if let Err(e) = store.get(&p.name).await {
            fail(format!("reading {}: {e}", p.name));
        }
    }
    let read_one = started.elapsed() / 20;

    // (a) One validation alone (secret read + request): the median of 5, after
    // one warm-up that opens the HTTP connection.
    let mut singles = Vec::new();
    for (round, p) in profiles.iter().take(6).enumerate() {
        let started = Instant::now();
        let o = validator.validate(p).await;
        let took = started.elapsed();
        if o.status != Status::Valid {
            fail(format!(
                "{} came back {}: {}",
                p.name,
                o.status.as_str(),
                o.message
            ));
        }
        if round > 0 {
            singles.push(took);
        }
    }
    singles.sort();
    let one = singles[singles.len() / 2];

    // (b) All 200 at once.
    let started = Instant::now();
    let mut first = None;
    let mut valid = 0;
    let mut stream = std::pin::pin!(validator.validate_all(&profiles));
    while let Some((i, o)) = stream.next().await {
        first.get_or_insert_with(|| started.elapsed());
        if o.status == Status::Valid {
            valid += 1;
        } else {
            eprintln!("{}: {} {}", profiles[i].name, o.status.as_str(), o.message);
        }
    }
    let all = started.elapsed();
    if valid != profiles_n {
        fail(format!(
            "only {valid} of {profiles_n} validations came back valid"
        ));
    }

    // (c) Sequential: measured when it fits the budget, else estimated.
    let estimate = one * profiles_n as u32;
    let (sequential, measured) = if run_sequential && estimate < SEQUENTIAL_BUDGET {
        let started = Instant::now();
        for p in &profiles {
            let o = validator.validate(p).await;
            if o.status != Status::Valid {
                fail(format!("{} came back {}", p.name, o.status.as_str()));
            }
        }
        (started.elapsed(), true)
    } else {
        (estimate, false)
    };

    let ratio_one = all.as_secs_f64() / one.as_secs_f64();
    let ratio_seq = sequential.as_secs_f64() / all.as_secs_f64();
    let met = ratio_one <= TARGET_FACTOR;
    println!(
        "bench_validate: {profiles_n} repository access tokens, fake Bitbucket answering after {}, secrets in a real Secret Service (private gnome-keyring-daemon)",
        ms(DELAY)
    );
    println!(
        "  storing {profiles_n} secrets (one by one, not timed): {}",
        ms(stored)
    );
    println!(
        "  reading {profiles_n} secrets at once, no HTTP:         {}",
        ms(read_all)
    );
    println!(
        "  reading {profiles_n} secrets in one batch (get_many):  {}",
        ms(read_batch)
    );
    if let Some(cpu) = daemon_batch {
        println!(
            "    of which gnome-keyring-daemon's own CPU time:       {}  (the floor: it serves one call at a time)",
            ms(cpu)
        );
    }
    println!(
        "  reading one secret (mean of 20, one after another):  {}",
        ms(read_one)
    );
    println!(
        "  (a) one validation alone (median of 5):             {}",
        ms(one)
    );
    println!(
        "  (b) all {profiles_n} via validate_all (concurrency {jobs}): {}  (first result after {})",
        ms(all),
        ms(first.unwrap_or_default())
    );
    println!(
        "  (c) sequential, {}:                           {}",
        if measured {
            "measured"
        } else {
            "estimated as N × (a)"
        },
        ms(sequential)
    );
    println!("  (b) / (a) = {ratio_one:.2}×   (c) / (b) = {ratio_seq:.1}× faster than sequential");
    println!(
        "  target: all {profiles_n} within {TARGET_FACTOR}× one request's latency: {}",
        if met { "met" } else { "MISSED" }
    );
    println!(
        "  peak RSS of the process (fake server included): {:.1} MB",
        peak_rss_kib() as f64 / 1024.0
    );
}
