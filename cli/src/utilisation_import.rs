//! `cc utilisation import contracts|worklogs FILE`: sends a CSV file to
//! `POST /api/v1/utilisation/imports/{contracts,worklogs}` (admin) and prints what was written or,
//! when the file was refused, each problem by row and column. The columns are in the README
//! ("Utilisation") and `cc_domain::utilisation::import`.

use std::path::Path;

use cc_domain::utilisation::service::ImportOutcome;

use crate::client::Client;
use crate::upload::{Answer, Upload};

/// Which CSV the file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    /// Contracts: contract, customer, start, end, entitled_hours [, name, monthly_allocation, status].
    Contracts,
    /// Timesheet hours: date, person, task_code, hours [, note, id].
    Worklogs,
}

impl ImportKind {
    fn route(self) -> &'static str {
        match self {
            ImportKind::Contracts => "/api/v1/utilisation/imports/contracts",
            ImportKind::Worklogs => "/api/v1/utilisation/imports/worklogs",
        }
    }
}

/// Sends `file` (`-`: the standard input) as `kind`. `progress`: a spinner on stderr while the
/// server works.
pub async fn import(
    client: &Client,
    kind: ImportKind,
    file: &Path,
    progress: bool,
) -> anyhow::Result<Answer<ImportOutcome>> {
    let bytes = crate::accounts::read_input(file)?;
    let upload = Upload {
        file,
        bytes,
        content_type: "text/csv",
        kind: "CSV",
    };
    crate::upload::send(client, kind.route(), &[], upload, progress).await
}

/// The outcome as a person reads it.
pub fn describe(file: &Path, o: &ImportOutcome) -> String {
    let rows = crate::plural(o.rows, "row");
    match (&o.contracts, o.worklogs) {
        (Some(c), _) => format!(
            "{}: {rows} read; contracts: {} created, {} updated, {} unchanged; {} recorded\n",
            file.display(),
            c.created,
            c.updated,
            c.unchanged,
            crate::plural(c.changes, "entitlement change"),
        ),
        (None, Some(w)) => format!(
            "{}: {rows} read; {} written, {} of earlier imports replaced\n",
            file.display(),
            crate::plural(w, "worklog"),
            o.worklogs_removed.unwrap_or(0),
        ),
        (None, None) => format!("{}: {rows} read\n", file.display()),
    }
}

#[cfg(test)]
mod tests {
    use cc_domain::utilisation::store::ContractsWritten;

    use super::*;

    #[test]
    fn utilisation_import_outcomes_read_as_sentences() {
        let f = Path::new("c.csv");
        let contracts = ImportOutcome {
            rows: 3,
            contracts: Some(ContractsWritten {
                created: 2,
                updated: 1,
                unchanged: 0,
                changes: 1,
            }),
            worklogs: None,
            worklogs_removed: None,
        };
        assert_eq!(
            describe(f, &contracts),
            "c.csv: 3 rows read; contracts: 2 created, 1 updated, 0 unchanged; 1 entitlement change recorded\n"
        );
        let worklogs = ImportOutcome {
            rows: 1,
            contracts: None,
            worklogs: Some(1),
            worklogs_removed: Some(2),
        };
        assert_eq!(
            describe(f, &worklogs),
            "c.csv: 1 row read; 1 worklog written, 2 of earlier imports replaced\n"
        );
    }
}
