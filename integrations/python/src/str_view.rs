//! The UTF-8 of a `str` without a copy, where the running Python gives it.
//!
//! The limited API offers a `str`'s UTF-8 in place (`PyUnicode_AsUTF8AndSize`) only from Python 3.10; built
//! for 3.9 (abi3), pyo3 copies it on every version. The function has been part of CPython's full API since 3.3,
//! so the module declares it here and calls it when the interpreter is 3.10 or later, where the limited API
//! promises it; on 3.9 the caller copies. This is the crate's only `unsafe`: for a 1.5 MB TOML text given as
//! `str`, it took the peak memory of `dfmt.loads` from 1.9× to 1.2× `tomllib`'s (docs/benchmarks.md). Miri cannot
//! run code that calls into CPython; the Python tests read `str` inputs of every kind (ASCII, non-ASCII, lone
//! surrogates, empty, Hypothesis' text) through it.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::os::raw::c_char;
use std::sync::OnceLock;

#[allow(unsafe_code)]
unsafe extern "C" {
    // In the stable ABI from Python 3.10 (and in CPython's full API since 3.3).
    fn PyUnicode_AsUTF8AndSize(unicode: *mut ffi::PyObject, size: *mut ffi::Py_ssize_t) -> *const c_char;
}

/// True when the running interpreter is 3.10 or later.
fn available(py: Python<'_>) -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| py.version_info() >= (3, 10))
}

/// `text`'s UTF-8, borrowed from the object (for as long as the caller holds it), or `None` where the running
/// Python cannot lend it (3.9: copy it instead). A `str` holding a lone surrogate has no UTF-8: `UnicodeEncodeError`.
#[allow(unsafe_code)]
pub(crate) fn utf8<'a>(text: &'a Bound<'_, PyString>) -> PyResult<Option<&'a [u8]>> {
    if !available(text.py()) {
        return Ok(None);
    }
    let mut size: ffi::Py_ssize_t = 0;
    // SAFETY: `text` is a live `str` (the `Bound` holds a reference) and this thread holds the GIL, as the
    // function requires; `size` is a valid place for the length.
    let data = unsafe { PyUnicode_AsUTF8AndSize(text.as_ptr(), &mut size) };
    if data.is_null() {
        return Err(PyErr::fetch(text.py()));
    }
    let len = usize::try_from(size).map_err(|_| pyo3::exceptions::PySystemError::new_err("negative size"))?;
    // SAFETY: on success the function returns `size` bytes of UTF-8 that the `str` object owns (its own data for
    // an ASCII string, else a copy it caches) and keeps unchanged until it is freed: a `str` is immutable, and
    // the object outlives the borrow `'a` of the `Bound` that holds it.
    Ok(Some(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }))
}
