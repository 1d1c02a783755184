//! The expiry alarm of `list` and `validate` (`--expiring-within`), as a cron
//! job or a CI step uses it: the built binary, a real private keyring, the
//! fake Bitbucket, and expiry dates fixed relative to today.

mod common;
#[path = "common/world.rs"]
mod world;

use bbtoken::token::{ACCESS_PREFIX, synthesize};
use chrono::{Duration, Utc};
use world::{World, code, stderr, stdout};

/// Adds a repository profile for acme/api whose token is `token`, expiring
/// `days` from today (or undated).
fn add(w: &World, name: &str, token: &str, days: Option<i64>) {
    let date = days.map(|d| (Utc::now().date_naive() + Duration::days(d)).to_string());
    let mut args = vec!["add", name, "-k", "repository", "-w", "acme", "-r", "api"];
    if let Some(date) = &date {
        args.extend(["--expires", date.as_str()]);
    }
    let o = w.run(&args, &format!("{token}\n"));
    assert_eq!(code(&o), 0, "add {name}: {}", stderr(&o));
}

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// Four profiles: one due in 5 days, one expired 2 days ago, one in 60 days
/// and one without a date.
fn four(w: &World) {
    add(w, "soon", &synthesize(ACCESS_PREFIX, 11), Some(5));
    add(w, "gone", &synthesize(ACCESS_PREFIX, 12), Some(-2));
    add(w, "later", &synthesize(ACCESS_PREFIX, 13), Some(60));
    add(w, "undated", &synthesize(ACCESS_PREFIX, 14), None);
}

#[test]
fn list_rings_for_profiles_inside_the_window_and_names_them() {
    let Some(w) = World::start("list_rings_for_profiles_inside_the_window") else {
        return;
    };
    four(&w);

    let o = w.run(&["list", "--expiring-within", "14d"], "");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let (out, err) = (stdout(&o), stderr(&o));
    // The table shows only what the window catches.
    assert!(out.contains("soon") && out.contains("gone"), "{out}");
    assert!(!out.contains("later") && !out.contains("undated"), "{out}");
    // Each due profile is named with its days left, its page and the fix.
    assert!(err.contains("soon expires in 5 days"), "{err}");
    assert!(err.contains("gone expired 2 days ago"), "{err}");
    assert!(
        err.contains("https://bitbucket.org/acme/api/admin/access-tokens"),
        "{err}"
    );
    assert!(err.contains("bbtoken edit soon --secret"), "{err}");
    assert!(err.contains("2 of 4 profile(s)"), "{err}");
    // An undated profile cannot be judged: it is said, not hidden.
    assert!(
        err.contains("without a recorded expiry date (undated)"),
        "{err}"
    );

    // "2w" is the same window.
    assert_eq!(code(&w.run(&["list", "--expiring-within", "2w"], "")), 1);
}

#[test]
fn list_is_quiet_and_exits_0_when_nothing_is_due() {
    let Some(w) = World::start("list_is_quiet_and_exits_0_when_nothing_is_due") else {
        return;
    };
    add(&w, "soon", &synthesize(ACCESS_PREFIX, 21), Some(5));
    add(&w, "later", &synthesize(ACCESS_PREFIX, 22), Some(60));

    // 4 days: "soon" (5 days left) is outside the window.
    let o = w.run(&["list", "--expiring-within", "4d"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("none of 2 profile(s) expires within 4 days"));
    // 5 days: the last day counts.
    let o = w.run(&["list", "--expiring-within", "5"], "");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    // Without the option, list never rings.
    assert_eq!(code(&w.run(&["list"], "")), 0);
}

#[test]
fn list_json_carries_days_left_and_stays_one_document() {
    let Some(w) = World::start("list_json_carries_days_left") else {
        return;
    };
    four(&w);

    let o = w.run(&["list", "--json", "--expiring-within", "14d"], "");
    assert_eq!(code(&o), 1);
    let rows = json(&o);
    let rows = rows.as_array().unwrap();
    let days: Vec<(&str, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r["days_left"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(days.len(), 2, "{rows:?}");
    assert!(days.contains(&("soon", 5)) && days.contains(&("gone", -2)));

    // Without a window every profile is listed; undated ones have no days_left.
    let all = json(&w.run(&["list", "--json"], ""));
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 4);
    let undated = all.iter().find(|r| r["name"] == "undated").unwrap();
    assert!(undated.get("days_left").is_none(), "{undated}");
    let later = all.iter().find(|r| r["name"] == "later").unwrap();
    assert_eq!(later["days_left"], 60);
}

#[test]
fn a_bad_window_is_a_usage_error() {
    let Some(w) = World::start("a_bad_window_is_a_usage_error") else {
        return;
    };
    for bad in ["14x", "-3", "d", "99999d", ""] {
        let o = w.run(&["list", "--expiring-within", bad], "");
        assert_eq!(code(&o), 2, "{bad}: {}", stderr(&o));
    }
}

#[test]
fn validate_rings_after_a_passing_check_and_keeps_a_failing_code() {
    let Some(w) = World::start("validate_rings_after_a_passing_check") else {
        return;
    };
    let good = w.repo_token(31, "api", Default::default());
    add(&w, "deploy", &good, Some(3));

    // The token is valid, but it dies in 3 days: the CI step fails.
    let o = w.run(&["validate", "deploy", "--expiring-within", "14d"], "");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("deploy expires in 3 days"),
        "{}",
        stderr(&o)
    );
    // Outside the window the same check passes.
    let o = w.run(&["validate", "deploy", "--expiring-within", "2d"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // JSON rows carry days_left.
    let o = w.run(
        &["validate", "deploy", "--json", "--expiring-within", "14d"],
        "",
    );
    assert_eq!(code(&o), 1);
    let doc = json(&o);
    let row = doc
        .as_array()
        .map(|a| a[0].clone())
        .unwrap_or_else(|| doc.clone());
    assert_eq!(row["days_left"], 3, "{doc}");

    // A token the server rejects keeps its own exit code and still hears
    // about the date.
    add(&w, "dead", &synthesize(ACCESS_PREFIX, 32), Some(1));
    let o = w.run(&["validate", "dead", "--expiring-within", "14d"], "");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("dead expires tomorrow"),
        "{}",
        stderr(&o)
    );
}
