//! Talking to Bitbucket Cloud: the Get Repository call that validates a token,
//! and the pure classification of its answer into an [`Outcome`].
//!
//! [`Outcome`]: crate::profile::Outcome

pub mod classify;
pub mod client;
pub mod scopes;
pub mod urls;

pub use client::{ApiConfig, Client, ConfigError, Credential};
