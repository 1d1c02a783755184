//! `bbtoken doctor`: runs the checks of [`crate::doctor`] and prints one line
//! per check, with what to do under each one that is not a pass.

use crate::cli::args::DoctorArgs;
use crate::cli::output::{self, BAD, BOLD, DIM, GOOD, PLAIN, Stream, Text, WARN};
use crate::cli::{Fail, exit, words};
use crate::doctor::{Report, Status, probe};
use crate::i18n::tr;

pub async fn run(a: DoctorArgs) -> Result<i32, Fail> {
    let report = probe::run(probe::Options { offline: a.offline }).await;
    if a.json {
        output::json(&report)?;
    } else {
        for t in render(&report) {
            output::line(Stream::Out, &t);
        }
    }
    Ok(if report.ok { exit::OK } else { exit::NOT_VALID })
}

/// The width of the name column: the longest check name.
const NAME_WIDTH: usize = 18;

/// The report as lines: `STATUS  name  detail`, then `fix: remedy` under
/// it, then a summary.
pub fn render(r: &Report) -> Vec<Text> {
    let mut lines = Vec::new();
    for c in &r.checks {
        let style = match c.status {
            Status::Pass => GOOD,
            Status::Warn => WARN,
            Status::Fail => BAD,
            Status::Skip => DIM,
        };
        lines.push(
            Text::styled(style.bold(), words::pad(&status_word(c.status), 4))
                .with(format!("  {:<NAME_WIDTH$}", c.name), BOLD)
                .with(format!(" {}", c.detail.local), PLAIN),
        );
        if let Some(remedy) = &c.remedy {
            lines.push(
                Text::plain(format!("      {:<NAME_WIDTH$} ", ""))
                    .with(format!("{} ", tr!("cli.doctor.fix")), BOLD)
                    .with(remedy.local.clone(), PLAIN),
            );
        }
    }
    let s = r.summary;
    let mut summary = if s.warn == 1 {
        tr!(
            "cli.doctor.summary_one_warning",
            pass = s.pass,
            warn = s.warn,
            fail = s.fail
        )
    } else {
        tr!(
            "cli.doctor.summary",
            pass = s.pass,
            warn = s.warn,
            fail = s.fail
        )
    }
    .into_owned();
    if s.skip > 0 {
        summary.push_str(&tr!("cli.doctor.skipped", n = s.skip));
    }
    lines.push(Text::plain(""));
    lines.push(Text::styled(
        if s.fail > 0 { BAD.bold() } else { BOLD },
        summary,
    ));
    lines
}

/// A check's status for people: in English its own name (`pass`), as the
/// JSON has it.
fn status_word(s: Status) -> String {
    match s {
        Status::Pass => tr!("cli.doctor.pass"),
        Status::Warn => tr!("cli.doctor.warn"),
        Status::Fail => tr!("cli.doctor.fail"),
        Status::Skip => tr!("cli.doctor.skip"),
    }
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Check;

    #[test]
    fn lines_and_remedies_line_up() {
        let r = Report::new(vec![
            Check::pass("store", "secret-service (default): fine"),
            Check::warn("git.helper", "git has no helper", "bbtoken setup-git"),
            Check::skip("clock", "--offline"),
        ]);
        let text: Vec<String> = render(&r).iter().map(|t| t.render(false)).collect();
        assert_eq!(
            text[0],
            "pass  store              secret-service (default): fine"
        );
        assert_eq!(text[1], "warn  git.helper         git has no helper");
        assert_eq!(text[2], "                         fix: bbtoken setup-git");
        assert_eq!(text[3], "skip  clock              --offline");
        assert_eq!(
            text.last().unwrap(),
            "1 passed, 1 warning, 0 failed, 1 skipped"
        );
    }

    #[test]
    fn names_fit_the_column() {
        for name in [
            crate::doctor::store::NAME,
            crate::doctor::profiles::FILE,
            crate::doctor::profiles::LOCK,
            crate::doctor::api::RESOLVE,
            crate::doctor::api::REQUEST,
            crate::doctor::clock::NAME,
            crate::doctor::git::VERSION,
            crate::doctor::git::HELPER,
            crate::doctor::git::HTTP_PATH,
            crate::doctor::terminal::TERMINAL,
            crate::doctor::terminal::CLIPBOARD,
        ] {
            assert!(name.len() <= NAME_WIDTH, "{name}");
        }
    }
}
