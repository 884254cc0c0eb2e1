//! `cc billing import FILE --customer X`: reads a FOCUS or CUR export (CSV, plain or gzip) into the
//! customer's daily costs on the configured store, in this process, with a progress bar on the
//! bytes read.

use std::path::Path;

use anyhow::Context;
use cc_domain::App;
use cc_domain::billing::import::{self, ImportSummary};
use cc_domain::billing::settings;
use cc_domain::ids::CustomerCode;
use cc_domain::{Error, keys};

/// Imports `file` for `customer`. The customer must exist in the hub; the file is read to its end
/// before anything is stored (a bad row stores nothing). `progress`: draw a bar on stderr (it
/// hides itself when stderr is not a terminal).
pub async fn import_file(app: &App, file: &Path, customer: &str, progress: bool) -> anyhow::Result<ImportSummary> {
    let customer = CustomerCode::parse(customer).map_err(|e| Error::validation("customer", e.to_string()))?;
    if app
        .items
        .get(&keys::customer(customer.as_str()), keys::META)
        .await
        .map_err(Error::from)?
        .is_none()
    {
        return Err(Error::not_found("customer", customer.as_str()).into());
    }
    let metric = settings::get(app.items.as_ref(), &customer).await?.metric;
    let reader = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let size = reader.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if progress {
        indicatif::ProgressBar::new(size)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let read = bar.wrap_read(reader);
    let parsed = tokio::task::spawn_blocking(move || import::parse(read, metric))
        .await
        .context("the import's reader stopped")??;
    bar.finish_and_clear();
    let accounts = app.hub.account_ids_of(&customer).await?;
    Ok(import::store(app.items.as_ref(), &customer, parsed, &accounts, app.clock.now()).await?)
}

/// The summary as a person reads it.
pub fn describe(s: &ImportSummary) -> String {
    let mut out = format!(
        "{} file for {}: {} rows read, {} daily cells written (amounts from {})\n",
        match s.format {
            import::Format::Focus => "FOCUS",
            import::Format::Cur => "CUR",
        },
        s.customer,
        s.rows_read,
        s.cells_written,
        s.amount_column
    );
    for k in &s.skipped {
        out.push_str(&format!("  skipped: {} rows ({:?})\n", k.rows, k.reason));
    }
    if let (Some(a), Some(b)) = (s.first_day, s.last_day) {
        out.push_str(&format!("  days: {a} to {b}\n"));
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
            "  {} account(s) not in the hub for {}: {}\n",
            ids.len(),
            s.customer,
            ids.join(", ")
        ));
    }
    if s.anomalies_raised > 0 {
        out.push_str(&format!("  cost anomalies raised: {}\n", s.anomalies_raised));
    }
    out
}
