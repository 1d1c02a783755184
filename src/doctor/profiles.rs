//! The profiles file: where it is, who may read it, whether it parses, and
//! whether its lock is free.

use std::path::PathBuf;

use super::{Check, shown};

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
            shown(why),
            "set BBTOKEN_CONFIG_DIR to a folder bbtoken may use (or set HOME)",
        ),
        Check::skip(LOCK, "no config folder"),
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
                format!("{shown_path}: no profiles yet (bbtoken add creates it)"),
            ));
        }
        FileState::Unreadable(e) => {
            return base(Check::fail(
                FILE,
                format!("{shown_path}: {}", shown(e)),
                "check the file's owner and permissions (it should be yours, mode 0600), or move it away to start afresh",
            ));
        }
        FileState::Present { mode, .. } => *mode,
    };
    let count = match &f.parsed {
        Some(Ok(n)) => *n,
        Some(Err(e)) => {
            return base(Check::fail(
                FILE,
                shown(e),
                format!(
                    "fix the line named by hand, or move {shown_path} away (bbtoken then starts with no profiles; the secrets stay in the store)"
                ),
            ));
        }
        None => 0,
    };
    let symlink = matches!(f.file, FileState::Present { symlink: true, .. });
    let mut detail = format!(
        "{shown_path}{}: {count} profile{}",
        if symlink { " (a symlink)" } else { "" },
        if count == 1 { "" } else { "s" }
    );
    if let Some(m) = mode {
        detail.push_str(&format!(", mode {:04o}", m & 0o7777));
    }
    let base = |c: Check| {
        let c = base(c).fact("profiles", count);
        match mode {
            Some(m) => c.fact("mode", format!("{:04o}", m & 0o7777)),
            None => c,
        }
    };
    // The file holds no secret, but it names workspaces, repositories and
    // emails: others on the machine have no business reading it.
    if mode.is_some_and(|m| m & 0o077 != 0) {
        return base(Check::warn(
            FILE,
            format!("{detail}: others on this machine may read it"),
            format!("chmod 600 {shown_path}"),
        ));
    }
    // A folder others can write to lets them swap the file for their own
    // (profiles pointing elsewhere). Merely listable reveals nothing: the
    // file itself is private.
    if f.dir_mode.is_some_and(|m| m & 0o022 != 0) {
        let dir = shown(&f.dir.display().to_string());
        return base(Check::warn(
            FILE,
            format!(
                "{detail}; its folder {dir} is mode {:04o}: others may replace the file",
                f.dir_mode.unwrap_or(0) & 0o7777
            ),
            format!("chmod 700 {dir}"),
        ));
    }
    base(Check::pass(FILE, detail))
}

fn lock(f: &Facts) -> Check {
    let path = f.dir.join("profiles.lock");
    let shown_path = shown(&path.display().to_string());
    let c = match &f.lock {
        None => Check::pass(LOCK, "no config folder yet: nothing can hold the lock"),
        Some(LockState::Free) => Check::pass(LOCK, format!("{shown_path} is free")),
        Some(LockState::Held { waited_ms }) => Check::warn(
            LOCK,
            format!(
                "another process has held {shown_path} for the {waited_ms} ms bbtoken waited: changes wait for it (at most BBTOKEN_LOCK_TIMEOUT, 10 s) and then fail"
            ),
            format!(
                "let the other bbtoken finish; `fuser {shown_path}` names the process holding it"
            ),
        ),
        Some(LockState::Error(e)) => Check::fail(
            LOCK,
            format!("cannot take the lock {shown_path}: {}", shown(e)),
            "the config folder must be yours and writable: check its owner and permissions (chmod 700)",
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
            c[0].detail,
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
            c.remedy.as_deref(),
            Some("chmod 600 /home/u/.config/bbtoken/profiles.toml")
        );
        let mut f = facts();
        f.dir_mode = Some(0o40755);
        assert_eq!(checks(&f)[0].status, Status::Pass);
        f.dir_mode = Some(0o40777);
        let c = &checks(&f)[0];
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            c.remedy.as_deref(),
            Some("chmod 700 /home/u/.config/bbtoken")
        );
    }

    #[test]
    fn a_file_that_does_not_parse_fails() {
        let mut f = facts();
        f.parsed = Some(Err("line 3: expected \u{1b}]0;x".into()));
        let c = &checks(&f)[0];
        assert_eq!(c.status, Status::Fail);
        assert!(!c.detail.contains('\u{1b}'));
        assert!(c.remedy.as_deref().unwrap().contains("move"));
    }

    #[test]
    fn no_file_yet_is_fine() {
        let mut f = facts();
        f.file = FileState::Missing;
        f.parsed = None;
        f.lock = None;
        let c = checks(&f);
        assert!(c.iter().all(|c| c.status == Status::Pass), "{c:?}");
        assert!(c[0].detail.contains("no profiles yet"));
    }

    #[test]
    fn a_held_lock_warns_and_names_fuser() {
        let mut f = facts();
        f.lock = Some(LockState::Held { waited_ms: 500 });
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Warn);
        assert!(c.remedy.as_deref().unwrap().contains("fuser"));
        f.lock = Some(LockState::Error("Permission denied".into()));
        assert_eq!(checks(&f)[1].status, Status::Fail);
    }
}
