//! `bbtoken onboard NAME [--repo SLUG] [--dir PATH] [--push]`: sets up a
//! local repository for a profile in one step and prints what it changed.

use super::args::OnboardArgs;
use super::output::{self, BAD, DIM, GOOD, PLAIN, Stream, Text, WARN};
use super::{Fail, exit};
use crate::context::Context;
use crate::git::onboard::{self, PushOutcome, Step};
use crate::git::remote::GitHost;

fn show(steps: &mut Vec<Step>) {
    for s in steps.drain(..) {
        let t = match s {
            Step::Done(m) => Text::styled(GOOD, "✓ ").with(m, PLAIN),
            Step::Unchanged(m) => Text::styled(DIM, "= ").with(m, DIM),
            Step::Warn(m) => Text::styled(WARN, "! ").with(m, PLAIN),
        };
        output::line(Stream::Out, &t);
    }
}

pub async fn run(ctx: &Context, a: OnboardArgs) -> Result<i32, Fail> {
    let host = GitHost::from_base(&ctx.endpoints.git).ok_or_else(Fail::bad_git_url)?;
    let doc = ctx.profiles.load()?;
    let profile = doc
        .find(&a.name)
        .ok_or_else(|| Fail::no_profile(&a.name))?
        .clone();
    let (ws, repo) = onboard::target(&profile, a.repo.as_deref()).map_err(Fail::usage)?;
    let dir = match a.dir {
        Some(d) => d,
        None => std::env::current_dir().map_err(Fail::no_current_dir)?,
    };
    let mut steps = Vec::new();
    let result = onboard::prepare(
        &dir,
        &profile,
        &ws,
        &repo,
        &host,
        &ctx.endpoints.git,
        &mut steps,
    );
    show(&mut steps);
    let top = result.map_err(Fail::usage)?;
    if !a.push {
        return Ok(exit::OK);
    }
    match onboard::push(&top).map_err(Fail::usage)? {
        o @ PushOutcome::Pushed { .. } => {
            output::line(
                Stream::Out,
                &Text::styled(GOOD, "✓ ").with(o.explain(&ws, &repo, &profile.name), PLAIN),
            );
            Ok(exit::OK)
        }
        o => {
            output::line(
                Stream::Err,
                &Text::styled(BAD, "✗ ").with(o.explain(&ws, &repo, &profile.name), PLAIN),
            );
            Ok(exit::NOT_VALID)
        }
    }
}
