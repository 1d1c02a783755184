//! Unit tests of `update`: one or more per action.

use super::*;
use crate::profile::{Outcome, RepoFacts, TokenKind};
use crate::store::profiles::{Document, Settings};

fn now() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

fn profile(name: &str, kind: TokenKind, expires_in: Option<i64>) -> Profile {
    Profile {
        name: name.into(),
        kind,
        workspace: "acme".into(),
        repo: Some(format!("{name}-repo")),
        project: (kind == TokenKind::Project).then(|| "PLAT".into()),
        bot_email: None,
        email: (kind == TokenKind::Api).then(|| "jane@example.com".into()),
        username: None,
        expires: expires_in.map(|d| now().date_naive() + chrono::Duration::days(d)),
        note: None,
        created: now(),
        last_validation: None,
        last_conclusive: None,
        revision: 0,
    }
}

fn outcome(status: Status) -> Outcome {
    let mut o = Outcome::bare(
        status,
        format!("{status} message"),
        Some(crate::profile::Remedy::advice("do this")),
    );
    o.checked_at = now();
    o
}

fn doc(profiles: Vec<Profile>, validate_on_start: bool) -> Document {
    Document {
        version: 1,
        settings: Settings {
            validate_on_start,
            ..Settings::default()
        },
        profiles,
    }
}

/// An app with three loaded profiles: beta (valid), alpha (invalid), gamma (unchecked).
fn app() -> App {
    let mut a = App::new(Endpoints::default(), "memory", now());
    let mut beta = profile("beta", TokenKind::Repository, Some(30));
    beta.last_validation = Some(outcome(Status::Valid));
    let mut alpha = profile("alpha", TokenKind::Api, Some(90));
    alpha.last_validation = Some(outcome(Status::Invalid));
    let gamma = profile("gamma", TokenKind::Project, Some(2));
    let fx = update(
        &mut a,
        Action::Loaded(Ok(doc(vec![beta, alpha, gamma], false))),
    );
    assert!(fx.is_empty());
    a
}

fn names(a: &App) -> Vec<String> {
    a.visible()
        .iter()
        .map(|&i| a.rows[i].profile.name.clone())
        .collect()
}

fn selected(a: &App) -> String {
    a.selected_profile().unwrap().name.clone()
}

#[test]
fn loaded_validates_on_start_only_when_enabled() {
    let mut a = App::new(Endpoints::default(), "memory", now());
    let p = vec![
        profile("x", TokenKind::Repository, None),
        profile("y", TokenKind::Workspace, None),
    ];
    let fx = update(&mut a, Action::Loaded(Ok(doc(p.clone(), true))));
    assert_eq!(fx.len(), 1);
    let Effect::Validate(list) = &fx[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(list.len(), 2);
    assert_eq!(a.in_flight(), 2);
    // A reload keeps rows in flight and does not start again.
    let fx = update(&mut a, Action::Loaded(Ok(doc(p.clone(), true))));
    assert!(fx.is_empty());
    assert_eq!(a.in_flight(), 2);

    let mut b = App::new(Endpoints::default(), "memory", now());
    assert!(update(&mut b, Action::Loaded(Ok(doc(p, false)))).is_empty());
    assert_eq!(b.in_flight(), 0);
    assert!(!b.validate_on_start);
}

#[test]
fn loaded_error_becomes_a_problem() {
    let mut a = App::new(Endpoints::default(), "memory", now());
    update(
        &mut a,
        Action::Loaded(Err(Notice::error("cannot read", Some("fix it".into())))),
    );
    assert_eq!(a.problem.as_ref().unwrap().text, "cannot read");
    // Loading is over (it failed): the list must not say "Loading…".
    assert!(a.loaded);
}

#[test]
fn tick_moves_clock_and_spinner() {
    let mut a = app();
    let later = now() + chrono::Duration::minutes(5);
    update(&mut a, Action::Tick(later));
    assert_eq!(a.now, later);
    assert_eq!(a.spinner, 1);
}

#[test]
fn quit_sets_flag_and_drops_overlay() {
    let mut a = app();
    update(&mut a, Action::OpenAdd);
    update(&mut a, Action::Quit);
    assert!(a.quit);
    assert_eq!(a.overlay, Overlay::None);
}

#[test]
fn movement_keys() {
    let mut a = app();
    assert_eq!(names(&a), ["alpha", "beta", "gamma"]);
    assert_eq!(selected(&a), "alpha");
    update(&mut a, Action::Down);
    assert_eq!(selected(&a), "beta");
    update(&mut a, Action::Bottom);
    assert_eq!(selected(&a), "gamma");
    update(&mut a, Action::Down);
    assert_eq!(selected(&a), "gamma", "stops at the end");
    update(&mut a, Action::Top);
    assert_eq!(selected(&a), "alpha");
    update(&mut a, Action::Up);
    assert_eq!(selected(&a), "alpha", "stops at the top");
    update(&mut a, Action::PageDown);
    assert_eq!(selected(&a), "gamma");
    update(&mut a, Action::PageUp);
    assert_eq!(selected(&a), "alpha");
    update(&mut a, Action::Select(1));
    assert_eq!(selected(&a), "beta");
    update(&mut a, Action::Select(7));
    assert_eq!(selected(&a), "beta", "out of range is ignored");
}

#[test]
fn filter_as_you_type() {
    let mut a = app();
    update(&mut a, Action::StartFilter);
    assert!(a.filtering);
    update(&mut a, Action::Input('m'));
    update(&mut a, Action::Input('m'));
    assert_eq!(names(&a), ["gamma"]);
    update(&mut a, Action::Backspace);
    assert_eq!(names(&a).len(), 3, "'m' matches the workspace acme");
    update(&mut a, Action::Backspace);
    update(&mut a, Action::Paste("api\n".into()));
    assert_eq!(names(&a), ["alpha"], "matches the kind too");
    update(&mut a, Action::Confirm);
    assert!(!a.filtering);
    assert_eq!(a.filter, "api");
    // Letters are commands again once the filter is kept.
    update(&mut a, Action::Back);
    assert_eq!(a.filter, "");
    assert_eq!(names(&a).len(), 3);
    update(&mut a, Action::StartFilter);
    update(&mut a, Action::Input('z'));
    assert!(names(&a).is_empty());
    assert!(a.selected_profile().is_none());
    update(&mut a, Action::Back);
    assert!(!a.filtering);
    assert_eq!(names(&a).len(), 3);
}

#[test]
fn sort_cycles_and_keeps_selection() {
    let mut a = app();
    update(&mut a, Action::Select(1)); // beta
    update(&mut a, Action::CycleSort);
    assert_eq!(a.sort, Sort::Status);
    assert_eq!(
        names(&a),
        ["alpha", "gamma", "beta"],
        "problems first, valid last"
    );
    assert_eq!(selected(&a), "beta");
    update(&mut a, Action::CycleSort);
    assert_eq!(a.sort, Sort::Expiry);
    assert_eq!(names(&a), ["gamma", "beta", "alpha"]);
    assert_eq!(selected(&a), "beta");
    update(&mut a, Action::CycleSort);
    assert_eq!(a.sort, Sort::Name);
}

#[test]
fn help_opens_and_closes() {
    let mut a = app();
    update(&mut a, Action::ToggleHelp);
    assert_eq!(a.overlay, Overlay::Help);
    update(&mut a, Action::Down);
    assert_eq!(a.overlay, Overlay::Help, "help swallows other keys");
    assert_eq!(selected(&a), "alpha");
    update(&mut a, Action::Back);
    assert_eq!(a.overlay, Overlay::None);
}

#[test]
fn validate_selected_and_all_queue_rows_in_flight() {
    let mut a = app();
    let fx = update(&mut a, Action::ValidateSelected);
    assert_eq!(fx.len(), 1);
    let Effect::Validate(list) = &fx[0] else {
        panic!()
    };
    assert_eq!(list[0].name, "alpha");
    assert!(
        update(&mut a, Action::ValidateSelected).is_empty(),
        "already in flight"
    );
    let fx = update(&mut a, Action::ValidateAll);
    let Effect::Validate(list) = &fx[0] else {
        panic!()
    };
    let n: Vec<_> = list.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(n, ["beta", "gamma"]);
    assert_eq!(a.in_flight(), 3);
    // The second request for alpha was queued: it runs once the first ends.
    let fx = update(
        &mut a,
        Action::Validated {
            name: "alpha".into(),
            outcome: outcome(Status::Valid),
        },
    );
    assert!(matches!(fx.as_slice(), [Effect::Validate(v)] if v[0].name == "alpha"));
    assert_eq!(a.in_flight(), 3);
    let fx = update(
        &mut a,
        Action::Validated {
            name: "alpha".into(),
            outcome: outcome(Status::Valid),
        },
    );
    assert!(fx.is_empty(), "queued once, run once");
    assert_eq!(a.in_flight(), 2);
}

/// A rotate saved while the start-up validation is in flight: the new
/// validation is queued, not dropped, and the old token's late outcome is
/// not shown over the new state.
#[test]
fn rotate_during_a_validation_queues_the_new_one_and_drops_the_late_result() {
    let mut a = app();
    let fx = update(&mut a, Action::ValidateAll);
    assert_eq!(a.in_flight(), 3);
    drop(fx);
    // What ops returns for a rotate: a new revision, no outcome.
    let mut rotated = a.find("beta").unwrap().clone();
    rotated.revision += 1;
    rotated.last_validation = None;
    let fx = update(
        &mut a,
        Action::Saved {
            result: Ok(rotated),
            revalidate: true,
            previous: None,
        },
    );
    assert!(fx.is_empty(), "queued behind the validation in flight");
    // The old token's outcome arrives late: not shown; the queued one starts.
    let fx = update(
        &mut a,
        Action::Validated {
            name: "beta".into(),
            outcome: outcome(Status::Valid),
        },
    );
    assert_eq!(a.find("beta").unwrap().last_validation, None);
    let [Effect::Validate(v)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!((v[0].name.as_str(), v[0].revision), ("beta", 1));
    // Its outcome is shown.
    update(
        &mut a,
        Action::Validated {
            name: "beta".into(),
            outcome: outcome(Status::Invalid),
        },
    );
    assert_eq!(
        a.find("beta")
            .unwrap()
            .last_validation
            .as_ref()
            .map(|o| o.status),
        Some(Status::Invalid)
    );
    assert_eq!(a.in_flight(), 2);
}

#[test]
fn validated_updates_row_and_reports_problems() {
    let mut a = app();
    update(&mut a, Action::ValidateAll);
    update(
        &mut a,
        Action::Validated {
            name: "gamma".into(),
            outcome: outcome(Status::Valid),
        },
    );
    assert_eq!(a.in_flight(), 2);
    assert_eq!(
        a.find("gamma")
            .unwrap()
            .last_validation
            .as_ref()
            .unwrap()
            .status,
        Status::Valid
    );
    assert!(a.trouble().is_none());
    // One profile off the network while others reached Bitbucket: that
    // profile's row says so; there is no global problem.
    update(
        &mut a,
        Action::Validated {
            name: "beta".into(),
            outcome: outcome(Status::NetworkError),
        },
    );
    assert!(a.trouble().is_none(), "{:?}", a.trouble());
    // Every profile off the network: a global problem, with what to do.
    for name in ["alpha", "gamma"] {
        update(
            &mut a,
            Action::Validated {
                name: name.into(),
                outcome: outcome(Status::NetworkError),
            },
        );
    }
    let p = a.trouble().unwrap();
    assert!(p.text.starts_with("network:"), "{p:?}");
    assert_eq!(p.remedy.as_deref(), Some("do this"));
    // A later success clears it.
    update(
        &mut a,
        Action::Validated {
            name: "gamma".into(),
            outcome: outcome(Status::Valid),
        },
    );
    assert!(a.trouble().is_none());
    // The credential store failing is a global problem at once; a single
    // missing secret is not.
    let mut missing = outcome(Status::StoreError);
    missing.message = "no secret is stored for profile \"alpha\"".into();
    missing.problem = Some(crate::profile::Problem::MissingSecret);
    update(
        &mut a,
        Action::Validated {
            name: "alpha".into(),
            outcome: missing,
        },
    );
    assert!(a.trouble().is_none());
    let mut locked = outcome(Status::StoreError);
    locked.message = "the secret-service credential store did not answer within 5 s".into();
    locked.problem = Some(crate::profile::Problem::StoreUnavailable);
    update(
        &mut a,
        Action::Validated {
            name: "alpha".into(),
            outcome: locked,
        },
    );
    assert!(a.trouble().unwrap().text.starts_with("credential store:"));
    // A result for a profile deleted meanwhile is dropped.
    update(
        &mut a,
        Action::Validated {
            name: "gone".into(),
            outcome: outcome(Status::Valid),
        },
    );
    assert_eq!(a.rows.len(), 3);
}

#[test]
fn record_failed_is_a_problem() {
    let mut a = app();
    update(
        &mut a,
        Action::RecordFailed(Notice::error("not saved", None)),
    );
    assert_eq!(a.problem.unwrap().text, "not saved");
}

fn open_commands(a: &mut App) -> CommandsPanel {
    update(a, Action::Down); // beta, a repository token
    update(a, Action::OpenCommands);
    match &a.overlay {
        Overlay::Commands(p) => p.clone(),
        o => panic!("{o:?}"),
    }
}

#[test]
fn commands_panel_opens_on_the_selected_profile_masked() {
    let mut a = app();
    let p = open_commands(&mut a);
    assert_eq!(p.profile, "beta");
    assert_eq!(
        (p.workspace.as_str(), p.repo.as_str()),
        ("acme", "beta-repo")
    );
    assert_eq!(p.mode, Mode::Interactive);
    assert!(p.revealed.is_none());
    let cmds = panel_commands(&a, &p);
    assert!(cmds.iter().any(|g| g.text.contains("git clone")));
    assert!(cmds.iter().all(|g| !g.holds_secret));
    // Enter on the main screen opens it too.
    update(&mut a, Action::Back);
    assert_eq!(a.overlay, Overlay::None);
    update(&mut a, Action::Confirm);
    assert!(matches!(a.overlay, Overlay::Commands(_)));
}

#[test]
fn commands_panel_mode_selection_and_target() {
    let mut a = app();
    open_commands(&mut a);
    update(&mut a, Action::ToggleMode);
    update(&mut a, Action::Down);
    update(&mut a, Action::EditTarget);
    for _ in 0.."acme/beta-repo".len() {
        update(&mut a, Action::Backspace);
    }
    for c in "other/shop".chars() {
        update(&mut a, Action::Input(c));
    }
    update(&mut a, Action::Confirm);
    let Overlay::Commands(p) = &a.overlay else {
        panic!()
    };
    assert_eq!(p.mode, Mode::Embedded);
    assert_eq!(p.selected, 1);
    assert_eq!((p.workspace.as_str(), p.repo.as_str()), ("other", "shop"));
    let cmds = panel_commands(&a, p);
    assert!(cmds[0].text.contains("other/shop.git"), "{}", cmds[0].text);
    assert!(
        cmds[0].text.contains(MASKED_TOKEN),
        "embedded but masked: {}",
        cmds[0].text
    );
    // A bad target is refused and explained.
    update(&mut a, Action::EditTarget);
    update(&mut a, Action::Input('/'));
    update(&mut a, Action::Confirm);
    let Overlay::Commands(p) = &a.overlay else {
        panic!()
    };
    assert!(p.target_input.is_some());
    assert!(
        a.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("Target not changed")
    );
    update(&mut a, Action::Back);
    let Overlay::Commands(p) = &a.overlay else {
        panic!()
    };
    assert!(p.target_input.is_none());
}

/// Retarget the open commands panel to `target` (`t`, type, Enter).
fn retarget(a: &mut App, target: &str) {
    update(a, Action::EditTarget);
    for _ in 0..100 {
        update(a, Action::Backspace);
    }
    for c in target.chars() {
        update(a, Action::Input(c));
    }
    update(a, Action::Confirm);
}

#[test]
fn retargeting_out_of_reach_warns_like_the_cli() {
    let mut a = app();
    open_commands(&mut a); // beta: a repository token for acme/beta-repo
    retarget(&mut a, "web");
    let n = a.notice.clone().expect("a warning");
    assert_eq!(n.level, Level::Warn);
    assert_eq!(
        Some(n.text),
        crate::describe::reach_warning(a.find("beta").unwrap(), "acme", "web")
    );
    // Back on its own repository: nothing to warn about.
    retarget(&mut a, "acme/beta-repo");
    assert_eq!(a.notice, None);
    // A project token aimed at another workspace warns too.
    update(&mut a, Action::Back);
    update(&mut a, Action::Down);
    update(&mut a, Action::Down);
    update(&mut a, Action::OpenCommands);
    let Overlay::Commands(p) = &a.overlay else {
        panic!()
    };
    assert_eq!(p.profile, "gamma");
    retarget(&mut a, "other/gamma-repo");
    let n = a.notice.clone().expect("a warning");
    assert!(
        n.text.contains("cannot reach other/gamma-repo"),
        "{}",
        n.text
    );
}

#[test]
fn reveal_fetches_then_masks_again_and_closing_drops_the_token() {
    let mut a = app();
    open_commands(&mut a);
    let fx = update(&mut a, Action::ToggleReveal);
    assert_eq!(
        fx,
        vec![Effect::Reveal {
            profile: "beta".into()
        }]
    );
    assert!(
        update(&mut a, Action::ToggleReveal).is_empty(),
        "one fetch at a time"
    );
    let secret = Secret::new("ATCTT3xFfGN0REALTOKEN");
    update(
        &mut a,
        Action::Revealed {
            profile: "beta".into(),
            result: Ok(secret.clone()),
        },
    );
    update(&mut a, Action::ToggleMode);
    let Overlay::Commands(p) = &a.overlay else {
        panic!()
    };
    assert_eq!(p.revealed.as_ref(), Some(&secret));
    assert!(panel_commands(&a, p)[0].text.contains("REALTOKEN"));
    update(&mut a, Action::ToggleReveal);
    let Overlay::Commands(p) = &a.overlay else {
        panic!()
    };
    assert!(p.revealed.is_none());
    // Reveal again, then close: the token goes with the panel.
    update(&mut a, Action::ToggleReveal);
    update(
        &mut a,
        Action::Revealed {
            profile: "beta".into(),
            result: Ok(secret),
        },
    );
    update(&mut a, Action::Back);
    assert_eq!(a.overlay, Overlay::None);
    // A late answer for a closed panel is dropped.
    update(
        &mut a,
        Action::Revealed {
            profile: "beta".into(),
            result: Ok(Secret::new("late")),
        },
    );
    assert_eq!(a.overlay, Overlay::None);
    // Reveal asked, panel closed before the answer, panel opened again: the
    // late answer must not reveal the token in the new panel.
    open_commands(&mut a);
    update(&mut a, Action::ToggleReveal);
    update(&mut a, Action::Back);
    open_commands(&mut a);
    update(
        &mut a,
        Action::Revealed {
            profile: "beta".into(),
            result: Ok(Secret::new("ATCTT3xFfGN0LATETOKEN")),
        },
    );
    let Overlay::Commands(p) = &a.overlay else {
        panic!()
    };
    assert!(p.revealed.is_none(), "a new panel stays masked");
}

#[test]
fn reveal_failure_is_explained() {
    let mut a = app();
    open_commands(&mut a);
    update(&mut a, Action::ToggleReveal);
    update(
        &mut a,
        Action::Revealed {
            profile: "beta".into(),
            result: Err(Notice::error("store locked", None)),
        },
    );
    let Overlay::Commands(p) = &a.overlay else {
        panic!()
    };
    assert!(p.revealed.is_none() && !p.revealing);
    assert_eq!(a.notice.as_ref().unwrap().text, "store locked");
}

#[test]
fn copy_asks_the_runner_and_confirmation_names_the_command() {
    let mut a = app();
    open_commands(&mut a);
    update(&mut a, Action::ToggleMode);
    let fx = update(&mut a, Action::Copy);
    let [
        Effect::Copy(CopyRequest {
            profile,
            mode,
            index,
            generation,
            ..
        }),
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(
        (profile.name.as_str(), *mode, *index, *generation),
        ("beta", Mode::Embedded, 0, 1)
    );
    update(
        &mut a,
        Action::Copied {
            what: "Clone".into(),
            held_secret: true,
            generation: 1,
            native: false,
        },
    );
    let n = a.notice.clone().unwrap().text;
    assert!(
        n.contains("Copied Clone") && n.contains("cleared in 30 s"),
        "{n}"
    );
    // A confirmation for an older copy does not overwrite the newer one.
    update(&mut a, Action::Copy);
    update(
        &mut a,
        Action::Copied {
            what: "Old".into(),
            held_secret: false,
            generation: 1,
            native: true,
        },
    );
    assert!(!a.notice.clone().unwrap().text.contains("Old"));
}

#[test]
fn copy_failed_and_clipboard_cleared() {
    let mut a = app();
    update(
        &mut a,
        Action::CopyFailed(Notice::error("Not copied: locked", None)),
    );
    assert_eq!(a.notice.clone().unwrap().text, "Not copied: locked");
    a.clipboard_generation = 2;
    update(&mut a, Action::ClipboardCleared { generation: 1 });
    assert_eq!(
        a.notice.clone().unwrap().text,
        "Not copied: locked",
        "stale clear is ignored"
    );
    update(&mut a, Action::ClipboardCleared { generation: 2 });
    assert!(a.notice.unwrap().text.starts_with("Clipboard cleared"));
}

fn type_into(a: &mut App, s: &str) {
    for c in s.chars() {
        update(a, Action::Input(c));
    }
}

#[test]
fn add_form_checks_then_saves_secret_and_profile() {
    let mut a = app();
    update(&mut a, Action::OpenAdd);
    // Enter with problems does not save; it says why and moves there.
    assert!(update(&mut a, Action::Confirm).is_empty());
    let Overlay::Form(f) = &a.overlay else {
        panic!()
    };
    assert!(f.error.as_ref().unwrap().starts_with("Name"));
    type_into(&mut a, "delta");
    update(&mut a, Action::NextField); // kind
    update(&mut a, Action::NextField); // workspace
    type_into(&mut a, "acme");
    update(&mut a, Action::NextField); // repo
    type_into(&mut a, "shop");
    update(&mut a, Action::PrevField);
    update(&mut a, Action::NextField);
    let token = crate::token::synthesize(crate::token::ACCESS_PREFIX, 3);
    let Overlay::Form(f) = &mut a.overlay else {
        panic!()
    };
    f.focus = FieldId::Token;
    update(&mut a, Action::Paste(format!("{token}\n")));
    let Overlay::Form(f) = &a.overlay else {
        panic!()
    };
    assert_eq!(
        f.token_check().unwrap().summary(),
        "access token · 192 chars · checksum ok"
    );
    let fx = update(&mut a, Action::Confirm);
    let [Effect::Save(req)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(req.kind, FormKind::Add);
    assert_eq!(req.profile.name, "delta");
    assert_eq!(req.profile.repo.as_deref(), Some("shop"));
    assert_eq!(req.token.as_ref().unwrap().expose(), token);
    let Overlay::Form(f) = &a.overlay else {
        panic!()
    };
    assert!(f.saving);
    // While saving, input is ignored.
    assert!(update(&mut a, Action::Confirm).is_empty());
    let fx = update(
        &mut a,
        Action::Saved {
            result: Ok(req.profile.clone()),
            revalidate: true,
            previous: None,
        },
    );
    assert_eq!(a.overlay, Overlay::None);
    assert_eq!(selected(&a), "delta");
    assert!(matches!(fx.as_slice(), [Effect::Validate(v)] if v[0].name == "delta"));
}

#[test]
fn rejected_rotation_says_what_to_do_with_a_key() {
    let mut a = app();
    update(&mut a, Action::OpenRotate);
    let mut o = outcome(Status::Invalid);
    o.remedy = Some(crate::profile::Remedy::step(
        "create a new token",
        crate::profile::Step::Rotate,
        "beta",
    ));
    update(
        &mut a,
        Action::Saved {
            result: Err(SaveError::Rejected(Box::new(o))),
            revalidate: false,
            previous: None,
        },
    );
    let n = a.notice.as_ref().unwrap();
    assert!(n.text.contains("the old token is kept"), "{n:?}");
    assert_eq!(
        n.remedy.as_deref(),
        Some("create a new token; press r to rotate (store the new token)")
    );
}

#[test]
fn failed_save_keeps_the_form_open_and_says_why() {
    let mut a = app();
    update(&mut a, Action::OpenRotate);
    let Overlay::Form(f) = &mut a.overlay else {
        panic!()
    };
    f.saving = true;
    update(
        &mut a,
        Action::Saved {
            result: Err(SaveError::Config("disk full".into())),
            revalidate: true,
            previous: None,
        },
    );
    let Overlay::Form(f) = &a.overlay else {
        panic!()
    };
    assert!(!f.saving);
    assert_eq!(f.error.as_deref(), Some("disk full"));
    assert!(a.notice.as_ref().unwrap().text.contains("disk full"));
}

#[test]
fn edit_renames_in_place() {
    let mut a = app();
    update(&mut a, Action::Down); // beta
    update(&mut a, Action::OpenEdit);
    let Overlay::Form(f) = &a.overlay else {
        panic!()
    };
    assert_eq!(f.value(FieldId::Name), "beta");
    assert!(
        !f.fields().contains(&FieldId::Token),
        "edit keeps the token"
    );
    update(&mut a, Action::Backspace);
    type_into(&mut a, "2");
    let fx = update(&mut a, Action::Confirm);
    let [Effect::Save(req)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(
        req.kind,
        FormKind::Edit {
            original: "beta".into()
        }
    );
    assert!(req.token.is_none());
    assert_eq!(
        req.profile.last_validation.as_ref().unwrap().status,
        Status::Valid,
        "kept"
    );
    let fx = update(
        &mut a,
        Action::Saved {
            result: Ok(req.profile.clone()),
            revalidate: false,
            previous: Some("beta".into()),
        },
    );
    assert!(fx.is_empty());
    assert_eq!(names(&a), ["alpha", "bet2", "gamma"]);
}

#[test]
fn edit_of_the_target_drops_the_stale_outcome() {
    let mut a = app();
    update(&mut a, Action::Down); // beta, validated: valid
    update(&mut a, Action::OpenEdit);
    update(&mut a, Action::NextField); // kind
    update(&mut a, Action::NextField); // workspace
    update(&mut a, Action::NextField); // repo
    let Overlay::Form(f) = &a.overlay else {
        panic!()
    };
    assert_eq!(f.focus, FieldId::Repo);
    type_into(&mut a, "2");
    let fx = update(&mut a, Action::Confirm);
    let [Effect::Save(req)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(
        req.profile.last_validation.is_none(),
        "the outcome was for another repository"
    );
}

#[test]
fn edit_refuses_a_taken_name() {
    let mut a = app();
    update(&mut a, Action::Down);
    update(&mut a, Action::OpenEdit);
    for _ in 0..4 {
        update(&mut a, Action::Backspace);
    }
    type_into(&mut a, "gamma");
    assert!(update(&mut a, Action::Confirm).is_empty());
    let Overlay::Form(f) = &a.overlay else {
        panic!()
    };
    assert!(f.error.as_ref().unwrap().contains("already exists"));
}

#[test]
fn rotate_replaces_only_the_token_and_forgets_the_old_outcome() {
    let mut a = app();
    update(&mut a, Action::Down); // beta
    update(&mut a, Action::OpenRotate);
    let Overlay::Form(f) = &a.overlay else {
        panic!()
    };
    assert_eq!(f.fields(), vec![FieldId::Token, FieldId::Expires]);
    update(
        &mut a,
        Action::Paste(crate::token::synthesize(crate::token::ACCESS_PREFIX, 8)),
    );
    let fx = update(&mut a, Action::Confirm);
    let [Effect::Save(req)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(
        req.kind,
        FormKind::Rotate {
            name: "beta".into()
        }
    );
    let before = a.find("beta").unwrap();
    assert_eq!(req.profile.repo, before.repo);
    assert_eq!(req.profile.expires, before.expires);
    assert!(req.profile.last_validation.is_none());
}

#[test]
fn form_back_cancels() {
    let mut a = app();
    update(&mut a, Action::OpenAdd);
    type_into(&mut a, "x");
    update(&mut a, Action::Back);
    assert_eq!(a.overlay, Overlay::None);
    assert_eq!(a.rows.len(), 3);
}

#[test]
fn delete_asks_then_deletes() {
    let mut a = app();
    update(&mut a, Action::AskDelete);
    assert_eq!(
        a.overlay,
        Overlay::ConfirmDelete {
            name: "alpha".into()
        }
    );
    assert!(update(&mut a, Action::Input('n')).is_empty());
    assert_eq!(a.overlay, Overlay::None);
    update(&mut a, Action::AskDelete);
    let fx = update(&mut a, Action::Input('y'));
    assert_eq!(
        fx,
        vec![Effect::Delete {
            name: "alpha".into()
        }]
    );
    update(
        &mut a,
        Action::Deleted {
            name: "alpha".into(),
            result: Ok(()),
        },
    );
    assert_eq!(names(&a), ["beta", "gamma"]);
    assert!(a.notice.unwrap().text.contains("Deleted alpha"));
}

#[test]
fn delete_failure_keeps_the_row() {
    let mut a = app();
    update(
        &mut a,
        Action::Deleted {
            name: "alpha".into(),
            result: Err(Notice::error("Not deleted: locked", None)),
        },
    );
    assert_eq!(a.rows.len(), 3);
    assert_eq!(a.notice.unwrap().text, "Not deleted: locked");
}

#[test]
fn empty_list_ignores_profile_actions() {
    let mut a = App::new(Endpoints::default(), "memory", now());
    update(&mut a, Action::Loaded(Ok(doc(vec![], false))));
    for action in [
        Action::OpenCommands,
        Action::OpenEdit,
        Action::OpenRotate,
        Action::AskDelete,
        Action::Down,
    ] {
        assert!(update(&mut a, action).is_empty());
        assert_eq!(a.overlay, Overlay::None);
    }
    assert!(update(&mut a, Action::ValidateSelected).is_empty());
    assert!(update(&mut a, Action::ValidateAll).is_empty());
}

#[test]
fn onboarding_push_uses_the_main_branch_when_known() {
    let mut a = app();
    let beta = a
        .rows
        .iter_mut()
        .find(|r| r.profile.name == "beta")
        .unwrap();
    beta.profile.last_validation.as_mut().unwrap().repository = Some(RepoFacts {
        full_name: "acme/beta-repo".into(),
        is_private: Some(true),
        main_branch: Some("trunk".into()),
        project_key: None,
        bot_id_candidate: None,
    });
    let p = open_commands(&mut a);
    let cmds = panel_commands(&a, &p);
    assert!(
        cmds.iter()
            .any(|g| g.text.contains("push -u origin HEAD:refs/heads/trunk")),
        "{cmds:?}"
    );
}

#[test]
fn keymap_depends_on_focus() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let k = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    let mut a = app();
    assert_eq!(keymap::key(&a, k('q')), Some(Action::Quit));
    assert_eq!(keymap::key(&a, k('j')), Some(Action::Down));
    update(&mut a, Action::OpenAdd);
    assert_eq!(
        keymap::key(&a, k('q')),
        Some(Action::Input('q')),
        "letters are text in a form"
    );
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(
        keymap::key(&a, ctrl_c),
        Some(Action::Quit),
        "Ctrl-C always quits"
    );
    update(&mut a, Action::Back);
    update(&mut a, Action::OpenCommands);
    assert_eq!(keymap::key(&a, k('y')), Some(Action::Copy));
    assert_eq!(keymap::key(&a, k('R')), Some(Action::ToggleReveal));
}

#[test]
fn help_scrolls_within_its_limit_and_reopens_at_the_top() {
    let mut a = app();
    a.screen = (80, 24);
    let max = crate::ui::help_max_scroll(a.screen);
    assert!(max > 0, "the help is taller than 80x24");
    update(&mut a, Action::ToggleHelp);
    update(&mut a, Action::Down);
    assert_eq!(a.help_scroll, 1);
    update(&mut a, Action::Up);
    update(&mut a, Action::Up);
    assert_eq!(a.help_scroll, 0);
    for _ in 0..100 {
        update(&mut a, Action::Down);
    }
    assert_eq!(a.help_scroll, max, "no scrolling past the end");
    update(&mut a, Action::Up);
    assert_eq!(a.help_scroll, max - 1, "one Up after the end moves at once");
    update(&mut a, Action::Top);
    assert_eq!(a.help_scroll, 0);
    update(&mut a, Action::Bottom);
    assert_eq!(a.help_scroll, max);
    update(&mut a, Action::Back);
    assert_eq!(a.overlay, Overlay::None);
    update(&mut a, Action::ToggleHelp);
    assert_eq!(a.help_scroll, 0);
    // Tall enough: nothing to scroll.
    assert_eq!(crate::ui::help_max_scroll((100, 200)), 0);
}

/// A profile whose detail is long: scopes, repository facts, warnings.
fn long_detail() -> App {
    let mut a = app();
    let r = a
        .rows
        .iter_mut()
        .find(|r| r.profile.name == "beta")
        .unwrap();
    let o = r.profile.last_validation.as_mut().unwrap();
    o.scopes = Some(vec!["repository".into(), "repository:admin".into()]);
    o.repository = Some(RepoFacts {
        full_name: "acme/beta-repo".into(),
        is_private: Some(true),
        main_branch: Some("main".into()),
        project_key: None,
        bot_id_candidate: None,
    });
    o.warnings = vec!["one".into(), "two".into(), "three".into()];
    a.screen = (80, 24);
    a
}

#[test]
fn detail_scrolls_with_j_and_k_and_starts_over_on_another_profile() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut a = long_detail();
    let k = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    assert_eq!(keymap::key(&a, k('J')), Some(Action::DetailDown));
    assert_eq!(keymap::key(&a, k('K')), Some(Action::DetailUp));
    assert_eq!(selected(&a), "alpha");
    update(&mut a, Action::Down);
    assert_eq!(selected(&a), "beta");
    let max = crate::ui::detail_max_scroll(&a);
    assert!(max > 0, "beta's detail is taller than the pane at 80x24");
    for _ in 0..50 {
        update(&mut a, Action::DetailDown);
    }
    assert_eq!(a.detail_scroll, max);
    update(&mut a, Action::DetailUp);
    assert_eq!(a.detail_scroll, max - 1);
    update(&mut a, Action::Down);
    assert_eq!(a.detail_scroll, 0, "another profile starts at the top");
}

#[test]
fn left_and_right_change_the_kind_only_on_the_kind_field() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut a = app();
    update(&mut a, Action::OpenAdd);
    let left = KeyEvent::new(KeyCode::Left, KeyModifiers::NONE);
    let right = KeyEvent::new(KeyCode::Right, KeyModifiers::NONE);
    assert_eq!(keymap::key(&a, left), Some(Action::Left));
    assert_eq!(keymap::key(&a, right), Some(Action::Right));
    let kind = |a: &App| match &a.overlay {
        Overlay::Form(f) => f.token_kind,
        _ => panic!("form closed"),
    };
    let start = kind(&a);
    update(&mut a, Action::Right); // focus is on Name: nothing
    assert_eq!(kind(&a), start);
    update(&mut a, Action::NextField); // Kind
    update(&mut a, Action::Right);
    let next = kind(&a);
    assert_ne!(next, start);
    update(&mut a, Action::Left);
    assert_eq!(kind(&a), start);
    update(&mut a, Action::Left);
    assert_ne!(kind(&a), start);
    assert_ne!(kind(&a), next, "Left goes the other way");
}

#[test]
fn validate_keys_say_what_they_started() {
    let mut a = app();
    update(&mut a, Action::ValidateSelected);
    assert_eq!(a.notice.clone().unwrap().text, "validating alpha…");
    update(&mut a, Action::ValidateAll);
    assert_eq!(a.notice.clone().unwrap().text, "validating 3 profiles…");
    for name in ["alpha", "beta"] {
        update(
            &mut a,
            Action::Validated {
                name: name.into(),
                outcome: outcome(Status::Valid),
            },
        );
        assert!(a.notice.clone().unwrap().text.starts_with("validating"));
    }
    update(
        &mut a,
        Action::Validated {
            name: "gamma".into(),
            outcome: outcome(Status::Valid),
        },
    );
    // alpha was queued (v then V): validated once more.
    update(
        &mut a,
        Action::Validated {
            name: "alpha".into(),
            outcome: outcome(Status::Valid),
        },
    );
    assert_eq!(a.in_flight(), 0);
    assert_eq!(a.notice.clone().unwrap().text, "Validation done");
}

#[test]
fn footer_keeps_help_and_quit_at_every_width() {
    let mut a = app();
    for width in 40..=200 {
        let f = keymap::footer(&a, width);
        assert!(f.contains("? help") && f.contains("q quit"), "{width}: {f}");
        assert!(f.chars().count() <= width, "{width}: {f}");
    }
    // Wide: everything; narrow: the others went first.
    assert!(keymap::footer(&a, 200).contains("s sort"));
    assert!(!keymap::footer(&a, 40).contains("s sort"));
    // Each overlay keeps its way out.
    update(&mut a, Action::OpenCommands);
    assert!(keymap::footer(&a, 20).contains("Esc close"));
}

#[test]
fn inside_tmux_the_copy_warns_and_the_clear_claims_only_the_terminal() {
    let mut a = app();
    a.multiplexer = Some(crate::tui::clipboard::Multiplexer::Tmux);
    a.clipboard_generation = 1;
    update(
        &mut a,
        Action::Copied {
            what: "Clone".into(),
            held_secret: true,
            generation: 1,
            native: false,
        },
    );
    let n = a.notice.clone().unwrap();
    assert_eq!(n.level, Level::Warn);
    assert!(
        n.remedy.as_deref().unwrap().contains("tmux delete-buffer"),
        "{n:?}"
    );
    update(&mut a, Action::ClipboardCleared { generation: 1 });
    let n = a.notice.clone().unwrap();
    assert!(!n.text.contains("no longer holds"), "{n:?}");
    assert!(n.text.contains("tmux may still hold a copy"), "{n:?}");
    // A copy without the token needs no warning.
    a.clipboard_generation = 2;
    update(
        &mut a,
        Action::Copied {
            what: "Remote".into(),
            held_secret: false,
            generation: 2,
            native: false,
        },
    );
    assert_eq!(a.notice.clone().unwrap().level, Level::Info);
}

#[test]
fn commands_panel_starts_in_helper_mode_once_setup_git_has_run() {
    let mut a = app();
    assert!(!a.helper_set_up, "unknown until the runner reports");
    assert_eq!(open_commands(&mut a).mode, Mode::Interactive);
    update(&mut a, Action::Back);
    assert!(update(&mut a, Action::HelperSetUp(true)).is_empty());
    update(&mut a, Action::Up);
    let p = open_commands(&mut a);
    assert_eq!(p.mode, Mode::Helper);
    let cmds = panel_commands(&a, &p);
    assert!(cmds.iter().all(|g| !g.holds_secret));
    assert!(
        cmds.iter().all(|g| !g.text.contains("x-token-auth")),
        "plain URLs: {cmds:?}"
    );
    // `m` keeps cycling through the three modes.
    update(&mut a, Action::ToggleMode);
    update(&mut a, Action::ToggleMode);
    let Overlay::Commands(p) = &a.overlay else {
        panic!()
    };
    assert_eq!(p.mode, Mode::Embedded);
    update(&mut a, Action::ToggleMode);
    let Overlay::Commands(p) = &a.overlay else {
        panic!()
    };
    assert_eq!(p.mode, Mode::Helper);
}

fn here_report(remotes: usize) -> crate::git::here::Here {
    use crate::git::here::{Here, HereRemote};
    let remote = HereRemote {
        name: "origin".into(),
        url: "https://bitbucket.org/acme/beta-repo.git".into(),
        transport: "https",
        workspace: Some("acme".into()),
        repo: Some("beta-repo".into()),
        token_in_url: false,
        helpers: vec!["/usr/bin/bbtoken credential".into()],
        urlmatch: Some("/usr/bin/bbtoken credential".into()),
        bbtoken_helper: true,
        profile: None,
        no_profile: Some("no profile fits".into()),
    };
    Here {
        repository: "/src/beta-repo".into(),
        binding: None,
        user_email: None,
        remotes: vec![remote; remotes],
        token_in_any_url: false,
    }
}

#[test]
fn here_panel_opens_once_by_itself_in_a_bitbucket_clone() {
    let mut a = app();
    assert_eq!(a.here, HereInfo::Pending);
    assert!(update(&mut a, Action::HereGathered(Some(here_report(1)))).is_empty());
    assert_eq!(a.overlay, Overlay::Here);
    assert!(matches!(a.here, HereInfo::Inside(_)));
    // Keys of the main screen do nothing under it; Esc closes it.
    update(&mut a, Action::Down);
    assert_eq!(a.selected, 0);
    update(&mut a, Action::Back);
    assert_eq!(a.overlay, Overlay::None);
    // A later report (a refresh) does not open it again.
    update(&mut a, Action::HereGathered(Some(here_report(1))));
    assert_eq!(a.overlay, Overlay::None);
    // `w` reopens it and asks for a fresh report; `w` again closes it.
    assert_eq!(update(&mut a, Action::OpenHere), vec![Effect::GatherHere]);
    assert_eq!(a.overlay, Overlay::Here);
    update(&mut a, Action::OpenHere);
    assert_eq!(a.overlay, Overlay::None);
}

#[test]
fn here_panel_stays_shut_without_bitbucket_remotes_or_over_an_open_form() {
    let mut a = app();
    update(&mut a, Action::HereGathered(Some(here_report(0))));
    assert_eq!(a.overlay, Overlay::None);
    let mut a = app();
    update(&mut a, Action::HereGathered(None));
    assert_eq!(
        (a.overlay.clone(), a.here.clone()),
        (Overlay::None, HereInfo::Outside)
    );
    let mut a = app();
    update(&mut a, Action::OpenAdd);
    update(&mut a, Action::HereGathered(Some(here_report(1))));
    assert!(matches!(a.overlay, Overlay::Form(_)), "the form stays");
}

#[test]
fn onboard_from_the_commands_panel_asks_then_runs_and_shows_the_steps() {
    use crate::git::onboard::Step;
    let mut a = app();
    a.start_dir = "/src/here".into();
    open_commands(&mut a);
    assert!(update(&mut a, Action::OpenOnboard).is_empty());
    let Overlay::Onboard(p) = &a.overlay else {
        panic!("{:?}", a.overlay)
    };
    assert_eq!(
        (p.profile.as_str(), p.workspace.as_str(), p.repo.as_str()),
        ("beta", "acme", "beta-repo")
    );
    assert_eq!((p.dir.as_str(), p.push), ("/src/here", false));
    // The directory is typed; Tab goes to the push toggle, Space flips it.
    update(&mut a, Action::Input('2'));
    update(&mut a, Action::NextField);
    update(&mut a, Action::Input(' '));
    // Enter asks first; n goes back to the form, nothing runs.
    assert!(update(&mut a, Action::Confirm).is_empty());
    assert!(update(&mut a, Action::Input('n')).is_empty());
    assert!(update(&mut a, Action::Confirm).is_empty());
    let fx = update(&mut a, Action::Input('y'));
    let [Effect::Onboard(req)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(req.profile.name, "beta");
    assert_eq!(req.dir, std::path::PathBuf::from("/src/here2"));
    assert!(req.push);
    assert_eq!(
        (req.workspace.as_str(), req.repo.as_str()),
        ("acme", "beta-repo")
    );
    let Overlay::Onboard(p) = &a.overlay else {
        panic!()
    };
    assert_eq!(p.stage, OnboardStage::Running);
    let steps = vec![Step::Done("git init in /src/here2".into())];
    let fx = update(
        &mut a,
        Action::Onboarded {
            steps: steps.clone(),
            result: Err("push refused (404)".into()),
        },
    );
    assert_eq!(fx, vec![Effect::GatherHere], "here is refreshed");
    let Overlay::Onboard(p) = &a.overlay else {
        panic!()
    };
    assert_eq!(
        p.stage,
        OnboardStage::Done {
            steps,
            result: Err("push refused (404)".into())
        }
    );
    assert_eq!(a.notice.as_ref().unwrap().level, Level::Error);
    update(&mut a, Action::Back);
    assert_eq!(a.overlay, Overlay::None);
}

#[test]
fn onboard_refuses_an_empty_directory_and_a_panel_without_repository() {
    let mut a = app();
    open_commands(&mut a);
    update(&mut a, Action::OpenOnboard);
    assert!(update(&mut a, Action::Confirm).is_empty(), "no directory");
    let Overlay::Onboard(p) = &a.overlay else {
        panic!()
    };
    assert_eq!(p.stage, OnboardStage::Edit);
    assert!(p.error.as_deref().unwrap().starts_with("Directory"));
    // Esc in the form closes it without running anything.
    assert!(update(&mut a, Action::Back).is_empty());
    assert_eq!(a.overlay, Overlay::None);
    // Pasted control characters (a terminal escape) are dropped.
    let mut a = app();
    open_commands(&mut a);
    update(&mut a, Action::OpenOnboard);
    update(&mut a, Action::Paste("/tmp/x\x1b[2Jy\n".into()));
    let Overlay::Onboard(p) = &a.overlay else {
        panic!()
    };
    assert_eq!(p.dir, "/tmp/x[2Jy");
    // A panel with no repository cannot onboard.
    let mut a = app();
    open_commands(&mut a);
    if let Overlay::Commands(p) = &mut a.overlay {
        p.repo.clear();
    }
    update(&mut a, Action::OpenOnboard);
    assert!(matches!(a.overlay, Overlay::Commands(_)));
    assert!(a.notice.as_ref().unwrap().text.contains("set the target"));
}

#[test]
fn onboard_keys_are_text_in_the_directory_field() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let k = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    let mut a = app();
    open_commands(&mut a);
    assert_eq!(keymap::key(&a, k('o')), Some(Action::OpenOnboard));
    update(&mut a, Action::OpenOnboard);
    assert_eq!(keymap::key(&a, k('q')), Some(Action::Input('q')));
    assert_eq!(keymap::key(&a, k('w')), Some(Action::Input('w')));
}

#[test]
fn b_saves_the_suggested_bot_email_and_only_that() {
    let mut a = app();
    a.select_name("beta");
    // Nothing suggested yet: said, nothing saved.
    assert!(update(&mut a, Action::AcceptBotEmail).is_empty());
    assert!(a.notice.as_ref().unwrap().text.contains("validate first"));
    let beta = a.row_mut("beta").unwrap();
    beta.profile.last_validation.as_mut().unwrap().repository = Some(RepoFacts {
        full_name: "acme/beta-repo".into(),
        is_private: Some(true),
        main_branch: None,
        project_key: None,
        bot_id_candidate: Some("b0t1d".into()),
    });
    let fx = update(&mut a, Action::AcceptBotEmail);
    let [Effect::Save(req)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(
        req.kind,
        FormKind::Edit {
            original: "beta".into()
        }
    );
    assert_eq!(
        req.profile.bot_email.as_deref(),
        Some("b0t1d@bots.bitbucket.org")
    );
    assert!(req.token.is_none());
    // Everything else as it was, so the outcome is kept.
    let mut expected = a.selected_profile().unwrap().clone();
    expected.bot_email = req.profile.bot_email.clone();
    assert_eq!(req.profile, expected);
    // Once set, `b` does not overwrite it.
    a.row_mut("beta").unwrap().profile.bot_email = Some("mine@bots.bitbucket.org".into());
    assert!(update(&mut a, Action::AcceptBotEmail).is_empty());
    assert!(a.notice.as_ref().unwrap().text.contains("already set"));
}

#[test]
fn o_opens_the_page_built_from_the_profile() {
    let mut a = app();
    a.select_name("beta");
    assert_eq!(
        update(&mut a, Action::OpenTokenPage),
        vec![Effect::OpenLink(
            "https://bitbucket.org/acme/beta-repo/admin/access-tokens".into()
        )]
    );
    // A project token's page is the project: the notice says where to go on.
    a.select_name("gamma");
    let fx = update(&mut a, Action::OpenTokenPage);
    assert_eq!(
        fx,
        vec![Effect::OpenLink(
            "https://bitbucket.org/acme/workspace/projects/PLAT".into()
        )]
    );
    assert!(a.notice.as_ref().unwrap().text.contains("Access tokens"));
    update(
        &mut a,
        Action::LinkOpened {
            url: "https://x.example/p".into(),
            result: Err("no display to open a browser on".into()),
        },
    );
    let n = a.notice.clone().unwrap();
    assert_eq!(n.text, "The token page: https://x.example/p");
    assert!(n.remedy.unwrap().contains("no display"));
}

#[test]
fn f_opens_the_edit_form_with_the_kind_bitbucket_reported() {
    let mut a = app();
    a.select_name("beta");
    update(&mut a, Action::FixKind);
    assert!(a.notice.as_ref().unwrap().text.contains("has not reported"));
    assert_eq!(a.overlay, Overlay::None);
    // beta is a repository profile; Bitbucket says workspace token.
    let beta = a.row_mut("beta").unwrap();
    beta.profile
        .last_validation
        .as_mut()
        .unwrap()
        .credential_type = Some("workspace_access_token".into());
    update(&mut a, Action::FixKind);
    let Overlay::Form(f) = &a.overlay else {
        panic!("{:?}", a.overlay)
    };
    assert_eq!(f.token_kind, TokenKind::Workspace);
    assert!(f.note.as_deref().unwrap().contains("Kind set to workspace"));
    let fx = update(&mut a, Action::Confirm);
    let [Effect::Save(req)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(req.profile.kind, TokenKind::Workspace);
    assert_eq!(req.profile.name, "beta");
    // Another reach: the old outcome does not describe it.
    assert!(req.profile.last_validation.is_none());
}
