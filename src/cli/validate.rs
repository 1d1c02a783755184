//! validate: check profiles against Bitbucket and record the outcomes.

use serde::Serialize;

use crate::cli::args::ValidateArgs;
use crate::cli::output::{self, DIM, PLAIN, Stream, Text, WARN, status_style};
use crate::cli::{Fail, exit, manage::not_found, report_error};
use crate::context::Context;
use crate::profile::{Outcome, Status, TokenKind};

pub async fn run(ctx: &Context, a: ValidateArgs) -> Result<i32, Fail> {
    run_names(ctx, a.names, a.json, a.jobs).await
}

#[derive(Serialize)]
struct Row<'a> {
    name: &'a str,
    kind: TokenKind,
    #[serde(flatten)]
    outcome: &'a Outcome,
}

pub async fn run_names(
    ctx: &Context,
    names: Vec<String>,
    json: bool,
    jobs: usize,
) -> Result<i32, Fail> {
    let doc = ctx.profiles.load()?;
    let profiles = if names.is_empty() {
        doc.profiles.clone()
    } else {
        names
            .iter()
            .map(|n| doc.find(n).cloned().ok_or_else(|| not_found(n)))
            .collect::<Result<Vec<_>, _>>()?
    };
    if profiles.is_empty() {
        if json {
            output::out_line("[]");
        } else {
            output::err_line("No profiles to validate. Add one with bbtoken add.");
        }
        return Ok(exit::OK);
    }
    let validator = ctx.validator()?.with_concurrency(jobs);
    let (results, recorded) = validator
        .validate_and_record(&ctx.profiles, &profiles, |_, _| {})
        .await;
    if let Err(e) = recorded {
        report_error(&format!("the outcomes could not be recorded: {e}"));
    }
    if json {
        let rows: Vec<Row> = profiles
            .iter()
            .zip(&results)
            .map(|(p, o)| Row {
                name: &p.name,
                kind: p.kind,
                outcome: o,
            })
            .collect();
        output::json(&rows)?;
    } else {
        let width = profiles
            .iter()
            .map(|p| p.name.chars().count())
            .max()
            .unwrap_or(0);
        for (p, o) in profiles.iter().zip(&results) {
            print_outcome(&p.name, width, o);
        }
    }
    let all_valid = results.iter().all(|o| o.status == Status::Valid);
    Ok(if all_valid { exit::OK } else { exit::NOT_VALID })
}

fn print_outcome(name: &str, width: usize, o: &Outcome) {
    let style = status_style(o.status);
    let status = format!(
        "{} {}{}",
        o.status.symbol(),
        o.status,
        o.http_status.map(|s| format!(" {s}")).unwrap_or_default()
    );
    let scopes = o
        .scopes
        .as_ref()
        .filter(|_| o.status == Status::Valid)
        .map(|s| format!("  [{}]", s.join(", ")))
        .unwrap_or_default();
    output::line(
        Stream::Out,
        &Text::plain(format!("{name:<width$}  "))
            .with(format!("{status:<17}"), style)
            .with(format!("  {}", o.message), PLAIN)
            .with(scopes, DIM),
    );
    let pad = " ".repeat(width + 2);
    if let Some(r) = &o.remedy {
        output::line(
            Stream::Out,
            &Text::plain(&pad)
                .with("→", DIM)
                .with(format!(" {r}"), PLAIN),
        );
    }
    for w in &o.warnings {
        output::line(
            Stream::Out,
            &Text::plain(&pad)
                .with("!", WARN)
                .with(format!(" {w}"), PLAIN),
        );
    }
}
