//! bbtoken in git's own auth path: the credential-helper protocol
//! ([`credential`]), the profile selection rules ([`select`]) and the git
//! config it reads and writes by running git itself ([`config`]).

pub mod select;
