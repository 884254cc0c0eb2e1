//! Importing cost and usage export files: FOCUS (1.0 and later; AWS Data Exports' FOCUS export) and
//! the legacy AWS Cost and Usage Report (CUR), as CSV, plain or gzip-compressed.
//!
//! # Shapes
//! The format is told by the header: FOCUS has `ChargePeriodStart` and `BilledCost`, CUR has
//! `lineItem/UnblendedCost`. Columns read (any others are ignored):
//!
//! | | FOCUS | CUR |
//! |---|---|---|
//! | account | `SubAccountId`, else `BillingAccountId` when empty (charges on the payer) | `lineItem/UsageAccountId` |
//! | service | `ServiceName` (empty: see below) | `product/ProductName` (empty: see below) |
//! | period | `ChargePeriodStart`, `ChargePeriodEnd` | `lineItem/UsageStartDate`, `lineItem/UsageEndDate` |
//! | amount | `BilledCost` (unblended) or `EffectiveCost` (amortised), by the customer's metric | `lineItem/UnblendedCost` |
//! | currency | `BillingCurrency` | `lineItem/CurrencyCode` |
//! | whose row | `ServiceProviderName`, `HostProviderName` (FOCUS 1.3), `ProviderName` (1.0-1.2, deprecated in 1.3), `InvoiceIssuerName` (1.0+): see below | always AWS's |
//!
//! # Rules
//! - **Streamed**: rows are read one at a time from any [`Read`] and summed into per (account,
//!   service, day) cells as they come, so memory grows with the number of cells, never with the
//!   file (a 2 GB export of 400 accounts is a few hundred thousand cells). A gzip file is told by
//!   its magic bytes (`1f 8b`), not its name.
//! - **Several files, one import** ([`parse_files`]): AWS Data Exports split a month into parts
//!   (`…-00001.csv.gz`, `…-00002.csv.gz`, ...) and the same (account, service, day) has hourly
//!   rows in several of them. The parts of one export must be imported together: their amounts are
//!   summed into one set of cells before anything is stored (imported one by one, each part's
//!   cells would replace the previous part's months, as any import replaces the imported cells of
//!   the months it has: [`store`]). The files must be of one format; the summary lists each file
//!   with its rows. Parts with the same content (the same file given twice, plain or gzip) are
//!   refused, naming them: the parts of one export each hold different rows, and summing a part
//!   twice would double its costs. (Parts without a data row add nothing and are not compared.)
//! - **Days** are UTC days. FOCUS defines the charge period as `[ChargePeriodStart,
//!   ChargePeriodEnd)`: the start inclusive, the end exclusive (FOCUS 1.0 specification, columns
//!   "ChargePeriodStart" and "ChargePeriodEnd"); CUR's usage dates mean the same. A period inside
//!   one day (hourly rows) lands on that day. A period over several days (month-long storage,
//!   support and other fees, daily-granularity rows that cross midnight) is spread over the days it
//!   covers in proportion to its time in each: a period of whole days (the usual case) gives each
//!   day an equal share. A zero-length period lands on its start day; one longer than
//!   [`MAX_PERIOD_DAYS`] days, or ending before it starts, is an error.
//! - Every charge category is kept (usage, purchases, tax, credits, adjustments), as Cost Explorer
//!   keeps them in its unblended and amortised costs; credits are negative.
//! - **Only rows the file says are AWS's are imported** (FOCUS files may mix clouds). FOCUS names
//!   who is behind a row in several columns: the service provider (`ProviderName` in FOCUS 1.0 to
//!   1.2; `ServiceProviderName` from 1.3, which deprecates `ProviderName`), the host provider
//!   (`HostProviderName`, 1.3: where a service the customer chose runs) and the invoice issuer
//!   (`InvoiceIssuerName`, 1.0+: AWS for what is bought through AWS Marketplace, which Cost
//!   Explorer counts too). A row is AWS's when any of those columns the file has names AWS: `AWS`
//!   (alone or followed by a space, e.g. `AWS Marketplace`), `Amazon Web Services` (optionally
//!   followed by `, Inc.`, `EMEA SARL` or similar), `Amazon.com`, in any case. Other rows are
//!   counted and skipped, with the reason: `other_provider` when a column names someone else,
//!   `no_provider` when the file has none of those columns or the row's are all empty, `NULL` or
//!   `Not Applicable` (the file does not say whose the row is). A legacy CUR is AWS's own.
//! - **An empty service name** (FOCUS `ServiceName`, CUR `product/ProductName`) takes what the row
//!   says instead: a tax row (FOCUS `ChargeCategory`, CUR `lineItem/LineItemType` = `Tax`) is
//!   `Tax`, as Cost Explorer names the service of every tax charge; else the service code
//!   (FOCUS 1.0+ with AWS columns: `x_ServiceCode`; CUR: `lineItem/ProductCode`, e.g.
//!   `AmazonEC2`); else [`NO_SERVICE`].
//! - The literal `NULL` (as the FinOps Foundation's samples write it) is an empty value.
//! - Account ids are read by the file rule shared with the bulk account import
//!   ([`AccountId::from_file`]): ids of 10 or 11 digits lost their leading zeros (spreadsheets
//!   store them as numbers) and are padded back to 12; shorter ones are refused.
//! - CUR holds no amortised cost column of its own (amortisation takes several reservation and
//!   Savings Plans columns per line item type), so a CUR file is refused for a customer whose
//!   settings keep amortised cost, rather than mixing the two metrics.
//! - Any bad value stops the import with an error naming the row (the file's line number, the
//!   header being line 1) and the column; nothing is written unless the whole file is read. Bad
//!   values include an empty account (FOCUS: `SubAccountId` empty and no `BillingAccountId`
//!   either; the error names `SubAccountId`), a service name longer than [`MAX_SERVICE_CHARS`]
//!   characters or holding control or text-direction characters (the rule of [`crate::text`]),
//!   a row with fewer or more fields than the header, and a header naming a column twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read};

use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::costs::{self, CellSource, CostMetric, DailyCost};
use crate::error::{Error, Result};
use crate::ids::{AccountId, CustomerCode};
use crate::store::ItemStore;

/// The longest charge period spread over days (a year and a day: yearly fees).
pub const MAX_PERIOD_DAYS: i64 = 366;

/// The longest service name accepted, in characters (AWS's longest are under 100).
pub const MAX_SERVICE_CHARS: usize = 256;

/// The service of a row whose service column is empty and that says nothing else to name it
/// by (not a tax row, no service code): see the module.
pub const NO_SERVICE: &str = "(no service)";

/// The service of a tax row without a service name: Cost Explorer's name for tax charges (its
/// `SERVICE` dimension lists them all as `Tax`).
pub const TAX_SERVICE: &str = "Tax";

/// Which export a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// FinOps Open Cost and Usage Specification, 1.0 or later.
    Focus,
    /// The legacy AWS Cost and Usage Report.
    Cur,
}

/// Why a row was skipped.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The row is another provider's (Microsoft, Oracle, ...): a provider column names someone
    /// else and none names AWS.
    OtherProvider,
    /// The row does not say whose it is: the file has no provider column (`ServiceProviderName`,
    /// `HostProviderName`, `ProviderName`, `InvoiceIssuerName`), or the row's are all empty,
    /// `NULL` or `Not Applicable`.
    NoProvider,
}

/// How many rows were skipped for one reason.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Skipped {
    pub reason: SkipReason,
    pub rows: u64,
}

/// A file read into daily cells (nothing stored yet).
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub format: Format,
    /// The column the amounts were read from (`BilledCost`, `EffectiveCost`, `lineItem/UnblendedCost`).
    pub amount_column: &'static str,
    /// Data rows read (the header not counted).
    pub rows_read: u64,
    pub skipped: Vec<Skipped>,
    /// One per (account, service, day), sorted by day, account, service: summed over the files.
    pub cells: Vec<DailyCost>,
    /// The files read, in order.
    pub files: Vec<FileRead>,
}

/// One file of an import and its data rows.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FileRead {
    /// The name it was given (the path on the command line, the form part's file name; empty when
    /// the file was the request body).
    pub name: String,
    /// Data rows read (the header not counted).
    pub rows_read: u64,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub customer: CustomerCode,
    pub format: Format,
    pub amount_column: String,
    /// The files read (the parts of one export, summed before storing), in order.
    #[serde(default)]
    pub files: Vec<FileRead>,
    /// Data rows read over every file (the headers not counted).
    pub rows_read: u64,
    /// Rows skipped, by reason (reasons with no row left out).
    pub skipped: Vec<Skipped>,
    /// Daily cells written (each replaces what was stored for its account, service and day).
    pub cells_written: usize,
    /// The months (`YYYY-MM`) the file has costs in: their imported cells are replaced by the
    /// file's (an export is per billing month; a fetch's cells are left alone).
    #[serde(default)]
    pub months_replaced: Vec<String>,
    /// Imported cells of those months that the file no longer has, removed (a corrected export
    /// that dropped a charge).
    #[serde(default)]
    pub cells_removed: usize,
    pub accounts: Vec<AccountId>,
    pub services: Vec<String>,
    pub currencies: Vec<String>,
    /// The first and last day with a cell (absent when the file had none).
    #[serde(with = "costs::iso_day::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub first_day: Option<Date>,
    #[serde(with = "costs::iso_day::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub last_day: Option<Date>,
    /// Accounts of the file that are in no customer's hub (accounts still to be added): their
    /// costs are stored all the same. (Accounts the hub has under another customer refuse the
    /// whole import.)
    pub accounts_not_in_hub: Vec<AccountId>,
    /// The sum of the cells per currency, in that currency's units.
    pub totals: Vec<costs::CostTotal>,
    /// Anomalies raised by the detection run after the import (over the stored history up to the
    /// file's last day, or yesterday when the file reaches further).
    #[serde(default)]
    pub anomalies_raised: usize,
}

/// Which column holds what, by index in the header.
struct Columns {
    format: Format,
    account: usize,
    /// FOCUS `BillingAccountId`, used when the sub-account is empty.
    payer: Option<usize>,
    service: usize,
    /// FOCUS `x_ServiceCode`, CUR `lineItem/ProductCode`: used when the service name is empty.
    service_fallback: Option<usize>,
    /// FOCUS `ChargeCategory`, CUR `lineItem/LineItemType`: a tax row without a service name is
    /// [`TAX_SERVICE`].
    charge_category: Option<usize>,
    start: usize,
    end: usize,
    amount: usize,
    currency: usize,
    /// FOCUS: the columns that say whose a row is ([`PROVIDER_COLUMNS`] the file has; none: no
    /// row says). `None` for CUR, which is AWS's own.
    providers: Option<Vec<usize>>,
    names: Vec<String>,
}

/// The FOCUS columns that say whose a row is (see the module).
const PROVIDER_COLUMNS: [&str; 4] = [
    "ServiceProviderName",
    "HostProviderName",
    "ProviderName",
    "InvoiceIssuerName",
];

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Focus => "FOCUS",
            Format::Cur => "a legacy CUR",
        }
    }
}

impl Columns {
    fn from_header(header: &csv::StringRecord, metric: CostMetric) -> Result<Columns> {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = if i == 0 { h.trim_start_matches('\u{feff}') } else { h };
                h.trim().to_string()
            })
            .collect();
        for (i, n) in names.iter().enumerate() {
            if let Some(j) = names[..i].iter().position(|m| m == n) {
                return Err(Error::validation(
                    "file",
                    format!(
                        "row 1, column {}: the column '{}' is named twice (columns {} and {}): which one holds the value is not clear",
                        i + 1,
                        clip(n),
                        j + 1,
                        i + 1
                    ),
                ));
            }
        }
        let find = |n: &str| names.iter().position(|h| h == n);
        let need = |n: &'static str| {
            find(n).ok_or_else(|| Error::validation(n, format!("row 1: the required column '{n}' is missing")))
        };
        if find("ChargePeriodStart").is_some() || find("BilledCost").is_some() {
            let amount = match metric {
                CostMetric::UnblendedCost => "BilledCost",
                CostMetric::AmortizedCost => "EffectiveCost",
            };
            Ok(Columns {
                format: Format::Focus,
                account: need("SubAccountId")?,
                payer: find("BillingAccountId"),
                service: need("ServiceName")?,
                service_fallback: find("x_ServiceCode"),
                charge_category: find("ChargeCategory"),
                start: need("ChargePeriodStart")?,
                end: need("ChargePeriodEnd")?,
                amount: need(amount)?,
                currency: need("BillingCurrency")?,
                providers: Some(PROVIDER_COLUMNS.iter().filter_map(|c| find(c)).collect()),
                names,
            })
        } else if find("lineItem/UnblendedCost").is_some() || find("lineItem/UsageAccountId").is_some() {
            if metric == CostMetric::AmortizedCost {
                return Err(Error::validation(
                    "file",
                    "this customer keeps amortised cost (EffectiveCost), which a legacy CUR file has no single column for; import a FOCUS export (its EffectiveCost), or change the customer's metric to unblended",
                ));
            }
            let service = match (find("product/ProductName"), find("lineItem/ProductCode")) {
                (Some(name), code) => (name, code),
                (None, Some(code)) => (code, None),
                (None, None) => {
                    return Err(Error::validation(
                        "lineItem/ProductCode",
                        "row 1: the required column 'product/ProductName' or 'lineItem/ProductCode' is missing",
                    ));
                }
            };
            Ok(Columns {
                format: Format::Cur,
                account: need("lineItem/UsageAccountId")?,
                payer: None,
                service: service.0,
                service_fallback: service.1,
                charge_category: find("lineItem/LineItemType"),
                start: need("lineItem/UsageStartDate")?,
                end: need("lineItem/UsageEndDate")?,
                amount: need("lineItem/UnblendedCost")?,
                currency: need("lineItem/CurrencyCode")?,
                providers: None,
                names,
            })
        } else {
            Err(Error::validation(
                "file",
                "row 1: the header is neither FOCUS (no 'ChargePeriodStart' / 'BilledCost' column) nor a legacy Cost and Usage Report (no 'lineItem/UnblendedCost' column)",
            ))
        }
    }

    fn amount_column(&self) -> &'static str {
        match self.format {
            Format::Cur => "lineItem/UnblendedCost",
            Format::Focus if self.names[self.amount] == "EffectiveCost" => "EffectiveCost",
            Format::Focus => "BilledCost",
        }
    }
}

/// A value, with `NULL` read as empty.
fn value(record: &csv::StringRecord, i: usize) -> &str {
    let v = record.get(i).unwrap_or("").trim();
    if v == "NULL" { "" } else { v }
}

/// Wraps a reader: gunzips it when it starts with the gzip magic bytes.
pub fn decompressed<'a, R: Read + 'a>(reader: R) -> std::io::Result<Box<dyn Read + 'a>> {
    let mut buf = BufReader::with_capacity(256 * 1024, reader);
    let head = buf.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(buf)))
    } else {
        Ok(Box::new(buf))
    }
}

/// A reader that fails once the files read so far (this one included) pass `max` bytes: the
/// budget `left` is shared by every file of one import.
struct Capped<'a, R> {
    inner: R,
    left: &'a mut u64,
    max: u64,
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > *self.left {
            return Err(std::io::Error::other(format!(
                "the files are longer than {} MiB together once decompressed: import them with `cc billing import`, which takes any size",
                self.max / (1024 * 1024)
            )));
        }
        *self.left -= n as u64;
        Ok(n)
    }
}

/// A reader that feeds what it reads to `hash`: a part's content (decompressed), to tell parts
/// given twice apart from the parts of one export.
struct Hashing<'a, R> {
    inner: R,
    hash: &'a mut sha2::Sha256,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// A timestamp as exports write it, in UTC: RFC 3339 (`2024-09-01T00:00:00Z`, any offset),
/// `2024-09-01 00:00:00` or `2024-09-01T00:00:00` (UTC, optional fraction), or a bare date.
fn parse_time(s: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.to_offset(time::UtcOffset::UTC));
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    let s = s.strip_suffix("+00:00").unwrap_or(s);
    let spaced = format_description!("[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]");
    let t = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");
    let short = format_description!("[year]-[month]-[day] [hour]:[minute]");
    if let Some(p) = [spaced, t, short]
        .iter()
        .find_map(|f| PrimitiveDateTime::parse(s, f).ok())
    {
        return Some(p.assume_utc());
    }
    Date::parse(s, format_description!("[year]-[month]-[day]"))
        .ok()
        .map(|d| d.midnight().assume_utc())
}

/// Whether a provider column's value names AWS (see the module): `AWS` alone or followed by a
/// space, or starting with `Amazon Web Services` or `Amazon.com`, in any case.
fn is_aws(provider: &str) -> bool {
    let starts = |prefix: &str| {
        provider
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    provider.eq_ignore_ascii_case("aws") || starts("aws ") || starts("amazon web services") || starts("amazon.com")
}

/// Whose a row is, by the provider columns `providers` (FOCUS; see the module).
fn provider_of(record: &csv::StringRecord, providers: &[usize]) -> std::result::Result<(), SkipReason> {
    let mut named = false;
    for &i in providers {
        let v = value(record, i);
        if v.is_empty() || v.eq_ignore_ascii_case("Not Applicable") {
            continue;
        }
        if is_aws(v) {
            return Ok(());
        }
        named = true;
    }
    Err(if named {
        SkipReason::OtherProvider
    } else {
        SkipReason::NoProvider
    })
}

/// The file rule for account ids ([`AccountId::from_file`]: leading zeros put back).
fn account_id(raw: &str) -> Option<AccountId> {
    AccountId::from_file(raw).ok()
}

/// The parts of a day's 86,400 seconds a charge period covers: `(day, share of the amount)`.
fn spread(start: OffsetDateTime, end: OffsetDateTime) -> Vec<(Date, f64)> {
    let (first, last_excl) = (start.date(), end.date());
    if end <= start {
        return vec![(first, 1.0)];
    }
    let total = (end - start).as_seconds_f64();
    let mut out = Vec::new();
    let mut day = first;
    loop {
        let day_start = day.midnight().assume_utc();
        let day_end = day_start + time::Duration::DAY;
        let overlap = (end.min(day_end) - start.max(day_start)).as_seconds_f64();
        if overlap > 0.0 {
            out.push((day, overlap / total));
        }
        if day >= last_excl {
            break;
        }
        match day.next_day() {
            Some(d) => day = d,
            None => break,
        }
    }
    out
}

/// The largest amount one line item may carry, either sign (a trillion in the billing currency):
/// beyond it a value is a corrupt or hostile file, and summing such values would overflow to
/// infinity, which JSON cannot carry (a total would read `null`).
pub const MAX_LINE_AMOUNT: f64 = 1e12;

/// Reads an export into daily cells. `reader` may be gzip-compressed. `metric` picks FOCUS's
/// `BilledCost` (unblended) or `EffectiveCost` (amortised).
///
/// Errors (validation, field = the column, or `file`): not FOCUS or CUR, a required column
/// missing, a malformed amount, date or account id, a period ending before it starts or longer
/// than [`MAX_PERIOD_DAYS`], one cell in two currencies; each names the row. I/O and CSV syntax
/// errors are validation errors on `file`.
pub fn parse<R: Read>(reader: R, metric: CostMetric) -> Result<Parsed> {
    parse_at_most(reader, metric, u64::MAX)
}

/// The most bytes an upload through the API may expand to once decompressed (128 MiB, all its
/// files together): a 4 MiB gzip body can hold hundreds of MiB of CSV (or be built to), which
/// would outlast API Gateway's 29 s; bigger exports go through `cc billing import`, which has no
/// such limit.
pub const MAX_API_EXPANDED_BYTES: u64 = 128 * 1024 * 1024;

/// [`parse`], refusing a file whose (decompressed) text is longer than `max_bytes`.
pub fn parse_at_most<R: Read>(reader: R, metric: CostMetric, max_bytes: u64) -> Result<Parsed> {
    parse_files(vec![(String::new(), reader)], metric, max_bytes)
}

/// Reads the files of one export together, `(name, reader)` each: the parts AWS Data Exports
/// splits a month into (`…-00001.csv.gz`, `…-00002.csv.gz`, ...) hold hourly rows of the same
/// (account, service, day) in several parts, so their amounts are **summed** into one set of cells
/// before anything is stored (imported one by one, each part would replace the previous part's
/// month: [`store`]). Every file must be of the same format; their decompressed text may be at most
/// `max_bytes` together. With more than one file, errors name the file before the row.
///
/// Errors (validation, field `file`): besides those of [`parse`], parts whose decompressed
/// content is the same (SHA-256), each group named by part number and name: the same file given
/// twice would have its costs summed twice. Parts without a data row are not compared.
pub fn parse_files<R: Read>(files: Vec<(String, R)>, metric: CostMetric, max_bytes: u64) -> Result<Parsed> {
    use sha2::Digest;
    if files.is_empty() {
        return Err(Error::validation("file", "no file to import"));
    }
    let several = files.len() > 1;
    let mut acc = Cells::default();
    let mut left = max_bytes;
    let mut format: Option<(Format, &'static str, String)> = None;
    let mut read = Vec::with_capacity(files.len());
    // Each part with data rows, by the hash of its content: (part number, name).
    let mut contents: BTreeMap<Vec<u8>, Vec<(usize, String)>> = BTreeMap::new();
    for (i, (name, reader)) in files.into_iter().enumerate() {
        let at = if several { format!("{name}, ") } else { String::new() };
        let input = decompressed(reader).map_err(|e| Error::validation("file", format!("cannot read {name}: {e}")))?;
        let mut hash = sha2::Sha256::new();
        let input = Hashing {
            inner: Capped {
                inner: input,
                left: &mut left,
                max: max_bytes,
            },
            hash: &mut hash,
        };
        let (cols, rows) = acc.read(input, metric, &at)?;
        if rows > 0 {
            contents
                .entry(hash.finalize().to_vec())
                .or_default()
                .push((i + 1, name.clone()));
        }
        match &format {
            None => format = Some((cols.format, cols.amount_column(), name.clone())),
            Some((f, _, first)) if *f != cols.format => {
                return Err(Error::validation(
                    "file",
                    format!(
                        "{at}the file is {} but {first} is {}: the parts of one import are of one export",
                        cols.format.name(),
                        f.name()
                    ),
                ));
            }
            Some(_) => {}
        }
        read.push(FileRead { name, rows_read: rows });
    }
    let mut same: Vec<Vec<(usize, String)>> = contents.into_values().filter(|parts| parts.len() > 1).collect();
    if !same.is_empty() {
        same.sort();
        let groups: Vec<String> = same
            .iter()
            .map(|parts| {
                let named: Vec<String> = parts
                    .iter()
                    .map(|(n, name)| {
                        if name.is_empty() {
                            format!("part {n}")
                        } else {
                            format!("part {n} ({name})")
                        }
                    })
                    .collect();
                named.join(" and ")
            })
            .collect();
        return Err(Error::validation(
            "file",
            format!(
                "{} the same content: the parts of one export each hold different rows, and the same part given \
                 twice would have its costs counted twice. Give each part once; nothing was stored",
                match groups.as_slice() {
                    [one] => format!("{one} have"),
                    many => format!("{} each have", many.join("; ")),
                }
            ),
        ));
    }
    let (format, amount_column, _) = format.unwrap_or((Format::Focus, "BilledCost", String::new()));
    Ok(acc.finish(format, amount_column, read))
}

/// Daily cells being summed, with their account, service and currency names interned.
#[derive(Default)]
struct Cells {
    accounts: HashMap<String, u32>,
    account_ids: Vec<AccountId>,
    services: HashMap<String, u32>,
    service_names: Vec<String>,
    cells: HashMap<(u32, u32, Date), (f64, u32)>,
    currencies: HashMap<String, u32>,
    currency_names: Vec<String>,
    rows_read: u64,
    /// Rows skipped, by reason.
    skipped: BTreeMap<SkipReason, u64>,
}

impl Cells {
    /// Reads one file's rows into the cells; its columns and data rows. `at` prefixes errors
    /// (the file's name when there are several).
    fn read<R: Read>(&mut self, input: R, metric: CostMetric, at: &str) -> Result<(Columns, u64)> {
        // Not flexible: a row with fewer or more fields than the header is refused (its values
        // would land in other columns).
        let mut csv = csv::ReaderBuilder::new().flexible(false).from_reader(input);
        let csv_error = |e: csv::Error| {
            if let csv::ErrorKind::UnequalLengths { pos, expected_len, len } = e.kind() {
                // The record index counts the header as 0: the spreadsheet row is one more.
                let row = pos
                    .as_ref()
                    .map(|p| format!("row {}: ", p.record() + 1))
                    .unwrap_or_default();
                return Error::validation(
                    "file",
                    format!("{at}{row}the row has {len} fields; the header has {expected_len}"),
                );
            }
            let row = e.position().map(|p| format!("row {}: ", p.line())).unwrap_or_default();
            Error::validation("file", format!("{at}{row}not a readable CSV file: {e}"))
        };
        let header = csv.headers().map_err(csv_error)?.clone();
        if header.is_empty() {
            return Err(Error::validation(
                "file",
                format!("{at}the file is empty: a cost export starts with its header row"),
            ));
        }
        let cols = Columns::from_header(&header, metric).map_err(|e| prefixed(e, at))?;
        let mut rows = 0u64;
        let mut record = csv::StringRecord::new();
        while csv.read_record(&mut record).map_err(csv_error)? {
            rows += 1;
            // The spreadsheet row: the header is row 1, each record one row (whatever the line
            // endings, and a quoted field's line breaks do not start a row). `csv`'s line counter
            // differs between LF and CRLF files.
            self.row(&cols, &record, rows + 1, at)?;
        }
        self.rows_read += rows;
        Ok((cols, rows))
    }

    fn row(&mut self, cols: &Columns, record: &csv::StringRecord, row: u64, at: &str) -> Result<()> {
        let bad = |col: usize, what: &str| {
            Error::validation(
                cols.names[col].clone(),
                format!("{at}row {row}, column {}: {what}", cols.names[col]),
            )
        };
        if let Some(providers) = &cols.providers
            && let Err(reason) = provider_of(record, providers)
        {
            *self.skipped.entry(reason).or_default() += 1;
            return Ok(());
        }

        let (acct_col, acct_raw) = match (value(record, cols.account), cols.payer) {
            // A charge on the payer itself: its account is the billing account.
            ("", Some(payer)) if !value(record, payer).is_empty() => (payer, value(record, payer)),
            ("", payer) => {
                let also = match payer {
                    Some(p) => format!(" and so is {}", cols.names[p]),
                    None => String::new(),
                };
                return Err(bad(cols.account, &format!("the account id is empty{also}")));
            }
            (raw, _) => (cols.account, raw),
        };
        let account = match self.accounts.get(acct_raw) {
            Some(&i) => i,
            None => {
                let id = account_id(acct_raw).ok_or_else(|| {
                    bad(
                        acct_col,
                        &format!(
                            "'{}' is not an AWS account id (12 digits, or 10-11 that lost leading zeros)",
                            clip(acct_raw)
                        ),
                    )
                })?;
                let i = self.account_ids.len() as u32;
                self.account_ids.push(id);
                self.accounts.insert(acct_raw.to_string(), i);
                i
            }
        };

        // An empty name: what the row says instead (a tax row; the service code), else
        // `NO_SERVICE` (see the module).
        let (mut service_col, mut service_raw) = (cols.service, value(record, cols.service));
        if service_raw.is_empty()
            && let Some(c) = cols.charge_category
            && value(record, c).eq_ignore_ascii_case(TAX_SERVICE)
        {
            service_raw = TAX_SERVICE;
        }
        if service_raw.is_empty()
            && let Some(f) = cols.service_fallback
        {
            (service_col, service_raw) = (f, value(record, f));
        }
        if service_raw.is_empty() {
            service_raw = NO_SERVICE;
        }
        let service = match self.services.get(service_raw) {
            Some(&i) => i,
            None => {
                // Checked once per name: bounded, one line, no control or text-direction
                // characters (the project's rule for text people read, `crate::text`).
                if let Err(Error::Validation { message, .. }) =
                    crate::text::line("the service name", service_raw, 1, MAX_SERVICE_CHARS)
                {
                    return Err(bad(service_col, &message));
                }
                let i = self.service_names.len() as u32;
                self.service_names.push(service_raw.to_string());
                self.services.insert(service_raw.to_string(), i);
                i
            }
        };

        let amount_raw = value(record, cols.amount);
        if amount_raw.is_empty() {
            return Err(bad(cols.amount, "the amount is empty"));
        }
        let amount: f64 = amount_raw
            .parse()
            .ok()
            .filter(|a: &f64| a.is_finite())
            .ok_or_else(|| bad(cols.amount, &format!("'{}' is not a number", clip(amount_raw))))?;
        if amount.abs() > MAX_LINE_AMOUNT {
            return Err(bad(
                cols.amount,
                &format!(
                    "'{}' is beyond {MAX_LINE_AMOUNT:e} in either direction: not an amount of one line item",
                    clip(amount_raw)
                ),
            ));
        }

        let currency_raw = value(record, cols.currency);
        if currency_raw.len() != 3 || !currency_raw.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(bad(
                cols.currency,
                &format!("'{}' is not an ISO 4217 currency code", clip(currency_raw)),
            ));
        }
        let currency = match self.currencies.get(currency_raw) {
            Some(&i) => i,
            None => {
                let i = self.currency_names.len() as u32;
                self.currency_names.push(currency_raw.to_ascii_uppercase());
                self.currencies.insert(currency_raw.to_string(), i);
                i
            }
        };

        let time_of = |col: usize| {
            let raw = value(record, col);
            parse_time(raw).ok_or_else(|| {
                bad(
                    col,
                    &format!("'{}' is not a date and time (e.g. 2024-09-01T00:00:00Z)", clip(raw)),
                )
            })
        };
        let start = time_of(cols.start)?;
        let end = time_of(cols.end)?;
        for (col, t) in [(cols.start, start), (cols.end, end)] {
            if !(costs::FIRST_DAY..=costs::LAST_DAY).contains(&t.date()) {
                return Err(bad(
                    col,
                    &format!(
                        "{} is outside {} to {}: not a day of AWS billing",
                        t.date(),
                        costs::FIRST_DAY,
                        costs::LAST_DAY
                    ),
                ));
            }
        }
        if end < start {
            return Err(bad(cols.end, "the period ends before it starts"));
        }
        if (end - start).whole_days() > MAX_PERIOD_DAYS {
            return Err(bad(
                cols.end,
                &format!("the period is longer than {MAX_PERIOD_DAYS} days"),
            ));
        }

        for (day, share) in spread(start, end) {
            let cell = self.cells.entry((account, service, day)).or_insert((0.0, currency));
            if cell.1 != currency {
                return Err(bad(
                    cols.currency,
                    &format!(
                        "account {}, service '{}' on {day} is charged in both {} and {}",
                        self.account_ids[account as usize],
                        self.service_names[service as usize],
                        self.currency_names[cell.1 as usize],
                        self.currency_names[currency as usize]
                    ),
                ));
            }
            cell.0 += amount * share;
        }
        Ok(())
    }

    fn finish(self, format: Format, amount_column: &'static str, files: Vec<FileRead>) -> Parsed {
        let mut out: Vec<DailyCost> = self
            .cells
            .into_iter()
            .map(|((a, s, day), (amount, c))| DailyCost {
                account: self.account_ids[a as usize].clone(),
                service: self.service_names[s as usize].clone(),
                day,
                amount,
                currency: self.currency_names[c as usize].clone(),
                // An export holds what was billed: never estimated.
                estimated: false,
                source: CellSource::Import,
            })
            .collect();
        out.sort_by(|x, y| (x.day, x.account.as_str(), &x.service).cmp(&(y.day, y.account.as_str(), &y.service)));
        let skipped = self
            .skipped
            .into_iter()
            .map(|(reason, rows)| Skipped { reason, rows })
            .collect();
        Parsed {
            format,
            amount_column,
            rows_read: self.rows_read,
            skipped,
            cells: out,
            files,
        }
    }
}

/// `e` with `at` (a file's name and ", ") before its message.
fn prefixed(e: Error, at: &str) -> Error {
    match e {
        Error::Validation { field, message } if !at.is_empty() => Error::Validation {
            field,
            message: format!("{at}{message}"),
        },
        other => other,
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The most accounts of other customers an import's refusal lists by id.
const LISTED_OTHERS: usize = 20;

/// Refuses `parsed` for `customer` when the hub (`hub`: every account) has any of its accounts
/// under another customer: a file of a wrong customer, or a mix of customers, would otherwise store
/// their costs under this one. Accounts nowhere in the hub are allowed (they may still be added;
/// the summary lists them). The error (validation, field `file`) names each account with the
/// customer it belongs to.
pub fn check_owners(customer: &CustomerCode, parsed: &Parsed, hub: &[crate::hub::Account]) -> Result<()> {
    let owner: HashMap<&AccountId, &CustomerCode> = hub.iter().map(|a| (&a.id, &a.customer)).collect();
    let file: BTreeSet<&AccountId> = parsed.cells.iter().map(|c| &c.account).collect();
    let others: Vec<String> = file
        .into_iter()
        .filter_map(|a| owner.get(a).filter(|c| **c != customer).map(|c| format!("{a} ({c})")))
        .collect();
    if others.is_empty() {
        return Ok(());
    }
    let mut listed = others
        .iter()
        .take(LISTED_OTHERS)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if others.len() > LISTED_OTHERS {
        listed.push_str(&format!(" and {} more", others.len() - LISTED_OTHERS));
    }
    Err(Error::validation(
        "file",
        format!(
            "the file has costs of {} account(s) the hub has under other customers: {listed}; nothing was \
             stored. Import each customer's costs under that customer (or move the accounts in the hub first)",
            others.len()
        ),
    ))
}

/// Who imported, for the audit log: a person's e-mail, or `system` (the CLI, which runs without
/// a signed-in person, says so in the event's detail).
pub struct Importer<'a> {
    pub actor: &'a str,
    /// How: `API`, `cc billing import`.
    pub via: &'a str,
}

/// Stores what [`parse`] read for `customer`, **replacing the imported cells of each month the
/// file has costs in**: each cell replaces the stored one, then the month's other imported cells
/// are removed ([`costs::remove_imported`]: an export is per billing month, and a corrected one
/// replaces it; cells a fetch or the demo wrote are left alone). Then runs detection over the
/// stored history up to the file's last day (at most yesterday, by `now`), and sums it up. `hub`
/// is every account of the hub: the file's accounts that another customer has are refused before
/// anything is stored ([`check_owners`]); those nowhere in the hub are listed.
///
/// The cells are written in several transactions (100 writes each), the new ones before the old
/// ones are removed, so the import's audit event (`costs_imported`: format, files, rows, accounts,
/// months, cells written and removed, totals) is written right after the last of them, not in the
/// same transaction. One writer of a customer's costs at a time is the caller's to ensure (the
/// customer's lease: [`super::fetch::Billing::store_import`]).
pub async fn store(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    parsed: Parsed,
    hub: &[crate::hub::Account],
    by: &Importer<'_>,
    now: time::OffsetDateTime,
) -> Result<ImportSummary> {
    check_owners(customer, &parsed, hub)?;
    let written = costs::upsert(items, customer, &parsed.cells).await?;
    let months: BTreeSet<Date> = parsed.cells.iter().map(|c| costs::month_start(c.day)).collect();
    let kept: BTreeSet<(AccountId, String, Date)> = parsed
        .cells
        .iter()
        .map(|c| (c.account.clone(), c.service.clone(), c.day))
        .collect();
    let removed = costs::remove_imported(items, customer, &months, &kept).await?;
    let mut summary = summarise(customer, &parsed, written, hub);
    summary.months_replaced = months.iter().map(|m| costs::month_name(*m)).collect();
    summary.cells_removed = removed;
    let files: Vec<&str> = summary
        .files
        .iter()
        .map(|f| f.name.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    let totals: Vec<String> = summary
        .totals
        .iter()
        .map(|t| format!("{:.2} {}", t.amount, t.currency))
        .collect();
    let event = crate::audit::AuditEvent::new(by.actor, "costs_imported", customer.as_str(), now)
        .origin(&crate::audit::current_origin())
        .before_after(
            None,
            Some(serde_json::json!({
                "format": summary.format,
                "amount_column": summary.amount_column,
                "files": summary.files,
                "rows_read": summary.rows_read,
                "cells_written": summary.cells_written,
                "months_replaced": summary.months_replaced,
                "cells_removed": summary.cells_removed,
                "accounts": summary.accounts,
                "first_day": summary.first_day.map(|d| d.to_string()),
                "last_day": summary.last_day.map(|d| d.to_string()),
                "totals": summary.totals,
            })),
        );
    let event = crate::audit::AuditEvent {
        detail: format!(
            "{} export{} via {}: {} rows, {} accounts, {} cells written and {} removed in {}, total {}",
            parsed.format.name().trim_start_matches("a legacy "),
            if files.is_empty() {
                String::new()
            } else {
                format!(" ({})", files.join(", "))
            },
            by.via,
            summary.rows_read,
            summary.accounts.len(),
            summary.cells_written,
            summary.cells_removed,
            match summary.months_replaced.as_slice() {
                [] => "no month".to_string(),
                [one] => one.clone(),
                [first, .., last] => format!("{first} to {last}"),
            },
            if totals.is_empty() {
                "0".to_string()
            } else {
                totals.join(", ")
            }
        ),
        ..event
    };
    items
        .transact(vec![crate::store::Write::Put(event.item())])
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("recording the import in the audit log: {e}")))?;
    if let Some(last) = summary.last_day {
        let as_of = last.min(now.date() - time::Duration::days(1));
        summary.anomalies_raised = super::store::detect(items, customer, as_of, now).await?.len();
    }
    Ok(summary)
}

/// The summary of `parsed` once `written` cells are stored.
pub fn summarise(
    customer: &CustomerCode,
    parsed: &Parsed,
    written: usize,
    hub: &[crate::hub::Account],
) -> ImportSummary {
    let accounts: BTreeSet<&AccountId> = parsed.cells.iter().map(|c| &c.account).collect();
    let services: BTreeSet<&str> = parsed.cells.iter().map(|c| c.service.as_str()).collect();
    let mut totals: BTreeMap<(String, String), f64> = BTreeMap::new();
    for c in &parsed.cells {
        *totals.entry((String::new(), c.currency.clone())).or_default() += c.amount;
    }
    let known: BTreeSet<&AccountId> = hub.iter().map(|a| &a.id).collect();
    ImportSummary {
        customer: customer.clone(),
        format: parsed.format,
        amount_column: parsed.amount_column.to_string(),
        files: parsed.files.clone(),
        rows_read: parsed.rows_read,
        skipped: parsed.skipped.clone(),
        cells_written: written,
        months_replaced: Vec::new(),
        cells_removed: 0,
        accounts_not_in_hub: accounts
            .iter()
            .filter(|a| !known.contains(*a))
            .map(|a| (*a).clone())
            .collect(),
        accounts: accounts.into_iter().cloned().collect(),
        services: services.into_iter().map(str::to_string).collect(),
        currencies: totals.keys().map(|(_, c)| c.clone()).collect(),
        first_day: parsed.cells.first().map(|c| c.day),
        last_day: parsed.cells.last().map(|c| c.day),
        totals: totals
            .into_iter()
            .map(|((key, currency), amount)| costs::CostTotal { key, amount, currency })
            .collect(),
        anomalies_raised: 0,
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn billing_import_times_in_every_export_spelling_are_utc() {
        let want = datetime!(2024-09-18 22:00:00 UTC);
        for s in [
            "2024-09-18T22:00:00Z",
            "2024-09-18 22:00:00",
            "2024-09-18T22:00:00",
            "2024-09-18T22:00:00.000Z",
            "2024-09-19T00:00:00+02:00",
            "2024-09-18 22:00",
        ] {
            assert_eq!(parse_time(s), Some(want), "{s}");
        }
        assert_eq!(parse_time("2024-09-18"), Some(datetime!(2024-09-18 00:00 UTC)));
        for bad in ["", "18/09/2024", "2024-13-01", "yesterday"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn billing_import_spreads_a_period_by_its_time_in_each_day() {
        assert_eq!(
            spread(datetime!(2024-09-18 22:00 UTC), datetime!(2024-09-18 23:00 UTC)),
            vec![(date!(2024 - 09 - 18), 1.0)]
        );
        assert_eq!(
            spread(datetime!(2024-09-18 00:00 UTC), datetime!(2024-09-19 00:00 UTC)),
            vec![(date!(2024 - 09 - 18), 1.0)]
        );
        let month = spread(datetime!(2024-09-01 00:00 UTC), datetime!(2024-10-01 00:00 UTC));
        assert_eq!(month.len(), 30);
        assert!(month.iter().all(|(_, s)| (s - 1.0 / 30.0).abs() < 1e-12));
        assert_eq!(
            spread(datetime!(2024-09-18 18:00 UTC), datetime!(2024-09-19 06:00 UTC)),
            vec![(date!(2024 - 09 - 18), 0.5), (date!(2024 - 09 - 19), 0.5)]
        );
        assert_eq!(
            spread(datetime!(2024-09-18 18:00 UTC), datetime!(2024-09-18 18:00 UTC)),
            vec![(date!(2024 - 09 - 18), 1.0)]
        );
    }

    #[test]
    fn billing_import_account_ids_follow_the_file_rule() {
        // The same table as the bulk account import (`crate::ids::FILE_ACCOUNT_IDS`), through a
        // whole FOCUS row.
        for (raw, want) in crate::ids::FILE_ACCOUNT_IDS {
            let file = format!(
                "ProviderName,SubAccountId,ServiceName,ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency\n\
                 AWS,\"{raw}\",EC2,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1,USD\n"
            );
            let got = parse(file.as_bytes(), CostMetric::UnblendedCost);
            match (got, want) {
                (Ok(p), Some(id)) => assert_eq!(p.cells[0].account.as_str(), *id, "{raw:?}"),
                (Err(Error::Validation { field, .. }), None) => {
                    assert_eq!(field.as_deref(), Some("SubAccountId"), "{raw:?}")
                }
                (other, _) => panic!("{raw:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn billing_import_providers_named_aws() {
        for p in [
            "AWS",
            "aws",
            "AWS Marketplace",
            "Amazon Web Services",
            "Amazon Web Services, Inc.",
            "Amazon Web Services EMEA SARL",
            "Amazon.com Services LLC",
        ] {
            assert!(is_aws(p), "{p}");
        }
        for p in [
            "",
            "Microsoft",
            "Oracle",
            "Google Cloud",
            "AWSome Cloud Ltd",
            "Amazonia Hosting",
        ] {
            assert!(!is_aws(p), "{p}");
        }
    }
}
