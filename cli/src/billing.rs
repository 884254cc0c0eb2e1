//! `cc billing import FILE... --customer X`: reads a FOCUS or CUR export (CSV, plain or gzip; one
//! file, or every part of one export, summed before storing) into the customer's daily costs on
//! the configured store, in this process, with a progress bar on the bytes read, replacing the
//! imported costs of the months it has. `-` reads the standard input.
//!
//! `cc billing remove-imported --customer X --from YYYY-MM [--to YYYY-MM]`: removes the
//! customer's imported costs of those months (a fetch's stay), in this process.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use cc_domain::App;
use cc_domain::billing::import::{self, ImportSummary};
use cc_domain::billing::service::{ImportsRemoved, month_range};
use cc_domain::billing::settings;
use cc_domain::ids::CustomerCode;
use cc_domain::{Error, keys};

/// Imports `files` (the parts of one export; `-` is the standard input, at most once) for
/// `customer`. The customer must exist in the hub; every file is read to its end before anything
/// is stored (a bad row stores nothing). `progress`: draw a bar on stderr (it hides itself when
/// stderr is not a terminal).
pub async fn import_files(
    app: &App,
    files: &[PathBuf],
    customer: &str,
    progress: bool,
) -> anyhow::Result<ImportSummary> {
    let customer = known_customer(app, customer).await?;
    if files.iter().filter(|f| is_stdin(f)).count() > 1 {
        anyhow::bail!("'-' (the standard input) may be given once");
    }
    let metric = settings::get(app.items.as_ref(), &customer).await?.metric;
    let mut readers: Vec<(String, Box<dyn Read + Send>)> = Vec::with_capacity(files.len());
    let mut size = 0;
    for file in files {
        if is_stdin(file) {
            readers.push(("(standard input)".into(), Box::new(std::io::stdin())));
            continue;
        }
        let reader = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
        size += reader.metadata().map(|m| m.len()).unwrap_or(0);
        readers.push((file.display().to_string(), Box::new(reader)));
    }
    let bar = if progress {
        indicatif::ProgressBar::new(size)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let readers: Vec<(String, indicatif::ProgressBarIter<Box<dyn Read + Send>>)> =
        readers.into_iter().map(|(name, r)| (name, bar.wrap_read(r))).collect();
    let parsed = tokio::task::spawn_blocking(move || import::parse_files(readers, metric, u64::MAX))
        .await
        .context("the import's reader stopped")??;
    bar.finish_and_clear();
    let by = import::Importer {
        actor: "system",
        via: "cc billing import",
    };
    Ok(app.billing()?.store_import(&customer, parsed, &by).await?)
}

/// Removes `customer`'s imported costs of the months `from` to `to` (`YYYY-MM`; `to` defaults
/// to `from`), recorded in its audit log as `system` via `cc billing remove-imported`.
pub async fn remove_imported(
    app: &App,
    customer: &str,
    from: &str,
    to: Option<&str>,
) -> anyhow::Result<ImportsRemoved> {
    let customer = known_customer(app, customer).await?;
    let range = month_range(from, to)?;
    let by = import::Importer {
        actor: "system",
        via: "cc billing remove-imported",
    };
    Ok(app.billing()?.remove_imported_costs(&customer, range, &by).await?)
}

/// The customer `code`, which the hub must have.
async fn known_customer(app: &App, code: &str) -> anyhow::Result<CustomerCode> {
    let customer = CustomerCode::parse(code).map_err(|e| Error::validation("customer", e.to_string()))?;
    if app
        .items
        .get(&keys::customer(customer.as_str()), keys::META)
        .await
        .map_err(Error::from)?
        .is_none()
    {
        return Err(Error::not_found("customer", customer.as_str()).into());
    }
    Ok(customer)
}

/// What a removal did, as a person reads it.
pub fn describe_removed(r: &ImportsRemoved) -> String {
    let range = if r.from == r.to {
        r.from.clone()
    } else {
        format!("{} to {}", r.from, r.to)
    };
    let mut out = format!(
        "imported costs of {} removed for {}: {} daily cells",
        range, r.customer, r.cells_removed
    );
    if r.months.is_empty() {
        out.push_str(" (no month of the range holds costs)");
    }
    if r.anomalies_raised > 0 {
        out.push_str(&format!("\n  cost anomalies raised: {}", r.anomalies_raised));
    }
    out
}

fn is_stdin(file: &Path) -> bool {
    file.as_os_str() == "-"
}

/// The summary as a person reads it.
pub fn describe(s: &ImportSummary) -> String {
    let files = match s.files.len() {
        0 | 1 => "file".to_string(),
        n => format!("export of {n} files"),
    };
    let mut out = format!(
        "{} {files} for {}: {} rows read, {} daily cells written (amounts from {})\n",
        match s.format {
            import::Format::Focus => "FOCUS",
            import::Format::Cur => "CUR",
        },
        s.customer,
        s.rows_read,
        s.cells_written,
        s.amount_column
    );
    if s.files.len() > 1 {
        for f in &s.files {
            out.push_str(&format!("  {}: {} rows\n", f.name, f.rows_read));
        }
    }
    for k in &s.skipped {
        // The reason as the API and the UI say it (`other_provider` → "other provider").
        let reason = serde_json::to_value(k.reason)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_else(|| format!("{:?}", k.reason));
        out.push_str(&format!("  skipped: {} rows ({reason})\n", k.rows));
    }
    if let (Some(a), Some(b)) = (s.first_day, s.last_day) {
        out.push_str(&format!("  days: {a} to {b}\n"));
    }
    if !s.months_replaced.is_empty() {
        out.push_str(&format!(
            "  months replaced: {} ({} imported cells the file no longer has removed)\n",
            s.months_replaced.join(", "),
            s.cells_removed
        ));
    }
    out.push_str(&format!(
        "  accounts: {}, services: {}, currencies: {}\n",
        s.accounts.len(),
        s.services.len(),
        s.currencies.join(", ")
    ));
    for t in &s.totals {
        out.push_str(&format!("  total: {:.2} {}\n", t.amount, t.currency));
    }
    if !s.accounts_not_in_hub.is_empty() {
        let ids: Vec<&str> = s.accounts_not_in_hub.iter().map(|a| a.as_str()).collect();
        out.push_str(&format!(
            "  {} account(s) not in the hub (in no customer's): {}\n",
            ids.len(),
            ids.join(", ")
        ));
    }
    if s.anomalies_raised > 0 {
        out.push_str(&format!("  cost anomalies raised: {}\n", s.anomalies_raised));
    }
    out
}
