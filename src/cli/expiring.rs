//! `--expiring-within`: the expiry alarm of `list` and `validate`, for cron
//! jobs and CI steps that must fail before a token dies.
//!
//! The alarm goes to stderr, so `--json` on stdout stays one document; the
//! exit code is 1 when it rings (a failed validation's 1 or 2 stands).

use chrono::NaiveDate;

use crate::cli::exit;
use crate::cli::output::{self, BAD, PLAIN, Stream, Text, WARN};
use crate::expiry::{self, Alarm};
use crate::links;
use crate::profile::Profile;

/// Says which profiles are due and returns the exit code the alarm asks for.
pub fn report(profiles: &[Profile], today: NaiveDate, window: u32) -> i32 {
    let alarm = expiry::check(profiles, today, window);
    for due in &alarm.due {
        let Some(p) = profiles.iter().find(|p| p.name == due.name) else {
            continue;
        };
        let style = if due.days_left < 0 { BAD } else { WARN };
        let date = p.expires.map(|d| format!(" ({d})")).unwrap_or_default();
        let mut line = Text::styled(style.bold(), "expiry:").with(
            format!(" {} {}{date}", p.name, expiry::words(due.days_left)),
            PLAIN,
        );
        if let Some(page) = links::token_page(p) {
            let then = page.then.map(|t| format!(", then {t}")).unwrap_or_default();
            line = line.with(
                format!(
                    " — create a new token at {}{then}, and run bbtoken edit {} --secret",
                    page.url, p.name
                ),
                PLAIN,
            );
        }
        output::line(Stream::Err, &line);
    }
    summary(&alarm, profiles.len(), window);
    if alarm.rings() {
        exit::NOT_VALID
    } else {
        exit::OK
    }
}

fn summary(alarm: &Alarm, total: usize, window: u32) {
    let due = alarm.due.len();
    let mut s = match due {
        0 => format!("expiry: none of {total} profile(s) expires within {window} days"),
        _ => format!("expiry: {due} of {total} profile(s) expired or expire within {window} days"),
    };
    if !alarm.undated.is_empty() {
        s.push_str(&format!(
            "; {} without a recorded expiry date ({}): record it with bbtoken edit NAME --expires YYYY-MM-DD",
            alarm.undated.len(),
            alarm.undated.join(", ")
        ));
    }
    output::err_line(&s);
}
