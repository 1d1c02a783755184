//! commands: ready-to-paste git and curl commands for a profile.

use serde::Serialize;

use crate::cli::args::CommandsArgs;
use crate::cli::output::{self, BOLD, DIM, Stream, Text, WARN};
use crate::cli::{Fail, exit, report_warning};
use crate::context::Context;
use crate::fields;
use crate::gitcmd::{self, Generated, Mode, Request, TokenText};
use crate::i18n::tr;
use crate::profile::Profile;

/// `SLUG` or `WORKSPACE/SLUG`; the profile's own repository by default.
pub(crate) fn parse_target(
    profile: &Profile,
    arg: Option<&str>,
) -> Result<(String, String), String> {
    let (ws, slug) = match arg {
        None => (
            profile.workspace.clone(),
            profile
                .repo
                .clone()
                .ok_or_else(|| tr!("cli.commands.no_repo").into_owned())?,
        ),
        Some(t) => match t.split_once('/') {
            Some((w, s)) => (w.to_string(), s.trim_end_matches(".git").to_string()),
            None => (
                profile.workspace.clone(),
                t.trim_end_matches(".git").to_string(),
            ),
        },
    };
    fields::workspace(&ws).map_err(|e| format!("--repo: {e}"))?;
    fields::repo_slug(&slug).map_err(|e| format!("--repo: {e}"))?;
    Ok((ws, slug))
}

#[derive(Serialize)]
struct Out<'a> {
    profile: &'a str,
    workspace: &'a str,
    repo: &'a str,
    mode: Mode,
    git_username: &'a str,
    commands: &'a [Generated],
}

pub async fn run(ctx: &Context, a: CommandsArgs) -> Result<i32, Fail> {
    let doc = ctx.profiles.load()?;
    let p = doc.find(&a.name).ok_or_else(|| Fail::no_profile(&a.name))?;
    let (ws, repo) = parse_target(p, a.repo.as_deref()).map_err(Fail::usage)?;
    // Helper mode is the default once git asks bbtoken for this URL.
    let mode = a.mode.map(Mode::from).unwrap_or_else(|| {
        if crate::git::config::helper_is_set_up(&ctx.endpoints.git) {
            Mode::Helper
        } else {
            Mode::Interactive
        }
    });
    // One check for both surfaces (the app's `t` uses it too).
    if let Some(w) = crate::describe::reach_warning(p, &ws, &repo) {
        report_warning(&w);
    }
    if a.reveal && mode != Mode::Embedded {
        report_warning(&tr!("cli.commands.reveal_ignored"));
    }
    // The token is needed only where it is shown: embedded mode.
    let secret = if mode == Mode::Embedded {
        Some(ctx.secrets.get(&p.name).await?)
    } else {
        None
    };
    let masked = secret.as_ref().map(|s| s.masked()).unwrap_or_default();
    let token = match (&secret, a.reveal) {
        (Some(s), true) => TokenText::Revealed(s.expose()),
        _ => TokenText::Masked(&masked),
    };
    // Only a branch learned for this very repository (see gitcmd::branch_for).
    let branch = gitcmd::branch_for(p, &ws, &repo);
    let cmds = gitcmd::build(&Request {
        profile: p,
        workspace: &ws,
        repo: &repo,
        mode,
        token,
        endpoints: &ctx.endpoints,
        branch,
    });
    if a.json {
        let out = Out {
            profile: &p.name,
            workspace: &ws,
            repo: &repo,
            mode,
            git_username: gitcmd::git_username(p),
            commands: &cmds,
        };
        output::json(&out)?;
        return Ok(exit::OK);
    }
    for c in &cmds {
        let title = gitcmd::title_words(c.title);
        output::line(Stream::Out, &Text::styled(BOLD, format!("# {title}")));
        output::out_line(&c.text);
        if let Some(n) = c.note_words() {
            output::line(Stream::Out, &Text::styled(DIM, format!("# {n}")));
        }
        output::out_line("");
    }
    if mode == Mode::Embedded {
        let text = if a.reveal {
            gitcmd::EMBEDDED_WARNING.to_string()
        } else {
            format!(
                "{} {}",
                tr!("cli.commands.masked"),
                gitcmd::EMBEDDED_WARNING
            )
        };
        output::line(Stream::Err, &Text::styled(WARN, text));
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::TokenKind;

    #[test]
    fn targets() {
        let p = Profile::new("p", TokenKind::Workspace, "acme", Some("api"));
        assert_eq!(
            parse_target(&p, None).unwrap(),
            ("acme".into(), "api".into())
        );
        assert_eq!(
            parse_target(&p, Some("web")).unwrap(),
            ("acme".into(), "web".into())
        );
        assert_eq!(
            parse_target(&p, Some("other/web.git")).unwrap(),
            ("other".into(), "web".into())
        );
        assert!(parse_target(&p, Some("a/b/c")).is_err());
        assert!(parse_target(&p, Some("Bad WS/x")).is_err());
    }
}
