//! Test-only exports, compiled into debug builds only (`debug_assertions`; never into a
//! release build). They are left out of the generated header: tests declare them themselves.

use super::boundary::{guard, guard_value};
use super::result::authtoken_result;

/// Panics inside the boundary: returns `AUTHTOKEN_RESULT_PANIC`, with the last error of kind
/// `internal`. Proves that no panic crosses into C.
#[no_mangle]
pub extern "C" fn authtoken_testing_panic() -> authtoken_result {
    guard(|| panic!("authtoken_testing_panic was called"))
}

/// Panics inside a function that returns a value rather than a result code: returns -1, with
/// the last error of kind `internal`.
#[no_mangle]
pub extern "C" fn authtoken_testing_panic_value() -> i64 {
    guard_value(true, -1, || {
        panic!("authtoken_testing_panic_value was called")
    })
}
