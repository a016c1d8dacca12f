//! Python callbacks as the core's progress hooks.
//!
//! The core calls a fit's hook on the calling thread (never from a worker),
//! so it can take the GIL, and Ctrl-C — which Python delivers to the main
//! thread's callbacks — arrives as a `KeyboardInterrupt` from it. The hook
//! keeps the first exception, tells the core to stop, and the binding
//! raises that exception once the fit has returned.

use std::ops::ControlFlow;

use pyo3::call::PyCallArgs;
use pyo3::prelude::*;

/// The first exception a progress callback raised during a fit.
#[derive(Default)]
pub struct Raised(Option<PyErr>);

impl Raised {
    /// Call `cb(*args)` with the GIL: `Continue`, or `Break` after keeping
    /// the exception it raised.
    pub fn call<A>(&mut self, cb: &Py<PyAny>, args: A) -> ControlFlow<()>
    where
        A: for<'py> PyCallArgs<'py>,
    {
        Python::attach(|py| match cb.call1(py, args) {
            Ok(_) => ControlFlow::Continue(()),
            Err(e) => {
                self.0.get_or_insert(e);
                ControlFlow::Break(())
            }
        })
    }

    /// The callback's exception if it raised one (the fit then stopped
    /// early), else the fit's own result.
    pub fn or<T>(self, result: PyResult<T>) -> PyResult<T> {
        match self.0 {
            Some(e) => Err(e),
            None => result,
        }
    }
}
