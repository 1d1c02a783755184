//! bbtoken in git's own auth path and in the repository you stand in: the
//! profile selection rules ([`select`]), the repository report (`here`), the
//! leak audit and one-step onboarding.

pub mod audit;
pub mod here;
pub mod onboard;
pub mod remote;
pub mod run;
pub mod select;
