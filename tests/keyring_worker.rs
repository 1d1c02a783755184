//! One worker thread per credential store: a store that never answers gives
//! every call the timeout error, quickly once one call is stuck, and the
//! number of threads does not grow with the number of calls. Alone in its
//! test binary so no other test's threads disturb the count.
#![cfg(target_os = "linux")]

mod common;

use std::time::{Duration, Instant};

use bbtoken::secret::Secret;
use bbtoken::store::{SecretBackend, SecretStore, StoreError};

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stuck_store_fails_fast_without_piling_up_threads() {
    // A real unix socket that accepts connections and reads, but never
    // writes a byte: the D-Bus handshake never completes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silent-bus");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    let _env = common::with_bus_address(&format!("unix:path={}", path.display()));
    let timeout = Duration::from_millis(500);
    let store = SecretStore::open(SecretBackend::SecretService).with_timeout(timeout);
    let want = StoreError::Timeout {
        backend: "secret-service",
        secs: 1,
    };

    // The first call gets stuck connecting.
    assert_eq!(store.get("a").await.unwrap_err(), want);
    let after_one = threads();

    let n = 40;
    let started = Instant::now();
    for i in 0..n {
        let err = match i % 3 {
            0 => store.get("a").await.unwrap_err(),
            1 => store.set("a", &Secret::new("v")).await.unwrap_err(),
            _ => store.delete("a").await.unwrap_err(),
        };
        assert_eq!(err, want, "call {i}");
    }
    let elapsed = started.elapsed();
    let after_n = threads();
    eprintln!("{n} calls on a stuck store: {elapsed:?}; threads {after_one} -> {after_n}");
    // Fail fast: far less than n timeouts' worth.
    assert!(elapsed < timeout * 4, "{n} calls took {elapsed:?}");
    assert!(
        after_n <= after_one + 1,
        "threads grew from {after_one} to {after_n}"
    );

    // Concurrent calls from many tasks are bounded the same way.
    let mut tasks = Vec::new();
    for _ in 0..n {
        let s = store.clone();
        tasks.push(tokio::spawn(async move { s.get("b").await }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap_err(), want);
    }
    assert!(threads() <= after_one + 1, "threads grew to {}", threads());
}
