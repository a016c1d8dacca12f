//! Conversions at the Python edge: documents in, CSR arrays out.

use numpy::IntoPyArray;
use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyList, PyString};

use crate::features::csr::{CsrData, CsrIndex, CsrMatrix};

/// A document borrowed from Python memory: a `str`'s UTF-8 or a string in
/// an Arrow buffer. Valid while the [`Docs`] it came from lives (it is only
/// handed out by reference to that `Docs`).
#[derive(Clone, Copy)]
pub struct DocStr {
    ptr: *const u8,
    len: usize,
}

// SAFETY: the bytes are immutable for the life of the owning `Docs` (Python
// `str` objects and Arrow buffers are never written after creation).
unsafe impl Send for DocStr {}
unsafe impl Sync for DocStr {}

impl AsRef<str> for DocStr {
    fn as_ref(&self) -> &str {
        if self.len == 0 {
            return "";
        }
        // SAFETY: built only from checked UTF-8 (`PyBackedStr` or Arrow
        // strings validated in `arrow::read_strings`) kept alive by `Docs`.
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(self.ptr, self.len)) }
    }
}

/// Documents borrowed without copying, with what keeps their memory alive.
pub struct Docs {
    strs: Vec<DocStr>,
    _py: Vec<PyBackedStr>,
    _arrow: Vec<super::arrow::OwnedArray>,
}

impl std::ops::Deref for Docs {
    type Target = [DocStr];
    fn deref(&self) -> &[DocStr] {
        &self.strs
    }
}

/// Borrow every document of `docs` without copying: a list of `str`, or an
/// Arrow string array / chunked array (anything with `__arrow_c_array__` or
/// `__arrow_c_stream__`), read in place. Any non-string names its row;
/// lone surrogates (not valid Unicode, so not representable as UTF-8) are
/// reported with their position.
pub fn extract_docs(docs: &Bound<'_, PyAny>, what: &str) -> PyResult<Docs> {
    if !docs.is_instance_of::<PyList>() {
        if let Some((arrays, spans)) = super::arrow::arrow_strings(docs, what)? {
            let strs = spans
                .into_iter()
                .map(|(ptr, len)| DocStr {
                    ptr: ptr as *const u8,
                    len,
                })
                .collect();
            return Ok(Docs {
                strs,
                _py: Vec::new(),
                _arrow: arrays,
            });
        }
    }
    let py = extract_str_list(docs, what)?;
    let strs = py
        .iter()
        .map(|s| DocStr {
            ptr: s.as_ptr(),
            len: s.len(),
        })
        .collect();
    Ok(Docs {
        strs,
        _py: py,
        _arrow: Vec::new(),
    })
}

/// Borrow the UTF-8 of every `str` of a list (no Arrow input).
pub fn extract_str_list(docs: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<PyBackedStr>> {
    let list = docs.cast::<PyList>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a list of str or an Arrow string array"
        ))
    })?;
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        match item.extract::<PyBackedStr>() {
            Ok(s) => out.push(s),
            Err(_) if item.is_instance_of::<PyString>() => {
                let text: String = item.str()?.to_string_lossy().into_owned();
                let pos = text.chars().position(|c| c == '\u{FFFD}').unwrap_or(0);
                return Err(PyValueError::new_err(format!(
                    "{what}[{i}] contains a lone surrogate (near character {pos}), which is not valid \
                     Unicode; clean it first, e.g. s.encode('utf-8', 'replace').decode('utf-8')"
                )));
            }
            Err(_) => return Err(type_error(&item, i, what)),
        }
    }
    Ok(out)
}

fn type_error(item: &Bound<'_, PyAny>, i: usize, what: &str) -> PyErr {
    let tname = item
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    let hint = if item.is_none() {
        " (None: drop or fill missing values first, e.g. Series.fillna(''))".to_string()
    } else if let Ok(f) = item.extract::<f64>() {
        if f.is_nan() {
            " (NaN: a missing value; drop or fill missing values first, e.g. Series.fillna(''))"
                .into()
        } else {
            String::new()
        }
    } else if tname == "bytes" || tname == "bytearray" {
        " (decode bytes first, e.g. b.decode('utf-8'))".into()
    } else {
        String::new()
    };
    PyTypeError::new_err(format!("{what}[{i}] is {tname}, expected str{hint}"))
}

/// Hand a CSR matrix to Python as `(data, indices, indptr, (rows, cols))`
/// numpy arrays that own the Rust buffers (no copy).
pub fn csr_to_py<'py>(py: Python<'py>, m: CsrMatrix) -> PyResult<Bound<'py, PyAny>> {
    let data = match m.data {
        CsrData::F32(v) => v.into_pyarray(py).into_any(),
        CsrData::F64(v) => v.into_pyarray(py).into_any(),
    };
    let (indices, indptr) = match m.index {
        CsrIndex::I32 { indptr, indices } => (
            indices.into_pyarray(py).into_any(),
            indptr.into_pyarray(py).into_any(),
        ),
        CsrIndex::I64 { indptr, indices } => (
            indices.into_pyarray(py).into_any(),
            indptr.into_pyarray(py).into_any(),
        ),
    };
    (data, indices, indptr, (m.n_rows, m.n_cols))
        .into_pyobject(py)
        .map(|t| t.into_any())
}

/// Read an optional key of a config dict.
pub fn opt<'py, T: FromPyObjectOwned<'py>>(
    d: &Bound<'py, PyDict>,
    key: &str,
) -> PyResult<Option<T>> {
    match d.get_item(key)? {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => v.extract::<T>().map(Some).map_err(|_| {
            PyTypeError::new_err(format!(
                "invalid type for `{key}`: {}",
                v.repr().map(|r| r.to_string()).unwrap_or_default()
            ))
        }),
    }
}

/// Read a required key of a config dict.
pub fn req<'py, T: FromPyObjectOwned<'py>>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<T> {
    opt(d, key)?.ok_or_else(|| PyValueError::new_err(format!("missing config key `{key}`")))
}

/// A scipy CSR matrix handed over as `(data, indices, indptr, n_cols)` with
/// `indices` int32, `indptr` int64 and `data` float32 or float64 (the
/// Python side normalises dtypes). Borrowed read-only from numpy.
pub enum CsrArg<'py> {
    F32(
        numpy::PyReadonlyArray1<'py, f32>,
        numpy::PyReadonlyArray1<'py, i32>,
        numpy::PyReadonlyArray1<'py, i64>,
        usize,
    ),
    F64(
        numpy::PyReadonlyArray1<'py, f64>,
        numpy::PyReadonlyArray1<'py, i32>,
        numpy::PyReadonlyArray1<'py, i64>,
        usize,
    ),
}

impl<'py> CsrArg<'py> {
    pub fn extract(x: &Bound<'py, PyAny>) -> PyResult<Self> {
        let (data, indices, indptr, n_cols): (
            Bound<'py, PyAny>,
            Bound<'py, PyAny>,
            Bound<'py, PyAny>,
            usize,
        ) = x.extract().map_err(|_| {
            PyTypeError::new_err("X must be (data, indices, indptr, n_cols) CSR arrays")
        })?;
        let indices = indices
            .extract()
            .map_err(|_| PyTypeError::new_err("X.indices must be a 1-d int32 array"))?;
        let indptr = indptr
            .extract()
            .map_err(|_| PyTypeError::new_err("X.indptr must be a 1-d int64 array"))?;
        if let Ok(d) = data.extract::<numpy::PyReadonlyArray1<'py, f32>>() {
            return Ok(CsrArg::F32(d, indices, indptr, n_cols));
        }
        let d = data
            .extract::<numpy::PyReadonlyArray1<'py, f64>>()
            .map_err(|_| PyTypeError::new_err("X.data must be a 1-d float32 or float64 array"))?;
        Ok(CsrArg::F64(d, indices, indptr, n_cols))
    }
}

/// Run `$body` with `$v` bound to a validated [`crate::model::CsrView`] of
/// whichever value type `$x` holds.
macro_rules! with_csr {
    ($x:expr, $v:ident => $body:expr) => {
        match &$x {
            $crate::bindings::convert::CsrArg::F32(d, i, p, n) => {
                let $v =
                    $crate::model::CsrView::new(p.as_slice()?, i.as_slice()?, d.as_slice()?, *n);
                $body
            }
            $crate::bindings::convert::CsrArg::F64(d, i, p, n) => {
                let $v =
                    $crate::model::CsrView::new(p.as_slice()?, i.as_slice()?, d.as_slice()?, *n);
                $body
            }
        }
    };
}
pub(crate) use with_csr;
