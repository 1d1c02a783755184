//! Moving every secret from one credential store to another
//! (`bbtoken store migrate --to BACKEND`).
//!
//! Why: secrets do not follow `BBTOKEN_STORE`. A user told to "run with
//! BBTOKEN_STORE=keyutils" got `store_error` for every profile, because the
//! tokens were still in the Secret Service. Bitbucket shows a token only
//! once, so the move must never lose one:
//!
//! - each secret is written to the target and read back; only when the copy
//!   is byte-for-byte the original is the original deleted;
//! - any failure leaves the original where it was (and the copy, if one was
//!   made), and the report says which copies exist;
//! - running it again is safe: a profile whose secret is already only in the
//!   target is reported as such, one in both with the same value finishes
//!   its move, one in both with different values is left alone;
//! - the profiles lock is held throughout, so no add, rotate or remove of
//!   another bbtoken runs in the middle.

use crate::store::profiles::ConfigError;
use crate::store::{ProfileFile, SecretStore, StoreError};

/// What happened to one profile's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    /// Copied, read back identical, original deleted.
    Moved,
    /// Only the target holds it (an earlier run moved it).
    AlreadyThere,
    /// Neither store holds a secret for this profile.
    NoSecret,
    /// Both hold a secret and they differ: nothing was touched.
    Conflict,
    /// Something failed; `copies` says where the secret is now.
    Failed { what: String, copies: &'static str },
}

impl Moved {
    pub fn ok(&self) -> bool {
        matches!(self, Moved::Moved | Moved::AlreadyThere | Moved::NoSecret)
    }
}

/// Moves the secret of every profile in `profiles` from `from` to `to`.
pub async fn migrate(
    profiles: &ProfileFile,
    from: &SecretStore,
    to: &SecretStore,
) -> Result<Vec<(String, Moved)>, ConfigError> {
    let file = profiles.clone();
    let (guard, doc) = blocking(move || {
        let guard = file.lock()?;
        let doc = file.load()?;
        Ok::<_, ConfigError>((guard, doc))
    })
    .await?;
    let mut report = Vec::new();
    for p in &doc.profiles {
        let moved = move_one(&p.name, from, to).await;
        report.push((p.name.clone(), moved));
    }
    drop(guard);
    Ok(report)
}

async fn move_one(name: &str, from: &SecretStore, to: &SecretStore) -> Moved {
    let (src, dst) = (from.backend().name(), to.backend().name());
    let failed = |what: String, copies| Moved::Failed { what, copies };
    let original = match read(from, name).await {
        Ok(s) => s,
        Err(e) => return failed(format!("reading it from {src} failed: {e}"), "unchanged"),
    };
    let existing = match read(to, name).await {
        Ok(s) => s,
        Err(e) => return failed(format!("reading {dst} failed: {e}"), "unchanged"),
    };
    let original = match (original, existing) {
        (None, Some(_)) => return Moved::AlreadyThere,
        (None, None) => return Moved::NoSecret,
        (Some(a), Some(b)) if a != b => return Moved::Conflict,
        // Copied by an earlier run that could not delete the original.
        (Some(a), Some(_)) => a,
        (Some(a), None) => {
            if let Err(e) = to.set(name, &a).await {
                return failed(
                    format!("writing it to {dst} failed: {e}"),
                    "the original is kept",
                );
            }
            a
        }
    };
    match to.get(name).await {
        Ok(copy) if copy == original => {}
        Ok(_) => {
            return failed(
                format!("the copy read back from {dst} differs from the original"),
                "both copies are kept",
            );
        }
        Err(e) => {
            return failed(
                format!("reading the copy back from {dst} failed: {e}"),
                "both copies are kept",
            );
        }
    }
    match from.delete(name).await {
        Ok(_) => Moved::Moved,
        Err(e) => failed(
            format!("copied and verified, but deleting the original from {src} failed: {e}"),
            "both copies are kept",
        ),
    }
}

async fn read(
    store: &SecretStore,
    name: &str,
) -> Result<Option<crate::secret::Secret>, StoreError> {
    match store.get(name).await {
        Ok(s) => Ok(Some(s)),
        Err(StoreError::Missing { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(t) => t,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Profile, TokenKind};
    use crate::secret::Secret;

    fn file_with(dir: &std::path::Path, names: &[&str]) -> ProfileFile {
        let f = ProfileFile::at(dir.to_path_buf());
        f.update(|d| {
            for n in names {
                d.profiles
                    .push(Profile::new(n, TokenKind::Repository, "acme", Some("api")));
            }
            Ok::<_, ()>(())
        })
        .unwrap()
        .unwrap();
        f
    }

    #[tokio::test]
    async fn moves_verifies_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let file = file_with(dir.path(), &["a", "b", "c", "d"]);
        let (from, to) = (SecretStore::memory(), SecretStore::memory());
        from.set("a", &Secret::new("A")).await.unwrap();
        from.set("b", &Secret::new("B")).await.unwrap();
        to.set("b", &Secret::new("B")).await.unwrap();
        to.set("c", &Secret::new("C")).await.unwrap();
        let r = migrate(&file, &from, &to).await.unwrap();
        assert_eq!(
            r,
            vec![
                ("a".into(), Moved::Moved),
                ("b".into(), Moved::Moved),
                ("c".into(), Moved::AlreadyThere),
                ("d".into(), Moved::NoSecret),
            ]
        );
        assert_eq!(to.get("a").await.unwrap().expose(), "A");
        assert!(from.get("a").await.is_err());
        let again = migrate(&file, &from, &to).await.unwrap();
        assert!(again.iter().all(|(_, m)| m.ok()), "{again:?}");
        assert_eq!(again[0].1, Moved::AlreadyThere);
    }

    #[tokio::test]
    async fn differing_copies_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = file_with(dir.path(), &["a"]);
        let (from, to) = (SecretStore::memory(), SecretStore::memory());
        from.set("a", &Secret::new("old")).await.unwrap();
        to.set("a", &Secret::new("new")).await.unwrap();
        let r = migrate(&file, &from, &to).await.unwrap();
        assert_eq!(r[0].1, Moved::Conflict);
        assert_eq!(from.get("a").await.unwrap().expose(), "old");
        assert_eq!(to.get("a").await.unwrap().expose(), "new");
    }
}
