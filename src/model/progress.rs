//! Progress of long fits: a count of solver passes for a progress bar, and
//! a way for the caller to stop training.
//!
//! The unit is one pass of a solver: an L-BFGS iteration, a DCD pass over
//! the rows (per group of classes), an SGD epoch. The total is the most
//! passes the fit may take (`max_iter` per solver run, summed over DCD's
//! class groups and over calibration folds); a run that converges early
//! gives up the rest of its budget, so the total shrinks and a finished fit
//! always ends with `done == total`.
//!
//! The solvers run on worker threads (rayon, for DCD's class groups and
//! L-BFGS's objective), but the observer — in Python, a tqdm bar — must run
//! on the caller's thread: that is the thread that holds the right to call
//! Python and the one Python delivers Ctrl-C to. So `observe` moves the
//! work to a scoped thread and relays the counts back; the counts never
//! touch the numbers, so a model is the same with or without an observer.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::error::{Error, Result};

/// Passes done so far out of the most there can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub done: usize,
    pub total: usize,
}

/// Called on the caller's thread whenever the count moves; `Break` stops
/// training (the fit then returns [`Error::Interrupted`]).
pub type Observer<'a> = &'a mut dyn FnMut(Step) -> ControlFlow<()>;

#[derive(Debug, Default)]
struct State {
    done: usize,
    total: usize,
    /// Passes given up by runs that converged early.
    released: usize,
    finished: bool,
}

/// The shared count. Solvers `tick` once per pass, from
/// any thread.
#[derive(Debug, Default)]
pub struct Tracker {
    state: Mutex<State>,
    wake: Condvar,
    stop: AtomicBool,
    /// Whether anyone reads the count (otherwise ticks cost nothing).
    listening: bool,
}

impl Tracker {
    /// A tracker nobody reads: what the plain `fit`s use.
    pub(crate) fn silent() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // the lock is never held across code that can panic; if it were
        // poisoned the counts would still be sound
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One pass done. `Break` when the caller asked to stop: the solver
    /// should return at once (its result will be discarded).
    pub(crate) fn tick(&self) -> ControlFlow<()> {
        if self.listening {
            let mut s = self.lock();
            s.done += 1;
            // a budget overrun would be a bug in a caller's arithmetic;
            // keep the bar sane rather than show done > total
            s.total = s.total.max(s.done);
            drop(s);
            self.wake.notify_one();
        }
        self.check()
    }

    /// `Break` when the caller asked to stop.
    pub(crate) fn check(&self) -> ControlFlow<()> {
        if self.stop.load(Ordering::Relaxed) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    /// Run `f`, a part of the fit budgeted `budget` passes (a solver run,
    /// or all the calibration folds), then give up what it did not use.
    /// Parts nest: passes given up inside `f` count as used here.
    pub(crate) fn part<R>(&self, budget: usize, f: impl FnOnce() -> R) -> R {
        if !self.listening {
            return f();
        }
        let settled = |s: &State| s.done + s.released;
        let start = settled(&self.lock());
        let out = f();
        let mut s = self.lock();
        let unused = budget.saturating_sub(settled(&s) - start);
        s.released += unused;
        s.total = s.total.saturating_sub(unused).max(s.done);
        drop(s);
        self.wake.notify_one();
        out
    }

    /// Call `observer` on this thread with every count other than `seen`
    /// until the work has finished. Once the observer says stop, it is not
    /// called again.
    fn relay(&self, observer: Observer<'_>, seen: Step) {
        // if the observer panics, the work must still end (the scope waits
        // for it): ask it to stop
        struct StopOnPanic<'a>(&'a AtomicBool);
        impl Drop for StopOnPanic<'_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    self.0.store(true, Ordering::Relaxed);
                }
            }
        }
        let _stop_on_panic = StopOnPanic(&self.stop);
        let mut seen = seen;
        let mut s = self.lock();
        loop {
            let now = Step {
                done: s.done,
                total: s.total,
            };
            if seen != now && !self.stop.load(Ordering::Relaxed) {
                seen = now;
                drop(s);
                if observer(now).is_break() {
                    self.stop.store(true, Ordering::Relaxed);
                }
                s = self.lock();
                continue; // the count may have moved meanwhile
            }
            if s.finished {
                return;
            }
            s = self.wake.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Run `work` with a tracker of `total` passes. With an observer, `work`
/// runs on a scoped thread while this thread relays the counts to the
/// observer; without one it runs here and ticks cost nothing. Returns
/// [`Error::Interrupted`] if the observer stopped the work.
pub(crate) fn observe<R: Send>(
    total: usize,
    observer: Option<Observer<'_>>,
    work: impl FnOnce(&Tracker) -> Result<R> + Send,
) -> Result<R> {
    let Some(observer) = observer else {
        return work(&Tracker::silent());
    };
    // the first count, before any work, so a bar knows its total up front
    let start = Step { done: 0, total };
    if observer(start).is_break() {
        return Err(Error::Interrupted);
    }
    let tracker = Tracker {
        state: Mutex::new(State {
            total,
            ..State::default()
        }),
        listening: true,
        ..Tracker::default()
    };
    // marks the work finished however it ends (a panic included), so the
    // relay never waits forever
    struct Finish<'a>(&'a Tracker);
    impl Drop for Finish<'_> {
        fn drop(&mut self) {
            self.0.lock().finished = true;
            self.0.wake.notify_one();
        }
    }
    let out = std::thread::scope(|scope| {
        let handle = scope.spawn(|| {
            let _finish = Finish(&tracker);
            work(&tracker)
        });
        tracker.relay(observer, start);
        // a panic in the work surfaces here, on the caller's thread, where
        // the bindings' guard turns it into a Python error
        handle
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    });
    if tracker.stop.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_give_up_unused_budget_and_nest() {
        let mut steps = Vec::new();
        let mut obs = |s: Step| {
            steps.push(s);
            ControlFlow::Continue(())
        };
        observe(10, Some(&mut obs), |t| {
            t.part(4, || {
                let _ = t.tick();
            });
            t.part(6, || {
                t.part(3, || {
                    let _ = t.tick();
                    let _ = t.tick();
                });
                let _ = t.tick();
            });
            Ok(())
        })
        .unwrap();
        let last = *steps.last().unwrap();
        assert_eq!(last, Step { done: 4, total: 4 });
        assert!(steps.windows(2).all(|w| w[0].done <= w[1].done));
        assert!(steps.iter().all(|s| s.done <= s.total));
    }

    #[test]
    fn break_stops_the_work_and_is_an_error() {
        let mut calls = 0;
        let mut obs = |s: Step| {
            calls += 1;
            if s.done >= 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let mut passes = 0;
        let out = observe(1_000_000, Some(&mut obs), |t| {
            while passes < 1_000_000 && t.tick().is_continue() {
                passes += 1;
                // give the relay a chance to see the count move
                std::thread::sleep(std::time::Duration::from_micros(50));
            }
            Ok(passes)
        });
        assert!(matches!(out, Err(Error::Interrupted)));
        assert!(passes < 1_000_000);
        assert!(calls >= 1);
    }

    #[test]
    fn a_panicking_worker_does_not_hang_the_relay() {
        let mut obs = |_: Step| ControlFlow::Continue(());
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            observe(5, Some(&mut obs), |t| -> Result<()> {
                let _ = t.tick();
                panic!("boom")
            })
        }));
        assert!(r.is_err());
    }
}
