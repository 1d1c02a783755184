//! `--expiring-within`: the expiry alarm of `list` and `validate`, for cron
//! jobs and CI steps that must fail before a token dies.
//!
//! The alarm goes to stderr, so `--json` on stdout stays one document; the
//! exit code is 1 when it rings (a failed validation's 1 or 2 stands).

use chrono::NaiveDate;

use crate::cli::output::{self, BAD, PLAIN, Stream, Text, WARN};
use crate::cli::{exit, words};
use crate::expiry::{self, Alarm};
use crate::i18n::tr;
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
        let mut line = Text::styled(style.bold(), tr!("cli.expiry.label")).with(
            format!(" {} {}{date}", p.name, words::expiry(due.days_left)),
            PLAIN,
        );
        if let Some(page) = links::token_page(p) {
            line = line.with_link(&page.url);
            let renew = match page.then {
                Some(then) => tr!(
                    "cli.expiry.renew_then",
                    url = page.url,
                    then = then,
                    name = p.name
                ),
                None => tr!("cli.expiry.renew", url = page.url, name = p.name),
            };
            line = line.with(format!(" — {renew}"), PLAIN);
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
    let mut s = format!("{} ", tr!("cli.expiry.label"));
    s.push_str(&match due {
        0 => tr!("cli.expiry.none_due", total = total, window = window),
        _ => tr!(
            "cli.expiry.some_due",
            due = due,
            total = total,
            window = window
        ),
    });
    if !alarm.undated.is_empty() {
        s.push_str(&tr!(
            "cli.expiry.undated",
            n = alarm.undated.len(),
            names = alarm.undated.join(", ")
        ));
    }
    output::err_line(&s);
}
