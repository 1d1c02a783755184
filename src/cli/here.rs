//! `bbtoken here`: which remotes, helpers and profile git will use in the
//! current repository, printed through the one output function.

use super::output::{self, BAD, BOLD, DIM, GOOD, PLAIN, Stream, Text, WARN};
use super::{Fail, exit};
use crate::context::Context;
use crate::git::here::{self, Here};
use crate::git::remote::GitHost;

pub fn run(ctx: &Context, json: bool) -> Result<i32, Fail> {
    let host = GitHost::from_base(&ctx.endpoints.git).ok_or_else(Fail::bad_git_url)?;
    let doc = ctx.profiles.load()?;
    let cwd = std::env::current_dir().map_err(Fail::no_current_dir)?;
    let report = here::build(&cwd, &host, &doc.profiles)
        .ok_or_else(|| Fail::usage("not inside a git repository"))?;
    if json {
        output::json(&report)?;
    } else {
        print(&report);
    }
    Ok(exit::OK)
}

fn yes_no(b: bool) -> (&'static str, anstyle::Style) {
    if b { ("yes", GOOD) } else { ("no", BAD) }
}

fn print(h: &Here) {
    let out = |t: Text| output::line(Stream::Out, &t);
    out(Text::styled(BOLD, "Repository ").with(&h.repository, PLAIN));
    out(Text::plain("  bound profile: ").with(
        h.binding
            .clone()
            .unwrap_or_else(|| "none (bbtoken bind NAME pins one)".into()),
        if h.binding.is_some() { BOLD } else { DIM },
    ));
    out(Text::plain("  user.email: ").with(
        h.user_email.clone().unwrap_or_else(|| "not set".into()),
        if h.user_email.is_some() { PLAIN } else { WARN },
    ));
    if h.remotes.is_empty() {
        out(Text::styled(DIM, "  no Bitbucket remotes"));
    }
    for r in &h.remotes {
        let mut t =
            Text::styled(BOLD, format!("Remote {}", r.name)).with(format!("  {}", r.url), PLAIN);
        if let (Some(w), Some(p)) = (&r.workspace, &r.repo) {
            t.push(format!("  ({w}/{p}, {})", r.transport), DIM);
        }
        out(t);
        if r.token_in_url {
            out(Text::styled(
                BAD,
                "  ! a token is in this URL: bbtoken audit --fix moves it to the keyring",
            ));
        }
        if r.transport == "https" {
            if r.helpers.is_empty() {
                out(Text::styled(
                    WARN,
                    "  helpers: none, git will prompt (bbtoken setup-git makes bbtoken answer)",
                ));
            } else {
                out(Text::plain("  helpers git consults, in order:"));
                for (i, hl) in r.helpers.iter().enumerate() {
                    out(Text::plain(format!("    {}. {hl}", i + 1)));
                }
                if !r.bbtoken_helper {
                    out(Text::styled(
                        WARN,
                        "  bbtoken is not among them: run bbtoken setup-git",
                    ));
                }
            }
        }
        match (&r.profile, &r.no_profile) {
            (Some(c), _) => {
                out(Text::plain("  profile: ")
                    .with(&c.name, BOLD)
                    .with(format!(" ({}), {}", c.kind, c.why), PLAIN));
                let mut t = Text::plain(format!("    last outcome: {}", c.summary));
                if let Some(m) = &c.message {
                    t.push(format!(" ({m})"), DIM);
                }
                out(t);
                if let Some(r) = &c.repository {
                    out(Text::plain(format!("    repository: {r}")));
                }
                match (c.can_clone, c.can_push) {
                    (Some(cl), Some(pu)) => {
                        let (a, sa) = yes_no(cl);
                        let (b, sb) = yes_no(pu);
                        out(Text::plain("    clone/pull: ")
                            .with(a, sa)
                            .with("  push: ", PLAIN)
                            .with(b, sb));
                    }
                    _ => out(Text::styled(
                        DIM,
                        "    scopes unknown: bbtoken validate NAME tells",
                    )),
                }
                if let Some(bot) = &c.bot_email {
                    let m = c.user_email_matches == Some(true);
                    out(
                        Text::plain(format!("    bot email: {bot}; user.email ")).with(
                            if m { "matches" } else { "does not match" },
                            if m { GOOD } else { WARN },
                        ),
                    );
                }
            }
            (None, Some(why)) => out(Text::styled(WARN, format!("  profile: none, {why}"))),
            (None, None) => {}
        }
    }
    if h.token_in_any_url {
        out(Text::styled(
            BAD,
            "A remote URL carries a token: run bbtoken audit",
        ));
    }
}
