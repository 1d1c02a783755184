//! Process hardening done once at start: a token manager's memory holds
//! tokens, so it must not end up in a core file or be readable by a
//! same-user debugger attach that relies on the dumpable flag.
//!
//! On Linux, `PR_SET_DUMPABLE 0` stops core dumps and makes `/proc/PID/mem`,
//! `/proc/PID/environ` and ptrace attach by other same-user processes
//! (without CAP_SYS_PTRACE) fail; `RLIMIT_CORE 0` stops core dumps even if
//! something resets the flag (and is inherited by children such as git).
//! Elsewhere this does nothing.

/// What [`harden`] managed to set; both false off Linux.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hardened {
    pub not_dumpable: bool,
    pub no_core: bool,
}

/// Turns off core dumps and the dumpable flag. Failures are not fatal: the
/// program still works, it is only less protected (and says so in the result).
pub fn harden() -> Hardened {
    imp::harden()
}

#[cfg(target_os = "linux")]
mod imp {
    use super::Hardened;

    pub fn harden() -> Hardened {
        // SAFETY: prctl(PR_SET_DUMPABLE, 0) takes no pointers and only changes
        // this process's dumpable flag.
        let not_dumpable = unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } == 0;
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the rlimit struct we pass by reference.
        let no_core = unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) } == 0;
        Hardened {
            not_dumpable,
            no_core,
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::Hardened;

    pub fn harden() -> Hardened {
        Hardened::default()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Whether the process is dumpable now (`PR_GET_DUMPABLE`).
    fn is_dumpable() -> Option<bool> {
        // SAFETY: PR_GET_DUMPABLE takes no pointers.
        let r = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        (r >= 0).then_some(r != 0)
    }

    fn core_limit() -> Option<(u64, u64)> {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we pass by reference.
        let r = unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut lim) };
        (r == 0).then_some((lim.rlim_cur, lim.rlim_max))
    }

    // Runs in the test process; that is fine: a test binary has no business
    // dumping core either.
    #[test]
    fn harden_turns_off_dumpable_and_core() {
        let h = harden();
        assert_eq!(
            h,
            Hardened {
                not_dumpable: true,
                no_core: true
            }
        );
        assert_eq!(is_dumpable(), Some(false));
        assert_eq!(core_limit(), Some((0, 0)));
    }
}
