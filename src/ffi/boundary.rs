//! The boundary machinery shared by every exported function: the panic guard, the per-thread
//! last error, argument checks, and strings allocated for C.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use zeroize::Zeroize;

use super::result::authtoken_result;
use crate::error::{Error, ErrorKind};

/// Compiles only for a `T` that is `Send + Sync`: each handle type asserts it next to its
/// definition, because the header promises that handles may be used from many threads.
pub(crate) const fn assert_send_sync<T: Send + Sync>() {}

thread_local! {
    /// The last error of this thread, set by a failed call and cleared at the start of the next.
    static LAST_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// Replaces this thread's last error. During thread teardown (the slot already destroyed) the
/// error is dropped: there is nobody left to read it.
pub(crate) fn set_last_error(error: Option<Error>) {
    let _ = LAST_ERROR.try_with(|slot| {
        // A reentrant borrow is impossible (no user code runs while it is held); if it ever
        // happened, losing the error is better than a panic.
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = error;
        }
    });
}

/// Runs `f` with this thread's last error, if any.
pub(crate) fn with_last_error<T>(f: impl FnOnce(Option<&Error>) -> T) -> T {
    let mut f = Some(f);
    let out = LAST_ERROR.try_with(|slot| match slot.try_borrow() {
        Ok(slot) => (f.take().expect("called once"))(slot.as_ref()),
        Err(_) => (f.take().expect("called once"))(None),
    });
    match out {
        Ok(v) => v,
        Err(_) => (f.take().expect("not called yet"))(None),
    }
}

/// Runs the body of a fallible exported function: clears the last error, catches a panic,
/// and turns the outcome into a result code, setting the last error on failure.
pub(crate) fn guard(f: impl FnOnce() -> Result<(), Error>) -> authtoken_result {
    set_last_error(None);
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => authtoken_result::Ok,
        Ok(Err(error)) => {
            let code = authtoken_result::from(error.kind());
            set_last_error(Some(error));
            code
        }
        Err(payload) => {
            set_last_error(Some(panic_error(payload)));
            authtoken_result::Panic
        }
    }
}

/// Runs the body of an exported function that returns a value rather than a result code.
///
/// With `clear`, the last error is cleared first and set on failure (a NULL handle, a panic);
/// `fallback` is returned then. Without `clear` (the last-error accessors) the last error is
/// left alone, except that a panic replaces it.
pub(crate) fn guard_value<T>(clear: bool, fallback: T, f: impl FnOnce() -> Result<T, Error>) -> T {
    if clear {
        set_last_error(None);
    }
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => {
            set_last_error(Some(error));
            fallback
        }
        Err(payload) => {
            set_last_error(Some(panic_error(payload)));
            fallback
        }
    }
}

/// The error reported for a caught panic. The payload is a message from the library's own
/// code, which never holds a secret.
fn panic_error(payload: Box<dyn Any + Send>) -> Error {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-text payload".to_string());
    let detail: String = detail.chars().take(300).collect();
    // Dropping the payload runs arbitrary Drop code; a panic there must not escape either.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    Error::new(
        ErrorKind::Internal,
        format!("internal error in authtoken (a bug; please report it): {detail}"),
    )
}

/// The error for a NULL pointer argument.
pub(crate) fn null_argument(name: &str) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("argument `{name}` is NULL"),
    )
}

/// Checks that an output pointer is not NULL.
pub(crate) fn check_out<T>(ptr: *mut T, name: &str) -> Result<(), Error> {
    if ptr.is_null() {
        Err(null_argument(name))
    } else {
        Ok(())
    }
}

/// Borrows a NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid and unchanged for `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(null_argument(name));
    }
    // SAFETY: not NULL, and the caller promises a NUL-terminated string valid for 'a.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "argument `{name}` is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// Like [`str_arg`], but NULL means "absent".
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded from the caller.
        unsafe { str_arg(ptr, name) }.map(Some)
    }
}

/// Borrows a byte buffer argument: NULL with length 0 is `None` (no buffer); NULL with another
/// length, or a length no buffer can have, is an error naming `name`.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that stay valid while borrowed.
pub(crate) unsafe fn bytes_arg<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<Option<&'a [u8]>, Error> {
    if ptr.is_null() {
        if len != 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("argument `{name}` is NULL but `{name}_len` is {len}"),
            ));
        }
        return Ok(None);
    }
    if len > isize::MAX as usize {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("argument `{name}_len` ({len}) is larger than any buffer can be"),
        ));
    }
    // SAFETY: not NULL, the caller promises `len` readable bytes, and the length fits in
    // isize; the slice lives no longer than the caller's promise.
    Ok(Some(unsafe { std::slice::from_raw_parts(ptr, len) }))
}

/// Borrows a handle argument.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` returned by this library and not yet freed.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Error> {
    // SAFETY: the caller promises NULL or a live handle, which stays valid while borrowed.
    unsafe { ptr.as_ref() }.ok_or_else(|| null_argument(name))
}

/// Copies `s` into a NUL-terminated string allocated with `malloc`, owned by the caller and
/// freed with `authtoken_string_free` (which wipes it first). An interior NUL (impossible in
/// the strings this library returns: tokens, headers, JSON) would end the C string early.
pub(crate) fn c_string(s: &str) -> Result<*mut c_char, Error> {
    let len = s.len();
    // SAFETY: malloc with a non-zero size; the result is checked for NULL before use.
    let ptr = unsafe { libc::malloc(len + 1) }.cast::<u8>();
    if ptr.is_null() {
        return Err(Error::new(ErrorKind::Internal, "out of memory"));
    }
    // SAFETY: `ptr` has room for len + 1 bytes and does not overlap `s`.
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), ptr, len);
        *ptr.add(len) = 0;
    }
    Ok(ptr.cast::<c_char>())
}

/// Wipes and frees a string from [`c_string`].
///
/// # Safety
/// `ptr` is NULL or came from [`c_string`] and has not been freed.
pub(crate) unsafe fn free_c_string(ptr: *mut c_char) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: a live NUL-terminated string from `c_string` (a malloc'd block at least
    // strlen + 1 bytes long), wiped in place and then given back to free.
    unsafe {
        let len = libc::strlen(ptr);
        std::slice::from_raw_parts_mut(ptr.cast::<u8>(), len).zeroize();
        libc::free(ptr.cast());
    }
}

/// Writes `value` through an output pointer already checked by [`check_out`].
///
/// # Safety
/// `out` is a valid, writable, aligned pointer to a `T` (checked non-NULL by the caller).
pub(crate) unsafe fn write_out<T>(out: *mut T, value: T) {
    // SAFETY: forwarded from the caller; `write` does not drop the (uninitialized) old value.
    unsafe { out.write(value) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_turns_a_panic_into_the_panic_code() {
        let r = guard(|| panic!("boom at the boundary"));
        assert_eq!(r, authtoken_result::Panic);
        let message = with_last_error(|e| e.map(|e| (e.kind(), e.message().to_string())));
        let (kind, message) = message.expect("a last error");
        assert_eq!(kind, ErrorKind::Internal);
        assert!(message.contains("boom at the boundary"), "{message}");
        // The next call clears it.
        assert_eq!(guard(|| Ok(())), authtoken_result::Ok);
        assert!(with_last_error(|e| e.is_none()));
    }

    #[test]
    fn guard_value_keeps_or_clears_the_last_error() {
        set_last_error(Some(Error::new(ErrorKind::Network, "down")));
        assert_eq!(guard_value(false, 0, || Ok(7)), 7);
        assert!(with_last_error(|e| e.is_some()));
        assert_eq!(guard_value(true, 0, || Ok(7)), 7);
        assert!(with_last_error(|e| e.is_none()));
        let panicked: u32 = guard_value(false, 42, || panic!("inside an accessor"));
        assert_eq!(panicked, 42);
        assert!(with_last_error(
            |e| e.is_some_and(|e| e.kind() == ErrorKind::Internal)
        ));
    }

    #[test]
    fn strings_round_trip() {
        let p = c_string("Token abc").unwrap();
        // SAFETY: `p` is a live string from c_string.
        assert_eq!(unsafe { CStr::from_ptr(p) }.to_str().unwrap(), "Token abc");
        // SAFETY: as above; freed once.
        unsafe { free_c_string(p) };
        // SAFETY: NULL is accepted.
        unsafe { free_c_string(std::ptr::null_mut()) };
    }

    #[test]
    fn bad_utf8_is_an_argument_error() {
        let bytes = b"GE\xffT\0";
        // SAFETY: a NUL-terminated byte string that outlives the call.
        let err = unsafe { str_arg(bytes.as_ptr().cast(), "method") }.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(
            err.message().contains("`method` is not valid UTF-8"),
            "{}",
            err.message()
        );
        // SAFETY: NULL is accepted.
        let err = unsafe { str_arg(std::ptr::null(), "path") }.unwrap_err();
        assert_eq!(err.message(), "argument `path` is NULL");
    }
}
