//! Logs: JSON in Lambda (CloudWatch parses it), readable text locally. `RUST_LOG` sets the level
//! (`error`, `warn`, `info`, `debug`, `trace`; default `info`). A plain level rather than
//! tracing's directive syntax keeps the regex engine out of every Lambda binary. Release builds
//! compile `debug` and `trace` events out (the workspace Cargo.toml's `tracing` features: package
//! size, issue #16), so in Lambda the lowest level that logs more is `info`.

use tracing_subscriber::filter::LevelFilter;

/// The level `RUST_LOG` names (its last comma-separated part, so `info` and `warn,info` both work).
pub fn level(var: Option<&str>) -> LevelFilter {
    var.and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(LevelFilter::INFO)
}

pub fn init() {
    let max = level(std::env::var("RUST_LOG").ok().as_deref());
    let in_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let builder = tracing_subscriber::fmt().with_max_level(max);
    let _ = if in_lambda {
        builder.json().with_current_span(true).without_time().try_init()
    } else {
        builder.compact().try_init()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_levels() {
        assert_eq!(level(None), LevelFilter::INFO);
        assert_eq!(level(Some("debug")), LevelFilter::DEBUG);
        assert_eq!(level(Some("warn,info")), LevelFilter::INFO);
        assert_eq!(level(Some("nonsense")), LevelFilter::INFO);
    }
}
