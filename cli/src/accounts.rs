//! `cc accounts import FILE [--skip-existing]`: sends a JSON or CSV file of accounts to
//! `POST /api/v1/accounts/bulk` and prints what the hub did (created, skipped) or, when it refused
//! the file, each problem by row and field.

use std::path::Path;

use anyhow::Context;
use cc_domain::hub::{BulkOutcome, SkipCause};

use crate::client::Client;
use crate::upload::{Answer, Upload};

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

/// What the hub answered: 201 with the accounts written and those skipped, or a 400 naming the
/// rows at fault (nothing was written).
pub type Imported = Answer<BulkOutcome>;

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
    let existing = if skip_existing { "skip" } else { "error" };
    let upload = Upload {
        file,
        bytes,
        content_type: format.content_type(),
        kind: match format {
            Format::Json => "JSON",
            Format::Csv => "CSV",
        },
    };
    crate::upload::send(
        client,
        "/api/v1/accounts/bulk",
        &[("existing", existing.to_string())],
        upload,
        progress,
    )
    .await
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
}
