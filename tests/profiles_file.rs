//! A profiles.toml that is not a small regular file, through the built
//! binary: a FIFO, a symlink to /dev/zero, a directory, an oversized file.
//! Each is refused at once with exit 2 and a clear message; none hangs or
//! eats memory, and none is replaced.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `bbtoken list` against `dir`; kills it if it is still running after
/// 10 s (the old code hung on a FIFO forever).
fn list(dir: &std::path::Path) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bbtoken"))
        .arg("list")
        .env("BBTOKEN_CONFIG_DIR", dir)
        .env("BBTOKEN_STORE", "keyutils")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            let _ = child.wait();
            return (None, "hung".into(), started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn profiles_file_that_is_not_a_small_regular_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.toml");
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let mut big = String::from("version = 1\n#");
    big.push_str(&"x".repeat(5 * 1024 * 1024));
    type Setup<'a> = Box<dyn Fn() + 'a>;
    let cases: Vec<(&str, Setup, &str)> = vec![
        ("fifo", Box::new(|| {}), "FIFO"),
        (
            "/dev/zero",
            Box::new(|| {
                std::fs::remove_file(&path).unwrap();
                std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
            }),
            "character device",
        ),
        (
            "directory",
            Box::new(|| {
                std::fs::remove_file(&path).unwrap();
                std::fs::create_dir(&path).unwrap();
            }),
            "a directory",
        ),
        (
            "oversized",
            Box::new(|| {
                std::fs::remove_dir(&path).unwrap();
                std::fs::write(&path, &big).unwrap();
            }),
            "larger than",
        ),
    ];
    for (what, setup, expect) in cases {
        setup();
        let (code, err, took) = list(dir.path());
        assert_eq!(code, Some(2), "{what}: {err}");
        assert!(err.contains(expect), "{what}: {err}");
        assert!(took < Duration::from_secs(5), "{what} took {took:?}");
    }
}
