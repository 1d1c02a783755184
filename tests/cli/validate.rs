//! `validate`: what each answer of Bitbucket becomes, and the exit code.

use bbtoken::fakebb::Quirks;

use super::{ci_token, with_ci_and_me};
use crate::world::{World, code, json, stderr};

#[test]
fn validate_all_valid_exits_0_with_the_facts_in_json() {
    let Some((w, _, _)) = with_ci_and_me("validate all") else {
        return;
    };
    let o = w.run(&["validate", "--json"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rows = json(&o);
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");
    for row in rows.as_array().unwrap() {
        assert_eq!(row["status"], "valid", "{row}");
        assert_eq!(row["http_status"], 200);
    }
    assert_eq!(rows[0]["credential_type"], "repo_access_token");
    assert_eq!(rows[0]["repository"]["full_name"], "acme/api");
    assert_eq!(rows[0]["repository"]["main_branch"], "main");
    assert_eq!(rows[1]["credential_type"], "api_token");
}

/// Adds `name` for acme/api with a token that reaches acme/`reach` with
/// `scopes` and `quirks`, and validates it alone: its JSON row, once the exit
/// code is 1 and the row names a remedy.
fn failing_row(
    w: &World,
    seed: u32,
    name: &str,
    reach: &str,
    scopes: &[&str],
    quirks: Quirks,
) -> serde_json::Value {
    let t = w.repo_token_scoped(seed, reach, scopes, quirks);
    w.add_repo_profile(name, "api", &t);
    let o = w.run(&["validate", name, "--json"], "");
    assert_eq!(code(&o), 1, "{name}: {}", stderr(&o));
    let row = json(&o)[0].clone();
    assert!(
        row["remedy"].as_str().is_some_and(|r| !r.is_empty()),
        "{name} has a remedy: {row}"
    );
    row
}

#[test]
fn every_failure_status_gets_exit_1_and_a_remedy() {
    let Some(w) = World::start("statuses") else {
        return;
    };
    let cases: Vec<(&str, Quirks, &[&str], &str)> = vec![
        (
            "revoked",
            Quirks {
                revoked: true,
                ..Quirks::default()
            },
            &["repository"],
            "invalid",
        ),
        ("noscope", Quirks::default(), &["pullrequest"], "forbidden"),
        (
            "limited",
            Quirks {
                rate_limited_times: 5,
                ..Quirks::default()
            },
            &["repository"],
            "rate_limited",
        ),
        (
            "broken",
            Quirks {
                fixed_status: Some(503),
                ..Quirks::default()
            },
            &["repository"],
            "server_error",
        ),
        (
            "garbled",
            Quirks {
                malformed_body: true,
                ..Quirks::default()
            },
            &["repository"],
            "bad_response",
        ),
    ];
    for (i, (name, quirks, scopes, want)) in cases.into_iter().enumerate() {
        let row = failing_row(&w, 100 + i as u32, name, "api", scopes, quirks);
        assert_eq!(row["status"], want, "{name}: {row}");
    }
}

/// A token for acme/web, used for acme/api, which it cannot see.
#[test]
fn a_repository_the_token_cannot_see_is_not_found() {
    let Some(w) = World::start("not found") else {
        return;
    };
    let row = failing_row(
        &w,
        7,
        "elsewhere",
        "web",
        &["repository"],
        Quirks::default(),
    );
    assert_eq!(row["status"], "not_found", "{row}");
}

#[test]
fn the_network_down_is_a_network_error() {
    let Some(w) = World::start("network down") else {
        return;
    };
    w.add_repo_profile("ci", "api", &ci_token(&w, 1));
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    let o = w
        .cmd(&["validate", "ci", "--json"])
        .env("BBTOKEN_API_URL", "http://127.0.0.1:9/2.0")
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(json(&o)[0]["status"], "network_error");
}

#[test]
fn an_unknown_profile_name_is_a_usage_error() {
    let Some(w) = World::start("unknown name") else {
        return;
    };
    let o = w.run(&["validate", "nobody"], "");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("no profile named \"nobody\""),
        "{}",
        stderr(&o)
    );
}
