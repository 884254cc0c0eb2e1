//! Bulk account import: up to [`MAX_BULK_ACCOUNTS`] accounts in one call, read from JSON
//! (`{"accounts": [NewAccount, ...]}`) or CSV ([`BulkInput::from_csv`]).
//!
//! **Validated as a whole, then written.** Every row is checked first by the rules of a single
//! create ([`Account::validate`], the role names the broker may assume, one SSO region per start
//! URL) plus what only a batch can break: an id or alias twice in the input, an id or alias the hub
//! already has, a customer that does not exist. Any problem is one [`Error::Rows`] naming each row
//! (1-based) and field, and nothing is written.
//!
//! **Written in transactions of at most 100 writes** (DynamoDB's limit), each keeping the
//! invariants of a single create: per account its item (a conditional create, so an account
//! created meanwhile by `POST /api/v1/accounts` is never overwritten or doubled), its
//! `account_created` audit event and its alias marker (conditional too); per customer in the
//! batch its `account_count` (conditional on the version read); and the hub revision marker, so
//! cached snapshots see the new accounts. About 48 accounts go in one transaction (32 with
//! aliases).
//!
//! The import as a whole is not one transaction. An account someone else adds between validation
//! and writing (same id or alias), or whose customer is deleted meanwhile, is left out and listed
//! in [`BulkOutcome::skipped`]; a lost race on a customer's version is retried. A store failure
//! part-way leaves the batches before it written, each complete with its audit events.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::service::*;
use super::*;
use crate::error::{MAX_ATTEMPTS, MAX_ROW_ERRORS, RowError};
use crate::identity::{Principal, Role};
use crate::keys;
use crate::store::{StoreError, Write, encode};

/// The most accounts one import takes.
pub const MAX_BULK_ACCOUNTS: usize = 10_000;

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

/// An account of the input that was valid but not written: someone else added the same id or
/// alias, or deleted its customer, while the import ran.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct SkippedAccount {
    /// 1-based row of the input.
    pub row: usize,
    #[schema(value_type = String)]
    pub id: AccountId,
    pub reason: String,
}

/// What an import wrote (`201` of `POST /api/v1/accounts/bulk`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct BulkOutcome {
    /// Accounts created.
    pub created: usize,
    /// Their ids, in input order.
    #[schema(value_type = Vec<String>)]
    pub ids: Vec<AccountId>,
    /// Valid accounts left out because of a concurrent change (see [`SkippedAccount`]); usually empty.
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
fn read_row(row: usize, value: serde_json::Value) -> std::result::Result<NewAccount, RowError> {
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

impl Hub {
    /// Creates many accounts at once (admin): validated as a whole, then written in transactions
    /// of at most 100 writes (see the module documentation).
    ///
    /// Errors: 403 for a non-admin; [`Error::Rows`] (400, nothing written) listing every invalid
    /// row with its 1-based row and field; a store failure part-way is [`Error::Internal`] with
    /// the batches before it written.
    pub async fn create_accounts(&self, who: &Principal, input: BulkInput) -> Result<BulkOutcome> {
        who.require(Role::Admin, "changing the hub")?;
        let accounts = self.check_bulk(input).await?;
        self.write_bulk(who, accounts).await
    }

    /// Every row by the rules of a single create and against the hub and each other; the
    /// accounts with their rows, or every problem found.
    async fn check_bulk(&self, input: BulkInput) -> Result<Vec<(usize, Account)>> {
        let snap = self.snapshot().await?;
        let now = self.now();
        let total = input.rows.len();
        let in_hub: HashSet<&str> = snap.accounts.iter().map(|a| a.id.as_str()).collect();
        let mut aliases: HashMap<String, String> = snap
            .accounts
            .iter()
            .filter_map(|a| {
                let alias = a.alias.as_deref()?.to_lowercase();
                Some((alias, format!("account {} already has this alias", a.id)))
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
        let mut valid = Vec::with_capacity(total);
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
                None if in_hub.contains(account.id.as_str()) => {
                    fail("id", format!("account {} is already in the hub", account.id))
                }
                None => {
                    ids.insert(account.id.clone(), row);
                }
            }
            if let Some(alias) = account.alias.as_deref().map(str::to_lowercase) {
                match aliases.get(&alias) {
                    Some(holder) => fail("alias", format!("{holder} {alias} (aliases are unique, ignoring case)")),
                    None => {
                        aliases.insert(alias, format!("row {row} has"));
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
            if errors.len() == before {
                valid.push((row, account));
            } else {
                bad_rows += 1;
            }
        }
        if errors.is_empty() {
            return Ok(valid);
        }
        let listed = if errors.len() > MAX_ROW_ERRORS {
            format!("; the first {MAX_ROW_ERRORS} are listed")
        } else {
            String::new()
        };
        let n = errors.len();
        errors.truncate(MAX_ROW_ERRORS);
        Err(Error::Rows {
            message: format!(
                "{n} problem(s) in {bad_rows} of the {total} accounts{listed}; nothing was written: fix them and send the import again"
            ),
            errors,
        })
    }

    /// Writes checked accounts in transactions of at most [`MAX_TRANSACTION_WRITES`].
    async fn write_bulk(&self, who: &Principal, mut accounts: Vec<(usize, Account)>) -> Result<BulkOutcome> {
        let total = accounts.len();
        // Accounts of one customer together: fewer customer writes per transaction.
        accounts.sort_by(|a, b| a.1.customer.cmp(&b.1.customer).then(a.0.cmp(&b.0)));
        let mut outcome = BulkOutcome {
            created: 0,
            ids: Vec::with_capacity(total),
            skipped: Vec::new(),
            transactions: 0,
        };
        let mut created: Vec<(usize, AccountId)> = Vec::with_capacity(total);
        let detail = format!("bulk import of {total} accounts");
        for batch in batches(accounts) {
            if let Err(e) = self.write_batch(who, batch, &detail, &mut created, &mut outcome).await {
                tracing::error!(
                    written = created.len(),
                    total,
                    error = %e,
                    "bulk import stopped part-way: the accounts written so far stay"
                );
                return Err(e);
            }
        }
        created.sort();
        outcome.created = created.len();
        outcome.ids = created.into_iter().map(|(_, id)| id).collect();
        outcome.skipped.sort_by_key(|s| s.row);
        Ok(outcome)
    }

    /// One batch in one transaction; after a failed condition, accounts whose id or alias someone
    /// else took meanwhile (or whose customer is gone) are set aside and the rest tried again.
    async fn write_batch(
        &self,
        who: &Principal,
        mut batch: Vec<(usize, Account)>,
        detail: &str,
        created: &mut Vec<(usize, AccountId)>,
        outcome: &mut BulkOutcome,
    ) -> Result<()> {
        let mut attempt = 0;
        while !batch.is_empty() {
            let mut counts: BTreeMap<CustomerCode, u32> = BTreeMap::new();
            for (_, a) in &batch {
                *counts.entry(a.customer.clone()).or_default() += 1;
            }
            let mut writes = Vec::with_capacity(MAX_TRANSACTION_WRITES);
            writes.push(self.revision_write());
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
                        outcome.skipped.push(SkippedAccount {
                            row: *row,
                            id: a.id.clone(),
                            reason: format!("customer '{}' was deleted during the import", a.customer),
                        });
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
            match self.store.transact(writes).await {
                Ok(()) => {
                    outcome.transactions += 1;
                    created.extend(batch.into_iter().map(|(row, a)| (row, a.id)));
                    return Ok(());
                }
                Err(StoreError::ConditionFailed) => {
                    let before = batch.len();
                    let mut kept = Vec::with_capacity(before);
                    for (row, a) in batch {
                        match self.taken(&a).await? {
                            Some(reason) => outcome.skipped.push(SkippedAccount {
                                row,
                                id: a.id.clone(),
                                reason,
                            }),
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

    /// Why account `a` can no longer be created as checked: its id or alias is taken now.
    async fn taken(&self, a: &Account) -> Result<Option<String>> {
        if self
            .store
            .get(&keys::account(a.id.as_str()), keys::META)
            .await?
            .is_some()
        {
            return Ok(Some(format!(
                "account {} was added by someone else during the import",
                a.id
            )));
        }
        if let Some(alias) = &a.alias
            && let Some(item) = self.store.get(&keys::alias(&alias.to_lowercase()), keys::META).await?
            && item.data.get("account").and_then(|v| v.as_str()) != Some(a.id.as_str())
        {
            return Ok(Some(format!(
                "the alias {alias} was given to another account during the import"
            )));
        }
        Ok(None)
    }
}

/// The writes one account takes: its item, its audit event and its alias marker.
fn writes_of(a: &Account) -> usize {
    2 + usize::from(a.alias.is_some())
}

/// Accounts packed into transactions of at most [`MAX_TRANSACTION_WRITES`] writes: the revision
/// marker, one write per customer in the batch and [`writes_of`] each account.
fn batches(accounts: Vec<(usize, Account)>) -> Vec<Vec<(usize, Account)>> {
    let mut out = Vec::new();
    let mut current: Vec<(usize, Account)> = Vec::new();
    let mut customers: HashSet<CustomerCode> = HashSet::new();
    let mut writes = 1;
    for (row, a) in accounts {
        let need = writes_of(&a) + usize::from(!customers.contains(&a.customer));
        if writes + need > MAX_TRANSACTION_WRITES {
            out.push(std::mem::take(&mut current));
            customers.clear();
            writes = 1;
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
        1 + customers.len() + batch.iter().map(|(_, a)| writes_of(a)).sum::<usize>()
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
    fn csv_headers_are_checked_before_any_row() {
        for (csv, says) in [
            ("id,customer,name,environment,region\n", "access.method"),
            ("id,customer,name,environment,region,method,colour\n", "colour"),
            ("id,id,customer,name,environment,region,method\n", "twice"),
            ("", "access.method"),
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
            {"id": "12", "customer": "acme"},
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
