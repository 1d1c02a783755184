//! `bbtoken here`: which remotes, helpers and profile git will use in the
//! current repository, printed through the one output function.

use super::output::{self, BAD, BOLD, DIM, GOOD, PLAIN, Stream, Text, WARN};
use super::{Fail, exit};
use crate::context::Context;
use crate::git::here::{self, Here};
use crate::git::remote::GitHost;
use crate::i18n::{self, tr};

pub fn run(ctx: &Context, json: bool) -> Result<i32, Fail> {
    let host = GitHost::from_base(&ctx.endpoints.git).ok_or_else(Fail::bad_git_url)?;
    let doc = ctx.profiles.load()?;
    let cwd = std::env::current_dir().map_err(Fail::no_current_dir)?;
    let build = || here::build(&cwd, &host, &doc.profiles);
    // The report holds words (a profile's status); JSON keeps them English.
    let report = if json {
        i18n::with_lang(i18n::Lang::En, build)
    } else {
        build()
    }
    .ok_or_else(|| Fail::usage(tr!("cli.here.not_a_repo")))?;
    if json {
        output::json(&report)?;
    } else {
        print(&report);
    }
    Ok(exit::OK)
}

fn yes_no(b: bool) -> (String, anstyle::Style) {
    if b {
        (tr!("cli.here.yes").into_owned(), GOOD)
    } else {
        (tr!("cli.here.no").into_owned(), BAD)
    }
}

fn print(h: &Here) {
    let out = |t: Text| output::line(Stream::Out, &t);
    out(Text::styled(BOLD, format!("{} ", tr!("cli.here.repository"))).with(&h.repository, PLAIN));
    out(Text::plain(format!("  {} ", tr!("cli.here.bound"))).with(
        h.binding
            .clone()
            .unwrap_or_else(|| tr!("cli.here.unbound").into_owned()),
        if h.binding.is_some() { BOLD } else { DIM },
    ));
    out(Text::plain("  user.email: ").with(
        h.user_email
            .clone()
            .unwrap_or_else(|| tr!("cli.here.not_set").into_owned()),
        if h.user_email.is_some() { PLAIN } else { WARN },
    ));
    if h.remotes.is_empty() {
        out(Text::styled(
            DIM,
            format!("  {}", tr!("cli.here.no_remotes")),
        ));
    }
    for r in &h.remotes {
        let mut t = Text::styled(BOLD, tr!("cli.here.remote", name = r.name))
            .with(format!("  {}", r.url), PLAIN);
        if let (Some(w), Some(p)) = (&r.workspace, &r.repo) {
            t.push(format!("  ({w}/{p}, {})", r.transport), DIM);
        }
        out(t);
        if r.token_in_url {
            out(Text::styled(
                BAD,
                format!("  ! {}", tr!("cli.here.token_in_url")),
            ));
        }
        if r.transport == "https" {
            if r.helpers.is_empty() {
                out(Text::styled(
                    WARN,
                    format!("  {}", tr!("cli.here.no_helpers")),
                ));
            } else {
                out(Text::plain(format!("  {}", tr!("cli.here.helpers"))));
                for (i, hl) in r.helpers.iter().enumerate() {
                    out(Text::plain(format!("    {}. {hl}", i + 1)));
                }
                if !r.bbtoken_helper {
                    out(Text::styled(
                        WARN,
                        format!("  {}", tr!("cli.here.not_ours")),
                    ));
                }
            }
        }
        match (&r.profile, &r.no_profile) {
            (Some(c), _) => {
                out(Text::plain(format!("  {} ", tr!("cli.here.profile")))
                    .with(&c.name, BOLD)
                    .with(format!(" ({}), {}", c.kind, c.why), PLAIN));
                let mut t = Text::plain(format!(
                    "    {} {}",
                    tr!("cli.here.last_outcome"),
                    c.summary
                ));
                if let Some(m) = &c.message {
                    t.push(format!(" ({m})"), DIM);
                }
                out(t);
                if let Some(r) = &c.repository {
                    out(Text::plain(format!("    {} {r}", tr!("cli.here.repo"))));
                }
                match (c.can_clone, c.can_push) {
                    (Some(cl), Some(pu)) => {
                        let (a, sa) = yes_no(cl);
                        let (b, sb) = yes_no(pu);
                        out(Text::plain(format!("    {} ", tr!("cli.here.clone")))
                            .with(a, sa)
                            .with(format!("  {} ", tr!("cli.here.push")), PLAIN)
                            .with(b, sb));
                    }
                    _ => out(Text::styled(
                        DIM,
                        format!("    {}", tr!("cli.here.scopes_unknown")),
                    )),
                }
                if let Some(bot) = &c.bot_email {
                    let m = c.user_email_matches == Some(true);
                    out(
                        Text::plain(format!("    {} ", tr!("cli.here.bot_email", bot = bot))).with(
                            if m {
                                tr!("cli.here.matches")
                            } else {
                                tr!("cli.here.differs")
                            },
                            if m { GOOD } else { WARN },
                        ),
                    );
                }
            }
            (None, Some(why)) => out(Text::styled(
                WARN,
                format!("  {} {}", tr!("cli.here.profile_none"), why),
            )),
            (None, None) => {}
        }
    }
    if h.token_in_any_url {
        out(Text::styled(BAD, tr!("cli.here.token_in_any_url")));
    }
}
