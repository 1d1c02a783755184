//! Issue 10, A2 in the full-screen app: while the commands panel targets a
//! repository the token cannot reach (`t`), the panel itself says so, with
//! the words of `bbtoken commands --repo` (describe::reach_warning), not only
//! a notice that the next key press replaces.

use bbtoken::app::{Action, App, update};
use bbtoken::gitcmd::Endpoints;
use bbtoken::profile::{Profile, TokenKind};
use bbtoken::store::profiles::{Document, Settings};
use bbtoken::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t.draw(|f| ui::render(f, app, &Theme::plain())).unwrap();
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

fn retarget(app: &mut App, target: &str) {
    update(app, Action::EditTarget);
    for _ in 0..64 {
        update(app, Action::Backspace);
    }
    for c in target.chars() {
        update(app, Action::Input(c));
    }
    update(app, Action::Confirm);
    // Only the panel's own line is left to show the warning.
    app.notice = None;
}

#[test]
fn the_commands_panel_flags_a_target_out_of_reach() {
    let mut app = App::new(Endpoints::default(), "memory", chrono::Utc::now());
    let p = Profile::new("plat", TokenKind::Workspace, "acme", Some("api"));
    update(
        &mut app,
        Action::Loaded(Ok(Document {
            version: 1,
            settings: Settings {
                validate_on_start: false,
                ..Settings::default()
            },
            profiles: vec![p],
        })),
    );
    update(&mut app, Action::OpenCommands);
    assert!(!screen(&app).contains("cannot reach"));
    retarget(&mut app, "acme/web");
    assert!(!screen(&app).contains("cannot reach"), "same workspace");
    retarget(&mut app, "other/web");
    let s = screen(&app);
    assert!(s.contains("it cannot reach other/web"), "{s}");
    retarget(&mut app, "acme/web");
    assert!(!screen(&app).contains("cannot reach"));
}
