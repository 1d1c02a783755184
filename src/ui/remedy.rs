//! A [`Remedy`] in the app's words: the advice, then the key that carries it
//! out on the profile list. The command line says the same remedy with a
//! command ([`Remedy::command_words`]); no screen of the app names one.

use crate::app::{Action, keymap};
use crate::profile::{Remedy, Step};

/// The key on the profile list for `action`, from the one keymap.
fn key(action: &Action) -> &'static str {
    keymap::key_for(keymap::Context::List, action).unwrap_or("?")
}

/// What the app does for a step: the actions, in order, and the words for it.
pub fn actions(step: Step) -> (&'static [Action], &'static str) {
    match step {
        Step::Rotate => (&[Action::OpenRotate], "rotate (store the new token)"),
        Step::RotateWithExpiry => (
            &[Action::OpenRotate],
            "rotate (store the new token and its expiry date)",
        ),
        Step::EditExpiry => (&[Action::OpenEdit], "edit the expiry date"),
        Step::EditEmail => (&[Action::OpenEdit], "edit the email"),
        Step::EditRepo => (&[Action::OpenEdit], "edit the repository"),
        Step::ReAdd => (
            &[Action::AskDelete, Action::OpenAdd],
            "delete the profile, then add the token again as that kind",
        ),
        Step::Validate => (&[Action::ValidateSelected], "validate it again"),
        Step::ValidateAll => (&[Action::ValidateAll], "validate all again"),
    }
}

/// The remedy as the app says it: "…; press r to rotate (…)".
pub fn words(r: &Remedy) -> String {
    let Some(step) = r.step else {
        return r.advice.clone();
    };
    let (acts, what) = actions(step);
    let keys: Vec<&str> = acts.iter().map(key).collect();
    let press = format!("press {} to {what}", keys.join(" then "));
    if r.advice.is_empty() {
        press
    } else {
        format!("{}; {press}", r.advice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::App;
    use crate::gitcmd::Endpoints;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn every_step_names_a_key_that_does_it_on_the_list() {
        let app = App::new(Endpoints::default(), "memory", chrono::Utc::now());
        for step in Step::ALL {
            for action in actions(step).0 {
                let k = key(action);
                let c = k.chars().next().unwrap();
                assert_eq!(k.chars().count(), 1, "{step:?}");
                let pressed =
                    keymap::key(&app, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
                assert_eq!(pressed.as_ref(), Some(action), "{step:?}: {k}");
            }
        }
    }

    #[test]
    fn words_name_keys_never_commands() {
        for step in Step::ALL {
            let r = Remedy::step("create a new token", step, "ci");
            let w = words(&r);
            assert!(w.starts_with("create a new token; press "), "{w}");
            assert!(!w.contains("bbtoken"), "{w}");
        }
        assert_eq!(words(&Remedy::advice("wait")), "wait");
        assert_eq!(
            words(&Remedy::step("", Step::Rotate, "ci")),
            "press r to rotate (store the new token)"
        );
    }
}
