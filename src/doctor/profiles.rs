//! The profiles file: where it is, who may read it, whether it parses, and
//! whether its lock is free.

use std::path::PathBuf;

use super::{Check, shown};
use crate::i18n::{Said, say, tr};

pub(crate) const FILE: &str = "profiles.file";
pub(crate) const LOCK: &str = "profiles.lock";

/// What is at the profiles path.
#[derive(Debug, Clone, PartialEq)]
pub enum FileState {
    Missing,
    /// A regular file (or a symlink to one), with its permission bits.
    Present {
        mode: Option<u32>,
        symlink: bool,
    },
    /// Something that cannot be read: the error, cleaned.
    Unreadable(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum LockState {
    Free,
    /// Another process held it for the whole short wait.
    Held {
        waited_ms: u64,
    },
    /// The lock file could not be opened or locked.
    Error(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub dir: PathBuf,
    /// Whether `BBTOKEN_CONFIG_DIR` chose the directory.
    pub from_env: bool,
    /// The directory's permission bits; `None` when it does not exist (or
    /// on a system without them).
    pub dir_mode: Option<u32>,
    pub file: FileState,
    /// How many profiles it holds, or the parse error (cleaned).
    pub parsed: Option<Result<usize, String>>,
    /// `None` when not tried (no directory yet).
    pub lock: Option<LockState>,
}

pub fn checks(f: &Facts) -> Vec<Check> {
    vec![file(f), lock(f)]
}

/// No config directory can be found at all.
pub(crate) fn no_dir(why: &str) -> Vec<Check> {
    vec![
        Check::fail(
            FILE,
            Said::verbatim(shown(why)),
            say!("doctor.profiles.no_dir_fix"),
        ),
        Check::skip(LOCK, say!("doctor.profiles.no_dir")),
    ]
}

fn file(f: &Facts) -> Check {
    let path = f.dir.join(crate::store::profiles::FILE_NAME);
    let shown_path = shown(&path.display().to_string());
    let base = |c: Check| {
        c.fact("path", shown_path.clone())
            .fact("from_env", f.from_env)
    };
    let mode = match &f.file {
        FileState::Missing => {
            return base(Check::pass(
                FILE,
                say!("doctor.profiles.missing", path = shown_path),
            ));
        }
        FileState::Unreadable(e) => {
            return base(Check::fail(
                FILE,
                Said::verbatim(format!("{shown_path}: {}", shown(e))),
                say!("doctor.profiles.unreadable_fix"),
            ));
        }
        FileState::Present { mode, .. } => *mode,
    };
    let count = match &f.parsed {
        Some(Ok(n)) => *n,
        Some(Err(e)) => {
            return base(Check::fail(
                FILE,
                Said::verbatim(shown(e)),
                say!("doctor.profiles.parse_fix", path = shown_path),
            ));
        }
        None => 0,
    };
    let symlink = matches!(f.file, FileState::Present { symlink: true, .. });
    let octal = |m: u32| format!("{:04o}", m & 0o7777);
    let detail = || {
        let what = match (symlink, count) {
            (false, 1) => tr!("doctor.profiles.one", path = shown_path),
            (false, _) => tr!("doctor.profiles.many", path = shown_path, n = count),
            (true, 1) => tr!("doctor.profiles.one_symlink", path = shown_path),
            (true, _) => tr!("doctor.profiles.many_symlink", path = shown_path, n = count),
        };
        match mode {
            Some(m) => tr!("doctor.profiles.with_mode", what = what, mode = octal(m)),
            None => what,
        }
        .into_owned()
    };
    let base = |c: Check| {
        let c = base(c).fact("profiles", count);
        match mode {
            Some(m) => c.fact("mode", octal(m)),
            None => c,
        }
    };
    // The file holds no secret, but it names workspaces, repositories and
    // emails: others on the machine have no business reading it.
    if mode.is_some_and(|m| m & 0o077 != 0) {
        return base(Check::warn(
            FILE,
            say!("doctor.profiles.readable", what = detail()),
            Said::verbatim(format!("chmod 600 {shown_path}")),
        ));
    }
    // A folder others can write to lets them swap the file for their own
    // (profiles pointing elsewhere). Merely listable reveals nothing: the
    // file itself is private.
    if let Some(dir_mode) = f.dir_mode.filter(|m| m & 0o022 != 0) {
        let dir = shown(&f.dir.display().to_string());
        return base(Check::warn(
            FILE,
            say!(
                "doctor.profiles.dir_writable",
                what = detail(),
                dir = dir,
                mode = octal(dir_mode)
            ),
            Said::verbatim(format!("chmod 700 {dir}")),
        ));
    }
    base(Check::pass(FILE, Said::new(detail)))
}

fn lock(f: &Facts) -> Check {
    let path = f.dir.join("profiles.lock");
    let shown_path = shown(&path.display().to_string());
    let c = match &f.lock {
        None => Check::pass(LOCK, say!("doctor.profiles.lock_no_dir")),
        Some(LockState::Free) => {
            Check::pass(LOCK, say!("doctor.profiles.lock_free", path = shown_path))
        }
        Some(LockState::Held { waited_ms }) => Check::warn(
            LOCK,
            say!(
                "doctor.profiles.lock_held",
                path = shown_path,
                ms = waited_ms
            ),
            say!("doctor.profiles.lock_held_fix", path = shown_path),
        ),
        Some(LockState::Error(e)) => Check::fail(
            LOCK,
            say!(
                "doctor.profiles.lock_error",
                path = shown_path,
                error = shown(e)
            ),
            say!("doctor.profiles.lock_error_fix"),
        ),
    };
    c.fact("path", shown_path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    fn facts() -> Facts {
        Facts {
            dir: PathBuf::from("/home/u/.config/bbtoken"),
            from_env: false,
            dir_mode: Some(0o40700),
            file: FileState::Present {
                mode: Some(0o100600),
                symlink: false,
            },
            parsed: Some(Ok(2)),
            lock: Some(LockState::Free),
        }
    }

    #[test]
    fn a_private_file_that_parses_passes() {
        let c = checks(&facts());
        assert_eq!(c[0].status, Status::Pass, "{:?}", c[0]);
        assert_eq!(
            c[0].detail.en,
            "/home/u/.config/bbtoken/profiles.toml: 2 profiles, mode 0600"
        );
        assert_eq!(c[0].facts["mode"], "0600");
        assert_eq!(c[1].status, Status::Pass);
    }

    #[test]
    fn readable_by_others_warns_with_chmod() {
        let mut f = facts();
        f.file = FileState::Present {
            mode: Some(0o100644),
            symlink: false,
        };
        let c = &checks(&f)[0];
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            c.remedy.as_ref().map(|r| r.en.as_str()),
            Some("chmod 600 /home/u/.config/bbtoken/profiles.toml")
        );
        let mut f = facts();
        f.dir_mode = Some(0o40755);
        assert_eq!(checks(&f)[0].status, Status::Pass);
        f.dir_mode = Some(0o40777);
        let c = &checks(&f)[0];
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            c.remedy.as_ref().map(|r| r.en.as_str()),
            Some("chmod 700 /home/u/.config/bbtoken")
        );
    }

    #[test]
    fn a_file_that_does_not_parse_fails() {
        let mut f = facts();
        f.parsed = Some(Err("line 3: expected \u{1b}]0;x".into()));
        let c = &checks(&f)[0];
        assert_eq!(c.status, Status::Fail);
        assert!(!c.detail.en.contains('\u{1b}'));
        assert!(
            c.remedy
                .as_ref()
                .map(|r| r.en.as_str())
                .unwrap()
                .contains("move")
        );
    }

    #[test]
    fn no_file_yet_is_fine() {
        let mut f = facts();
        f.file = FileState::Missing;
        f.parsed = None;
        f.lock = None;
        let c = checks(&f);
        assert!(c.iter().all(|c| c.status == Status::Pass), "{c:?}");
        assert!(c[0].detail.en.contains("no profiles yet"));
    }

    #[test]
    fn a_held_lock_warns_and_names_fuser() {
        let mut f = facts();
        f.lock = Some(LockState::Held { waited_ms: 500 });
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.remedy
                .as_ref()
                .map(|r| r.en.as_str())
                .unwrap()
                .contains("fuser")
        );
        f.lock = Some(LockState::Error("Permission denied".into()));
        assert_eq!(checks(&f)[1].status, Status::Fail);
    }
}
