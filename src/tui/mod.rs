//! The full-screen TUI: terminal setup and restore, the event loop, and the
//! effect runner. State and its changes live in `app`, drawing in `ui`.
//!
//! The loop never waits on the network or the keyring: input is read on its
//! own thread, effects run as tasks, and every completion comes back through
//! one channel as an `Action`. Redraws are coalesced: all pending messages are
//! applied before the next frame.

pub mod browser;
pub mod clipboard;
pub mod demo;
pub mod effects;
mod hyperlink;

use crate::i18n::tr;
use std::io::Write;
use std::time::Duration;

use chrono::Utc;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    MouseButton, MouseEventKind,
};
use ratatui::layout::Rect;
use tokio::sync::mpsc;

use crate::app::{Action, App, Effect, update};
use crate::bitbucket::{ApiConfig, Client};
use crate::context::Context;
use crate::fakebb::FakeBitbucket;
use crate::gitcmd::Endpoints;
use crate::secret::Secret;
use crate::store::{ProfileFile, SecretStore};
use crate::ui::{self, Theme};
use crate::validate::Validator;

pub use effects::{Msg, Services};

/// The full-screen app was started without a terminal on stdin or stdout.
#[derive(Debug, thiserror::Error)]
#[error(
    "the full-screen app needs a terminal, and {0} is not one. Without a terminal, use the commands: \
     bbtoken list, show NAME, validate [NAME...], add NAME, edit NAME, remove NAME, commands NAME, \
     setup-git, here, bind NAME, audit, onboard NAME, store migrate, completions SHELL \
     (and bbtoken demo on a terminal); see bbtoken --help"
)]
pub struct NoTerminal(&'static str);

/// The TUI reads keys from stdin and draws on stdout: both must be terminals
/// (crossterm would otherwise fail deep inside, or ratatui panic).
pub fn require_terminal() -> Result<(), NoTerminal> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(NoTerminal("stdin"));
    }
    if !std::io::stdout().is_terminal() {
        return Err(NoTerminal("stdout"));
    }
    Ok(())
}

/// Runs the TUI over the user's profiles. Returns the process exit code.
pub async fn run_app(ctx: Context) -> Result<i32, Box<dyn std::error::Error>> {
    require_terminal()?;
    let validator = ctx.validator()?;
    let svc = Services {
        profiles: ctx.profiles.clone(),
        secrets: ctx.secrets.clone(),
        validator,
        endpoints: ctx.endpoints.clone(),
        clipboard: clipboard::Clipboard::from_env(),
    };
    let app = App::new(
        ctx.endpoints.clone(),
        ctx.secrets.backend().name(),
        Utc::now(),
    );
    run(svc, app).await
}

/// Runs the demo: sample profiles, a fake Bitbucket on loopback, an
/// in-memory secret store. Returns the process exit code.
pub(crate) async fn run_demo() -> Result<i32, Box<dyn std::error::Error>> {
    require_terminal()?;
    let fake = FakeBitbucket::start().await?;
    // Nothing of the demo reaches disk or a keyring.
    let profiles = ProfileFile::memory();
    let secrets = SecretStore::memory();
    demo::seed(&fake, &profiles, &secrets, Utc::now().date_naive()).await?;
    let api = ApiConfig {
        base: fake.api_url(),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(3),
        retries_429: 1,
        backoff: Duration::from_millis(300),
        ..ApiConfig::default()
    };
    let svc = Services {
        profiles,
        validator: Validator::new(Client::new(api)?, secrets.clone()),
        secrets,
        // Commands read as they would for the real Bitbucket.
        endpoints: Endpoints::default(),
        clipboard: clipboard::Clipboard::from_env(),
    };
    let app = App::new(Endpoints::default(), tr!("tui.demo_store"), Utc::now());
    let code = run(svc, app).await;
    drop(fake);
    code
}

/// Sets the terminal up, runs the loop, and restores the terminal whatever
/// happens (`ratatui::init` also installs a panic hook that restores it).
pub async fn run(svc: Services, mut app: App) -> Result<i32, Box<dyn std::error::Error>> {
    app.multiplexer = clipboard::Multiplexer::from_env();
    // Onboarding's default directory. A path that is not UTF-8 or holds
    // control characters is not offered: cleaned, it would name another
    // directory; raw, it would reach the screen. The user types one then.
    if let Some(d) = std::env::current_dir()
        .ok()
        .and_then(|d| d.to_str().map(str::to_string))
        .filter(|d| !d.chars().any(char::is_control))
    {
        app.start_dir = d;
    }
    // Before the terminal changes: from then on a signal must restore it.
    let signals = Signals::install();
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste);
    let result = event_loop(&mut terminal, svc, app, signals).await;
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
    result
}

/// Input on its own thread: `crossterm::event::read` blocks.
fn input_thread() -> mpsc::UnboundedReceiver<Event> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("bbtoken-input".into())
        .spawn(move || {
            while let Ok(ev) = crossterm::event::read() {
                if tx.send(ev).is_err() {
                    break;
                }
            }
        })
        .expect("can start the input thread");
    rx
}

/// What an input event means now.
pub(crate) fn event_action(app: &App, screen: Rect, ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) => crate::app::keymap::key(app, k),
        Event::Paste(s) => Some(Action::Paste(s)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollUp => Some(Action::Up),
            MouseEventKind::ScrollDown => Some(Action::Down),
            MouseEventKind::Down(MouseButton::Left) => {
                ui::row_at(app, screen, m.column, m.row).map(Action::Select)
            }
            _ => None,
        },
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}

/// Runs the loop; whatever way it ends (quit, a signal, an error), a token
/// still on the clipboard is cleared before the terminal is restored.
async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    svc: Services,
    app: App,
    signals: Signals,
) -> Result<i32, Box<dyn std::error::Error>> {
    let mut held: Option<HeldCopy> = None;
    let result = run_loop(terminal, &svc, app, signals, &mut held).await;
    clear_held_copy(&svc, held).await;
    result
}

/// SIGTERM, SIGHUP and SIGINT (from `kill`, a closed terminal window, a
/// session manager) quit like `q`: the clipboard is cleared and the terminal
/// restored. SIGQUIT keeps its default, as a way out of a hung process.
struct Signals {
    #[cfg(unix)]
    streams: Vec<(i32, tokio::signal::unix::Signal)>,
}

impl Signals {
    fn install() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = [
                (libc_sig::TERM, SignalKind::terminate()),
                (libc_sig::HUP, SignalKind::hangup()),
                (libc_sig::INT, SignalKind::interrupt()),
            ]
            .into_iter()
            .filter_map(|(n, kind)| signal(kind).ok().map(|s| (n, s)))
            .collect();
            Signals { streams }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// The next signal's number; never resolves when there are none.
    async fn recv(&mut self) -> i32 {
        #[cfg(unix)]
        {
            if self.streams.is_empty() {
                return std::future::pending().await;
            }
            let futures = self
                .streams
                .iter_mut()
                .map(|(n, s)| Box::pin(async move { s.recv().await.map(|_| *n) }));
            match futures_util::future::select_all(futures).await.0 {
                Some(n) => n,
                None => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        std::future::pending().await
    }
}

/// Signal numbers, for the exit code 128 + N (the shell's convention).
#[cfg(unix)]
mod libc_sig {
    pub(crate) const HUP: i32 = 1;
    pub(crate) const INT: i32 = 2;
    pub const TERM: i32 = 15;
}

/// The selected profile's token page, to make clickable: only on the list
/// with nothing over it (a popup covers the detail pane, or part of the
/// URL).
fn token_link(app: &App, links_on: bool) -> Option<String> {
    if !links_on || !matches!(app.overlay, crate::app::Overlay::None) {
        return None;
    }
    crate::links::token_page(app.selected_profile()?).map(|p| p.url)
}

async fn run_loop(
    terminal: &mut ratatui::DefaultTerminal,
    svc: &Services,
    mut app: App,
    mut signals: Signals,
    held: &mut Option<HeldCopy>,
) -> Result<i32, Box<dyn std::error::Error>> {
    let theme = Theme::from_env();
    // Decided once: the terminal does not change under the app.
    let links_on = supports_hyperlinks::on(supports_hyperlinks::Stream::Stdout);
    // The token page linked on the screen now, to unlink when it changes.
    let mut linked: Option<hyperlink::Link> = None;
    let mut input = input_thread();
    let mut exit_code = 0;
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut ticker = tokio::time::interval(Duration::from_millis(150));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut pending: Vec<Effect> = vec![Effect::Load, Effect::CheckHelper, Effect::GatherHere];
    let mut dirty = true;
    let mut ticks: u32 = 0;
    // Saves and deletes under way: quitting waits for them (bounded), so a
    // quit never leaves a secret stored without its profile or the reverse.
    let mut writes: usize = 0;
    let size = terminal.size()?;
    update(&mut app, Action::Resize(size.width, size.height));
    loop {
        for e in pending.drain(..) {
            if matches!(e, Effect::Save(_) | Effect::Delete { .. }) {
                writes += 1;
            }
            effects::spawn(svc, e, tx.clone());
        }
        if app.quit {
            break;
        }
        if dirty {
            let frame = terminal.draw(|f| ui::render(f, &app, &theme))?;
            let link =
                token_link(&app, links_on).and_then(|url| hyperlink::find(frame.buffer, &url));
            let cells = hyperlink::cells(frame.buffer, linked.as_ref(), link.as_ref());
            linked = link;
            if !cells.is_empty() {
                use ratatui::backend::Backend;
                let backend = terminal.backend_mut();
                backend.draw(cells.iter().map(|(x, y, c)| (*x, *y, c)))?;
                Backend::flush(backend)?;
            }
            dirty = false;
        }
        tokio::select! {
            ev = input.recv() => {
                let Some(ev) = ev else { break };
                let size = terminal.size()?;
                let screen = Rect::new(0, 0, size.width, size.height);
                if let Some(a) = event_action(&app, screen, ev) {
                    pending.extend(update(&mut app, a));
                }
                dirty = true;
            }
            signal = signals.recv() => {
                exit_code = 128 + signal;
                pending.extend(update(&mut app, Action::Quit));
            }
            msg = rx.recv() => {
                if let Some(msg) = msg {
                    writes = writes.saturating_sub(finished_writes(&msg));
                    handle(&mut app, msg, &mut pending, held)?;
                    // Coalesce: apply what else is waiting before drawing.
                    for _ in 0..1000 {
                        match rx.try_recv() {
                            Ok(m) => {
                                writes = writes.saturating_sub(finished_writes(&m));
                                handle(&mut app, m, &mut pending, held)?
                            }
                            Err(_) => break,
                        }
                    }
                    dirty = true;
                }
            }
            _ = ticker.tick() => {
                ticks = ticks.wrapping_add(1);
                // Animate while work is in flight; otherwise refresh relative
                // times now and then.
                if app.in_flight() > 0 || ticks.is_multiple_of(200) {
                    update(&mut app, Action::Tick(Utc::now()));
                    dirty = true;
                }
            }
        }
    }
    // Let saves and deletes under way finish; each is bounded by the
    // credential store's timeout, and this wait by WRITE_GRACE. The terminal
    // may be gone (SIGHUP): drawing and writing failures no longer matter.
    let deadline = tokio::time::Instant::now() + WRITE_GRACE;
    if writes > 0 {
        app.notice = Some(crate::app::Notice::info(tr!("tui.finishing")));
        let _ = terminal.draw(|f| ui::render(f, &app, &theme));
    }
    while writes > 0 {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(m)) => {
                writes = writes.saturating_sub(finished_writes(&m));
                let _ = handle(&mut app, m, &mut pending, held);
            }
            _ => break,
        }
    }
    // Copies still in flight may yet land; take what has arrived.
    while let Ok(m) = rx.try_recv() {
        let _ = handle(&mut app, m, &mut pending, held);
    }
    Ok(exit_code)
}

/// How long quitting waits for saves and deletes under way.
const WRITE_GRACE: Duration = Duration::from_secs(15);

/// 1 when `msg` reports a save or delete finished.
fn finished_writes(msg: &Msg) -> usize {
    usize::from(matches!(
        msg,
        Msg::Action(Action::Saved { .. } | Action::Deleted { .. })
    ))
}

/// A copy on the clipboard that holds the token: its generation, its text
/// (to check the native clipboard still holds it) and whether it went native.
type HeldCopy = (u64, Secret, bool);

fn handle(
    app: &mut App,
    msg: Msg,
    pending: &mut Vec<Effect>,
    held: &mut Option<HeldCopy>,
) -> std::io::Result<()> {
    match msg {
        Msg::Action(a) => pending.extend(update(app, a)),
        Msg::Osc52(text) => {
            // Whatever was on the clipboard is replaced by this copy.
            *held = None;
            write_terminal(&clipboard::osc52(text.expose()))?
        }
        Msg::HoldsSecret {
            generation,
            text,
            native,
        } => *held = Some((generation, text, native)),
        Msg::ClearOsc52 { generation } => {
            if held.as_ref().is_some_and(|(g, _, _)| *g == generation) {
                *held = None;
                write_terminal(&clipboard::osc52(""))?;
                pending.extend(update(app, Action::ClipboardCleared { generation }));
            }
        }
    }
    Ok(())
}

/// On quit, a token still on the clipboard is cleared at once: the 30 s
/// timer dies with the process. The native clipboard is cleared even when
/// the terminal can no longer be written to.
async fn clear_held_copy(svc: &Services, held: Option<HeldCopy>) {
    if let Some((_, text, native)) = held {
        let _ = write_terminal(&clipboard::osc52(""));
        if native {
            svc.clipboard.clear_if_holds(&text).await;
        }
    }
}

fn write_terminal(s: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())?;
    out.flush()
}
