//! A [`Remedy`] in the app's words: the advice, then the key that carries it
//! out on the profile list. The command line says the same remedy with a
//! command ([`Remedy::command_words`]); no screen of the app names one.

use crate::app::{Action, keymap};
use crate::i18n::tr;
use crate::profile::{Outcome, Remedy, Step};

/// The key on the profile list for `action`, from the one keymap.
fn key(action: &Action) -> &'static str {
    keymap::key_for(keymap::Context::List, action).unwrap_or("?")
}

/// What the app does for a step: the actions, in order, and the words for it.
pub fn actions(step: Step) -> (&'static [Action], String) {
    let (acts, what): (&'static [Action], _) = match step {
        Step::Rotate => (&[Action::OpenRotate], tr!("remedy.rotate")),
        Step::RotateWithExpiry => (&[Action::OpenRotate], tr!("remedy.rotate_expiry")),
        Step::EditExpiry => (&[Action::OpenEdit], tr!("remedy.edit_expiry")),
        Step::EditEmail => (&[Action::OpenEdit], tr!("remedy.edit_email")),
        Step::EditRepo => (&[Action::OpenEdit], tr!("remedy.edit_repo")),
        Step::ReAdd => (&[Action::AskDelete, Action::OpenAdd], tr!("remedy.re_add")),
        Step::Validate => (&[Action::ValidateSelected], tr!("remedy.validate")),
        Step::ValidateAll => (&[Action::ValidateAll], tr!("remedy.validate_all")),
    };
    (acts, what.into_owned())
}

/// The remedy as the app says it: "…; press r to rotate (…)".
pub fn words(r: &Remedy) -> String {
    words_with(r, &r.advice)
}

/// The remedy of an outcome, its advice in the current language
/// ([`crate::describe::advice_words`]).
pub(crate) fn outcome_words(o: &Outcome) -> Option<String> {
    let r = o.remedy.as_ref()?;
    Some(words_with(r, &crate::describe::advice_words(o)?))
}

fn words_with(r: &Remedy, advice: &str) -> String {
    let Some(step) = r.step else {
        return advice.to_string();
    };
    let (acts, what) = actions(step);
    let keys: Vec<&str> = acts.iter().map(key).collect();
    let press = tr!(
        "remedy.press",
        keys = keys.join(&tr!("remedy.then")),
        what = what
    );
    if advice.is_empty() {
        press.into_owned()
    } else {
        tr!("remedy.advice_then", advice = advice, press = press).into_owned()
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
