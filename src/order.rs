//! The order profiles are shown in, shared by `bbtoken list` and the
//! full-screen app so both list them alike. The app opens sorted by name
//! (`Sort::Name` in src/app); the same rule lives here so the CLI does not
//! copy it. The app can call [`by_name`] for its name sort.

use std::cmp::Ordering;

use crate::profile::Profile;

/// The default order: by name, plainly (byte order of the name, as the app's
/// name sort).
pub(crate) fn by_name(a: &Profile, b: &Profile) -> Ordering {
    a.name.cmp(&b.name)
}

/// `profiles` in the default order.
pub(crate) fn sorted(profiles: &[Profile]) -> Vec<&Profile> {
    let mut v: Vec<&Profile> = profiles.iter().collect();
    v.sort_by(|a, b| by_name(a, b));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::TokenKind;

    #[test]
    fn sorts_by_name() {
        let p = |n: &str| Profile::new(n, TokenKind::Repository, "w", Some("r"));
        let all = [p("web"), p("ci-api"), p("me")];
        let names: Vec<&str> = sorted(&all).iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["ci-api", "me", "web"]);
    }
}
