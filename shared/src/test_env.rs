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

/// `CC_TEST_AWS_CLI` as [`required`], which must be the AWS CLI v2 (scripts/test installs Debian's
/// `awscli` at /usr/bin/aws): the generated config must read back in the CLI people use.
///
/// # Panics
/// When it is set but does not run or is not v2: a wrong CLI fails the test, never skips it.
pub fn aws_cli_v2() -> Option<String> {
    let aws = required("CC_TEST_AWS_CLI")?;
    let out = std::process::Command::new(&aws)
        .arg("--version")
        .env("AWS_PAGER", "")
        .output()
        .unwrap_or_else(|e| panic!("CC_TEST_AWS_CLI={aws}: {e}"));
    let version = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        version.starts_with("aws-cli/2."),
        "CC_TEST_AWS_CLI={aws} is not the AWS CLI v2 but {:?}; scripts/test uses Debian's awscli (/usr/bin/aws)",
        version.trim()
    );
    Some(aws)
}

/// `CC_TEST_PDFTOTEXT` as [`required`]: poppler's `pdftotext` (scripts/test installs Debian's
/// `poppler-utils`, /usr/bin/pdftotext), which reads a rendered PDF back as text.
///
/// # Panics
/// When it is set but does not run: a broken tool fails the test, never skips it.
pub fn pdftotext() -> Option<String> {
    let tool = required("CC_TEST_PDFTOTEXT")?;
    let out = std::process::Command::new(&tool)
        .arg("-v")
        .output()
        .unwrap_or_else(|e| panic!("CC_TEST_PDFTOTEXT={tool}: {e}"));
    let version = String::from_utf8_lossy(&out.stderr);
    assert!(
        version.contains("pdftotext"),
        "CC_TEST_PDFTOTEXT={tool} is not poppler's pdftotext but {:?}; scripts/test uses Debian's poppler-utils",
        version.trim()
    );
    Some(tool)
}
