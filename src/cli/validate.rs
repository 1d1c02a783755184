//! validate: check profiles against Bitbucket and record the outcomes.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::cli::args::ValidateArgs;
use crate::cli::output::{self, DIM, PLAIN, Progress, Stream, Text, WARN, status_style};
use crate::cli::{Fail, exit, report_error, report_warning, words};
use crate::context::Context;
use crate::describe;
use crate::i18n::tr;
use crate::profile::{Outcome, Profile, Status, TokenKind};
use crate::store::profiles::ConfigError;
use crate::validate::Validator;

pub async fn run(ctx: &Context, a: ValidateArgs) -> Result<i32, Fail> {
    let window = a.expiry.expiring_within;
    let names = a.names.clone();
    let code = run_names(ctx, a.names, a.json, a.jobs).await?;
    let Some(window) = window else {
        return Ok(code);
    };
    // The dates come from the profiles as they are now (a rotation during
    // the run may have changed one); a failed validation's 1 or 2 stands.
    let doc = ctx.profiles.load()?;
    let selected: Vec<Profile> = doc
        .profiles
        .into_iter()
        .filter(|p| names.is_empty() || names.contains(&p.name))
        .collect();
    let alarm = super::expiring::report(&selected, chrono::Utc::now().date_naive(), window);
    Ok(if code == exit::OK { alarm } else { code })
}

#[derive(Serialize)]
struct Row<'a> {
    name: &'a str,
    kind: TokenKind,
    #[serde(flatten)]
    outcome: &'a Outcome,
    /// The last verdict on the token, when this outcome is not one.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_conclusive: Option<&'a Outcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bot_email_mismatch: Option<String>,
    /// Days before the recorded expiry date (negative once expired).
    #[serde(skip_serializing_if = "Option::is_none")]
    days_left: Option<i64>,
}

/// The profile as this run leaves it in memory: the outcome recorded the way
/// the profiles file records it, so the words match `show` and the app.
fn after(p: &Profile, o: &Outcome) -> Profile {
    let mut p = p.clone();
    p.record(o.clone());
    p
}

/// The exit code for a run. A store error is not a verdict on a token: when
/// any profile's secret could not be read (or the profile cannot be checked
/// at all), the run is incomplete and exits 2, even if other profiles are
/// invalid — a script must not read "1" as "only the listed tokens are bad".
/// Otherwise 0 when every profile is valid, else 1.
pub fn exit_code(outcomes: &[Outcome]) -> i32 {
    if outcomes.iter().any(|o| o.status == Status::StoreError) {
        exit::ERROR
    } else if outcomes.iter().all(|o| o.status == Status::Valid) {
        exit::OK
    } else {
        exit::NOT_VALID
    }
}

pub(crate) async fn run_names(
    ctx: &Context,
    names: Vec<String>,
    json: bool,
    jobs: usize,
) -> Result<i32, Fail> {
    let doc = ctx.profiles.load()?;
    let profiles = if names.is_empty() {
        doc.profiles.clone()
    } else {
        names
            .iter()
            .map(|n| doc.find(n).cloned().ok_or_else(|| Fail::no_profile(n)))
            .collect::<Result<Vec<_>, _>>()?
    };
    if profiles.is_empty() {
        if json {
            output::out_line("[]");
        } else {
            output::err_line(&tr!("cli.validate.none"));
        }
        return Ok(exit::OK);
    }
    let validator = ctx.validator()?.with_concurrency(jobs);
    let width = profiles
        .iter()
        .map(|p| unicode_width::UnicodeWidthStr::width(p.name.as_str()))
        .max()
        .unwrap_or(0);
    // On a terminal each result shows as it arrives, under a progress line;
    // piped and --json output are printed whole at the end, as before.
    let live = !json && output::interactive();
    let (results, recorded) = if live {
        validate_live(ctx, &validator, &profiles, jobs, width).await
    } else {
        validate_and_record(ctx, &validator, &profiles, |_, _| {}).await
    };
    if let Err(e) = recorded {
        report_error(&tr!("cli.validate.not_recorded", error = e));
    }
    if json {
        let now: Vec<Profile> = profiles
            .iter()
            .zip(&results)
            .map(|(p, o)| after(p, o))
            .collect();
        let rows: Vec<Row> = now
            .iter()
            .zip(&results)
            .map(|(p, o)| Row {
                name: &p.name,
                kind: p.kind,
                outcome: o,
                last_conclusive: p.last_conclusive.as_ref(),
                // JSON is for scripts: English whatever the language.
                bot_email_mismatch: crate::i18n::with_lang(crate::i18n::Lang::En, || {
                    describe::bot_email_mismatch(p)
                }),
                days_left: p.days_left(chrono::Utc::now().date_naive()),
            })
            .collect();
        output::json(&rows)?;
    } else if !live {
        for (p, o) in profiles.iter().zip(&results) {
            for l in outcome_lines(p, width, o) {
                output::line(Stream::Out, &l);
            }
        }
    }
    let code = exit_code(&results);
    if code == exit::ERROR {
        let n = results
            .iter()
            .filter(|o| o.status == Status::StoreError)
            .count();
        report_error(&tr!(
            "cli.validate.store_errors",
            n = n,
            total = results.len()
        ));
    }
    Ok(code)
}

/// The one call into the engine's validation, so a change of its signature
/// touches one place. An outcome the engine did not record (the profile's
/// token or target changed while it was checked) is said on stderr, so a
/// later `list` showing another result is no surprise.
async fn validate_and_record(
    ctx: &Context,
    validator: &Validator,
    profiles: &[Profile],
    each: impl FnMut(&Profile, &Outcome),
) -> (Vec<Outcome>, Result<(), ConfigError>) {
    let (outcomes, recorded) = validator
        .validate_and_record(&ctx.profiles, profiles, each)
        .await;
    if let Ok(stale) = &recorded
        && !stale.is_empty()
    {
        report_warning(&tr!("cli.validate.stale", names = stale.join(", ")));
    }
    (outcomes, recorded.map(|_| ()))
}

/// Validates with live feedback: each result is printed as it arrives and a
/// progress line on stderr says how many are done and which profile has been
/// waited on longest. The line is redrawn every 100 ms (so the wait shown
/// grows) and erased at the end.
async fn validate_live(
    ctx: &Context,
    validator: &Validator,
    profiles: &[Profile],
    jobs: usize,
    width: usize,
) -> (Vec<Outcome>, Result<(), ConfigError>) {
    let progress = Progress::new(profiles.len() as u64);
    let waits = RefCell::new(Waits::new(profiles.len(), jobs.max(1), Instant::now()));
    progress.set(0, &waits.borrow().message(profiles, Instant::now()));
    let work = validate_and_record(ctx, validator, profiles, |p, o| {
        let now = Instant::now();
        let mut w = waits.borrow_mut();
        // The validator hands back our own profiles; by name if it ever
        // hands back copies.
        let i = profiles
            .iter()
            .position(|q| std::ptr::eq(q, p))
            .or_else(|| (0..profiles.len()).find(|&i| !w.done[i] && profiles[i].name == p.name));
        if let Some(i) = i {
            w.done(i, now);
        }
        for l in outcome_lines(p, width, o) {
            progress.line(Stream::Out, &l);
        }
        progress.set(w.count_done() as u64, &w.message(profiles, now));
    });
    let result = {
        let mut work = std::pin::pin!(work);
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tokio::select! {
                r = &mut work => break r,
                _ = tick.tick() => {
                    let w = waits.borrow();
                    progress.set(w.count_done() as u64, &w.message(profiles, Instant::now()));
                }
            }
        }
    };
    progress.finish();
    result
}

/// When each profile started and whether it is done. The validator runs at
/// most `jobs` at once and starts them in order, each as soon as another
/// finishes, so profile `i` starts at the start for the first `jobs`, and
/// otherwise when the `(i - jobs)`-th result (counting from 0) arrived. The
/// longest-waiting profile still in flight is the first one not done.
struct Waits {
    start: Instant,
    jobs: usize,
    done: Vec<bool>,
    finished_at: Vec<Instant>,
}

impl Waits {
    fn new(n: usize, jobs: usize, start: Instant) -> Waits {
        Waits {
            start,
            jobs,
            done: vec![false; n],
            finished_at: Vec::with_capacity(n),
        }
    }

    fn done(&mut self, i: usize, now: Instant) {
        if !std::mem::replace(&mut self.done[i], true) {
            self.finished_at.push(now);
        }
    }

    fn count_done(&self) -> usize {
        self.finished_at.len()
    }

    fn started(&self, i: usize) -> Option<Instant> {
        if i < self.jobs {
            Some(self.start)
        } else {
            self.finished_at.get(i - self.jobs).copied()
        }
    }

    /// "waiting on NAME (2.4 s)", or "" when nothing is in flight.
    fn message(&self, profiles: &[Profile], now: Instant) -> String {
        let Some(i) = self.done.iter().position(|d| !d) else {
            return String::new();
        };
        let since = self.started(i).unwrap_or(now);
        let in_flight = self.done.len() - self.count_done();
        let name = &profiles[i].name;
        let secs = format!("{:.1}", now.saturating_duration_since(since).as_secs_f64());
        match in_flight.min(self.jobs) {
            0 | 1 => tr!("cli.validate.waiting", name = name, secs = secs),
            n => tr!(
                "cli.validate.waiting_more",
                name = name,
                secs = secs,
                more = n - 1
            ),
        }
        .into_owned()
    }
}

/// What to do about an outcome, in the current language: the advice, then
/// the command to run. In English exactly the recorded command words
/// ([`describe::remedy_words`]); the command stays a command in Japanese.
fn remedy_line(o: &Outcome) -> Option<String> {
    let r = o.remedy.as_ref()?;
    let advice = describe::advice_words(o).filter(|a| !a.is_empty());
    let command = r.step.map(|s| s.command(&r.profile));
    Some(match (advice, command) {
        (Some(a), Some(c)) => tr!("cli.validate.remedy_run", advice = a, command = c).into_owned(),
        (None, Some(c)) => tr!("cli.validate.run", command = c).into_owned(),
        (Some(a), None) => a,
        (None, None) => return None,
    })
}

/// Prints one outcome as `validate` does (for a check made elsewhere: the
/// new token of `edit --secret --validate`).
pub(crate) fn print_outcome(profile: &Profile, o: &Outcome) {
    let width = unicode_width::UnicodeWidthStr::width(profile.name.as_str());
    for l in outcome_lines(profile, width, o) {
        output::line(Stream::Out, &l);
    }
}

fn outcome_lines(profile: &Profile, width: usize, o: &Outcome) -> Vec<Text> {
    let name = &profile.name;
    let now = after(profile, o);
    let style = status_style(o.status);
    let status = format!(
        "{} {}{}",
        o.status.symbol(),
        describe::status_words(o.status),
        o.http_status.map(|s| format!(" {s}")).unwrap_or_default()
    );
    let scopes = o
        .scopes
        .as_ref()
        .filter(|_| o.status == Status::Valid)
        .map(|s| format!("  [{}]", s.join(", ")))
        .unwrap_or_default();
    let mut lines = vec![
        Text::plain(format!("{}  ", words::pad(name, width)))
            .with(words::pad(&status, 17), style)
            .with(format!("  {}", describe::outcome_message(o)), PLAIN)
            .with(scopes, DIM),
    ];
    let pad = " ".repeat(width + 2);
    // Not a verdict: say so, beside the last one.
    if describe::inconclusive_words(o).is_some()
        && let Some(line) = describe::status_line(&now, chrono::Utc::now())
    {
        lines.push(
            Text::plain(&pad)
                .with("·", DIM)
                .with(format!(" {line}"), PLAIN),
        );
    }
    if let Some(r) = remedy_line(o) {
        lines.push(
            Text::plain(&pad)
                .with("→", DIM)
                .with(format!(" {r}"), PLAIN),
        );
    }
    let mismatch = describe::bot_email_mismatch(&now);
    let suggestion = describe::bot_email_suggestion(&now);
    let kind = describe::kind_correction(&now);
    for w in o
        .warning_words()
        .iter()
        .chain(&mismatch)
        .chain(&suggestion)
        .chain(&kind)
    {
        lines.push(
            Text::plain(&pad)
                .with("!", WARN)
                .with(format!(" {w}"), PLAIN),
        );
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles(names: &[&str]) -> Vec<Profile> {
        names
            .iter()
            .map(|n| Profile::new(n, TokenKind::Repository, "w", Some("r")))
            .collect()
    }

    /// The README's rule: a store error makes the run incomplete (2), even
    /// beside an invalid token; else 1 for anything not valid.
    #[test]
    fn exit_code_rule() {
        let o = |s| Outcome::bare(s, "", None);
        assert_eq!(exit_code(&[o(Status::Valid), o(Status::Valid)]), 0);
        assert_eq!(exit_code(&[o(Status::Valid), o(Status::Invalid)]), 1);
        assert_eq!(exit_code(&[o(Status::NetworkError)]), 1);
        assert_eq!(exit_code(&[o(Status::StoreError)]), 2);
        assert_eq!(exit_code(&[o(Status::Invalid), o(Status::StoreError)]), 2);
    }

    #[test]
    fn waits_name_the_longest_in_flight() {
        let ps = profiles(&["a", "b", "c"]);
        let t0 = Instant::now();
        let s = |d: u64| t0 + Duration::from_millis(d);
        // Two at a time: a and b start at once, c when the first ends.
        let mut w = Waits::new(3, 2, t0);
        assert_eq!(w.message(&ps, s(1500)), "waiting on a (1.5 s) and 1 more");
        w.done(1, s(2000));
        assert_eq!(w.count_done(), 1);
        assert_eq!(w.message(&ps, s(2500)), "waiting on a (2.5 s) and 1 more");
        w.done(0, s(3000));
        // c started when b ended, at 2 s.
        assert_eq!(w.message(&ps, s(3500)), "waiting on c (1.5 s)");
        w.done(2, s(4000));
        w.done(2, s(4100));
        assert_eq!(w.count_done(), 3);
        assert_eq!(w.message(&ps, s(4200)), "");
    }

    /// In English the remedy line is the recorded command words, byte for
    /// byte; in Japanese the command stays as it is.
    #[test]
    fn remedy_lines() {
        use crate::i18n::{Lang, with_lang};
        use crate::problem::{Remedy, Step};
        let remedies = [
            Remedy::step("the token was revoked or mistyped", Step::Rotate, "ci"),
            Remedy::step("", Step::Rotate, "ci"),
            Remedy::advice("check your network connection"),
        ];
        for r in remedies {
            let o = Outcome::bare(Status::Invalid, "401", Some(r.clone()));
            assert_eq!(
                with_lang(Lang::En, || remedy_line(&o)),
                Some(r.command_words())
            );
            if let Some(step) = r.step {
                let ja = with_lang(Lang::Ja, || remedy_line(&o)).unwrap();
                assert!(ja.contains(&step.command("ci")), "{ja}");
                assert!(ja.ends_with("を実行してください"), "{ja}");
            }
        }
        assert_eq!(remedy_line(&Outcome::bare(Status::Valid, "ok", None)), None);
    }

    #[test]
    fn japanese_lines_pad_by_display_width() {
        use crate::i18n::{Lang, with_lang};
        let ps = profiles(&["a", "b"]);
        let t0 = Instant::now();
        let w = Waits::new(2, 2, t0);
        let msg = with_lang(Lang::Ja, || {
            w.message(&ps, t0 + Duration::from_millis(1500))
        });
        assert_eq!(msg, "a ほか 1 件を待っています (1.5 秒)");
        let mut o = Outcome::bare(Status::Valid, "ok", None);
        o.http_status = Some(200);
        let line = |lang| with_lang(lang, || outcome_lines(&ps[0], 3, &o)[0].render(false));
        assert_eq!(line(Lang::En), format!("a    {:<17}  ok", "✓ valid 200"));
        // "✓ 有効 200" is 10 columns wide: 7 spaces make 17.
        assert_eq!(
            line(Lang::Ja),
            format!("a    ✓ 有効 200{}  トークンは有効です (ok)", " ".repeat(7))
        );
    }
}
