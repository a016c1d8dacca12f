//! Zero-copy string input through the Arrow PyCapsule interface.
//!
//! Objects with `__arrow_c_array__` (a pyarrow `Array`, an Arrow-backed
//! pandas array) or `__arrow_c_stream__` (a `ChunkedArray`, a table column
//! reader) hand over Arrow C Data Interface structs. Their UTF-8 buffers are
//! read in place: no Python `str` is created per document. The structs are
//! moved out of their capsules (the interface allows it: the source is then
//! marked released) so that no Python code can free them while Rust reads
//! them without the GIL; each is released when the documents are dropped.
//!
//! Supported: `string` (`u`), `large_string` (`U`) and `string_view`
//! (`vu`). Every string is checked to be valid UTF-8 (the C interface
//! does not guarantee it); a null names its row.

use std::ffi::{c_char, c_int, c_void, CStr};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyTuple};

#[repr(C)]
struct ArrowSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut ArrowSchema,
    dictionary: *mut ArrowSchema,
    release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    private_data: *mut c_void,
}

#[repr(C)]
struct ArrowArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut ArrowArray,
    dictionary: *mut ArrowArray,
    release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    private_data: *mut c_void,
}

#[repr(C)]
struct ArrowArrayStream {
    get_schema: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowSchema) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowArray) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut ArrowArrayStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut ArrowArrayStream)>,
    private_data: *mut c_void,
}

fn empty_schema() -> ArrowSchema {
    ArrowSchema {
        format: std::ptr::null(),
        name: std::ptr::null(),
        metadata: std::ptr::null(),
        flags: 0,
        n_children: 0,
        children: std::ptr::null_mut(),
        dictionary: std::ptr::null_mut(),
        release: None,
        private_data: std::ptr::null_mut(),
    }
}

fn empty_array() -> ArrowArray {
    ArrowArray {
        length: 0,
        null_count: 0,
        offset: 0,
        n_buffers: 0,
        n_children: 0,
        buffers: std::ptr::null_mut(),
        children: std::ptr::null_mut(),
        dictionary: std::ptr::null_mut(),
        release: None,
        private_data: std::ptr::null_mut(),
    }
}

/// Arrays read and the `(ptr, len)` of every string in them.
pub type Strings = (Vec<OwnedArray>, Vec<(usize, usize)>);

/// An Arrow array this side owns (moved out of its producer); released on
/// drop.
pub struct OwnedArray(Box<ArrowArray>);

impl Drop for OwnedArray {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: the struct is live (release not yet called) and ours.
            unsafe { release(&mut *self.0) };
        }
    }
}

// SAFETY: the Arrow C Data Interface lets any thread read and release an
// array; the producer's buffers are immutable while it is live.
unsafe impl Send for OwnedArray {}
unsafe impl Sync for OwnedArray {}

struct SchemaGuard(ArrowSchema);

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: a live schema we received from `get_schema`.
            unsafe { release(&mut self.0) };
        }
    }
}

/// The string layout of an Arrow type format string.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Layout {
    Utf8,
    LargeUtf8,
    View,
}

fn layout(format: &str, what: &str) -> PyResult<Layout> {
    match format {
        "u" => Ok(Layout::Utf8),
        "U" => Ok(Layout::LargeUtf8),
        "vu" => Ok(Layout::View),
        other => Err(PyTypeError::new_err(format!(
            "{what} is an Arrow array of type {}, expected strings (string, large_string or \
             string_view); cast it first, e.g. arr.cast(pyarrow.string())",
            describe_format(other)
        ))),
    }
}

fn describe_format(f: &str) -> String {
    let name = match f {
        "z" | "Z" | "vz" => "binary",
        "n" => "null",
        "b" => "bool",
        "c" | "C" | "s" | "S" | "i" | "I" | "l" | "L" => "integer",
        "e" | "f" | "g" => "float",
        _ if f.starts_with("+") => "nested (list/struct)",
        _ => "",
    };
    if name.is_empty() {
        format!("{f:?}")
    } else {
        format!("{name} ({f:?})")
    }
}

fn schema_format(schema: &ArrowSchema, what: &str) -> PyResult<Layout> {
    if schema.format.is_null() {
        return Err(PyValueError::new_err(format!(
            "{what}: Arrow schema without a format"
        )));
    }
    // SAFETY: a live schema's format is a NUL-terminated string.
    let fmt = unsafe { CStr::from_ptr(schema.format) }.to_string_lossy();
    if !schema.dictionary.is_null() {
        return Err(PyTypeError::new_err(format!(
            "{what} is a dictionary-encoded Arrow array (e.g. a pandas categorical); decode it \
             first, e.g. arr.dictionary_decode() or Series.astype(str)"
        )));
    }
    layout(&fmt, what)
}

/// Pointers to the UTF-8 of every string of an array, appended to `out`
/// (`(ptr, len)`; valid while the array lives). `row0` is the index of the
/// array's first row in the whole input, for messages.
fn read_strings(
    arr: &ArrowArray,
    layout: Layout,
    what: &str,
    row0: usize,
    out: &mut Vec<(usize, usize)>,
) -> PyResult<()> {
    let bad = |msg: &str| PyValueError::new_err(format!("{what}: malformed Arrow array ({msg})"));
    let (n, off) = (arr.length, arr.offset);
    if n < 0 || off < 0 {
        return Err(bad("negative length or offset"));
    }
    let (n, off) = (n as usize, off as usize);
    // utf8: validity, offsets, data; view: validity, views, data buffers...,
    // variadic sizes
    if arr.n_buffers < 3 || arr.buffers.is_null() {
        return Err(bad("too few buffers"));
    }
    // SAFETY: `buffers` has `n_buffers` entries (checked above).
    let bufs = unsafe { std::slice::from_raw_parts(arr.buffers, arr.n_buffers as usize) };
    let validity = bufs[0] as *const u8;
    let is_null = |i: usize| -> bool {
        if arr.null_count == 0 || validity.is_null() {
            return false;
        }
        let bit = off + i;
        // SAFETY: the validity bitmap covers offset + length bits.
        unsafe { (*validity.add(bit / 8) >> (bit % 8)) & 1 == 0 }
    };
    out.reserve(n);
    let mut push = |i: usize, ptr: *const u8, len: usize| -> PyResult<()> {
        if is_null(i) {
            return Err(PyTypeError::new_err(format!(
                "{what}[{}] is null, expected str (a missing value: drop or fill missing values \
                 first, e.g. pyarrow.compute.fill_null(arr, ''))",
                row0 + i
            )));
        }
        let bytes: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: offsets/views point inside the producer's data buffers.
            unsafe { std::slice::from_raw_parts(ptr, len) }
        };
        // SIMD validation: std's is several times slower on Arabic text,
        // and this runs once per string while the GIL is held
        if simdutf8::basic::from_utf8(bytes).is_err() {
            return Err(PyValueError::new_err(format!(
                "{what}[{}] is not valid UTF-8",
                row0 + i
            )));
        }
        out.push((bytes.as_ptr() as usize, len));
        Ok(())
    };
    match layout {
        Layout::Utf8 | Layout::LargeUtf8 => {
            let (offsets, data) = (bufs[1], bufs[2] as *const u8);
            if n > 0 && (offsets.is_null() || data.is_null()) {
                return Err(bad("null offsets or data buffer"));
            }
            let at = |k: usize| -> i64 {
                // SAFETY: the offsets buffer has offset + length + 1 entries.
                unsafe {
                    if layout == Layout::Utf8 {
                        i64::from(*(offsets as *const i32).add(k))
                    } else {
                        *(offsets as *const i64).add(k)
                    }
                }
            };
            for i in 0..n {
                let (s, e) = (at(off + i), at(off + i + 1));
                if s < 0 || e < s {
                    return Err(bad("decreasing offsets"));
                }
                // SAFETY: offsets index into the data buffer.
                push(i, unsafe { data.add(s as usize) }, (e - s) as usize)?;
            }
        }
        Layout::View => {
            let views = bufs[1] as *const u8;
            if n > 0 && views.is_null() {
                return Err(bad("null views buffer"));
            }
            // buffers: validity, views, data buffers..., variadic sizes
            let n_data = (arr.n_buffers as usize).saturating_sub(3);
            for i in 0..n {
                // SAFETY: 16 bytes per view, offset + length views.
                let v = unsafe { std::slice::from_raw_parts(views.add((off + i) * 16), 16) };
                let len = i32::from_le_bytes([v[0], v[1], v[2], v[3]]);
                if len < 0 {
                    return Err(bad("negative view length"));
                }
                let len = len as usize;
                if len <= 12 {
                    push(i, v[4..].as_ptr(), len)?;
                } else {
                    let b = i32::from_le_bytes([v[8], v[9], v[10], v[11]]);
                    let o = i32::from_le_bytes([v[12], v[13], v[14], v[15]]);
                    if b < 0 || o < 0 || b as usize >= n_data {
                        return Err(bad("view points outside the data buffers"));
                    }
                    let data = bufs[2 + b as usize] as *const u8;
                    // SAFETY: the view's buffer index and offset are checked
                    // against the buffer count; the producer sizes buffers.
                    push(i, unsafe { data.add(o as usize) }, len)?;
                }
            }
        }
    }
    Ok(())
}

/// Move the array out of its producer's struct (which is marked released).
fn take_array(src: *mut ArrowArray) -> OwnedArray {
    // SAFETY: `src` points to a live ArrowArray; a bitwise move is allowed
    // by the C Data Interface as long as the source is marked released.
    unsafe {
        let owned = Box::new(std::ptr::read(src));
        (*src).release = None;
        OwnedArray(owned)
    }
}

/// Strings of an object that speaks the Arrow PyCapsule interface, or
/// `None` when it does not. Returns the owned arrays (keep them alive while
/// the pointers are used) and `(ptr, len)` of every string.
pub fn arrow_strings(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Option<Strings>> {
    if obj.hasattr("__arrow_c_stream__")? {
        let cap = obj.call_method0("__arrow_c_stream__")?;
        let cap = cap.cast::<PyCapsule>().map_err(|_| {
            PyTypeError::new_err(format!(
                "{what}.__arrow_c_stream__() did not return a capsule"
            ))
        })?;
        let ptr = cap.pointer_checked(Some(c"arrow_array_stream"))?;
        let src = ptr.as_ptr() as *mut ArrowArrayStream;
        // SAFETY: the capsule holds a live stream; move it out and mark the
        // source released so the capsule's destructor leaves it alone.
        let mut stream = unsafe {
            let s = std::ptr::read(src);
            (*src).release = None;
            s
        };
        let result = read_stream(&mut stream, what);
        if let Some(release) = stream.release {
            // SAFETY: the stream is ours and live.
            unsafe { release(&mut stream) };
        }
        return result.map(Some);
    }
    if obj.hasattr("__arrow_c_array__")? {
        let pair = obj.call_method0("__arrow_c_array__")?;
        let pair = pair.cast::<PyTuple>().map_err(|_| {
            PyTypeError::new_err(format!("{what}.__arrow_c_array__() did not return a tuple"))
        })?;
        let schema_cap = pair.get_item(0)?;
        let array_cap = pair.get_item(1)?;
        let schema_cap = schema_cap
            .cast::<PyCapsule>()
            .map_err(|_| PyTypeError::new_err(format!("{what}: bad Arrow schema capsule")))?;
        let array_cap = array_cap
            .cast::<PyCapsule>()
            .map_err(|_| PyTypeError::new_err(format!("{what}: bad Arrow array capsule")))?;
        let schema = schema_cap.pointer_checked(Some(c"arrow_schema"))?;
        // SAFETY: a live schema owned by its capsule, read while we hold it.
        let layout = schema_format(unsafe { &*(schema.as_ptr() as *const ArrowSchema) }, what)?;
        let array = array_cap.pointer_checked(Some(c"arrow_array"))?;
        let owned = take_array(array.as_ptr() as *mut ArrowArray);
        let mut spans = Vec::new();
        read_strings(&owned.0, layout, what, 0, &mut spans)?;
        return Ok(Some((vec![owned], spans)));
    }
    Ok(None)
}

fn read_stream(stream: &mut ArrowArrayStream, what: &str) -> PyResult<Strings> {
    let err = |stream: &mut ArrowArrayStream, code: c_int| -> PyErr {
        let msg = stream
            .get_last_error
            // SAFETY: get_last_error returns null or a NUL-terminated string.
            .map(|f| unsafe { f(stream) })
            .filter(|p| !p.is_null())
            .map(|p| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("error code {code}"));
        PyValueError::new_err(format!("{what}: reading the Arrow stream failed: {msg}"))
    };
    let (Some(get_schema), Some(get_next)) = (stream.get_schema, stream.get_next) else {
        return Err(PyValueError::new_err(format!(
            "{what}: Arrow stream without callbacks"
        )));
    };
    let mut schema = SchemaGuard(empty_schema());
    // SAFETY: a live stream; `schema` receives a schema we then own.
    let code = unsafe { get_schema(stream, &mut schema.0) };
    if code != 0 {
        return Err(err(stream, code));
    }
    let layout = schema_format(&schema.0, what)?;
    let (mut arrays, mut spans) = (Vec::new(), Vec::new());
    loop {
        let mut next = empty_array();
        // SAFETY: a live stream; `next` receives an array we then own.
        let code = unsafe { get_next(stream, &mut next) };
        if code != 0 {
            return Err(err(stream, code));
        }
        if next.release.is_none() {
            break; // end of stream
        }
        let owned = take_array(&mut next);
        read_strings(&owned.0, layout, what, spans.len(), &mut spans)?;
        arrays.push(owned);
    }
    Ok((arrays, spans))
}
