//! Sending a file to an import route of the API (`cc accounts import`, `cc utilisation import`):
//! a spinner while the server works, then either its answer or, for a 400, the rows it refused.
//! The imports validate a file as a whole, so a refusal means nothing was written; the rows come
//! in the error body's `errors` (`cc_domain::error::RowError`: row, field, message).

use std::path::Path;

use anyhow::Context;
use cc_domain::error::RowError;
use serde::de::DeserializeOwned;

use crate::client::Client;

/// What an import route answered.
#[derive(Debug)]
pub enum Answer<T> {
    /// 2xx: the route's answer.
    Done(T),
    /// 400 naming the rows at fault (row 0: the file as a whole); nothing was written.
    Refused { message: String, errors: Vec<RowError> },
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(serde::Deserialize)]
struct ErrorDetail {
    message: String,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    errors: Vec<RowError>,
}

/// One file for [`send`]: where it came from (for messages), its bytes and their content type.
pub struct Upload<'a> {
    pub file: &'a Path,
    pub bytes: Vec<u8>,
    pub content_type: &'a str,
    /// What the spinner says the file is ("CSV", "JSON").
    pub kind: &'a str,
}

/// POSTs `upload` to `path` with `query`. `progress`: a spinner on stderr while the server works
/// (hidden when stderr is not a terminal).
///
/// Errors: the server's other failures (401, 403, 413, 5xx) as [`Client::failure`] words them; an
/// answer that is not the expected JSON.
pub async fn send<T: DeserializeOwned>(
    client: &Client,
    path: &str,
    query: &[(&str, String)],
    upload: Upload<'_>,
    progress: bool,
) -> anyhow::Result<Answer<T>> {
    let bar = if progress {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message(format!(
        "importing {} ({} bytes of {})",
        upload.file.display(),
        upload.bytes.len(),
        upload.kind
    ));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let answer = client.post_body(path, query, upload.content_type, upload.bytes).await;
    bar.finish_and_clear();
    let (status, text) = answer?;
    if status.is_success() {
        let done = serde_json::from_str(&text).with_context(|| format!("reading the server's answer: {text}"))?;
        return Ok(Answer::Done(done));
    }
    if status == reqwest::StatusCode::BAD_REQUEST
        && let Ok(body) = serde_json::from_str::<ErrorBody>(&text)
    {
        let errors = if body.error.errors.is_empty() {
            // A problem with the file as a whole (its header, its size): one line.
            vec![RowError {
                row: 0,
                field: body.error.field,
                message: body.error.message.clone(),
            }]
        } else {
            body.error.errors
        };
        return Ok(Answer::Refused {
            message: body.error.message,
            errors,
        });
    }
    Err(client.failure(status, &text))
}

/// A refusal as a table: row, field, message (row 0 is the file as a whole).
pub fn describe_refusal(file: &Path, message: &str, errors: &[RowError]) -> String {
    let mut out = format!("{}: refused, nothing written: {message}\n", file.display());
    let rows: Vec<(String, &str, &str)> = errors
        .iter()
        .map(|e| {
            let row = if e.row == 0 {
                "file".to_string()
            } else {
                e.row.to_string()
            };
            (row, e.field.as_deref().unwrap_or("-"), e.message.as_str())
        })
        .collect();
    let w_row = rows.iter().map(|r| r.0.len()).chain([3]).max().unwrap_or(3);
    let w_field = rows.iter().map(|r| r.1.len()).chain([5]).max().unwrap_or(5);
    out.push_str(&format!("  {:<w_row$}  {:<w_field$}  message\n", "row", "field"));
    for (row, field, message) in rows {
        out.push_str(&format!("  {row:<w_row$}  {field:<w_field$}  {message}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_a_table_of_row_field_and_message() {
        let errors = vec![
            RowError {
                row: 2,
                field: Some("access.read_role_arn".into()),
                message: "not an ARN".into(),
            },
            RowError {
                row: 11,
                field: None,
                message: "the row has 3 fields; the header has 9".into(),
            },
        ];
        let text = describe_refusal(Path::new("a.csv"), "2 problem(s)", &errors);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "a.csv: refused, nothing written: 2 problem(s)");
        assert_eq!(lines[1], "  row  field                 message");
        assert_eq!(lines[2], "  2    access.read_role_arn  not an ARN");
        assert_eq!(
            lines[3],
            "  11   -                     the row has 3 fields; the header has 9"
        );
    }
}
