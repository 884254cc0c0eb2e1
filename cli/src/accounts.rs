//! `cc accounts import FILE [--skip-existing]`: sends a JSON or CSV file of accounts to
//! `POST /api/v1/accounts/bulk` and prints what the hub did (created, skipped) or, when it refused
//! the file, each problem by row and field.

use std::path::Path;

use anyhow::Context;
use cc_domain::error::RowError;
use cc_domain::hub::{BulkOutcome, SkipCause};

use crate::client::Client;

/// How the file is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// By extension (`.json`, `.csv`), else by content: a JSON object starts with `{`.
    pub fn of(path: &Path, bytes: &[u8]) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            _ => {
                let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                match text.iter().find(|b| !b.is_ascii_whitespace()) {
                    Some(b'{') => Format::Json,
                    _ => Format::Csv,
                }
            }
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => "text/csv",
        }
    }
}

/// What the hub answered.
#[derive(Debug)]
pub enum Imported {
    /// 201: the accounts written and those skipped.
    Done(BulkOutcome),
    /// 400 naming the rows at fault; nothing was written.
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

/// Reads `file`, or the standard input for `-`.
pub fn read_input(file: &Path) -> anyhow::Result<Vec<u8>> {
    if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).context("reading the standard input")?;
        return Ok(bytes);
    }
    std::fs::read(file).with_context(|| format!("reading {}", file.display()))
}

/// Sends `file` (`-`: the standard input, its format told by its content). `progress`: a spinner
/// on stderr while the hub works (hidden when stderr is not a terminal).
pub async fn import(client: &Client, file: &Path, skip_existing: bool, progress: bool) -> anyhow::Result<Imported> {
    let bytes = read_input(file)?;
    let format = Format::of(file, &bytes);
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
        file.display(),
        bytes.len(),
        match format {
            Format::Json => "JSON",
            Format::Csv => "CSV",
        }
    ));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let existing = if skip_existing { "skip" } else { "error" };
    let answer = client
        .post_body(
            "/api/v1/accounts/bulk",
            &[("existing", existing.to_string())],
            format.content_type(),
            bytes,
        )
        .await;
    bar.finish_and_clear();
    let (status, text) = answer?;
    if status.is_success() {
        let outcome = serde_json::from_str(&text).with_context(|| format!("reading the hub's answer: {text}"))?;
        return Ok(Imported::Done(outcome));
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
        return Ok(Imported::Refused {
            message: body.error.message,
            errors,
        });
    }
    Err(client.failure(status, &text))
}

/// The most skipped rows listed one by one (the rest are counted; `--json` has them all).
const LISTED: usize = 50;

/// The outcome as a person reads it: counts, then each skipped row that needs a look (one that
/// differs from the hub, or left out for a concurrent change), then how many matched.
pub fn describe(file: &Path, o: &BulkOutcome) -> String {
    let differ = o.skipped.iter().filter(|s| s.matches == Some(false)).count();
    let mut out = format!(
        "{}: {} created, {} skipped{} ({} transaction{})\n",
        file.display(),
        o.created,
        o.skipped.len(),
        if differ > 0 {
            format!(", {differ} of them differing from the hub")
        } else {
            String::new()
        },
        o.transactions,
        if o.transactions == 1 { "" } else { "s" }
    );
    let notable: Vec<_> = o.skipped.iter().filter(|s| s.matches != Some(true)).collect();
    for s in notable.iter().take(LISTED) {
        let what = match (s.cause, s.matches) {
            (SkipCause::InHub, Some(false)) => format!("in the hub, differs in {}", s.differs.join(", ")),
            (SkipCause::AddedMeanwhile, Some(false)) => {
                format!("added by someone else meanwhile, differs in {}", s.differs.join(", "))
            }
            _ => s.reason.clone(),
        };
        out.push_str(&format!("  skipped row {}: {}: {what}\n", s.row, s.id));
    }
    if notable.len() > LISTED {
        out.push_str(&format!(
            "  ... and {} more skipped rows that need a look (--json lists them all)\n",
            notable.len() - LISTED
        ));
    }
    let matching = o.skipped.len() - notable.len();
    if matching > 0 {
        out.push_str(&format!(
            "  {matching} skipped row{} already in the hub as in the file\n",
            if matching == 1 { " is" } else { "s are" }
        ));
    }
    if differ > 0 {
        out.push_str("  the import never changes an account the hub has: PATCH /api/v1/accounts/{id} does\n");
    }
    out
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
    use cc_domain::hub::SkippedAccount;
    use cc_domain::ids::AccountId;

    #[test]
    fn the_format_is_told_by_extension_then_content() {
        let p = |s: &str| std::path::PathBuf::from(s);
        assert_eq!(Format::of(&p("a.JSON"), b"id,customer"), Format::Json);
        assert_eq!(Format::of(&p("a.csv"), b"{}"), Format::Csv);
        assert_eq!(
            Format::of(&p("accounts"), b"\xEF\xBB\xBF \n {\"accounts\": []}"),
            Format::Json
        );
        assert_eq!(Format::of(&p("accounts.txt"), b"id,customer,name"), Format::Csv);
    }

    fn skipped(row: usize, matches: Option<bool>, differs: &[&str], cause: SkipCause) -> SkippedAccount {
        SkippedAccount {
            row,
            id: AccountId::parse(format!("{:012}", 100_000 + row)).unwrap(),
            cause,
            matches,
            differs: differs.iter().map(|s| s.to_string()).collect(),
            reason: "customer 'acme' was deleted during the import".into(),
        }
    }

    #[test]
    fn an_outcome_lists_what_differs_and_counts_what_matches() {
        let o = BulkOutcome {
            created: 2,
            ids: vec![],
            skipped: vec![
                skipped(1, Some(true), &[], SkipCause::InHub),
                skipped(2, Some(false), &["name", "access.read_role_arn"], SkipCause::InHub),
                skipped(3, None, &[], SkipCause::CustomerDeleted),
                skipped(4, Some(true), &[], SkipCause::InHub),
            ],
            transactions: 1,
        };
        let text = describe(Path::new("a.csv"), &o);
        assert!(
            text.starts_with("a.csv: 2 created, 4 skipped, 1 of them differing from the hub (1 transaction)\n"),
            "{text}"
        );
        assert!(
            text.contains("skipped row 2: 000000100002: in the hub, differs in name, access.read_role_arn"),
            "{text}"
        );
        assert!(
            text.contains("skipped row 3: 000000100003: customer 'acme' was deleted"),
            "{text}"
        );
        assert!(
            !text.contains("row 1:"),
            "matching rows are counted, not listed: {text}"
        );
        assert!(
            text.contains("2 skipped rows are already in the hub as in the file"),
            "{text}"
        );
    }

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
