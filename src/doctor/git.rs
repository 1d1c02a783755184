//! git: a version that knows `password_expiry_utc`, bbtoken as the
//! credential helper git runs for the Bitbucket URL, and `useHttpPath`, which
//! makes git say which repository it wants (bbtoken picks the profile by it).

use super::{Check, shown};
use crate::i18n::{say, tr};

pub(crate) const VERSION: &str = "git.version";
pub(crate) const HELPER: &str = "git.helper";
pub(crate) const HTTP_PATH: &str = "git.use_http_path";
/// git 2.41 reads `password_expiry_utc` and stops using a token that has
/// expired instead of sending it and failing.
pub(crate) const EXPIRY_VERSION: (u32, u32) = (2, 41);

/// The bbtoken helper git would run, and where it points.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The helper's path as written in the config (cleaned).
    pub path: Option<String>,
    pub exists: bool,
    /// It is this very bbtoken (same file).
    pub is_this_binary: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// `git --version`'s output, or why git could not run.
    pub version: Result<String, String>,
    /// The Bitbucket git URL (`BBTOKEN_GIT_URL` or https://bitbucket.org).
    pub url: String,
    /// The repository doctor ran in, whose own config counts too.
    pub repository: Option<String>,
    /// The helpers git runs for the URL, in order (cleaned).
    pub helpers: Vec<String>,
    /// Where the last bbtoken helper among them points.
    pub target: Option<Target>,
    /// `credential.useHttpPath` as git resolves it for the URL.
    pub use_http_path: Option<String>,
}

/// `git version 2.47.3`, `git version 2.39.2 (Apple Git-143)`,
/// `git version 2.41.0.windows.1` → (major, minor, patch).
pub(crate) fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let v = s.trim().strip_prefix("git version ")?;
    let mut nums = v
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().ok());
    let major = nums.next()??;
    let minor = nums.next()??;
    let patch = nums.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

/// The path in a helper value bbtoken writes (`!'/path/bbtoken' credential`
/// or `!/path/bbtoken credential`), unquoted as git's shell would.
pub(crate) fn helper_path(value: &str) -> Option<String> {
    let cmd = value.trim().strip_prefix('!')?;
    let words = shlex::split(cmd)?;
    match words.as_slice() {
        [path, arg] if arg == "credential" => Some(path.clone()),
        _ => None,
    }
}

/// Whether git reads this value as true.
fn git_true(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "true" | "yes" | "on" | "1"
    )
}

pub fn checks(f: &Facts) -> Vec<Check> {
    let version = match &f.version {
        Err(e) => {
            return vec![
                Check::warn(
                    VERSION,
                    say!("doctor.git.cannot_run", error = shown(e)),
                    say!("doctor.git.cannot_run_fix"),
                ),
                Check::skip(HELPER, say!("doctor.git.no_git")),
                Check::skip(HTTP_PATH, say!("doctor.git.no_git")),
            ];
        }
        Ok(v) => v,
    };
    vec![version_check(version), helper(f), http_path(f)]
}

fn version_check(out: &str) -> Check {
    let shown_v = format!("{:?}", shown(out.trim()));
    let Some((major, minor, patch)) = parse_version(out) else {
        return Check::warn(
            VERSION,
            say!("doctor.git.unknown_version", output = shown_v),
            say!("doctor.git.unknown_version_fix"),
        );
    };
    let v = format!("{major}.{minor}.{patch}");
    let c = if (major, minor) >= EXPIRY_VERSION {
        Check::pass(VERSION, say!("doctor.git.version", version = v))
    } else {
        Check::warn(
            VERSION,
            say!("doctor.git.old", version = v),
            say!("doctor.git.old_fix"),
        )
    };
    c.fact("version", v)
}

fn helper(f: &Facts) -> Check {
    let url = shown(&f.url);
    let scope = || match &f.repository {
        Some(r) => tr!("doctor.git.in_repository", repository = shown(r)).into_owned(),
        None => String::new(),
    };
    let ours = f
        .helpers
        .iter()
        .rposition(|h| crate::git::config::is_bbtoken_helper(h));
    let others: Vec<&str> = f
        .helpers
        .iter()
        .filter(|h| !crate::git::config::is_bbtoken_helper(h))
        .map(String::as_str)
        .collect();
    let list = |v: &[&str]| v.iter().map(|h| shown(h)).collect::<Vec<_>>().join(", ");
    let base = |c: Check| {
        c.fact("url", url.clone()).fact(
            "helpers",
            f.helpers.iter().map(|h| shown(h)).collect::<Vec<_>>(),
        )
    };
    let Some(at) = ours else {
        let detail = if others.is_empty() {
            say!("doctor.git.no_helper", url = url, scope = scope())
        } else {
            say!(
                "doctor.git.other_helper",
                helpers = list(&others),
                url = url,
                scope = scope()
            )
        };
        return base(Check::warn(
            HELPER,
            detail,
            say!("doctor.git.no_helper_fix"),
        ));
    };
    if let Some(t) = &f.target {
        let path = t.path.as_deref().map(shown).unwrap_or_default();
        if !t.exists {
            return base(Check::fail(
                HELPER,
                say!(
                    "doctor.git.helper_gone",
                    url = url,
                    scope = scope(),
                    path = path
                ),
                say!("doctor.git.helper_gone_fix"),
            ));
        }
        if !t.is_this_binary {
            return base(Check::warn(
                HELPER,
                say!(
                    "doctor.git.another_bbtoken",
                    url = url,
                    scope = scope(),
                    path = path
                ),
                say!("doctor.git.another_bbtoken_fix"),
            ));
        }
    }
    // git asks helpers in order and takes the first answer; every helper
    // gets `store`, so one before or after bbtoken keeps a copy.
    if !others.is_empty() {
        let before: Vec<&str> = f.helpers[..at]
            .iter()
            .filter(|h| !crate::git::config::is_bbtoken_helper(h))
            .map(String::as_str)
            .collect();
        let detail = if before.is_empty() {
            say!(
                "doctor.git.also_asks",
                url = url,
                scope = scope(),
                helpers = list(&others)
            )
        } else {
            say!(
                "doctor.git.asks_first",
                helpers = list(&before),
                url = url,
                scope = scope()
            )
        };
        return base(Check::warn(HELPER, detail, say!("doctor.git.others_fix")));
    }
    base(Check::pass(
        HELPER,
        say!("doctor.git.only_bbtoken", url = url, scope = scope()),
    ))
}

fn http_path(f: &Facts) -> Check {
    let url = shown(&f.url);
    let c = match f.use_http_path.as_deref() {
        Some(v) if git_true(v) => {
            Check::pass(HTTP_PATH, say!("doctor.git.http_path_on", url = url))
        }
        other => {
            let detail = match other {
                Some(v) => say!(
                    "doctor.git.http_path_off",
                    value = format!("{:?}", shown(v)),
                    url = url
                ),
                None => say!("doctor.git.http_path_unset", url = url),
            };
            Check::warn(HTTP_PATH, detail, say!("doctor.git.http_path_fix"))
        }
    };
    c.fact("value", f.use_http_path.as_deref().map(shown))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    const OURS: &str = "!'/usr/local/bin/bbtoken' credential";

    fn facts() -> Facts {
        Facts {
            version: Ok("git version 2.47.3\n".into()),
            url: "https://bitbucket.org".into(),
            repository: None,
            helpers: vec![OURS.into()],
            target: Some(Target {
                path: Some("/usr/local/bin/bbtoken".into()),
                exists: true,
                is_this_binary: true,
            }),
            use_http_path: Some("true".into()),
        }
    }

    #[test]
    fn versions_parse() {
        assert_eq!(parse_version("git version 2.47.3\n"), Some((2, 47, 3)));
        assert_eq!(
            parse_version("git version 2.39.2 (Apple Git-143)"),
            Some((2, 39, 2))
        );
        assert_eq!(
            parse_version("git version 2.41.0.windows.1"),
            Some((2, 41, 0))
        );
        assert_eq!(parse_version("git version 3.0"), Some((3, 0, 0)));
        assert_eq!(parse_version("hub version 2.14"), None);
        assert_eq!(parse_version("git version x"), None);
    }

    #[test]
    fn helper_paths_unquote_like_the_shell() {
        assert_eq!(helper_path(OURS).as_deref(), Some("/usr/local/bin/bbtoken"));
        assert_eq!(
            helper_path("!'/o'\\''k dir/bbtoken' credential").as_deref(),
            Some("/o'k dir/bbtoken")
        );
        assert_eq!(
            helper_path("!/bin/bbtoken credential").as_deref(),
            Some("/bin/bbtoken")
        );
        assert_eq!(helper_path("store"), None);
        assert_eq!(helper_path("!bbtoken credential --x"), None);
    }

    #[test]
    fn all_set_up_passes() {
        let c = checks(&facts());
        assert!(c.iter().all(|c| c.status == Status::Pass), "{c:#?}");
        assert_eq!(c[0].facts["version"], "2.47.3");
    }

    #[test]
    fn old_git_warns() {
        let mut f = facts();
        f.version = Ok("git version 2.39.5".into());
        let c = &checks(&f)[0];
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.remedy
                .as_ref()
                .map(|r| r.en.as_str())
                .unwrap()
                .contains("2.41")
        );
        f.version = Ok("git version 2.41.0".into());
        assert_eq!(checks(&f)[0].status, Status::Pass);
    }

    #[test]
    fn no_git_warns_and_skips_the_rest() {
        let mut f = facts();
        f.version = Err("No such file or directory".into());
        let c = checks(&f);
        assert_eq!(c[0].status, Status::Warn);
        assert_eq!(c[1].status, Status::Skip);
        assert_eq!(c[2].status, Status::Skip);
    }

    #[test]
    fn helper_not_set_up_or_shared_warns() {
        let mut f = facts();
        f.helpers = vec![];
        f.target = None;
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.detail.en.contains("no credential helper"),
            "{}",
            c.detail.en
        );
        assert!(
            c.remedy
                .as_ref()
                .unwrap()
                .en
                .starts_with("bbtoken setup-git")
        );
        f.helpers = vec!["store".into()];
        assert!(checks(&f)[1].detail.en.contains("git asks store"));
        let mut f = facts();
        f.helpers = vec!["store".into(), OURS.into()];
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Warn);
        assert!(c.detail.en.contains("before bbtoken"), "{}", c.detail.en);
        f.helpers = vec![OURS.into(), "cache".into()];
        assert!(checks(&f)[1].detail.en.contains("also cache"));
    }

    #[test]
    fn a_helper_pointing_nowhere_fails() {
        let mut f = facts();
        f.target = Some(Target {
            path: Some("/gone/bbtoken".into()),
            exists: false,
            is_this_binary: false,
        });
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Fail);
        assert!(c.detail.en.contains("/gone/bbtoken"));
        f.target = Some(Target {
            path: Some("/other/bbtoken".into()),
            exists: true,
            is_this_binary: false,
        });
        assert_eq!(checks(&f)[1].status, Status::Warn);
    }

    #[test]
    fn use_http_path_off_warns() {
        let mut f = facts();
        f.use_http_path = None;
        let c = &checks(&f)[2];
        assert_eq!(c.status, Status::Warn);
        assert!(c.detail.en.contains("not set"));
        f.use_http_path = Some("yes".into());
        assert_eq!(checks(&f)[2].status, Status::Pass);
        f.use_http_path = Some("false".into());
        assert_eq!(checks(&f)[2].status, Status::Warn);
    }
}
