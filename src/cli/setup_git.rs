//! `bbtoken setup-git`, `bind` and `unbind`: the git config that puts
//! bbtoken in git's auth path, always written by git itself
//! ([`crate::git::config`]).

use crate::cli::args::{BindArgs, SetupGitArgs};
use crate::cli::output::{self, BOLD, PLAIN, Stream, Text};
use crate::cli::{Fail, exit};
use crate::context::Context;
use crate::git::config::{self, Scope};
use crate::i18n::tr;

/// The helper value for this very binary, by absolute path.
fn our_helper() -> Result<String, Fail> {
    config::own_helper_value().map_err(Fail::usage)
}

pub fn setup_git(ctx: &Context, a: SetupGitArgs) -> Result<i32, Fail> {
    let scope = if a.local { Scope::Local } else { Scope::Global };
    let url = ctx.endpoints.git.as_str();
    let ours = our_helper()?;
    let changes = if a.undo {
        config::undo(scope, url, &ours)
    } else {
        config::setup(scope, url, &ours)
    }
    .map_err(|e| Fail::usage(e.to_string()))?;
    let where_ = if a.local { "--local" } else { "--global" };
    if changes.is_empty() {
        output::out_line(&if a.undo {
            tr!("cli.setup_git.not_set_up", scope = where_)
        } else {
            tr!("cli.setup_git.already", scope = where_)
        });
    }
    for c in changes {
        output::line(
            Stream::Out,
            &Text::styled(
                BOLD,
                if a.undo {
                    tr!("cli.setup_git.removed")
                } else {
                    tr!("cli.setup_git.changed")
                },
            )
            .with(format!(" ({where_}) {}", c.0), PLAIN),
        );
    }
    Ok(exit::OK)
}

pub fn bind(ctx: &Context, a: BindArgs) -> Result<i32, Fail> {
    let doc = ctx.profiles.load()?;
    if doc.find(&a.name).is_none() {
        return Err(Fail::no_profile(&a.name));
    }
    config::set_binding(&a.name)
        .map_err(|e| Fail::usage(format!("{e} ({})", tr!("cli.bind.inside_repo"))))?;
    output::out_line(&tr!("cli.bind.done", name = a.name));
    Ok(exit::OK)
}

pub fn unbind() -> Result<i32, Fail> {
    let removed = config::unset_binding()
        .map_err(|e| Fail::usage(format!("{e} ({})", tr!("cli.unbind.inside_repo"))))?;
    output::out_line(&if removed {
        tr!("cli.unbind.done")
    } else {
        tr!("cli.unbind.none")
    });
    Ok(exit::OK)
}
