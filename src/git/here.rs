//! "Which token will git use here": the report behind `bbtoken here`, built
//! from the repository's git config (read by running git) and the profiles.
//!
//! Everything git prints is hostile: every string that reaches the report is
//! cleaned ([`crate::text::clean`]) and every remote URL is masked before it
//! is stored here, so the report can be printed or serialised as it is.

use std::path::Path;

use serde::Serialize;

use super::remote::{GitHost, parse_remote};
use super::run;
use super::select::{self, NoChoice, Operation, Query};
use crate::describe;
use crate::i18n::tr;
use crate::profile::Profile;
use crate::text::clean;

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Here {
    pub repository: String,
    /// `bbtoken.profile` in the clone's own config.
    pub binding: Option<String>,
    /// The `user.email` git will commit with.
    pub user_email: Option<String>,
    pub remotes: Vec<HereRemote>,
    /// Whether any remote URL (Bitbucket or not) carries a token.
    pub token_in_any_url: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HereRemote {
    pub name: String,
    /// The URL with any token masked.
    pub url: String,
    /// `https` (through credential helpers) or `ssh`.
    pub transport: &'static str,
    pub workspace: Option<String>,
    pub repo: Option<String>,
    pub token_in_url: bool,
    /// The helpers git consults for this URL, in order (an empty
    /// `credential.*.helper` entry clears the ones before it, as in git).
    pub helpers: Vec<String>,
    /// `git config --get-urlmatch credential.helper URL`: the last one.
    pub urlmatch: Option<String>,
    /// Whether bbtoken is among the helpers.
    pub bbtoken_helper: bool,
    pub profile: Option<Chosen>,
    /// Why no profile was chosen.
    pub no_profile: Option<String>,
}

/// The profile bbtoken would answer with, and what is known about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chosen {
    pub name: String,
    pub kind: String,
    pub rule: select::Rule,
    pub why: String,
    /// The last outcome's status (`valid`, `invalid`, …) or `unchecked`.
    pub status: String,
    /// The status as `show` and the app's detail pane word it
    /// ([`crate::describe::status_summary`]): "✓ valid (2 h ago)", or the
    /// last verdict beside passing trouble.
    pub summary: String,
    /// The repository as validation last saw it
    /// ([`crate::describe::repo_summary`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    pub message: Option<String>,
    pub scopes: Option<Vec<String>>,
    /// From the scopes; `None` when the scopes are unknown.
    pub can_clone: Option<bool>,
    pub can_push: Option<bool>,
    /// Access tokens: the bot email commits should carry.
    pub bot_email: Option<String>,
    /// Whether `user.email` is that bot email.
    pub user_email_matches: Option<bool>,
}

/// The helpers git would run for `url`, given `credential.*helper` entries
/// in config order: git applies each entry whose URL matches, and an empty
/// value resets the list.
pub(crate) fn helpers_for(entries: &[(String, String)], url: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in entries {
        let Some(rest) = key.strip_prefix("credential.") else {
            continue;
        };
        let Some(pattern) = rest.strip_suffix("helper") else {
            continue;
        };
        let applies = match pattern.strip_suffix('.') {
            None if pattern.is_empty() => true,
            Some(p) => url_matches(p, url),
            None => false,
        };
        if !applies {
            continue;
        }
        if value.is_empty() {
            out.clear();
        } else {
            out.push(value.clone());
        }
    }
    out
}

/// git's urlmatch, simplified: same scheme, host and port; the pattern's
/// user, if any, equal; the pattern's path a prefix of the URL's by segments.
fn url_matches(pattern: &str, url: &str) -> bool {
    let (Ok(p), Ok(u)) = (url::Url::parse(pattern), url::Url::parse(url)) else {
        return false;
    };
    if p.scheme() != u.scheme()
        || p.host_str().map(str::to_ascii_lowercase) != u.host_str().map(str::to_ascii_lowercase)
        || p.port_or_known_default() != u.port_or_known_default()
    {
        return false;
    }
    if !p.username().is_empty() && p.username() != u.username() {
        return false;
    }
    let pp = p.path().trim_end_matches('/');
    let up = u.path();
    pp.is_empty() || up == pp || up.starts_with(&format!("{pp}/"))
}

fn chosen(p: &Profile, rule: select::Rule, user_email: Option<&str>) -> Chosen {
    let last = p
        .last_validation
        .as_ref()
        .filter(|o| o.status.is_conclusive())
        .or(p.last_conclusive.as_ref())
        .or(p.last_validation.as_ref());
    let access = describe::access(p);
    let bot = p
        .kind
        .is_access_token()
        .then(|| p.bot_email_or_candidate().map(|(e, _)| e))
        .flatten();
    Chosen {
        name: clean(&p.name),
        kind: p.kind.to_string(),
        rule,
        why: rule.describe(),
        status: last.map_or("unchecked".into(), |o| o.status.as_str().to_string()),
        summary: clean(&describe::status_summary(p, chrono::Utc::now()).0),
        repository: describe::repo_facts(p).map(|r| clean(&describe::repo_summary(r))),
        message: last.map(|o| clean(&o.message)),
        scopes: access
            .as_ref()
            .map(|(s, _)| s.iter().map(|s| clean(s)).collect()),
        can_clone: access.as_ref().map(|(_, r)| r.can_clone),
        can_push: access.as_ref().map(|(_, r)| r.can_push),
        user_email_matches: bot
            .as_ref()
            .map(|b| user_email.is_some_and(|u| u.eq_ignore_ascii_case(b))),
        bot_email: bot.map(|b| clean(&b)),
    }
}

fn no_choice(n: &NoChoice) -> String {
    match n {
        NoChoice::BindingUnusable(name) => tr!("git.here.binding_unusable", name = clean(name)),
        NoChoice::NoneFits => tr!("git.here.none_fits"),
        NoChoice::AllRejected => tr!("git.here.all_rejected"),
    }
    .into_owned()
}

/// Builds the report for the repository `dir` is in; `None` outside one.
pub fn build(dir: &Path, host: &GitHost, profiles: &[Profile]) -> Option<Here> {
    let top = run::toplevel(dir)?;
    let binding = run::config_get(dir, &["config", "--local", "--get", "bbtoken.profile"]);
    let user_email = run::config_get(dir, &["config", "--get", "user.email"]);
    let helper_entries = run::config_regexp(dir, &[], r"^credential\..*helper$");
    let today = chrono::Utc::now().date_naive();
    let mut remotes = Vec::new();
    let mut any = false;
    for (key, value) in run::config_regexp(dir, &["--local"], r"^remote\..*\.(url|pushurl)$") {
        let Some(name) = key.strip_prefix("remote.").and_then(|k| {
            k.strip_suffix(".url")
                .or_else(|| k.strip_suffix(".pushurl"))
        }) else {
            continue;
        };
        let r = parse_remote(&value, host);
        any |= r.token.is_some();
        if !r.bitbucket && !r.ssh {
            continue;
        }
        let mut entry = HereRemote {
            name: clean(name),
            url: clean(&r.masked),
            transport: if r.ssh { "ssh" } else { "https" },
            workspace: r.workspace.as_deref().map(clean),
            repo: r.repo.as_deref().map(clean),
            token_in_url: r.token.is_some(),
            helpers: Vec::new(),
            urlmatch: None,
            bbtoken_helper: false,
            profile: None,
            no_profile: None,
        };
        if r.bitbucket {
            // What git asks helpers about: the URL without any userinfo.
            // Only checked parts reach git's argv (a hostile URL may hold
            // anything in its path).
            let ask = match (&r.workspace, &r.repo) {
                (Some(w), Some(p))
                    if crate::fields::workspace(w).is_ok()
                        && crate::fields::repo_slug(p).is_ok() =>
                {
                    host.repo_url(w, p)
                }
                _ => host.base(),
            };
            let helpers = helpers_for(&helper_entries, &ask);
            entry.bbtoken_helper = helpers.iter().any(|h| h.contains("bbtoken"));
            entry.helpers = helpers.iter().map(|h| clean(h)).collect();
            entry.urlmatch = run::config_get(
                dir,
                &["config", "--get-urlmatch", "credential.helper", &ask],
            )
            .map(|s| clean(&s));
            let q = Query {
                workspace: r.workspace.as_deref(),
                repo: r.repo.as_deref(),
                username: r.username.as_deref(),
                binding: binding.as_deref(),
                operation: Some(Operation::Read),
                today: Some(today),
            };
            match select::choose(profiles, &q) {
                Ok(c) => entry.profile = Some(chosen(c.profile, c.rule, user_email.as_deref())),
                Err(n) => entry.no_profile = Some(no_choice(&n)),
            }
        } else {
            entry.no_profile = Some(tr!("git.here.ssh").into_owned());
        }
        remotes.push(entry);
    }
    Some(Here {
        repository: clean(&top.to_string_lossy()),
        binding: binding.as_deref().map(clean),
        user_email: user_email.as_deref().map(clean),
        remotes,
        token_in_any_url: any,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_follow_git_order_and_reset() {
        let e = |k: &str, v: &str| (k.to_string(), v.to_string());
        let entries = vec![
            e("credential.helper", "cache"),
            e("credential.https://bitbucket.org.helper", ""),
            e(
                "credential.https://bitbucket.org.helper",
                "/bin/bbtoken credential",
            ),
            e("credential.https://github.com.helper", "gh"),
            e("credential.https://bitbucket.org/other.helper", "x"),
            e("credential.https://bitbucket.org.usehttppath", "true"),
        ];
        let url = "https://bitbucket.org/acme/api.git";
        assert_eq!(helpers_for(&entries, url), vec!["/bin/bbtoken credential"]);
        assert_eq!(helpers_for(&entries[..1], url), vec!["cache".to_string()]);
        assert!(url_matches("https://bitbucket.org/acme", url));
        assert!(!url_matches("https://bitbucket.org/acm", url));
        assert!(!url_matches("http://bitbucket.org", url));
    }
}
