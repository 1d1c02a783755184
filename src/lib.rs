//! bbtoken: a terminal token manager for Bitbucket Cloud.
//!
//! The engine (profiles, secrets, validation, command builders) is shared by
//! two shells: the scriptable CLI ([`cli`]) and the full-screen TUI.

pub mod app;
pub mod bitbucket;
pub mod cli;
pub mod context;
pub mod describe;
pub mod diag;
pub mod doctor;
pub mod error_words;
pub mod expiry;
pub mod fakebb;
pub mod fields;
pub mod git;
pub mod gitcmd;
pub mod hardening;
pub mod i18n;
pub mod links;
pub mod migrate;
pub mod ops;
pub mod order;
pub mod problem;
pub mod profile;
pub mod secret;
pub mod store;
pub mod text;
pub mod timefmt;
pub mod token;
pub mod ui;
pub mod validate;
pub mod warning;

pub mod tui;

// The catalogs, compiled in; `i18n::tr!` reads them.
rust_i18n::i18n!("assets/locales", fallback = "en");
