//! Opt-in stage timings on stderr: set `KHABAR_TRACE=1` and a fit prints
//! how long counting, merging, ordering and writing rows took, e.g.
//! `khabar fit: count 0.3104 s`.
//!
//! Why: where a fit's time goes depends on the corpus and the thread count,
//! and this VM drifts too much for whole-fit timings to show a stage's
//! share. Off (the default), a stage costs one cached flag check.

use std::sync::OnceLock;
use std::time::Instant;

/// Whether `KHABAR_TRACE` asks for timings: set, and neither empty nor `0`.
fn wanted(value: Option<std::ffi::OsString>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "0")
}

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| wanted(std::env::var_os("KHABAR_TRACE")))
}

/// The line printed for one stage.
fn line(scope: &str, stage: &str, secs: f64) -> String {
    format!("khabar {scope}: {stage} {secs:.4} s")
}

/// A stopwatch over consecutive stages of one job (`scope`): each
/// [`Stages::lap`] prints the time since the previous one (or since
/// [`Stages::new`]) when tracing is on, and does nothing otherwise.
pub(crate) struct Stages {
    scope: &'static str,
    at: Option<Instant>,
}

impl Stages {
    pub fn new(scope: &'static str) -> Self {
        Self {
            scope,
            at: enabled().then(Instant::now),
        }
    }

    pub fn lap(&mut self, stage: &str) {
        if let Some(at) = &mut self.at {
            let now = Instant::now();
            eprintln!("{}", line(self.scope, stage, (now - *at).as_secs_f64()));
            *at = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_nonempty_nonzero_value_turns_tracing_on() {
        assert!(!wanted(None));
        assert!(!wanted(Some("".into())));
        assert!(!wanted(Some("0".into())));
        assert!(wanted(Some("1".into())));
        assert!(wanted(Some("yes".into())));
    }

    #[test]
    fn a_stage_line_names_the_job_the_stage_and_seconds() {
        assert_eq!(line("fit", "count", 0.31049), "khabar fit: count 0.3105 s");
    }
}
