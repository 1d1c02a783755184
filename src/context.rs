//! Everything a command needs from the environment, read once at start.

use crate::bitbucket::{ApiConfig, Client};
use crate::gitcmd::Endpoints;
use crate::store::{ProfileFile, SecretStore};
use crate::validate::Validator;

/// The engine's services, shared by the CLI and the TUI.
#[derive(Debug, Clone)]
pub struct Context {
    pub profiles: ProfileFile,
    pub secrets: SecretStore,
    pub api: ApiConfig,
    pub endpoints: Endpoints,
}

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error(transparent)]
    Config(#[from] crate::store::ConfigError),
    #[error(transparent)]
    Api(#[from] crate::bitbucket::ConfigError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl Context {
    /// Reads `BBTOKEN_CONFIG_DIR`, `BBTOKEN_STORE`, `BBTOKEN_API_URL`,
    /// `BBTOKEN_GIT_URL` and the timeouts.
    pub fn from_env() -> Result<Context, ContextError> {
        let api = ApiConfig::from_env()?;
        let mut endpoints = Endpoints {
            api: api.base.clone(),
            ..Endpoints::default()
        };
        if let Ok(git) = std::env::var("BBTOKEN_GIT_URL")
            && !git.is_empty()
        {
            crate::bitbucket::client::check_base_named("BBTOKEN_GIT_URL", &git)?;
            endpoints.git = git.trim_end_matches('/').to_string();
        }
        Ok(Context {
            profiles: ProfileFile::from_env()?,
            secrets: SecretStore::from_env()?,
            api,
            endpoints,
        })
    }

    pub fn validator(&self) -> Result<Validator, crate::bitbucket::ConfigError> {
        Ok(Validator::new(
            Client::new(self.api.clone())?,
            self.secrets.clone(),
        ))
    }
}
