//! Where things are kept: profiles in a TOML file, secrets in the OS
//! credential store.

pub mod profiles;
pub mod secrets;

pub use profiles::{ConfigError, ProfileFile};
pub use secrets::{SecretBackend, SecretStore, StoreError};
