//! Reading a token: one line from stdin when it is piped, else a no-echo
//! prompt on the terminal. Never from the command line, where it would land
//! in shell history and in every process listing.

use std::io::{BufRead, IsTerminal, Read};

use crate::cli::Fail;
use crate::i18n::tr;
use crate::secret::Secret;

/// Longer input than this is not a token.
const MAX_LEN: u64 = 8 * 1024;

/// One line that may hold a secret (a URL with a token in it): no echo on a
/// terminal, one line from stdin otherwise.
pub(crate) fn read_line_secret(prompt: &str) -> Result<Secret, Fail> {
    read(prompt, &tr!("cli.input.no_url"))
}

pub(crate) fn read_secret(prompt: &str) -> Result<Secret, Fail> {
    read(prompt, &tr!("cli.input.no_token"))
}

fn read(prompt: &str, missing: &str) -> Result<Secret, Fail> {
    let secret = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)
            .map(Secret::new)
            .map_err(|e| Fail::usage(tr!("cli.input.terminal", error = e)))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take(MAX_LEN)
            .read_line(&mut line)
            .map_err(|e| Fail::usage(tr!("cli.input.stdin", error = e)))?;
        Secret::new(line)
    };
    if secret.is_empty() {
        return Err(Fail::usage(missing));
    }
    Ok(secret)
}
