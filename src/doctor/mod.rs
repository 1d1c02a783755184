//! `bbtoken doctor`: checks the whole chain a token travels (credential
//! store, profiles file, the API over HTTPS, the clock, git's helper set-up,
//! the terminal and clipboard) and says, per line, what passed, what is off
//! and what to run about it.
//!
//! Each area is a pure function from the facts gathered about it to one or
//! more [`Check`]s, table-tested without I/O; [`probe`] gathers the facts
//! (the only module here that touches the system). Every string that came
//! from outside (a server header, git's output, an environment variable) is
//! cleaned before it goes into a check, so a report can be printed or
//! serialised as it is. No check ever reads or shows a profile's secret: the
//! store is tested with a throwaway item, the API with an unauthenticated
//! request.

pub mod api;
pub mod clock;
pub mod git;
pub mod probe;
pub mod profiles;
pub mod store;
pub mod terminal;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::i18n::Said;

/// How one check came out. The JSON names are stable: scripts read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// Works, but something is off or will bite later; exit stays 0.
    Warn,
    /// Broken: bbtoken cannot do part of its job; exit 1.
    Fail,
    /// Not checked, because something it depends on failed or was left out
    /// (`--offline`); the detail says which.
    Skip,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable, dotted key (`store`, `git.helper`, …).
    pub name: &'static str,
    pub status: Status,
    /// What was found, in a sentence (JSON: in English).
    pub detail: Said,
    /// What to do about it; `None` when nothing needs doing.
    pub remedy: Option<Said>,
    /// Machine-readable findings (backend, path, HTTP version, skew, …).
    pub facts: BTreeMap<&'static str, serde_json::Value>,
}

impl Check {
    pub fn new(name: &'static str, status: Status, detail: impl Into<Said>) -> Check {
        Check {
            name,
            status,
            detail: detail.into(),
            remedy: None,
            facts: BTreeMap::new(),
        }
    }

    pub fn pass(name: &'static str, detail: impl Into<Said>) -> Check {
        Check::new(name, Status::Pass, detail)
    }

    pub fn warn(name: &'static str, detail: impl Into<Said>, remedy: impl Into<Said>) -> Check {
        Check::new(name, Status::Warn, detail).remedy(remedy)
    }

    pub fn fail(name: &'static str, detail: impl Into<Said>, remedy: impl Into<Said>) -> Check {
        Check::new(name, Status::Fail, detail).remedy(remedy)
    }

    pub fn skip(name: &'static str, why: impl Into<Said>) -> Check {
        Check::new(name, Status::Skip, why)
    }

    pub fn remedy(mut self, remedy: impl Into<Said>) -> Check {
        self.remedy = Some(remedy.into());
        self
    }

    pub(crate) fn fact(mut self, key: &'static str, value: impl Into<serde_json::Value>) -> Check {
        self.facts.insert(key, value.into());
        self
    }
}

/// The whole report, in the order the chain is used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// True when no check failed (warnings allowed): the exit code is 0.
    pub ok: bool,
    pub summary: Summary,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
}

impl Report {
    pub fn new(checks: Vec<Check>) -> Report {
        let mut summary = Summary::default();
        for c in &checks {
            match c.status {
                Status::Pass => summary.pass += 1,
                Status::Warn => summary.warn += 1,
                Status::Fail => summary.fail += 1,
                Status::Skip => summary.skip += 1,
            }
        }
        Report {
            ok: summary.fail == 0,
            summary,
            checks,
        }
    }

    /// 0 when nothing failed (warnings allowed), 1 when a check failed.
    pub fn exit_code(&self) -> i32 {
        if self.ok { 0 } else { 1 }
    }
}

/// Findings said one after another: `a; b` (Japanese: `a。b`).
pub(crate) fn join<'a>(parts: impl IntoIterator<Item = &'a Said>) -> Said {
    let parts: Vec<&Said> = parts.into_iter().collect();
    let en = parts.iter().map(|p| p.en.as_str()).collect::<Vec<_>>();
    let local = parts.iter().map(|p| p.local.as_str()).collect::<Vec<_>>();
    Said {
        en: en.join("; "),
        local: local.join(&crate::i18n::tr!("doctor.join")),
    }
}

/// Shown text from outside, on one line and capped.
pub(crate) fn shown(s: &str) -> String {
    crate::text::clean_line(s, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_sets_exit_1_and_warnings_do_not() {
        let warn = Report::new(vec![
            Check::pass("a", "fine"),
            Check::warn("b", "meh", "do x"),
            Check::skip("c", "offline"),
        ]);
        assert!(warn.ok);
        assert_eq!(warn.exit_code(), 0);
        assert_eq!(
            warn.summary,
            Summary {
                pass: 1,
                warn: 1,
                fail: 0,
                skip: 1
            }
        );
        let fail = Report::new(vec![
            Check::pass("a", "fine"),
            Check::fail("b", "no", "fix"),
        ]);
        assert!(!fail.ok);
        assert_eq!(fail.exit_code(), 1);
    }

    #[test]
    fn json_shape_is_stable() {
        let r = Report::new(vec![Check::warn("git.helper", "d", "r").fact("url", "u")]);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["ok"], true);
        assert_eq!(v["summary"]["warn"], 1);
        let c = &v["checks"][0];
        assert_eq!(c["name"], "git.helper");
        assert_eq!(c["status"], "warn");
        assert_eq!(c["detail"], "d");
        assert_eq!(c["remedy"], "r");
        assert_eq!(c["facts"]["url"], "u");
        let p = serde_json::to_value(Check::pass("x", "y")).unwrap();
        assert!(p["remedy"].is_null());
    }
}
