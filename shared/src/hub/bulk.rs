//! Bulk account import: up to [`MAX_BULK_ACCOUNTS`] accounts in one call, read from JSON
//! (`{"accounts": [NewAccount, ...]}`) or CSV ([`BulkInput::from_csv`]). Account ids are read by
//! the file rule every file import shares ([`AccountId::from_file`]: leading zeros a spreadsheet
//! dropped are put back), in CSV and JSON alike.
//!
//! **Validated as a whole, then written.** Every row is checked first by the rules of a single
//! create ([`Account::validate`], the role names the broker may assume, one SSO region per start
//! URL) plus what only a batch can break: an id or alias twice in the input, an id or alias the hub
//! already has, a customer that does not exist, more than [`MAX_BULK_ACCOUNTS_PER_CUSTOMER`]
//! accounts of one customer to write. Any problem is one [`Error::Rows`] naming each row (1-based)
//! and field, and nothing is written.
//!
//! **Re-running an import.** With [`Existing::Skip`] (`?existing=skip`) a row whose account id
//! the hub already has is not an error: it is checked like any other row, not written, and listed
//! in [`BulkOutcome::skipped`] with whether the stored account matches the row and, if not, which
//! fields differ ([`differing_fields`]), so a re-run after a time-out finishes the job and says
//! whether it would have changed anything. An alias held by a *different* account stays an error.
//!
//! **Written in transactions of at most 100 writes** (DynamoDB's limit), each keeping the
//! invariants of a single create: per account its item (a conditional create, so an account
//! created meanwhile by `POST /api/v1/accounts` is never overwritten or doubled), its
//! `account_created` audit event and its alias marker (conditional too); per customer in the
//! batch its `account_count` (conditional on the version read). About 49 accounts go in one
//! transaction (33 with aliases). The hub revision marker, which tells cached snapshots to reload,
//! is written just before and just after each transaction, outside it (see below).
//!
//! **Latency budget.** API Gateway cuts a request at 29 s, and the function's own timeout is 29 s
//! too (so an import cut there stops part-way). 10,000 accounts are about 205 transactions without
//! aliases (10,000 / 49) and 304 with an alias each (10,000 / 33). On DynamoDB a 100-item
//! `TransactWriteItems` takes about 100-300 ms; with a consistent read of the customer and two
//! revision writes (about 10 ms each) a transaction costs 130-330 ms. Written one after another:
//!
//! | transactions | at 130 ms | at 200 ms | at 330 ms |
//! |---|---|---|---|
//! | 205 (no aliases) | 27 s | 41 s | 68 s |
//! | 304 (all aliases) | 40 s | 61 s | 100 s |
//!
//! plus the hub snapshot load and validation (about 1 s on a hub of 20,000 accounts). Serial
//! writing does not fit. Two things make it fit:
//!
//! - **Customers are written concurrently, each customer's batches in order.** A customer's
//!   batches share its versioned `account_count`, so they stay sequential (concurrent ones would
//!   only lose version races and retry); batches of different customers share no item. So the
//!   customers are dealt into [`BULK_LANES`] (8) lanes of about equal writes (the biggest customer
//!   first, each into the lightest lane), each lane is packed into full transactions as before
//!   and written in order, and the lanes run at once. The revision marker
//!   is one item: in every transaction it would make DynamoDB cancel concurrent transactions with
//!   `TransactionConflict` and serialise them again, so it is written outside them, before (a
//!   snapshot loaded while the transaction runs is not cached, being younger than the store's
//!   index settle time, even if the function stops before the write after) and after (a snapshot
//!   loaded after the commit is reloaded once). 10,000 accounts of many customers over 8 lanes:
//!   205 / 8 ≈ 26 transactions a lane, 8.6 s at 330 ms (304 / 8 = 38: 12.5 s). A lane is never
//!   shorter than its biggest customer, hence the next point.
//! - **At most [`MAX_BULK_ACCOUNTS_PER_CUSTOMER`] (2,000) accounts of one customer are written by
//!   one import**, as one lane is serial: 2,000 accounts are 41 transactions (61 with aliases),
//!   13.5 s (20 s) at 330 ms, leaving room for the snapshot, validation and retries. Rows skipped
//!   as already in the hub do not count, so a bigger customer is imported in parts (or the same
//!   file re-run with `?existing=skip`). The slowest import is then one lane of 2,000 accounts
//!   with aliases next to seven lanes sharing the other 8,000: max(61, 243 / 7 = 35) transactions,
//!   about 20 s at 330 ms, 12 s at 200 ms.
//!
//! Checked on the embedded store with every multi-write transaction held 300 ms
//! (`adapters/tests/hub_bulk.rs`, `ten_thousand_accounts_fit_in_29_seconds_at_300_ms_a_transaction`,
//! run with `--ignored`): that worst case, 10,000 accounts in 249 transactions, took 19.8 s
//! (74.7 s serial) on the 2-core dev machine, debug build, load average 5, never two transactions
//! of one customer at once.
//!
//! Throughput on real DynamoDB: 8 lanes write about 8 × 49 accounts every 130-330 ms, 1,200-3,000
//! accounts a second, each with an audit event; the audit events of one import share the `ACTOR#`
//! and `AUDIT#<month>` index partitions, which take about 1,000 writes a second each, so a large
//! import on a cold on-demand table may be throttled (the SDK retries). Measure on a real table
//! before relying on the upper figures; the emulators (moto, SQLite) do not model these limits.
//!
//! The import as a whole is not one transaction. An account someone else adds between validation
//! and writing (same id or alias), or whose customer is deleted meanwhile, is left out and listed
//! in [`BulkOutcome::skipped`]; a lost race on a customer's version is retried. A store failure
//! part-way lets the transactions already under way finish, starts no more, and leaves the
//! batches written so far, each complete with its audit events and counts; re-run the same input
//! with [`Existing::Skip`] to finish it.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::service::*;
use super::*;
use crate::error::{MAX_ATTEMPTS, RowError};
use crate::identity::{Principal, Role};
use crate::keys;
use crate::store::{StoreError, Write, encode};

/// The most accounts one import takes.
pub const MAX_BULK_ACCOUNTS: usize = 10_000;

/// The most accounts of one customer one import writes: a customer's transactions run in order,
/// and this many fit in API Gateway's 29 s (see the module documentation).
pub const MAX_BULK_ACCOUNTS_PER_CUSTOMER: usize = 2_000;

/// How many lanes (groups of customers, each written in order) an import writes at once.
pub const BULK_LANES: usize = 8;

/// What an import does with a row whose account id the hub already has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Existing {
    /// Refuse the import: a 400 naming each such row, nothing written.
    #[default]
    Error,
    /// Leave such rows out: not written, listed in `skipped` with whether the stored account
    /// matches the row (for re-running an import that stopped part-way).
    Skip,
}

/// Why a valid row was not written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipCause {
    /// The hub had the account when the import was checked (`existing=skip`).
    InHub,
    /// Someone else created the account between the check and the write.
    AddedMeanwhile,
    /// Someone else gave the row's alias to another account between the check and the write.
    AliasTaken,
    /// The account's customer was deleted between the check and the write.
    CustomerDeleted,
}

pub use crate::store::MAX_TRANSACTION_WRITES;

/// The JSON body of `POST /api/v1/accounts/bulk` (the schema; [`BulkInput::from_json`] reads it
/// row by row so that every bad row is reported, not only the first).
#[derive(Clone, Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkAccounts {
    /// 1-10,000 accounts, each as `POST /api/v1/accounts` takes it.
    pub accounts: Vec<NewAccount>,
}

/// The rows of an import as read: each a new account, or what was wrong with it.
#[derive(Debug)]
pub struct BulkInput {
    rows: Vec<std::result::Result<NewAccount, RowError>>,
}

/// An account of the input that was valid but not written: the hub had it already
/// (`existing=skip`), or someone else added the same id or alias, or deleted its customer, while
/// the import ran.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct SkippedAccount {
    /// 1-based row of the input.
    pub row: usize,
    #[schema(value_type = String)]
    pub id: AccountId,
    pub cause: SkipCause,
    /// With an account stored under this id (`in_hub`, `added_meanwhile`): whether it is the one
    /// the row describes (every field but the timestamps and version equal). Null otherwise.
    #[serde(default)]
    pub matches: Option<bool>,
    /// The fields whose stored value differs from the row's (`name`, `access.read_role_arn`):
    /// what the row would have changed. Empty when it matches or there is nothing to compare.
    pub differs: Vec<String>,
    /// The same in a sentence.
    pub reason: String,
}

impl SkippedAccount {
    /// A row left out because `stored` already has its id (`cause` says since when).
    pub fn compared(row: usize, account: &Account, stored: &Account, cause: SkipCause) -> SkippedAccount {
        let differs = differing_fields(stored, account);
        let when = match cause {
            SkipCause::AddedMeanwhile => "was added by someone else during the import",
            _ => "is already in the hub",
        };
        let reason = if differs.is_empty() {
            format!("account {} {when}, as in this row", account.id)
        } else {
            format!(
                "account {} {when} and differs from this row in {}; the import does not change it (PATCH /api/v1/accounts/{} does)",
                account.id,
                differs.join(", "),
                account.id
            )
        };
        SkippedAccount {
            row,
            id: account.id.clone(),
            cause,
            matches: Some(differs.is_empty()),
            differs,
            reason,
        }
    }

    fn because(row: usize, account: &Account, cause: SkipCause, reason: String) -> SkippedAccount {
        SkippedAccount {
            row,
            id: account.id.clone(),
            cause,
            matches: None,
            differs: Vec::new(),
            reason,
        }
    }
}

/// The fields in which `stored` and `row` differ, as dotted paths (`name`,
/// `access.permission_sets`, `access.identity_center.instance_arn`), sorted; the id, timestamps
/// and version are not compared, and an absent field equals a null one.
pub fn differing_fields(stored: &Account, row: &Account) -> Vec<String> {
    fn walk(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
        use serde_json::Value;
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for k in keys {
                    if path.is_empty() && matches!(k.as_str(), "id" | "created_at" | "updated_at" | "version") {
                        continue;
                    }
                    let sub = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(
                        &sub,
                        a.get(k).unwrap_or(&Value::Null),
                        b.get(k).unwrap_or(&Value::Null),
                        out,
                    );
                }
            }
            (a, b) if a != b => out.push(path.to_string()),
            _ => {}
        }
    }
    let (Ok(a), Ok(b)) = (serde_json::to_value(stored), serde_json::to_value(row)) else {
        return vec!["account".into()];
    };
    let mut out = Vec::new();
    walk("", &a, &b, &mut out);
    out
}

/// What an import wrote (`201` of `POST /api/v1/accounts/bulk`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct BulkOutcome {
    /// Accounts created.
    pub created: usize,
    /// Their ids, in input order.
    #[schema(value_type = Vec<String>)]
    pub ids: Vec<AccountId>,
    /// Valid accounts not written, by row: already in the hub (`existing=skip`) or left out
    /// because of a concurrent change (see [`SkippedAccount`]).
    pub skipped: Vec<SkippedAccount>,
    /// Store transactions used (each at most 100 writes).
    pub transactions: usize,
}

impl BulkInput {
    /// Accounts already deserialised (e.g. built by another use case). 400 on `accounts` for an
    /// empty list or more than [`MAX_BULK_ACCOUNTS`].
    pub fn from_accounts(accounts: Vec<NewAccount>) -> Result<BulkInput> {
        check_count(accounts.len())?;
        Ok(BulkInput {
            rows: accounts.into_iter().map(Ok).collect(),
        })
    }

    /// `{"accounts": [...]}`: a body that is not that object is a 400 for the body; each element
    /// is then read on its own, so every bad one is reported with its row and field.
    pub fn from_json(bytes: &[u8]) -> Result<BulkInput> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            accounts: Vec<serde_json::Value>,
        }
        let wire: Wire = serde_json::from_slice(bytes).map_err(|e| {
            let message = e.to_string();
            let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
            Error::validation(
                "accounts",
                format!("the body must be one JSON object {{\"accounts\": [...]}}: {message}"),
            )
        })?;
        check_count(wire.accounts.len())?;
        let rows = wire
            .accounts
            .into_iter()
            .enumerate()
            .map(|(i, v)| read_row(i + 1, v))
            .collect();
        Ok(BulkInput { rows })
    }

    /// CSV with a header row naming the columns: `id`, `customer`, `name`, `environment`,
    /// `region`, `access.method` (required), `alias`, `management_account` (`true`/`false`),
    /// `delegated_admin_services`, and the access fields as `access.<field>` (or just `<field>`):
    /// `start_url`, `sso_region`, `permission_sets`, `breakglass_permission_sets`,
    /// `identity_center.instance_arn`, `identity_center.identity_store_id`,
    /// `identity_center.admin_role_arn`, `identity_center.external_id`, `read_role_arn`,
    /// `breakglass_role_arn`, `external_id`, `max_session_seconds`. Lists are separated by `;`.
    /// An empty cell is an absent field. Values are trimmed; a UTF-8 byte-order mark is ignored.
    /// A bad header is a 400 on row 0; each bad row is reported with its row (1 = the line after
    /// the header) and column.
    pub fn from_csv(bytes: &[u8]) -> Result<BulkInput> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let header = reader
            .headers()
            .map_err(|e| Error::validation("header", format!("the CSV header row could not be read: {e}")))?
            .clone();
        if header.is_empty() {
            return Err(Error::validation(
                "header",
                "the file is empty: a CSV of accounts starts with its header row (id, customer, name, ...)",
            ));
        }
        let columns = read_header(&header)?;
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            if i >= MAX_BULK_ACCOUNTS {
                return Err(too_many(format!("more than {MAX_BULK_ACCOUNTS}")));
            }
            let row = i + 1;
            rows.push(match record {
                Ok(record) => csv_row(row, &columns, &record).and_then(|v| read_row(row, v)),
                Err(e) => Err(RowError {
                    row,
                    field: None,
                    message: csv_problem(&e),
                }),
            });
        }
        check_count(rows.len())?;
        Ok(BulkInput { rows })
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

fn too_many(n: String) -> Error {
    Error::validation(
        "accounts",
        format!("one import takes at most {MAX_BULK_ACCOUNTS} accounts; this one has {n}: split it"),
    )
}

fn check_count(n: usize) -> Result<()> {
    match n {
        0 => Err(Error::validation("accounts", "list at least one account")),
        n if n > MAX_BULK_ACCOUNTS => Err(too_many(n.to_string())),
        _ => Ok(()),
    }
}

/// One row as a [`NewAccount`], by the same serde rules as a single create.
fn read_row(row: usize, mut value: serde_json::Value) -> std::result::Result<NewAccount, RowError> {
    // The id by the file rule (leading zeros a spreadsheet dropped put back), as the cost import
    // reads it; a JSON number is read as its digits.
    if let Some(id) = value.get_mut("id") {
        let refused = |message: String| RowError {
            row,
            field: Some("id".into()),
            message,
        };
        let raw = match id {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) if n.is_u64() => n.to_string(),
            // A float (1.0987654325e10, 123.0) or a negative number: its digits are not the id's.
            other => {
                return Err(refused(format!(
                    "{other} is not an AWS account id: send its 12 digits as a string (\"012345678901\") or a whole \
                     number without a fraction or an exponent"
                )));
            }
        };
        match AccountId::from_file(&raw) {
            Ok(a) => *id = serde_json::Value::String(a.as_str().to_string()),
            Err(e) => return Err(refused(e.reason)),
        }
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
            .map(str::to_string);
        let parent = (path != "." && !path.is_empty()).then_some(path);
        let field = match (parent, missing) {
            (Some(p), Some(m)) => Some(format!("{p}.{m}")),
            (None, Some(m)) => Some(m),
            (p, None) => p,
        };
        RowError { row, field, message }
    })
}

/// Where a CSV column goes in the JSON shape of [`NewAccount`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Top(&'static str),
    Access(&'static str),
    IdentityCenter(&'static str),
}

const TOP: &[&str] = &[
    "id",
    "customer",
    "name",
    "alias",
    "environment",
    "region",
    "management_account",
    "delegated_admin_services",
];
const ACCESS: &[&str] = &[
    "method",
    "start_url",
    "sso_region",
    "permission_sets",
    "breakglass_permission_sets",
    "read_role_arn",
    "breakglass_role_arn",
    "external_id",
    "max_session_seconds",
];
const IDENTITY_CENTER: &[&str] = &["instance_arn", "identity_store_id", "admin_role_arn", "external_id"];
const LISTS: &[&str] = &[
    "delegated_admin_services",
    "permission_sets",
    "breakglass_permission_sets",
];
const REQUIRED: &[Column] = &[
    Column::Top("id"),
    Column::Top("customer"),
    Column::Top("name"),
    Column::Top("environment"),
    Column::Top("region"),
    Column::Access("method"),
];

impl Column {
    fn parse(name: &str) -> Option<Column> {
        let name = name.trim().to_ascii_lowercase();
        if let Some(c) = TOP.iter().find(|c| **c == name) {
            return Some(Column::Top(c));
        }
        let rest = name.strip_prefix("access.").unwrap_or(&name);
        if let Some(c) = ACCESS.iter().find(|c| **c == rest) {
            return Some(Column::Access(c));
        }
        let ic = rest.strip_prefix("identity_center.")?;
        IDENTITY_CENTER
            .iter()
            .find(|c| **c == ic)
            .map(|c| Column::IdentityCenter(c))
    }

    fn name(self) -> String {
        match self {
            Column::Top(c) => c.to_string(),
            Column::Access(c) => format!("access.{c}"),
            Column::IdentityCenter(c) => format!("access.identity_center.{c}"),
        }
    }

    fn leaf(self) -> &'static str {
        match self {
            Column::Top(c) | Column::Access(c) | Column::IdentityCenter(c) => c,
        }
    }
}

fn read_header(header: &csv::StringRecord) -> Result<Vec<Column>> {
    let mut columns = Vec::with_capacity(header.len());
    for name in header.iter() {
        let Some(column) = Column::parse(name) else {
            let shown: String = name.chars().take(64).collect();
            return Err(Error::validation(
                "header",
                format!(
                    "unknown column '{shown}'; columns are {}, access.method and the access fields (access.start_url, access.read_role_arn, ...)",
                    TOP.join(", ")
                ),
            ));
        };
        if columns.contains(&column) {
            return Err(Error::validation(
                "header",
                format!("column '{}' is named twice", column.name()),
            ));
        }
        columns.push(column);
    }
    let missing: Vec<String> = REQUIRED
        .iter()
        .filter(|c| !columns.contains(c))
        .map(|c| c.name())
        .collect();
    if !missing.is_empty() {
        return Err(Error::validation(
            "header",
            format!("the CSV header lacks the column(s) {}", missing.join(", ")),
        ));
    }
    Ok(columns)
}

/// One CSV record in the JSON shape of a [`NewAccount`].
fn csv_row(
    row: usize,
    columns: &[Column],
    record: &csv::StringRecord,
) -> std::result::Result<serde_json::Value, RowError> {
    use serde_json::{Map, Value};
    let mut top = Map::new();
    let mut access = Map::new();
    let mut ic = Map::new();
    for (column, cell) in columns.iter().zip(record.iter()) {
        if cell.is_empty() {
            continue;
        }
        let bad = |message: String| RowError {
            row,
            field: Some(column.name()),
            message,
        };
        let leaf = column.leaf();
        let value = if LISTS.contains(&leaf) {
            Value::from(
                cell.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>(),
            )
        } else if leaf == "management_account" {
            match cell.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Value::Bool(true),
                "false" | "no" | "0" => Value::Bool(false),
                _ => return Err(bad(format!("'{cell}' is not true or false"))),
            }
        } else if leaf == "max_session_seconds" {
            match cell.parse::<u32>() {
                Ok(n) => Value::from(n),
                Err(_) => return Err(bad(format!("'{cell}' is not a number of seconds"))),
            }
        } else {
            Value::from(cell)
        };
        match column {
            Column::Top(c) => top.insert(c.to_string(), value),
            Column::Access(c) => access.insert(c.to_string(), value),
            Column::IdentityCenter(c) => ic.insert(c.to_string(), value),
        };
    }
    if !ic.is_empty() {
        access.insert("identity_center".into(), Value::Object(ic));
    }
    if !access.is_empty() {
        top.insert("access".into(), Value::Object(access));
    }
    Ok(Value::Object(top))
}

fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("the row has {len} fields; the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the row is not UTF-8 text".into(),
        _ => format!("the row could not be read as CSV: {e}"),
    }
}

fn row_error(row: usize, e: Error) -> RowError {
    match e {
        Error::Validation { field, message } => RowError { row, field, message },
        other => RowError {
            row,
            field: None,
            message: other.to_string(),
        },
    }
}

/// The rows of an import after the check: those to write, and those left out as already in the
/// hub (`existing=skip`).
struct Checked {
    write: Vec<(usize, Account)>,
    skipped: Vec<SkippedAccount>,
}

/// What one lane wrote (or left out) before it finished or stopped.
#[derive(Default)]
struct LaneOutcome {
    created: Vec<(usize, AccountId)>,
    skipped: Vec<SkippedAccount>,
    transactions: usize,
}

impl Hub {
    /// Creates many accounts at once (admin), refusing rows the hub already has: as
    /// [`Hub::create_accounts_with`] with [`Existing::Error`].
    pub async fn create_accounts(&self, who: &Principal, input: BulkInput) -> Result<BulkOutcome> {
        self.create_accounts_with(who, input, Existing::Error).await
    }

    /// Creates many accounts at once (admin): validated as a whole, then written in transactions
    /// of at most 100 writes, customers concurrently (see the module documentation). `existing`
    /// says what a row whose account id the hub has already is: an error, or skipped.
    ///
    /// Errors: 403 for a non-admin; [`Error::Rows`] (400, nothing written) listing every invalid
    /// row with its 1-based row and field; a store failure part-way is [`Error::Internal`] with
    /// the batches before it written.
    pub async fn create_accounts_with(
        &self,
        who: &Principal,
        input: BulkInput,
        existing: Existing,
    ) -> Result<BulkOutcome> {
        who.require(Role::Admin, "changing the hub")?;
        let checked = self.check_bulk(input, existing).await?;
        self.write_bulk(who, checked).await
    }

    /// Every row by the rules of a single create and against the hub and each other; the
    /// accounts to write with their rows (and those skipped), or every problem found.
    async fn check_bulk(&self, input: BulkInput, existing: Existing) -> Result<Checked> {
        let snap = self.snapshot().await?;
        let now = self.now();
        let total = input.rows.len();
        let in_hub: HashMap<&str, &Account> = snap.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
        // Alias (lower case) → who holds it: an account of the hub, or a row of the input.
        let mut aliases: HashMap<String, (Option<AccountId>, String)> = snap
            .accounts
            .iter()
            .filter_map(|a| {
                let alias = a.alias.as_deref()?.to_lowercase();
                Some((
                    alias,
                    (Some(a.id.clone()), format!("account {} already has this alias", a.id)),
                ))
            })
            .collect();
        let mut sso: HashMap<String, (Region, String)> = HashMap::new();
        for a in &snap.accounts {
            if let AccessMethod::Sso {
                start_url, sso_region, ..
            } = &a.access
            {
                sso.entry(start_url.to_string())
                    .or_insert_with(|| (sso_region.clone(), format!("account {}", a.id)));
            }
        }
        let mut ids: HashMap<AccountId, usize> = HashMap::new();
        let mut errors: Vec<RowError> = Vec::new();
        let mut bad_rows = 0;
        let mut checked = Checked {
            write: Vec::with_capacity(total),
            skipped: Vec::new(),
        };
        for (i, parsed) in input.rows.into_iter().enumerate() {
            let row = i + 1;
            let before = errors.len();
            let new = match parsed {
                Ok(new) => new,
                Err(e) => {
                    errors.push(e);
                    bad_rows += 1;
                    continue;
                }
            };
            let account = Account::created(new, now);
            let stored = in_hub.get(account.id.as_str()).copied();
            let mut fail = |field: &str, message: String| {
                errors.push(RowError {
                    row,
                    field: Some(field.to_string()),
                    message,
                })
            };
            if let Err(e) = account.validate().and_then(|()| self.assumable.check(&account)) {
                let e = row_error(row, e);
                fail(e.field.as_deref().unwrap_or("account"), e.message);
            }
            if snap.customer(account.customer.as_str()).is_none() {
                fail("customer", format!("customer '{}' does not exist", account.customer));
            }
            match ids.get(&account.id) {
                Some(first) => fail("id", format!("account {} is also in row {first}", account.id)),
                None => {
                    if stored.is_some() && existing == Existing::Error {
                        fail(
                            "id",
                            format!(
                                "account {} is already in the hub (to leave accounts already in the hub out, send the import with ?existing=skip)",
                                account.id
                            ),
                        );
                    }
                    ids.insert(account.id.clone(), row);
                }
            }
            if let Some(alias) = account.alias.as_deref().map(str::to_lowercase) {
                match aliases.get(&alias) {
                    // The account of this very row holds it: no clash (the row is skipped or refused by id).
                    Some((Some(holder), _)) if *holder == account.id => {}
                    Some((_, holder)) => fail("alias", format!("{holder} {alias} (aliases are unique, ignoring case)")),
                    None => {
                        aliases.insert(alias, (None, format!("row {row} has")));
                    }
                }
            }
            if let AccessMethod::Sso {
                start_url, sso_region, ..
            } = &account.access
            {
                match sso.get(start_url.as_str()) {
                    Some((theirs, holder)) if theirs != sso_region => fail(
                        "access.sso_region",
                        format!("{start_url} is in {theirs} for {holder}; one start URL has one SSO region"),
                    ),
                    Some(_) => {}
                    None => {
                        sso.insert(start_url.to_string(), (sso_region.clone(), format!("row {row}")));
                    }
                }
            }
            if errors.len() != before {
                bad_rows += 1;
            } else if let Some(stored) = stored {
                checked
                    .skipped
                    .push(SkippedAccount::compared(row, &account, stored, SkipCause::InHub));
            } else {
                checked.write.push((row, account));
            }
        }
        if errors.is_empty() {
            errors = over_customer_limit(&checked.write);
            bad_rows = errors.len();
        }
        if errors.is_empty() {
            return Ok(checked);
        }
        Err(Error::rows(errors, bad_rows, total, "accounts"))
    }

    /// Writes checked accounts: the customers dealt into [`BULK_LANES`] lanes written at once,
    /// each lane's transactions (at most [`MAX_TRANSACTION_WRITES`] writes) in order.
    async fn write_bulk(&self, who: &Principal, checked: Checked) -> Result<BulkOutcome> {
        use futures::StreamExt;
        let Checked { write, mut skipped } = checked;
        let total = write.len();
        let detail = format!("bulk import of {total} accounts");
        let stop = std::sync::atomic::AtomicBool::new(false);
        let lanes: Vec<Vec<Vec<(usize, Account)>>> = lanes(write, BULK_LANES).into_iter().map(batches).collect();
        let results: Vec<(LaneOutcome, Result<()>)> =
            futures::stream::iter(lanes.into_iter().map(|lane| self.write_lane(who, lane, &detail, &stop)))
                .buffer_unordered(BULK_LANES)
                .collect()
                .await;
        let mut created = Vec::with_capacity(total);
        let mut transactions = 0;
        let mut failure = None;
        for (lane, result) in results {
            created.extend(lane.created);
            skipped.extend(lane.skipped);
            transactions += lane.transactions;
            if let Err(e) = result {
                failure.get_or_insert(e);
            }
        }
        if let Some(e) = failure {
            tracing::error!(
                written = created.len(),
                total,
                error = %e,
                "bulk import stopped part-way: the accounts written so far stay; re-run it with existing=skip"
            );
            return Err(e);
        }
        created.sort();
        skipped.sort_by_key(|s| s.row);
        Ok(BulkOutcome {
            created: created.len(),
            ids: created.into_iter().map(|(_, id)| id).collect(),
            skipped,
            transactions,
        })
    }

    /// One lane's batches in order; stops before the next batch once any lane has failed.
    async fn write_lane(
        &self,
        who: &Principal,
        lane: Vec<Vec<(usize, Account)>>,
        detail: &str,
        stop: &std::sync::atomic::AtomicBool,
    ) -> (LaneOutcome, Result<()>) {
        use std::sync::atomic::Ordering;
        let mut out = LaneOutcome::default();
        for batch in lane {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            if let Err(e) = self.write_batch(who, batch, detail, &mut out).await {
                stop.store(true, Ordering::SeqCst);
                return (out, Err(e));
            }
        }
        (out, Ok(()))
    }

    /// One batch in one transaction; after a failed condition, accounts whose id or alias someone
    /// else took meanwhile (or whose customer is gone) are set aside and the rest tried again.
    async fn write_batch(
        &self,
        who: &Principal,
        mut batch: Vec<(usize, Account)>,
        detail: &str,
        out: &mut LaneOutcome,
    ) -> Result<()> {
        let mut attempt = 0;
        while !batch.is_empty() {
            let mut counts: BTreeMap<CustomerCode, u32> = BTreeMap::new();
            for (_, a) in &batch {
                *counts.entry(a.customer.clone()).or_default() += 1;
            }
            let mut writes = Vec::with_capacity(MAX_TRANSACTION_WRITES);
            let mut gone = Vec::new();
            for (code, n) in &counts {
                match self.load_customer(code.as_str()).await {
                    Ok((mut c, version)) => {
                        c.account_count += n;
                        writes.push(Write::PutIfVersion {
                            item: customer_item(&c)?,
                            expected: version,
                        });
                    }
                    Err(Error::NotFound { .. }) => gone.push(code.clone()),
                    Err(e) => return Err(e),
                }
            }
            if !gone.is_empty() {
                batch.retain(|(row, a)| {
                    let keep = !gone.contains(&a.customer);
                    if !keep {
                        out.skipped.push(SkippedAccount::because(
                            *row,
                            a,
                            SkipCause::CustomerDeleted,
                            format!("customer '{}' was deleted during the import", a.customer),
                        ));
                    }
                    keep
                });
                continue;
            }
            for (_, a) in &batch {
                let mut event = self.account_event(who, "account_created", a, None, Some(encode(a)?));
                event.detail = detail.to_string();
                writes.push(Write::PutNew(account_item(a)?));
                writes.push(Write::PutNew(event.item()));
                if let Some(alias) = &a.alias {
                    writes.push(Write::PutNew(crate::store::Item::new(
                        keys::alias(&alias.to_lowercase()),
                        keys::META,
                        serde_json::json!({"account": a.id.as_str()}),
                    )));
                }
            }
            // Before: a snapshot loaded while the transaction runs is too young to be cached.
            self.bump_revision().await?;
            let result = self.store.transact(writes).await;
            match result {
                Ok(()) => {
                    out.transactions += 1;
                    out.created.extend(batch.into_iter().map(|(row, a)| (row, a.id)));
                    // After: a snapshot cached before the commit is reloaded.
                    return self.bump_revision().await;
                }
                Err(StoreError::ConditionFailed) => {
                    let before = batch.len();
                    let mut kept = Vec::with_capacity(before);
                    for (row, a) in batch {
                        match self.taken(row, &a).await? {
                            Some(skipped) => out.skipped.push(skipped),
                            None => kept.push((row, a)),
                        }
                    }
                    batch = kept;
                    if batch.len() == before {
                        // A customer's version moved (a concurrent write): read again and retry.
                        attempt += 1;
                        if attempt >= MAX_ATTEMPTS {
                            return Err(Error::conflict(
                                Conflict::Version,
                                "too many concurrent changes to these customers during the import; try again",
                            ));
                        }
                        let jitter = rand::random::<u64>() % (4 << attempt.min(5));
                        tokio::time::sleep(std::time::Duration::from_millis(1 + jitter)).await;
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Moves the hub revision on its own (not in a transaction: every lane writes it, and
    /// DynamoDB cancels concurrent transactions that share an item). A write that meets a
    /// concurrent transaction on the marker is tried again a few times.
    async fn bump_revision(&self) -> Result<()> {
        let mut delay = 5;
        for attempt in 1.. {
            match self.store.transact(vec![self.revision_write()]).await {
                Ok(()) => return Ok(()),
                Err(e) if attempt >= 5 => return Err(e.into()),
                Err(e) => {
                    tracing::debug!(error = %e, attempt, "hub revision write failed; trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(delay + rand::random::<u64>() % delay)).await;
                    delay *= 2;
                }
            }
        }
        unreachable!("the loop returns")
    }

    /// Why account `a` (row `row`) can no longer be created as checked: its id or alias is taken
    /// now.
    async fn taken(&self, row: usize, a: &Account) -> Result<Option<SkippedAccount>> {
        if let Some(item) = self.store.get(&keys::account(a.id.as_str()), keys::META).await? {
            return Ok(Some(match crate::store::decode::<Account>(item) {
                Ok(stored) => SkippedAccount::compared(row, a, &stored, SkipCause::AddedMeanwhile),
                Err(_) => SkippedAccount::because(
                    row,
                    a,
                    SkipCause::AddedMeanwhile,
                    format!("account {} was added by someone else during the import", a.id),
                ),
            }));
        }
        if let Some(alias) = &a.alias
            && let Some(item) = self.store.get(&keys::alias(&alias.to_lowercase()), keys::META).await?
            && item.data.get("account").and_then(|v| v.as_str()) != Some(a.id.as_str())
        {
            return Ok(Some(SkippedAccount::because(
                row,
                a,
                SkipCause::AliasTaken,
                format!("the alias {alias} was given to another account during the import"),
            )));
        }
        Ok(None)
    }
}

/// A row error for each customer with more than [`MAX_BULK_ACCOUNTS_PER_CUSTOMER`] accounts to
/// write, on the first row past the limit.
fn over_customer_limit(write: &[(usize, Account)]) -> Vec<RowError> {
    let mut seen: HashMap<&CustomerCode, usize> = HashMap::new();
    let mut errors = Vec::new();
    for (row, a) in write {
        let n = seen.entry(&a.customer).or_default();
        *n += 1;
        if *n == MAX_BULK_ACCOUNTS_PER_CUSTOMER + 1 {
            let all = write.iter().filter(|(_, b)| b.customer == a.customer).count();
            errors.push(RowError {
                row: *row,
                field: Some("customer".into()),
                message: format!(
                    "this import would write {all} accounts of customer '{}'; one import writes at most {MAX_BULK_ACCOUNTS_PER_CUSTOMER} of one customer (its writes are sequential and must fit in the API's 29 s): split it, or send the same file again with ?existing=skip after each part",
                    a.customer
                ),
            });
        }
    }
    errors
}

/// The writes one account takes: its item, its audit event and its alias marker.
fn writes_of(a: &Account) -> usize {
    2 + usize::from(a.alias.is_some())
}

/// The accounts dealt into at most `n` lanes by customer (all of a customer's accounts in one
/// lane), balancing writes: the biggest customer first, each into the lightest lane. Each lane
/// sorted by customer, then row; the heaviest lane first.
fn lanes(accounts: Vec<(usize, Account)>, n: usize) -> Vec<Vec<(usize, Account)>> {
    let mut by_customer: BTreeMap<CustomerCode, (usize, Vec<(usize, Account)>)> = BTreeMap::new();
    for (row, a) in accounts {
        let entry = by_customer.entry(a.customer.clone()).or_default();
        entry.0 += writes_of(&a);
        entry.1.push((row, a));
    }
    let mut customers: Vec<(usize, Vec<(usize, Account)>)> = by_customer.into_values().collect();
    // Stable: equal customers keep their code order.
    customers.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut lanes: Vec<(usize, Vec<(usize, Account)>)> = (0..n.max(1)).map(|_| (0, Vec::new())).collect();
    for (writes, rows) in customers {
        let lightest = lanes
            .iter_mut()
            .min_by_key(|(load, _)| *load)
            .expect("at least one lane");
        lightest.0 += writes;
        lightest.1.extend(rows);
    }
    lanes.retain(|(_, rows)| !rows.is_empty());
    lanes.sort_by_key(|l| std::cmp::Reverse(l.0));
    lanes
        .into_iter()
        .map(|(_, mut rows)| {
            rows.sort_by(|a, b| a.1.customer.cmp(&b.1.customer).then(a.0.cmp(&b.0)));
            rows
        })
        .collect()
}

/// Accounts packed into transactions of at most [`MAX_TRANSACTION_WRITES`] writes: one write per
/// customer in the batch and [`writes_of`] each account.
fn batches(accounts: Vec<(usize, Account)>) -> Vec<Vec<(usize, Account)>> {
    let mut out = Vec::new();
    let mut current: Vec<(usize, Account)> = Vec::new();
    let mut customers: HashSet<CustomerCode> = HashSet::new();
    let mut writes = 0;
    for (row, a) in accounts {
        let need = writes_of(&a) + usize::from(!customers.contains(&a.customer));
        if writes + need > MAX_TRANSACTION_WRITES {
            out.push(std::mem::take(&mut current));
            customers.clear();
            writes = 0;
        }
        writes += writes_of(&a) + usize::from(customers.insert(a.customer.clone()));
        current.push((row, a));
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn account(id: &str, customer: &str, alias: Option<&str>) -> Account {
        let new: NewAccount = serde_json::from_value(json!({
            "id": id, "customer": customer, "name": format!("n {id}"), "alias": alias,
            "environment": "prod", "region": "eu-west-1",
            "access": {"method": "role", "read_role_arn": format!("arn:aws:iam::{id}:role/CCRead"),
                "breakglass_role_arn": format!("arn:aws:iam::{id}:role/CCBreakglass"), "external_id": "cc-x"}
        }))
        .unwrap();
        Account::created(new, OffsetDateTime::UNIX_EPOCH)
    }

    fn total_writes(batch: &[(usize, Account)]) -> usize {
        let customers: HashSet<_> = batch.iter().map(|(_, a)| &a.customer).collect();
        customers.len() + batch.iter().map(|(_, a)| writes_of(a)).sum::<usize>()
    }

    #[test]
    fn batches_never_exceed_100_writes_and_keep_every_account() {
        let accounts: Vec<(usize, Account)> = (0..1000)
            .map(|i| {
                let alias = (i % 3 == 0).then(|| format!("a{i}"));
                (
                    i + 1,
                    account(
                        &format!("{:012}", 100_000 + i),
                        &format!("c{}", i / 70),
                        alias.as_deref(),
                    ),
                )
            })
            .collect();
        let batches = batches(accounts);
        assert!(batches.iter().all(|b| total_writes(b) <= MAX_TRANSACTION_WRITES));
        assert!(
            batches.iter().any(|b| total_writes(b) >= MAX_TRANSACTION_WRITES - 3),
            "batches are full"
        );
        let rows: Vec<usize> = batches.iter().flatten().map(|(r, _)| *r).collect();
        assert_eq!(rows, (1..=1000).collect::<Vec<_>>());
    }

    #[test]
    fn lanes_keep_each_customer_whole_and_balance_the_writes() {
        // 30 customers of 1-60 accounts, a third with aliases.
        let mut accounts = Vec::new();
        let mut row = 0;
        for c in 0..30 {
            for _ in 0..=(c * 2) {
                row += 1;
                let alias = (row % 3 == 0).then(|| format!("a{row}"));
                accounts.push((
                    row,
                    account(&format!("{:012}", 100_000 + row), &format!("c{c:02}"), alias.as_deref()),
                ));
            }
        }
        let all: usize = accounts.iter().map(|(_, a)| writes_of(a)).sum();
        let dealt = lanes(accounts, BULK_LANES);
        assert_eq!(dealt.len(), BULK_LANES);
        let mut owner: HashMap<CustomerCode, usize> = HashMap::new();
        for (i, lane) in dealt.iter().enumerate() {
            for (_, a) in lane {
                assert_eq!(
                    *owner.entry(a.customer.clone()).or_insert(i),
                    i,
                    "{} in two lanes",
                    a.customer
                );
            }
        }
        let loads: Vec<usize> = dealt
            .iter()
            .map(|l| l.iter().map(|(_, a)| writes_of(a)).sum())
            .collect();
        assert!(loads.windows(2).all(|w| w[0] >= w[1]), "heaviest first: {loads:?}");
        let biggest = 59 * 2 + 20; // the 59-account customer, a third of them aliased
        assert!(loads[0] <= (all / BULK_LANES).max(biggest) + biggest, "{loads:?}");
        assert!(loads[0] - loads[BULK_LANES - 1] <= biggest, "balanced: {loads:?}");
        let mut rows: Vec<usize> = dealt.iter().flatten().map(|(r, _)| *r).collect();
        rows.sort_unstable();
        assert_eq!(rows, (1..=row).collect::<Vec<_>>(), "every account once");
        // Fewer customers than lanes: one lane each.
        let two = vec![
            (1, account("000000100001", "aa", None)),
            (2, account("000000100002", "bb", None)),
        ];
        assert_eq!(lanes(two, BULK_LANES).len(), 2);
    }

    #[test]
    fn one_customer_past_the_limit_is_named_on_its_first_row_too_many() {
        let write: Vec<(usize, Account)> = (0..=MAX_BULK_ACCOUNTS_PER_CUSTOMER + 5)
            .map(|i| {
                let customer = if i % 2 == 0 { "big" } else { "small" };
                let customer = if i < 10 { "small" } else { customer };
                (i + 1, account(&format!("{:012}", 100_000 + i), customer, None))
            })
            .collect();
        assert!(over_customer_limit(&write).is_empty(), "under the limit");
        let write: Vec<(usize, Account)> = (0..=MAX_BULK_ACCOUNTS_PER_CUSTOMER + 2)
            .map(|i| (i + 1, account(&format!("{:012}", 100_000 + i), "big", None)))
            .collect();
        let errors = over_customer_limit(&write);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].row, errors[0].field.as_deref()),
            (MAX_BULK_ACCOUNTS_PER_CUSTOMER + 1, Some("customer"))
        );
        assert!(
            errors[0].message.contains("2003 accounts of customer 'big'"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn a_stored_account_is_compared_field_by_field() {
        let stored = account("012345678901", "acme", Some("pay"));
        let mut same = stored.clone();
        same.created_at = OffsetDateTime::now_utc();
        same.version = 7;
        assert!(
            differing_fields(&stored, &same).is_empty(),
            "timestamps and version are not compared"
        );
        let skipped = SkippedAccount::compared(4, &same, &stored, SkipCause::InHub);
        assert_eq!((skipped.matches, skipped.differs.len()), (Some(true), 0));
        assert!(
            skipped.reason.contains("already in the hub, as in this row"),
            "{}",
            skipped.reason
        );

        let mut row = stored.clone();
        row.name = "Payments".into();
        row.alias = None;
        if let AccessMethod::Role { read_role_arn, .. } = &mut row.access {
            *read_role_arn = RoleArn::parse("arn:aws:iam::012345678901:role/Other").unwrap();
        }
        assert_eq!(
            differing_fields(&stored, &row),
            ["access.read_role_arn", "alias", "name"]
        );
        let skipped = SkippedAccount::compared(9, &row, &stored, SkipCause::InHub);
        assert_eq!(skipped.matches, Some(false));
        assert!(
            skipped
                .reason
                .contains("differs from this row in access.read_role_arn, alias, name"),
            "{}",
            skipped.reason
        );

        // Another access method: the method and each field of either side.
        let sso: NewAccount = serde_json::from_value(json!({
            "id": "012345678901", "customer": "acme", "name": "n 012345678901", "alias": "pay",
            "environment": "prod", "region": "eu-west-1",
            "access": {"method": "sso", "start_url": "https://acme.awsapps.com/start", "sso_region": "eu-west-1",
                "permission_sets": ["ReadOnlyAccess"]}
        }))
        .unwrap();
        let differs = differing_fields(&stored, &Account::created(sso, OffsetDateTime::UNIX_EPOCH));
        assert!(differs.contains(&"access.method".to_string()), "{differs:?}");
        assert!(differs.contains(&"access.start_url".to_string()), "{differs:?}");
        assert!(differs.contains(&"access.read_role_arn".to_string()), "{differs:?}");
        assert!(differs.iter().all(|f| f.starts_with("access.")), "{differs:?}");
    }

    #[test]
    fn account_ids_follow_the_file_rule_in_csv_and_json() {
        // The same table as the cost import (`crate::ids::FILE_ACCOUNT_IDS`).
        for (raw, want) in crate::ids::FILE_ACCOUNT_IDS {
            let csv = format!(
                "id,customer,name,environment,region,access.method,access.start_url,access.sso_region,access.permission_sets\n\
                 \"{raw}\",acme,A,prod,eu-west-1,sso,https://d-1234567890.awsapps.com/start,eu-west-1,ReadOnlyAccess\n"
            );
            let json = serde_json::json!({"accounts": [{"id": raw, "customer": "acme", "name": "A",
                "environment": "prod", "region": "eu-west-1", "access": {"method": "sso",
                "start_url": "https://d-1234567890.awsapps.com/start", "sso_region": "eu-west-1",
                "permission_sets": ["ReadOnlyAccess"]}}]});
            for input in [
                BulkInput::from_csv(csv.as_bytes()).unwrap(),
                BulkInput::from_json(json.to_string().as_bytes()).unwrap(),
            ] {
                match (&input.rows[0], want) {
                    (Ok(a), Some(id)) => assert_eq!(a.id.as_str(), *id, "{raw:?}"),
                    (Err(e), None) => assert_eq!(e.field.as_deref(), Some("id"), "{raw:?}: {e:?}"),
                    (other, _) => panic!("{raw:?}: {other:?}"),
                }
            }
        }
        // A JSON number keeps its digits.
        let json = r#"{"accounts": [{"id": 51738928782}]}"#;
        let input = BulkInput::from_json(json.as_bytes()).unwrap();
        assert_ne!(
            input.rows[0].as_ref().err().and_then(|e| e.field.as_deref()),
            Some("id")
        );
        // Other JSON values (a float, however whole, a negative number, null, a list) are named as
        // not an account id, with how to send one, not as a serde type error.
        for raw in [
            "1.0987654325e10",
            "123456789012.0",
            "-51738928782",
            "null",
            "[1]",
            "true",
        ] {
            let json = format!(r#"{{"accounts": [{{"id": {raw}}}]}}"#);
            let input = BulkInput::from_json(json.as_bytes()).unwrap();
            let e = input.rows[0].as_ref().unwrap_err();
            assert_eq!(e.field.as_deref(), Some("id"), "{raw}");
            assert!(
                e.message.contains("is not an AWS account id: send its 12 digits"),
                "{raw}: {}",
                e.message
            );
        }
    }

    #[test]
    fn csv_rows_take_the_json_shape() {
        let csv = "\u{feff}id,customer,name,environment,region,access.method,read_role_arn,breakglass_role_arn,external_id,management_account,delegated_admin_services\n\
                   012345678901,acme,Prod,prod,eu-west-1,role,arn:aws:iam::012345678901:role/R,arn:aws:iam::012345678901:role/B,cc-x,yes,securityhub.amazonaws.com; guardduty.amazonaws.com\n\
                   012345678902,acme,SSO,non-prod,eu-west-1,sso,,,,,\n\
                   0123,acme,Short,prod,eu-west-1,role,,,,maybe,\n\
                   012345678904,acme\n";
        let input = BulkInput::from_csv(csv.as_bytes()).unwrap();
        assert_eq!(input.len(), 4);
        let first = input.rows[0].as_ref().unwrap();
        assert!(first.management_account);
        assert_eq!(
            first.delegated_admin_services,
            ["securityhub.amazonaws.com", "guardduty.amazonaws.com"]
        );
        let sso = input.rows[1].as_ref().unwrap_err();
        assert_eq!((sso.row, sso.field.as_deref()), (2, Some("access")), "{sso:?}");
        let bool_err = input.rows[2].as_ref().unwrap_err();
        assert_eq!(
            (bool_err.row, bool_err.field.as_deref()),
            (3, Some("management_account"))
        );
        let short = input.rows[3].as_ref().unwrap_err();
        assert_eq!(short.row, 4);
        assert!(short.message.contains("fields"), "{}", short.message);
    }

    #[test]
    fn an_empty_csv_is_named_empty_not_missing_columns() {
        for input in ["", "\n", "\u{feff}"] {
            let e = BulkInput::from_csv(input.as_bytes()).unwrap_err();
            assert!(e.to_string().contains("the file is empty"), "{input:?}: {e}");
        }
    }

    #[test]
    fn csv_headers_are_checked_before_any_row() {
        for (csv, says) in [
            ("id,customer,name,environment,region\n", "access.method"),
            ("id,customer,name,environment,region,method,colour\n", "colour"),
            ("id,id,customer,name,environment,region,method\n", "twice"),
            ("", "the file is empty"),
        ] {
            let err = BulkInput::from_csv(csv.as_bytes()).unwrap_err();
            assert!(
                matches!(&err, Error::Validation { field: Some(f), message } if f == "header" && message.contains(says)),
                "{csv:?}: {err:?}"
            );
        }
        let only_header = BulkInput::from_csv(b"id,customer,name,environment,region,method\n").unwrap_err();
        assert!(only_header.to_string().contains("at least one"), "{only_header}");
    }

    #[test]
    fn json_rows_are_read_one_by_one_naming_the_field() {
        let body = json!({"accounts": [
            {"id": "123456789", "customer": "acme"},
            {"id": "012345678901", "customer": "acme", "name": "x", "environment": "prod", "region": "eu-west-1",
             "access": {"method": "role", "read_role_arn": "nope"}},
        ]});
        let input = BulkInput::from_json(&serde_json::to_vec(&body).unwrap()).unwrap();
        let errors: Vec<_> = input.rows.iter().map(|r| r.as_ref().unwrap_err().clone()).collect();
        assert_eq!((errors[0].row, errors[0].field.as_deref()), (1, Some("id")));
        assert_eq!(
            (errors[1].row, errors[1].field.as_deref()),
            (2, Some("access.read_role_arn"))
        );
        for bad in [
            &b"[]"[..],
            b"{\"accounts\": 1}",
            b"{\"accounts\": [], \"x\": 1}",
            b"{",
            b"{\"accounts\": []}",
        ] {
            assert!(
                matches!(BulkInput::from_json(bad), Err(Error::Validation { .. })),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn more_than_the_limit_is_refused_before_reading_rows() {
        let mut csv = String::from("id,customer,name,environment,region,method\n");
        for _ in 0..=MAX_BULK_ACCOUNTS {
            csv.push_str("1,acme,x,prod,eu-west-1,role\n");
        }
        let err = BulkInput::from_csv(csv.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("at most 10000"), "{err}");
        let body = json!({"accounts": vec![json!({}); MAX_BULK_ACCOUNTS + 1]});
        let err = BulkInput::from_json(&serde_json::to_vec(&body).unwrap()).unwrap_err();
        assert!(err.to_string().contains("10001"), "{err}");
    }
}
