//! Benchmark: the TUI in a real pseudo-terminal (160×50), with 1,000
//! profiles. Prints the time to the first frame that shows profiles, and the
//! key→frame latency (p50/p99) while 200 validations are in flight against
//! the fake Bitbucket (answering after 5 s), secrets in a private GNOME
//! Keyring. Prints figures and never fails on a slow machine.
//!
//!     cargo build --release --bin bbtoken
//!     cargo run --release --example bench_tui
//!
//! `BBTOKEN_BIN` picks another binary (default: target/release/bbtoken).
//! A "frame" is the first output byte after the key: with validations
//! finishing meanwhile, some frames are theirs, so the figures are a lower
//! bound when the app redraws on its own.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bbtoken::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::secret::Secret;
use bbtoken::store::{SecretBackend, SecretStore};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 50;
const COLS: u16 = 160;
const PROFILES: usize = 1000;
const WITH_SECRET: usize = 200;
const DELAY: Duration = Duration::from_secs(5);
const KEYS: usize = 60;

fn say(msg: impl std::fmt::Display) -> ! {
    println!("bench_tui: not measured: {msg}");
    std::process::exit(0)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn token(i: usize) -> String {
    format!("ATCTT3xFfGN0{}=0000{i:04X}", "x".repeat(171))
}

fn config(n: usize) -> String {
    let mut s = String::from("version = 1\n");
    for i in 0..n {
        s.push_str(&format!(
            "\n[[profile]]\nname = \"bench-{i:04}\"\nkind = \"repository\"\nworkspace = \"acme\"\nrepo = \"api\"\ncreated = \"2026-01-01T00:00:00Z\"\n"
        ));
    }
    s
}

struct Out {
    parser: vt100::Parser,
    bytes: usize,
}

#[tokio::main]
async fn main() {
    let bin = std::env::var("BBTOKEN_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/bbtoken").to_string()
    });
    if !std::path::Path::new(&bin).exists() {
        say(format!(
            "{bin} is missing: cargo build --release --bin bbtoken"
        ));
    }
    let keyring = match common::Keyring::start() {
        Ok(k) => k,
        Err(reason) => say(format!(
            "the private Secret Service did not start: {reason}"
        )),
    };
    let fake = match FakeBitbucket::start().await {
        Ok(f) => f,
        Err(e) => say(format!("the fake Bitbucket did not start: {e}")),
    };
    fake.add_repo(FakeRepo::new("acme", "api", "PROJ"));
    {
        let _env = match keyring.in_process().await {
            Ok(g) => g,
            Err(reason) => say(format!(
                "the private Secret Service is not usable: {reason}"
            )),
        };
        let store =
            SecretStore::open(SecretBackend::SecretService).with_timeout(Duration::from_secs(30));
        for i in 0..WITH_SECRET {
            fake.add_token(
                &token(i),
                FakeToken {
                    credential_type: "repo_access_token".into(),
                    scopes: vec!["repository".into()],
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
            if let Err(e) = store
                .set(&format!("bench-{i:04}"), &Secret::new(token(i)))
                .await
            {
                say(format!("storing a secret: {e}"));
            }
        }
    }
    let conf = keyring.home().join("bbtoken-config");
    std::fs::create_dir_all(&conf).unwrap_or_else(|e| say(e));
    std::fs::write(conf.join("profiles.toml"), config(PROFILES)).unwrap_or_else(|e| say(e));

    let pair = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap_or_else(|e| say(e));
    let mut cmd = CommandBuilder::new(&bin);
    for (k, v) in keyring.envs() {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color");
    cmd.env("BBTOKEN_CONFIG_DIR", &conf);
    cmd.env("BBTOKEN_API_URL", fake.api_url());
    cmd.env("BBTOKEN_CLIPBOARD", "osc52");
    cmd.env_remove("BBTOKEN_STORE");
    cmd.env_remove("DISPLAY");
    cmd.env_remove("WAYLAND_DISPLAY");
    cmd.env_remove("TMUX");
    let started = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).unwrap_or_else(|e| say(e));
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap_or_else(|e| say(e));
    let mut writer = pair.master.take_writer().unwrap_or_else(|e| say(e));
    let out = Arc::new(Mutex::new(Out {
        parser: vt100::Parser::new(ROWS, COLS, 0),
        bytes: 0,
    }));
    let o = out.clone();
    std::thread::spawn(move || {
        let _master = pair.master;
        let mut buf = [0u8; 65536];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            let mut o = o.lock().unwrap_or_else(|p| p.into_inner());
            o.parser.process(&buf[..n]);
            o.bytes += n;
        }
    });
    let bytes = || out.lock().unwrap_or_else(|p| p.into_inner()).bytes;
    let shows = |needle: &str| {
        out.lock()
            .unwrap_or_else(|p| p.into_inner())
            .parser
            .screen()
            .contents()
            .contains(needle)
    };

    // First frame: the list shows the first profile.
    let first = loop {
        if shows("bench-0000") {
            break started.elapsed();
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            say("no frame with the profiles within 30 s");
        }
        std::thread::sleep(Duration::from_micros(500));
    };
    std::thread::sleep(Duration::from_millis(500));

    // Validate all: 200 requests wait 5 s at the fake; 800 fail at once (no secret).
    let _ = writer.write_all(b"V");
    let _ = writer.flush();
    let validate_started = Instant::now();
    std::thread::sleep(Duration::from_millis(600));
    let mut lat = Vec::new();
    for k in 0..KEYS {
        if validate_started.elapsed() > DELAY - Duration::from_millis(300) {
            break;
        }
        let before = bytes();
        let key: &[u8] = if k % 2 == 0 { b"j" } else { b"k" };
        let sent = Instant::now();
        let _ = writer.write_all(key);
        let _ = writer.flush();
        while bytes() == before && sent.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_micros(200));
        }
        lat.push(sent.elapsed());
        std::thread::sleep(Duration::from_millis(40));
    }
    if std::env::var("BENCH_TUI_SCREEN").is_ok() {
        let o = out.lock().unwrap_or_else(|p| p.into_inner());
        println!("{}", o.parser.screen().contents());
    }
    let in_flight = validate_started.elapsed() < DELAY;
    let _ = writer.write_all(b"q");
    let _ = writer.flush();
    std::thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();

    lat.sort();
    let pct = |p: f64| -> Duration {
        if lat.is_empty() {
            return Duration::ZERO;
        }
        lat[((lat.len() as f64 - 1.0) * p).round() as usize]
    };
    println!(
        "bench_tui: {PROFILES} profiles in a {COLS}x{ROWS} PTY, {} (release build)",
        bin
    );
    println!(
        "  first frame showing the profiles:            {}",
        ms(first)
    );
    println!(
        "  key -> frame, {} keys with {WITH_SECRET} validations in flight: p50 {}  p99 {}  max {}",
        lat.len(),
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(lat.last().copied().unwrap_or_default())
    );
    println!(
        "  all keys sent before the first of the 200 answers could arrive: {}",
        if in_flight { "yes" } else { "no" }
    );
}
