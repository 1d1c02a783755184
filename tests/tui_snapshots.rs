//! Rendered screens at fixed sizes (insta + ratatui's TestBackend), with a
//! fixed clock so relative times never change, and the check that no frame
//! shows a secret unless the user revealed it.

use bbtoken::app::{Action, App, FieldId, Notice, Overlay, SaveError, update};
use bbtoken::gitcmd::Endpoints;
use bbtoken::profile::{Outcome, Profile, RateLimit, Remedy, RepoFacts, Status, TokenKind};
use bbtoken::secret::Secret;
use bbtoken::store::profiles::{Document, Settings};
use bbtoken::token::{ACCESS_PREFIX, API_PREFIX, synthesize};
use bbtoken::ui::{self, Theme};
use chrono::{DateTime, Duration, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn now() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

fn profile(name: &str, kind: TokenKind, repo: &str, expires_in: Option<i64>) -> Profile {
    Profile {
        name: name.into(),
        kind,
        workspace: "acme".into(),
        repo: Some(repo.into()),
        project: (kind == TokenKind::Project).then(|| "PLAT".into()),
        bot_email: None,
        email: (kind == TokenKind::Api).then(|| "jane@example.com".into()),
        username: (kind == TokenKind::Api).then(|| "jdoe".into()),
        expires: expires_in.map(|d| now().date_naive() + Duration::days(d)),
        note: None,
        created: now(),
        last_validation: None,
        last_conclusive: None,
        revision: 0,
    }
}

fn outcome(status: Status, message: &str, remedy: Option<&str>, minutes_ago: i64) -> Outcome {
    let mut o = Outcome::bare(status, message, remedy.map(Remedy::advice));
    o.checked_at = now() - Duration::minutes(minutes_ago);
    o
}

/// Profiles of every kind with a spread of outcomes.
fn sample() -> App {
    let mut web = profile("web-deploy", TokenKind::Repository, "web", Some(40));
    let mut o = outcome(Status::Valid, "can read acme/web", None, 3);
    o.scopes = Some(vec![
        "repository".into(),
        "repository:write".into(),
        "repository:admin".into(),
    ]);
    o.credential_type = Some("repo_access_token".into());
    o.repository = Some(RepoFacts {
        full_name: "acme/web".into(),
        is_private: Some(true),
        main_branch: Some("main".into()),
        project_key: Some("WEB".into()),
        bot_id_candidate: Some("b07a1b2c3".into()),
    });
    o.warnings = vec!["least privilege: this token also holds repository:admin".into()];
    web.last_validation = Some(o);

    let mut plat = profile("platform-ci", TokenKind::Project, "api-server", Some(9));
    plat.bot_email = Some("c0ffee42@bots.bitbucket.org".into());
    let mut o = outcome(Status::Valid, "can read acme/api-server", None, 90);
    o.scopes = Some(vec!["repository".into()]);
    plat.last_validation = Some(o);

    let mut api = profile("jane-api", TokenKind::Api, "web", Some(300));
    api.last_validation = Some(outcome(
        Status::Forbidden,
        "the token lacks the scope read:repository:bitbucket",
        Some("create a token with read:repository:bitbucket"),
        60 * 26,
    ));

    let mut old = profile("old-release", TokenKind::Repository, "release", Some(-3));
    old.last_validation = Some(outcome(
        Status::Invalid,
        "Bitbucket refused the token: invalid, expired or revoked",
        Some("create a new token and rotate it (r)"),
        5,
    ));

    let mut busy = profile("busy-bot", TokenKind::Workspace, "mobile", None);
    let mut o = outcome(
        Status::RateLimited,
        "rate limited (429)",
        Some("wait and validate again"),
        1,
    );
    o.rate_limit = Some(RateLimit {
        limit: Some(1000),
        resource: None,
        near_limit: None,
    });
    busy.last_validation = Some(o);

    let unchecked = profile("new-one", TokenKind::Repository, "shop", None);

    let mut app = App::new(Endpoints::default(), "secret-service", now());
    update(
        &mut app,
        Action::Loaded(Ok(Document {
            version: 1,
            settings: Settings {
                validate_on_start: false,
                ..Settings::default()
            },
            profiles: vec![web, plat, api, old, busy, unchecked],
        })),
    );
    app
}

fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::render(f, app, &Theme::plain())).unwrap();
    t
}

fn text(app: &App, w: u16, h: u16) -> String {
    let t = draw(app, w, h);
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

fn select(app: &mut App, name: &str) {
    let i = app
        .visible()
        .iter()
        .position(|&i| app.rows[i].profile.name == name)
        .unwrap();
    update(app, Action::Select(i));
}

#[test]
fn main_screen_wide() {
    let mut app = sample();
    select(&mut app, "web-deploy");
    insta::assert_snapshot!(draw(&app, 130, 30).backend());
}

#[test]
fn main_screen_narrow_with_api_profile() {
    let mut app = sample();
    select(&mut app, "jane-api");
    insta::assert_snapshot!(draw(&app, 80, 30).backend());
}

#[test]
fn validation_in_flight_and_problem_banner() {
    let mut app = sample();
    update(&mut app, Action::ValidateAll);
    update(
        &mut app,
        Action::Validated {
            name: "busy-bot".into(),
            outcome: outcome(
                Status::NetworkError,
                "could not connect to api.bitbucket.org",
                Some("check your network or proxy"),
                0,
            ),
        },
    );
    insta::assert_snapshot!(draw(&app, 130, 24).backend());
}

#[test]
fn help_screen() {
    let mut app = sample();
    update(&mut app, Action::ToggleHelp);
    insta::assert_snapshot!(draw(&app, 100, 40).backend());
}

#[test]
fn add_form_with_problems_and_token_check() {
    let mut app = sample();
    update(&mut app, Action::OpenAdd);
    for c in "web-deploy".chars() {
        update(&mut app, Action::Input(c));
    }
    if let Overlay::Form(f) = &mut app.overlay {
        f.focus = FieldId::Token;
    }
    // A token with one character changed: the checksum no longer matches.
    let mut t = synthesize(ACCESS_PREFIX, 1);
    t.replace_range(20..21, if &t[20..21] == "A" { "B" } else { "A" });
    update(&mut app, Action::Paste(t));
    insta::assert_snapshot!(draw(&app, 110, 34).backend());
}

#[test]
fn rotate_form_after_a_failed_save() {
    let mut app = sample();
    select(&mut app, "old-release");
    update(&mut app, Action::OpenRotate);
    update(&mut app, Action::Paste(synthesize(ACCESS_PREFIX, 2)));
    update(&mut app, Action::Confirm);
    update(
        &mut app,
        Action::Saved {
            result: Err(SaveError::Config(
                "cannot write /home/u/.config/bbtoken/profiles.toml: permission denied".into(),
            )),
            revalidate: true,
            previous: None,
        },
    );
    insta::assert_snapshot!(draw(&app, 110, 30).backend());
}

#[test]
fn commands_panel_embedded_masked() {
    let mut app = sample();
    select(&mut app, "web-deploy");
    update(&mut app, Action::OpenCommands);
    update(&mut app, Action::ToggleMode);
    update(&mut app, Action::Down);
    insta::assert_snapshot!(draw(&app, 120, 40).backend());
}

#[test]
fn delete_confirmation() {
    let mut app = sample();
    select(&mut app, "old-release");
    update(&mut app, Action::AskDelete);
    insta::assert_snapshot!(draw(&app, 100, 24).backend());
}

#[test]
fn config_unreadable_and_empty() {
    let mut app = App::new(Endpoints::default(), "secret-service", now());
    update(
        &mut app,
        Action::Loaded(Err(Notice::error(
            "cannot read the profiles file: /home/u/.config/bbtoken/profiles.toml line 3: expected `=`",
            Some("fix or move the file and restart bbtoken".into()),
        ))),
    );
    insta::assert_snapshot!(draw(&app, 100, 16).backend());
}

#[test]
fn filtered_and_sorted() {
    let mut app = sample();
    update(&mut app, Action::CycleSort);
    update(&mut app, Action::StartFilter);
    for c in "re".chars() {
        update(&mut app, Action::Input(c));
    }
    insta::assert_snapshot!(draw(&app, 130, 20).backend());
}

/// An app that knows its screen size, as the runner tells it (the scroll
/// limits depend on it).
fn sized(mut app: App, w: u16, h: u16) -> App {
    update(&mut app, Action::Resize(w, h));
    app
}

const SMALL: [(u16, u16); 2] = [(80, 24), (100, 30)];

#[test]
fn small_main_screen() {
    for (w, h) in SMALL {
        let mut app = sized(sample(), w, h);
        select(&mut app, "web-deploy");
        insta::assert_snapshot!(format!("small_main_{w}x{h}"), draw(&app, w, h).backend());
    }
}

/// The help scrolled to its end, and every line of it reachable by scrolling.
#[test]
fn small_help_scrolled() {
    for (w, h) in SMALL {
        let mut app = sized(sample(), w, h);
        update(&mut app, Action::ToggleHelp);
        let mut seen = String::new();
        let mut last = String::new();
        for _ in 0..150 {
            last = text(&app, w, h);
            seen.push_str(&last);
            update(&mut app, Action::Down);
        }
        for b in bbtoken::app::keymap::BINDINGS {
            let (k, what) = (b.label_words(), bbtoken::i18n::text(b.help));
            let k = k.as_str();
            // Long descriptions wrap: their first word and the key show.
            let first = what.split(' ').next().unwrap();
            assert!(
                seen.contains(k) && seen.contains(first),
                "{k} {what} never shows at {w}x{h}"
            );
        }
        assert!(last.contains("Esc, ? or Enter closes this help."), "{last}");
        insta::assert_snapshot!(
            format!("small_help_scrolled_{w}x{h}"),
            draw(&app, w, h).backend()
        );
    }
}

/// The detail of a profile with scopes, repository facts and a warning,
/// scrolled to its end with J: the facts and the warning are reachable.
#[test]
fn small_detail_scrolled() {
    for (w, h) in SMALL {
        let mut app = sized(sample(), w, h);
        select(&mut app, "web-deploy");
        let first = text(&app, w, h);
        assert!(
            first.contains("J/K scroll"),
            "the pane says it scrolls:\n{first}"
        );
        for _ in 0..40 {
            update(&mut app, Action::DetailDown);
        }
        let last = text(&app, w, h);
        for needle in [
            "acme/web · private · main branch main",
            "least privilege",
            "repository:admin",
        ] {
            assert!(last.contains(needle), "{needle} at {w}x{h}:\n{last}");
        }
        insta::assert_snapshot!(
            format!("small_detail_scrolled_{w}x{h}"),
            draw(&app, w, h).backend()
        );
    }
}

/// The no-keyring banner wraps: all of it shows, nothing cut mid-message.
#[test]
fn small_no_keyring_banner() {
    let message = "the credential store is not running: the name org.freedesktop.secrets was not provided by any .service files";
    let remedy = "bbtoken needs a Secret Service (GNOME Keyring, KWallet or KeePassXC) on the D-Bus session bus. Start one, or run bbtoken with BBTOKEN_STORE=keyutils to use the kernel keyring (bbtoken store migrate --to keyutils moves your tokens there)";
    for (w, h) in SMALL {
        let mut app = sized(sample(), w, h);
        let names: Vec<String> = app.rows.iter().map(|r| r.profile.name.clone()).collect();
        for name in names {
            update(
                &mut app,
                Action::Validated {
                    name,
                    outcome: outcome(Status::StoreError, message, Some(remedy), 0),
                },
            );
        }
        let shown = text(&app, w, h);
        let flat: String = shown
            .lines()
            .map(|l| l.trim_matches('"').trim())
            .collect::<Vec<_>>()
            .join(" ");
        for word in remedy.split(' ').chain(message.split(' ')) {
            assert!(flat.contains(word), "{word:?} missing at {w}x{h}:\n{shown}");
        }
        assert!(flat.contains("BBTOKEN_STORE=keyutils to use the kernel keyring"));
        insta::assert_snapshot!(
            format!("small_no_keyring_banner_{w}x{h}"),
            draw(&app, w, h).backend()
        );
    }
}

/// `? help` and `q quit` are on the status line at every width the app
/// draws (below 60 columns it shows the too-small screen, which says q quits).
#[test]
fn footer_holds_help_and_quit_at_every_width() {
    let app = sample();
    for w in 40..=200u16 {
        let screen = text(&app, w, 24);
        let last = screen.lines().last().unwrap().to_string();
        if w >= ui::MIN_WIDTH {
            assert!(
                last.contains("? help") && last.contains("q quit"),
                "{w}: {last}"
            );
        } else {
            assert!(screen.contains("q quits"), "{w}:\n{screen}");
        }
        let f = bbtoken::app::keymap::footer(&app, usize::from(w));
        assert!(f.contains("? help") && f.contains("q quit"), "{w}: {f}");
    }
}

#[test]
fn too_small() {
    let app = sample();
    insta::assert_snapshot!(draw(&app, 40, 10).backend());
}

/// No frame shows the token, through every screen, until the user reveals it;
/// and once revealed it does show (so this test can see a leak).
#[test]
fn no_frame_shows_a_secret_unless_revealed() {
    let token = synthesize(ACCESS_PREFIX, 77);
    // Any 12 characters of the token's random part would be a leak.
    let body = &token[12..token.len() - 9];
    let leaks = |screen: &str| {
        let flat: String = screen.chars().filter(|c| *c != '\n').collect();
        (0..body.len() - 12).any(|i| flat.contains(&body[i..i + 12]))
    };
    let sizes = [(130, 40), (80, 24), (60, 15), (200, 60)];
    let mut app = sample();
    let mut screens = 0;
    let mut check = |app: &App, what: &str| {
        for (w, h) in sizes {
            let s = text(app, w, h);
            assert!(!leaks(&s), "{what} at {w}x{h} shows the token:\n{s}");
            screens += 1;
        }
    };
    check(&app, "main screen");
    // Typing and pasting the token into the add form.
    update(&mut app, Action::OpenAdd);
    for c in "leak-test".chars() {
        update(&mut app, Action::Input(c));
    }
    check(&app, "add form");
    if let Overlay::Form(f) = &mut app.overlay {
        f.focus = FieldId::Token;
    }
    update(&mut app, Action::Paste(token.clone()));
    check(&app, "add form with token");
    update(&mut app, Action::Confirm); // workspace missing: stays open with an error
    check(&app, "add form refused");
    update(&mut app, Action::Back);
    // Rotate form with the token typed character by character.
    update(&mut app, Action::OpenRotate);
    for c in token.chars() {
        update(&mut app, Action::Input(c));
    }
    check(&app, "rotate form");
    update(&mut app, Action::Back);
    // Commands panel, embedded. The token enters the state (Revealed) and
    // must show; then every frame after masking, on every command, through
    // a copy and after closing, must not.
    select(&mut app, "web-deploy");
    update(&mut app, Action::OpenCommands);
    update(&mut app, Action::ToggleMode);
    let count = 12; // more than there are commands
    let reveal = |app: &mut App| {
        update(app, Action::ToggleReveal);
        update(
            app,
            Action::Revealed {
                profile: "web-deploy".into(),
                result: Ok(Secret::new(token.clone())),
            },
        );
    };
    reveal(&mut app);
    let s = text(&app, 200, 60);
    assert!(leaks(&s), "revealed commands should show the token:\n{s}");
    // On a small screen the panel scrolls to the chosen command: walking
    // them all shows the token somewhere, so the masked walk below can see
    // a leak at that size too.
    let mut seen_small = false;
    for _ in 0..count {
        seen_small |= leaks(&text(&app, 80, 24));
        update(&mut app, Action::Down);
    }
    assert!(seen_small, "revealed commands show the token at 80x24");
    update(&mut app, Action::ToggleReveal); // masked again
    for _ in 0..count {
        check(&app, "re-masked, going up");
        update(&mut app, Action::Up);
    }
    for _ in 0..count {
        check(&app, "re-masked, going down");
        update(&mut app, Action::Down);
    }
    update(&mut app, Action::Copy);
    check(&app, "re-masked, copying");
    let generation = app.clipboard_generation;
    update(
        &mut app,
        Action::Copied {
            what: "Clone".into(),
            held_secret: true,
            generation,
            native: false,
        },
    );
    check(&app, "re-masked, copied");
    update(&mut app, Action::ClipboardCleared { generation });
    check(&app, "re-masked, clipboard cleared");
    // Revealed and closed at once: gone with the panel.
    reveal(&mut app);
    update(&mut app, Action::Back);
    check(&app, "panel closed while revealed");
    // A late answer to a reveal, for a panel closed meanwhile, never shows.
    update(&mut app, Action::OpenCommands);
    update(&mut app, Action::ToggleReveal);
    update(&mut app, Action::Back);
    update(&mut app, Action::OpenCommands);
    update(&mut app, Action::ToggleMode); // embedded: a token would show
    update(
        &mut app,
        Action::Revealed {
            profile: "web-deploy".into(),
            result: Ok(Secret::new(token.clone())),
        },
    );
    check(&app, "late reveal for a closed panel");
    update(&mut app, Action::Back);
    check(&app, "main screen at the end");
    assert!(screens >= 40);
}

/// The same for an API token, whose Basic-header command carries the token
/// base64-encoded with the email: no window of that may show unless revealed.
#[test]
fn no_frame_shows_an_api_token_or_its_base64_unless_revealed() {
    use base64::Engine;
    let token = synthesize(API_PREFIX, 78);
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("jane@example.com:{token}"));
    // Windows from the token's random part and from the base64 past the email.
    let token_windows: Vec<&str> = (0..=token.len() - 9 - 24)
        .map(|i| &token[12 + i..24 + i])
        .collect();
    let b64_windows: Vec<&str> = (24..b64.len() - 16).map(|i| &b64[i..i + 16]).collect();
    let shows = |screen: &str, windows: &[&str]| {
        let flat: String = screen.chars().filter(|c| *c != '\n').collect();
        windows.iter().any(|w| flat.contains(w))
    };
    let leaks = |screen: &str| shows(screen, &token_windows) || shows(screen, &b64_windows);
    let mut app = sample();
    select(&mut app, "jane-api");
    update(&mut app, Action::OpenCommands);
    update(&mut app, Action::ToggleMode); // embedded
    for _ in 0..6 {
        assert!(!leaks(&text(&app, 200, 60)), "masked API commands");
        update(&mut app, Action::Down);
    }
    update(&mut app, Action::ToggleReveal);
    update(
        &mut app,
        Action::Revealed {
            profile: "jane-api".into(),
            result: Ok(Secret::new(token.clone())),
        },
    );
    // All of the API token's commands must fit for the check to mean anything.
    let shown = text(&app, 250, 60);
    assert!(
        shows(&shown, &b64_windows),
        "revealed Basic header shows the base64:\n{shown}"
    );
    update(&mut app, Action::ToggleReveal);
    assert!(!leaks(&text(&app, 250, 60)), "re-masked API commands");
    update(&mut app, Action::Back);
    assert!(!leaks(&text(&app, 250, 60)), "panel closed");
}
/// The commands panel on a small screen: long commands and notes wrap under
/// themselves, and the panel scrolls to keep the chosen command whole.
#[test]
fn small_commands_panel_scrolls_to_the_chosen_command() {
    let mut app = sized(sample(), 80, 24);
    select(&mut app, "jane-api");
    update(&mut app, Action::OpenCommands);
    update(&mut app, Action::ToggleMode);
    for _ in 0..12 {
        update(&mut app, Action::Down);
    }
    let shown = text(&app, 80, 24);
    assert!(shown.contains("› REST"), "{shown}");
    assert!(shown.contains("application/json"), "{shown}");
    insta::assert_snapshot!(draw(&app, 80, 24).backend());
    // Back to the top: the first command shows again.
    for _ in 0..12 {
        update(&mut app, Action::Up);
    }
    assert!(text(&app, 80, 24).contains("› Clone"));
}

/// Emails and URLs wrap at spaces only: a hyphen is not a place to break
/// (textwrap's default would split `mary-jane` after the hyphen).
#[test]
fn emails_never_break_mid_word() {
    let email = "mary-jane.watson-parker@example-corp.com";
    // Wherever the email fits on a line, it is on one line.
    for width in email.len()..90 {
        let parts = ui::wrap(&format!("commits as {email} from now on"), width);
        assert!(
            parts.iter().any(|p| p.contains(email)),
            "{width}: {parts:?}"
        );
    }
    // Narrow (the value column is wide enough) and wide (the detail is a
    // side pane and the value column is not: the value goes under its label).
    for (w, h) in [(80, 24), (100, 30), (140, 40)] {
        let mut app = sized(sample(), w, h);
        let i = app
            .rows
            .iter()
            .position(|r| r.profile.name == "jane-api")
            .unwrap();
        app.rows[i].profile.email = Some(email.into());
        select(&mut app, "jane-api");
        // The detail pane scrolls (J): the email shows whole on one page.
        let mut shown = String::new();
        for _ in 0..20 {
            shown.push_str(&text(&app, w, h));
            update(&mut app, Action::DetailDown);
        }
        assert!(shown.contains(email), "{w}x{h}:\n{shown}");
    }
}

/// A fixed `here` report: one remote through bbtoken with its profile, one
/// whose URL carries a (masked) token and that no profile fits.
fn here_report() -> bbtoken::git::here::Here {
    use bbtoken::git::here::{Chosen, Here, HereRemote};
    use bbtoken::git::select::Rule;
    let origin = HereRemote {
        name: "origin".into(),
        url: "https://bitbucket.org/acme/web.git".into(),
        transport: "https",
        workspace: Some("acme".into()),
        repo: Some("web".into()),
        token_in_url: false,
        helpers: vec!["/usr/local/bin/bbtoken credential".into()],
        urlmatch: Some("/usr/local/bin/bbtoken credential".into()),
        bbtoken_helper: true,
        profile: Some(Chosen {
            name: "web-deploy".into(),
            kind: "repository".into(),
            rule: Rule::Repository,
            why: Rule::Repository.describe(),
            status: "valid".into(),
            summary: "✓ valid (2 h ago)".into(),
            repository: Some("acme/web · private · main branch main".into()),
            message: Some("can read acme/web".into()),
            scopes: Some(vec!["repository".into(), "repository:write".into()]),
            can_clone: Some(true),
            can_push: Some(true),
            bot_email: Some("b07a1b2c3@bots.bitbucket.org".into()),
            user_email_matches: Some(false),
        }),
        no_profile: None,
    };
    let mirror = HereRemote {
        name: "mirror".into(),
        url: "https://x-token-auth:****@bitbucket.org/acme/web-mirror.git".into(),
        transport: "https",
        workspace: Some("acme".into()),
        repo: Some("web-mirror".into()),
        token_in_url: true,
        helpers: vec!["cache --timeout=900".into()],
        urlmatch: Some("cache --timeout=900".into()),
        bbtoken_helper: false,
        profile: None,
        no_profile: Some(
            "no profile fits this repository: add one (bbtoken add) or bind one (bbtoken bind NAME)"
                .into(),
        ),
    };
    Here {
        repository: "/home/jane/src/web".into(),
        binding: None,
        user_email: Some("jane@example.com".into()),
        remotes: vec![origin, mirror],
        token_in_any_url: true,
    }
}

#[test]
fn here_panel() {
    let mut app = sample();
    update(&mut app, Action::HereGathered(Some(here_report())));
    assert_eq!(app.overlay, Overlay::Here, "opens by itself in a clone");
    insta::assert_snapshot!(draw(&app, 100, 30).backend());
}

#[test]
fn here_panel_scrolls_on_a_small_terminal() {
    let mut app = sized(sample(), 80, 20);
    update(&mut app, Action::HereGathered(Some(here_report())));
    let top = text(&app, 80, 20);
    assert!(top.contains("↓ more"), "{top}");
    for _ in 0..30 {
        update(&mut app, Action::Down);
    }
    let bottom = text(&app, 80, 20);
    assert!(
        bottom.contains("A remote URL carries a token"),
        "the last line is reachable:\n{bottom}"
    );
    assert!(!bottom.contains("↓ more"), "{bottom}");
    insta::assert_snapshot!(draw(&app, 80, 20).backend());
}

/// The main screens in Japanese at 80 and 120 columns: the words come from
/// the Japanese catalog, every border survives the wide characters, and the
/// snapshots show the columns laid out by display width.
mod japanese {
    use super::*;
    use bbtoken::i18n::{Lang, with_lang};

    fn ja<T>(f: impl FnOnce() -> T) -> T {
        with_lang(Lang::Ja, f)
    }

    /// The screen as a person reads it: a wide character's continuation
    /// cell is not a space of its own.
    fn text(app: &App, w: u16, h: u16) -> String {
        use unicode_width::UnicodeWidthStr;
        let t = draw(app, w, h);
        let buf = t.backend().buffer();
        let mut s = String::new();
        for y in 0..buf.area.height {
            let mut x = 0;
            while x < buf.area.width {
                let sym = buf[(x, y)].symbol();
                s.push_str(sym);
                x += sym.width().max(1) as u16;
            }
            s.push('\n');
        }
        s
    }

    /// Both side borders of every pane and popup show on every line. A
    /// wide character beside a border covers it, and ratatui then never
    /// sends the border to the terminal (the popup bug this found), so a
    /// line with an odd number of `│` lost one.
    fn borders_intact(s: &str) {
        for line in s.lines() {
            assert!(
                line.matches('│').count() % 2 == 0,
                "a border is hidden: {line}"
            );
        }
    }

    #[test]
    fn main_screen_in_japanese() {
        for (w, h) in [(80, 30), (120, 30)] {
            ja(|| {
                let mut app = sample();
                select(&mut app, "web-deploy");
                let t = draw(&app, w, h);
                borders_intact(&text(&app, w, h));
                let s = text(&app, w, h);
                for words in ["プロファイル", "状態", "種類", "有効", "リポジトリ"]
                {
                    assert!(s.contains(words), "{words} at {w}: {s}");
                }
                insta::assert_snapshot!(format!("ja_main_{w}x{h}"), t.backend());
            });
        }
    }

    #[test]
    fn help_in_japanese() {
        for (w, h) in [(80, 40), (120, 40)] {
            ja(|| {
                let mut app = sample();
                update(&mut app, Action::ToggleHelp);
                let t = draw(&app, w, h);
                borders_intact(&text(&app, w, h));
                assert!(text(&app, w, h).contains("キー操作"));
                insta::assert_snapshot!(format!("ja_help_{w}x{h}"), t.backend());
            });
        }
    }

    #[test]
    fn add_form_in_japanese() {
        for (w, h) in [(80, 30), (120, 30)] {
            ja(|| {
                let mut app = sample();
                update(&mut app, Action::OpenAdd);
                let t = draw(&app, w, h);
                borders_intact(&text(&app, w, h));
                insta::assert_snapshot!(format!("ja_add_{w}x{h}"), t.backend());
            });
        }
    }

    #[test]
    fn commands_panel_in_japanese() {
        for (w, h) in [(80, 40), (120, 40)] {
            ja(|| {
                let mut app = sample();
                select(&mut app, "web-deploy");
                update(&mut app, Action::OpenCommands);
                update(&mut app, Action::ToggleMode);
                let t = draw(&app, w, h);
                borders_intact(&text(&app, w, h));
                let s = text(&app, w, h);
                for words in ["web-deploy のコマンド", "埋め込み", "伏せ字", "クローン"]
                {
                    assert!(s.contains(words), "{words} at {w}: {s}");
                }
                // The commands themselves are never translated.
                assert!(s.contains("git clone"), "{s}");
                insta::assert_snapshot!(format!("ja_commands_{w}x{h}"), t.backend());
            });
        }
    }

    /// The same screen in English has none of the Japanese words: the
    /// language is the thread's, not left over from another test.
    #[test]
    fn english_stays_english() {
        let mut app = sample();
        select(&mut app, "web-deploy");
        let s = text(&app, 120, 30);
        assert!(!s.contains("プロファイル") && s.contains("Profiles"), "{s}");
    }
}
