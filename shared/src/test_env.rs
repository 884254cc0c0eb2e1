//! What the test command (`scripts/test`) hands the tests: an emulator URL, the test virtualenv's
//! Python, the AWS CLI. Run by hand without them, tests that need one skip; under the test command
//! (`CC_REQUIRE_MOTO=1`) a missing one is a failure, so CI can't pass by skipping.

/// The value of `var`, or `None` (after saying so) when it is unset or empty.
///
/// # Panics
/// When `CC_REQUIRE_MOTO=1` and `var` is unset: the test command promised it.
pub fn required(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            assert!(
                std::env::var("CC_REQUIRE_MOTO").as_deref() != Ok("1"),
                "CC_REQUIRE_MOTO=1 but {var} is not set (scripts/test sets it)"
            );
            eprintln!("skipping: {var} is not set (scripts/test sets it)");
            None
        }
    }
}
