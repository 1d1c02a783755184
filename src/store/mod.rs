//! Where things are kept: profiles in a TOML file, what bbtoken learns
//! about them in a JSON state file, secrets in the OS credential store.

mod fsio;
pub mod profiles;
pub mod secrets;
pub mod state;

pub use profiles::{ConfigError, ProfileFile};
pub use secrets::{SecretBackend, SecretStore, StoreError};
