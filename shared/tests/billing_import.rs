//! Reading FOCUS and CUR exports into daily cells: the FinOps Foundation's real FOCUS 1.0 sample
//! (checked against sums computed here with a plain CSV loop), CUR, gzip, hourly roll-up,
//! spreading of long charge periods, other providers, and every kind of bad input.
//!
//! The sample is `focus-1.0-sample-1000.csv` from the FinOps Foundation's FOCUS-Sample-Data
//! repository (CC BY 4.0), read from `../shared/data/` beside the repository (see its README).

use std::collections::BTreeMap;
use std::io::Write as _;

use cc_domain::Error;
use cc_domain::billing::costs::{CostMetric, DailyCost};
use cc_domain::billing::import::{self, Format, SkipReason};
use time::macros::date;

fn sample_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/focus-1.0-sample-1000.csv")
}

fn sample() -> Vec<u8> {
    std::fs::read(sample_path()).unwrap_or_else(|e| panic!("{}: {e}", sample_path().display()))
}

/// Sums per (account, service) and per (account, day) of `column`, AWS rows only: a plain loop
/// over the records with its own column lookup (not the import's code).
/// Amounts per (account, service) or per (account, day).
type Sums = BTreeMap<(String, String), f64>;

fn expected(bytes: &[u8], column: &str) -> (Sums, Sums, usize) {
    let mut r = csv::Reader::from_reader(bytes);
    let h = r.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (acct, svc, cost, prov, start) = (
        at("SubAccountId"),
        at("ServiceName"),
        at(column),
        at("ProviderName"),
        at("ChargePeriodStart"),
    );
    let mut by_service = BTreeMap::new();
    let mut by_day = BTreeMap::new();
    let mut other = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        if rec[prov] != *"AWS" {
            other += 1;
            continue;
        }
        let account = format!("{:0>12}", &rec[acct]);
        let amount: f64 = rec[cost].parse().unwrap();
        *by_service.entry((account.clone(), rec[svc].to_string())).or_insert(0.0) += amount;
        *by_day.entry((account, rec[start][..10].to_string())).or_insert(0.0) += amount;
    }
    (by_service, by_day, other)
}

fn sums(cells: &[DailyCost]) -> (Sums, Sums) {
    let mut by_service = BTreeMap::new();
    let mut by_day = BTreeMap::new();
    for c in cells {
        *by_service
            .entry((c.account.as_str().to_string(), c.service.clone()))
            .or_insert(0.0) += c.amount;
        *by_day
            .entry((c.account.as_str().to_string(), c.day.to_string()))
            .or_insert(0.0) += c.amount;
    }
    (by_service, by_day)
}

fn assert_same(got: &Sums, want: &Sums) {
    assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>());
    for (k, w) in want {
        let g = got[k];
        assert!((g - w).abs() <= 1e-9 * (1.0 + w.abs()), "{k:?}: {g} vs {w}");
    }
}

#[test]
fn billing_import_focus_sample_totals_match_a_plain_sum_per_account_service_and_day() {
    let bytes = sample();
    for (metric, column) in [
        (CostMetric::UnblendedCost, "BilledCost"),
        (CostMetric::AmortizedCost, "EffectiveCost"),
    ] {
        let parsed = import::parse(&bytes[..], metric).unwrap();
        let (want_service, want_day, other) = expected(&bytes, column);
        assert_eq!(parsed.format, Format::Focus);
        assert_eq!(parsed.amount_column, column);
        assert_eq!(parsed.rows_read, 1000);
        assert_eq!(parsed.skipped.len(), 1);
        assert_eq!(parsed.skipped[0].reason, SkipReason::OtherProvider);
        assert_eq!(parsed.skipped[0].rows, other as u64);
        assert_eq!(other, 58, "51 Microsoft and 7 Oracle rows");
        let (got_service, got_day) = sums(&parsed.cells);
        assert_same(&got_service, &want_service);
        assert_same(&got_day, &want_day);
        assert!(parsed.cells.iter().all(|c| c.currency == "USD"));
        assert!(parsed.cells.iter().all(|c| c.day.month() == time::Month::September));
    }
}

#[test]
fn billing_import_gzip_is_sniffed_and_reads_the_same() {
    let bytes = sample();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&bytes).unwrap();
    let gz = gz.finish().unwrap();
    let plain = import::parse(&bytes[..], CostMetric::UnblendedCost).unwrap();
    let zipped = import::parse(&gz[..], CostMetric::UnblendedCost).unwrap();
    assert_eq!(plain, zipped);
}

const FOCUS_HEADER: &str = "ProviderName,SubAccountId,BillingAccountId,ServiceName,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,BillingCurrency";

fn focus(rows: &[&str]) -> String {
    let mut s = String::from(FOCUS_HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

fn parse(s: &str) -> Result<import::Parsed, Error> {
    import::parse(s.as_bytes(), CostMetric::UnblendedCost)
}

fn cell<'a>(p: &'a import::Parsed, account: &str, service: &str, day: time::Date) -> Option<&'a DailyCost> {
    p.cells
        .iter()
        .find(|c| c.account.as_str() == account && c.service == service && c.day == day)
}

#[test]
fn billing_import_hourly_rows_roll_up_to_their_utc_day() {
    let p = parse(&focus(&[
        "AWS,111111111111,999999999999,Amazon EC2,Usage,2024-09-18T22:00:00Z,2024-09-18T23:00:00Z,1.5,1,USD",
        "AWS,111111111111,999999999999,Amazon EC2,Usage,2024-09-18T23:00:00Z,2024-09-19T00:00:00Z,2.5,1,USD",
        "AWS,111111111111,999999999999,Amazon EC2,Usage,2024-09-19T00:00:00Z,2024-09-19T01:00:00Z,4,1,USD",
        // 01:00 in UTC+02:00 is 23:00 UTC the day before.
        "AWS,111111111111,999999999999,Amazon EC2,Usage,2024-09-19T01:00:00+02:00,2024-09-19T02:00:00+02:00,8,1,USD",
    ]))
    .unwrap();
    assert_eq!(p.cells.len(), 2);
    assert_eq!(
        cell(&p, "111111111111", "Amazon EC2", date!(2024 - 09 - 18))
            .unwrap()
            .amount,
        12.0
    );
    assert_eq!(
        cell(&p, "111111111111", "Amazon EC2", date!(2024 - 09 - 19))
            .unwrap()
            .amount,
        4.0
    );
}

#[test]
fn billing_import_long_charge_periods_are_spread_over_their_days() {
    let p = parse(&focus(&[
        // A month of storage: 30 days, 3 a day.
        "AWS,111111111111,999999999999,Amazon S3,Usage,2024-09-01T00:00:00Z,2024-10-01T00:00:00Z,90,90,USD",
        // A support fee on the payer (no sub-account): a month too.
        "AWS,,999999999999,AWS Support (Business),Purchase,2024-09-01T00:00:00Z,2024-10-01T00:00:00Z,300,300,USD",
        // 18:00 to 06:00: half on each day.
        "AWS,111111111111,999999999999,Amazon EC2,Usage,2024-09-18T18:00:00Z,2024-09-19T06:00:00Z,10,10,USD",
    ]))
    .unwrap();
    let s3: Vec<&DailyCost> = p.cells.iter().filter(|c| c.service == "Amazon S3").collect();
    assert_eq!(s3.len(), 30);
    assert!(s3.iter().all(|c| (c.amount - 3.0).abs() < 1e-12));
    assert_eq!(s3[0].day, date!(2024 - 09 - 01));
    assert_eq!(s3[29].day, date!(2024 - 09 - 30));
    let support = cell(&p, "999999999999", "AWS Support (Business)", date!(2024 - 09 - 15)).unwrap();
    assert!((support.amount - 10.0).abs() < 1e-12);
    assert_eq!(
        cell(&p, "111111111111", "Amazon EC2", date!(2024 - 09 - 18))
            .unwrap()
            .amount,
        5.0
    );
    assert_eq!(
        cell(&p, "111111111111", "Amazon EC2", date!(2024 - 09 - 19))
            .unwrap()
            .amount,
        5.0
    );
}

/// The skipped rows of `p` by reason, as the summary gives them.
fn skipped(p: &import::Parsed) -> Vec<(SkipReason, u64)> {
    p.skipped.iter().map(|k| (k.reason, k.rows)).collect()
}

#[test]
fn billing_import_only_rows_the_file_says_are_aws_are_imported() {
    // FOCUS 1.0 to 1.2: `ProviderName` (and `InvoiceIssuerName`, absent here).
    let p = parse(&focus(&[
        "Microsoft,/subscriptions/x,y,Virtual Machines,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,5,5,USD",
        "Oracle,ocid1,z,Compute,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,5,5,USD",
        // Whose? The row does not say: skipped, not read as AWS's.
        ",111111111111,999999999999,Amazon EC2,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,100,100,USD",
        "NULL,111111111111,999999999999,Amazon EC2,Usage,2024-09-01T01:00:00Z,2024-09-01T02:00:00Z,100,100,USD",
        "Amazon Web Services,111111111111,999999999999,Amazon S3,Usage,2024-09-01T00:00:00Z,2024-09-02T00:00:00Z,7,7,USD",
        "AWS,111111111111,999999999999,Amazon EC2,Credit,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,-2,-2,USD",
    ]))
    .unwrap();
    assert_eq!(p.rows_read, 6);
    assert_eq!(
        skipped(&p),
        vec![(SkipReason::OtherProvider, 2), (SkipReason::NoProvider, 2)]
    );
    assert_eq!(p.cells.len(), 2);
    let ec2 = cell(&p, "111111111111", "Amazon EC2", date!(2024 - 09 - 01)).unwrap();
    assert_eq!(ec2.amount, -2.0, "only the AWS row's credit");
    assert_eq!(
        cell(&p, "111111111111", "Amazon S3", date!(2024 - 09 - 01))
            .unwrap()
            .amount,
        7.0
    );

    // FOCUS 1.3: `ServiceProviderName` (which replaces `ProviderName`), `HostProviderName`, and
    // `InvoiceIssuerName`: AWS's when any names AWS (a Marketplace seller's row is invoiced by AWS).
    let header = "ServiceProviderName,HostProviderName,InvoiceIssuerName,SubAccountId,ServiceName,ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency";
    let text = [
        header,
        "AWS,AWS,\"Amazon Web Services, Inc.\",111111111111,Amazon EC2,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1,USD",
        "Datadog,Not Applicable,Amazon Web Services EMEA SARL,111111111111,Datadog Pro,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,2,USD",
        "Acme MSP,AWS,Acme MSP,111111111111,Managed EC2,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,4,USD",
        "Microsoft,Microsoft,Microsoft,/subscriptions/x,Virtual Machines,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,8,USD",
        "Datadog,Not Applicable,Datadog,dd-1,Datadog Pro,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,16,USD",
        "NULL,Not Applicable,,111111111111,Amazon EC2,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,32,USD",
        "",
    ]
    .join("\n");
    let p = parse(&text).unwrap();
    assert_eq!(
        skipped(&p),
        vec![(SkipReason::OtherProvider, 2), (SkipReason::NoProvider, 1)]
    );
    let total: f64 = p.cells.iter().map(|c| c.amount).sum();
    assert_eq!(total, 7.0, "the AWS, Marketplace and AWS-hosted rows: {:?}", p.cells);

    // A FOCUS file with no provider column says of no row whose it is.
    let text = "SubAccountId,ServiceName,ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency\n\
                111111111111,Amazon EC2,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1,USD\n\
                111111111111,Amazon EC2,2024-09-01T01:00:00Z,2024-09-01T02:00:00Z,1,USD\n";
    let p = parse(text).unwrap();
    assert_eq!(skipped(&p), vec![(SkipReason::NoProvider, 2)]);
    assert!(p.cells.is_empty());
}

#[test]
fn billing_import_an_empty_service_name_takes_what_the_row_says() {
    // FOCUS with AWS's columns: a tax row is `Tax` (Cost Explorer's name), else the service code,
    // else `(no service)`; a row with a name keeps it.
    let header = "ProviderName,SubAccountId,ServiceName,x_ServiceCode,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency";
    let row = |service: &str, code: &str, category: &str, amount: u32| {
        format!("AWS,111111111111,{service},{code},{category},2024-09-01T00:00:00Z,2024-09-02T00:00:00Z,{amount},USD")
    };
    let rows = [
        row("NULL", "AmazonEC2", "Tax", 1),
        row("", "", "tax", 2),
        row("", "AmazonEC2", "Usage", 4),
        row("", "", "Credit", 8),
        row("Amazon Simple Storage Service", "AmazonS3", "Tax", 16),
    ];
    let p = parse(&format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    let by_service: BTreeMap<&str, f64> = p.cells.iter().map(|c| (c.service.as_str(), c.amount)).collect();
    assert_eq!(
        by_service,
        BTreeMap::from([
            ("Tax", 3.0),
            ("AmazonEC2", 4.0),
            (import::NO_SERVICE, 8.0),
            ("Amazon Simple Storage Service", 16.0)
        ])
    );
    // Legacy CUR: a tax line item without a product name is `Tax`, else the product code.
    let text = format!(
        "{CUR_HEADER}\n\
         a,111111111111,Tax,AmazonEC2,2024-09-01T00:00:00Z,2024-09-02T00:00:00Z,1.5,USD,\n\
         b,111111111111,Usage,AmazonEC2,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,3,USD,\n"
    );
    let p = parse(&text).unwrap();
    let by_service: BTreeMap<&str, f64> = p.cells.iter().map(|c| (c.service.as_str(), c.amount)).collect();
    assert_eq!(by_service, BTreeMap::from([("Tax", 1.5), ("AmazonEC2", 3.0)]));
}

#[test]
fn billing_import_amortised_metric_reads_effective_cost() {
    let text = focus(&[
        "AWS,111111111111,999999999999,Amazon EC2,Purchase,2024-09-01T00:00:00Z,2024-09-02T00:00:00Z,1000,0,USD",
        "AWS,111111111111,999999999999,Amazon EC2,Usage,2024-09-01T00:00:00Z,2024-09-02T00:00:00Z,0,40,USD",
    ]);
    let billed = import::parse(text.as_bytes(), CostMetric::UnblendedCost).unwrap();
    let effective = import::parse(text.as_bytes(), CostMetric::AmortizedCost).unwrap();
    assert_eq!(billed.cells[0].amount, 1000.0);
    assert_eq!(effective.cells[0].amount, 40.0);
    assert_eq!(effective.amount_column, "EffectiveCost");
}

const CUR_HEADER: &str = "identity/LineItemId,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/ProductCode,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/UnblendedCost,lineItem/CurrencyCode,product/ProductName";

#[test]
fn billing_import_legacy_cur_reads_product_name_else_product_code() {
    let text = format!(
        "{CUR_HEADER}\n\
         a,111111111111,Usage,AmazonEC2,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1.25,USD,Amazon Elastic Compute Cloud\n\
         b,111111111111,Usage,AmazonEC2,2024-09-01T05:00:00Z,2024-09-01T06:00:00Z,0.75,USD,Amazon Elastic Compute Cloud\n\
         c,222222222222,Usage,AWSDataTransfer,2024-09-02T00:00:00Z,2024-09-02T01:00:00Z,3,USD,\n"
    );
    let p = parse(&text).unwrap();
    assert_eq!(p.format, Format::Cur);
    assert_eq!(p.amount_column, "lineItem/UnblendedCost");
    assert_eq!(
        cell(
            &p,
            "111111111111",
            "Amazon Elastic Compute Cloud",
            date!(2024 - 09 - 01)
        )
        .unwrap()
        .amount,
        2.0
    );
    assert_eq!(
        cell(&p, "222222222222", "AWSDataTransfer", date!(2024 - 09 - 02))
            .unwrap()
            .amount,
        3.0
    );
    // CUR has no single amortised column.
    match import::parse(text.as_bytes(), CostMetric::AmortizedCost) {
        Err(Error::Validation { field, .. }) => assert_eq!(field.as_deref(), Some("file")),
        other => panic!("{other:?}"),
    }
}

/// The error's field and message, for a bad input.
fn refused(text: &str) -> (String, String) {
    match parse(text) {
        Err(Error::Validation { field, message }) => (field.unwrap_or_default(), message),
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn billing_import_bad_input_names_the_row_and_column() {
    let ok = "AWS,111111111111,999999999999,Amazon EC2,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1,1,USD";
    let cases: Vec<(String, &str, &str)> = vec![
        (
            focus(&[ok, "AWS,111111111111,9,Amazon EC2,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1.2.3,1,USD"]),
            "BilledCost",
            "row 3, column BilledCost: '1.2.3' is not a number",
        ),
        (
            focus(&["AWS,111111111111,9,Amazon EC2,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,NULL,1,USD"]),
            "BilledCost",
            "row 2, column BilledCost: the amount is empty",
        ),
        (
            // Beyond a trillion: two of them would sum to infinity, which JSON cannot carry.
            focus(&[ok, "AWS,111111111111,9,Amazon EC2,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1e308,1,USD"]),
            "BilledCost",
            "row 3, column BilledCost: '1e308' is beyond 1e12 in either direction: not an amount of one line item",
        ),
        (
            // CRLF line endings number rows as LF does (the spreadsheet row).
            focus(&[ok, ok, "AWS,111111111111,9,Amazon EC2,Usage,01/09/2024,2024-09-01T01:00:00Z,1,1,USD"]).replace('\n', "\r\n"),
            "ChargePeriodStart",
            "row 4, column ChargePeriodStart: '01/09/2024' is not a date",
        ),
        (
            focus(&[ok, ok, "AWS,111111111111,9,Amazon EC2,Usage,01/09/2024,2024-09-01T01:00:00Z,1,1,USD"]),
            "ChargePeriodStart",
            "row 4, column ChargePeriodStart: '01/09/2024' is not a date",
        ),
        (
            // A year typed as 9999 (or 0001): refused, not a crash in the day arithmetic.
            focus(&[ok, "AWS,111111111111,9,Amazon EC2,Usage,9999-12-31T00:00:00Z,9999-12-31T23:00:00Z,1,1,USD"]),
            "ChargePeriodStart",
            "row 3, column ChargePeriodStart: 9999-12-31 is outside 2000-01-01 to 2099-12-31",
        ),
        (
            focus(&[ok, "AWS,111111111111,9,Amazon EC2,Usage,2024-09-01T00:00:00Z,9999-12-31T23:00:00Z,1,1,USD"]),
            "ChargePeriodEnd",
            "row 3, column ChargePeriodEnd: 9999-12-31 is outside",
        ),
        (
            focus(&["AWS,111111111111,9,Amazon EC2,Usage,2024-09-02T00:00:00Z,2024-09-01T00:00:00Z,1,1,USD"]),
            "ChargePeriodEnd",
            "row 2, column ChargePeriodEnd: the period ends before it starts",
        ),
        (
            focus(&["AWS,11111111111x,9,Amazon EC2,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1,1,USD"]),
            "SubAccountId",
            "row 2, column SubAccountId: '11111111111x' is not an AWS account id",
        ),
        (
            focus(&["AWS,111111111111,9,Amazon EC2,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1,1,dollars"]),
            "BillingCurrency",
            "row 2, column BillingCurrency: 'dollars' is not an ISO 4217 currency code",
        ),
        (
            focus(&[ok, "AWS,111111111111,9,Amazon EC2,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1,1,EUR"]),
            "BillingCurrency",
            "row 3, column BillingCurrency: account 111111111111, service 'Amazon EC2' on 2024-09-01 is charged in both USD and EUR",
        ),
        (
            focus(&["AWS,111111111111,9,Amazon EC2,Usage,2020-01-01T00:00:00Z,2024-09-01T01:00:00Z,1,1,USD"]),
            "ChargePeriodEnd",
            "row 2, column ChargePeriodEnd: the period is longer than 366 days",
        ),
        (
            "ProviderName,SubAccountId,ServiceName,ChargePeriodStart,ChargePeriodEnd,BillingCurrency\nAWS,1,x,2024-09-01,2024-09-02,USD\n"
                .to_string(),
            "BilledCost",
            "row 1: the required column 'BilledCost' is missing",
        ),
        (
            format!("{}\n", CUR_HEADER.replace("lineItem/UsageEndDate", "lineItem/Other")),
            "lineItem/UsageEndDate",
            "row 1: the required column 'lineItem/UsageEndDate' is missing",
        ),
        (
            "date,amount\n2024-09-01,3\n".to_string(),
            "file",
            "row 1: the header is neither FOCUS",
        ),
        (String::new(), "file", "the file is empty: a cost export starts with its header row"),
        ("\n".to_string(), "file", "the file is empty"),
        (
            // A charge with no account at all: the sub-account is the column to fix.
            focus(&["AWS,,,Amazon EC2,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1,1,USD"]),
            "SubAccountId",
            "row 2, column SubAccountId: the account id is empty and so is BillingAccountId",
        ),
        (
            focus(&[ok, "AWS,111111111111,9,Amazon EC2"]),
            "file",
            "row 3: the row has 4 fields; the header has 10",
        ),
        (
            focus(&[ok, ok, &format!("{ok},extra")]),
            "file",
            "row 4: the row has 11 fields; the header has 10",
        ),
        (
            format!("{FOCUS_HEADER},BilledCost\n{ok},2\n"),
            "file",
            "row 1, column 11: the column 'BilledCost' is named twice (columns 8 and 11)",
        ),
        (
            focus(&[&ok.replace("Amazon EC2", &"S".repeat(257))]),
            "ServiceName",
            "row 2, column ServiceName: the service name must be 1-256 characters",
        ),
        (
            focus(&[ok, &ok.replace("Amazon EC2", "Amazon\tEC2")]),
            "ServiceName",
            "row 3, column ServiceName: the service name must not contain a control character (U+0009 at character 7)",
        ),
        (
            focus(&[&ok.replace("Amazon EC2", "Amazon \u{202e}2CE")]),
            "ServiceName",
            "row 2, column ServiceName: the service name must not contain a text-direction control (U+202E",
        ),
        (
            format!(
                "{CUR_HEADER}\na,111111111111,Usage,AmazonEC2,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1,USD,Amazon\u{7}EC2\n"
            ),
            "product/ProductName",
            "row 2, column product/ProductName: the service name must not contain a control character",
        ),
        (
            format!(
                "{CUR_HEADER}\na,111111111111,Usage,\u{202e}EC2,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1,USD,\n"
            ),
            "lineItem/ProductCode",
            "row 2, column lineItem/ProductCode: the service name must not contain a text-direction control",
        ),
        (
            format!("{CUR_HEADER}\na,111111111111,Usage\n"),
            "file",
            "row 2: the row has 3 fields; the header has 9",
        ),
    ];
    for (text, field, message) in cases {
        let (f, m) = refused(&text);
        assert_eq!(f, field, "{m}");
        assert!(
            m.starts_with(message) || m.contains(message),
            "{m} should say {message}"
        );
    }
}

#[test]
fn billing_import_a_broken_gzip_stream_is_a_file_error_not_a_panic() {
    let bytes = sample();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&bytes).unwrap();
    let gz = gz.finish().unwrap();
    let (field, message) = match import::parse(&gz[..gz.len() / 2], CostMetric::UnblendedCost) {
        Err(Error::Validation { field, message }) => (field.unwrap_or_default(), message),
        other => panic!("{other:?}"),
    };
    assert_eq!(field, "file", "{message}");
}

#[test]
fn billing_import_a_file_expanding_past_the_cap_is_refused_with_the_way_round() {
    let ok = "AWS,111111111111,999999999999,Amazon EC2,Usage,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,1,1,USD";
    let rows: Vec<&str> = std::iter::repeat_n(ok, 200).collect();
    let text = focus(&rows);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    assert!(gz.len() < text.len() / 4, "compresses well");
    let cap = text.len() as u64 / 2;
    match cc_domain::billing::import::parse_at_most(&gz[..], CostMetric::UnblendedCost, cap) {
        Err(Error::Validation { field, message }) => {
            assert_eq!(field.as_deref(), Some("file"));
            assert!(message.contains("cc billing import"), "{message}");
        }
        other => panic!("accepted: {other:?}"),
    }
    assert!(cc_domain::billing::import::parse_at_most(&gz[..], CostMetric::UnblendedCost, text.len() as u64).is_ok());
}

/// A FOCUS part of hourly EC2 rows of 1 on 2024-09-01, hours `hours`.
fn hourly_part(hours: std::ops::Range<u32>) -> String {
    let rows: Vec<String> = hours
        .map(|h| {
            format!(
                "AWS,111111111111,999999999999,Amazon EC2,Usage,2024-09-01T{h:02}:00:00Z,2024-09-01T{:02}:00:00Z,1,1,USD",
                h + 1
            )
        })
        .collect();
    focus(&rows.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn billing_import_parts_are_summed_and_share_one_expanded_size_cap() {
    let (one, two) = (hourly_part(0..12), hourly_part(12..23));
    let files = vec![
        ("p1.csv".to_string(), one.as_bytes()),
        ("p2.csv".to_string(), two.as_bytes()),
    ];
    let parsed = import::parse_files(files.clone(), CostMetric::UnblendedCost, u64::MAX).unwrap();
    assert_eq!(parsed.cells.len(), 1);
    assert_eq!(parsed.cells[0].amount, 23.0, "both parts' hours in one cell");
    assert_eq!(parsed.rows_read, 23);
    let names: Vec<(&str, u64)> = parsed.files.iter().map(|f| (f.name.as_str(), f.rows_read)).collect();
    assert_eq!(names, vec![("p1.csv", 12), ("p2.csv", 11)]);

    // Each part fits the cap alone; together they do not.
    let cap = one.len().max(two.len()) as u64 + 10;
    match import::parse_files(files, CostMetric::UnblendedCost, cap) {
        Err(Error::Validation { field, message }) => {
            assert_eq!(field.as_deref(), Some("file"));
            assert!(
                message.starts_with("p2.csv, ") && message.contains("together"),
                "{message}"
            );
        }
        other => panic!("accepted: {other:?}"),
    }

    // A bad row is named with its file; parts of two formats are refused.
    let bad = one.replace(",1,1,USD\n", ",x,1,USD\n");
    let (field, message) = match import::parse_files(
        vec![
            ("p1.csv".to_string(), two.as_bytes()),
            ("p2.csv".to_string(), bad.as_bytes()),
        ],
        CostMetric::UnblendedCost,
        u64::MAX,
    ) {
        Err(Error::Validation { field, message }) => (field.unwrap_or_default(), message),
        other => panic!("accepted: {other:?}"),
    };
    assert_eq!(field, "BilledCost");
    assert!(message.starts_with("p2.csv, row 2, column BilledCost"), "{message}");
    let cur = format!("{CUR_HEADER}\n");
    let mixed = vec![
        ("focus.csv".to_string(), one.as_bytes()),
        ("cur.csv".to_string(), cur.as_bytes()),
    ];
    match import::parse_files(mixed, CostMetric::UnblendedCost, u64::MAX) {
        Err(Error::Validation { message, .. }) => assert!(
            message.contains("cur.csv, the file is a legacy CUR but focus.csv is FOCUS"),
            "{message}"
        ),
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn billing_import_a_file_that_cannot_be_read_is_named_even_alone() {
    // A directory opens but does not read (EISDIR): the message names what was given.
    let dir = std::env::temp_dir();
    let name = dir.display().to_string();
    let file = std::fs::File::open(&dir).unwrap();
    match import::parse_files(vec![(name.clone(), file)], CostMetric::UnblendedCost, u64::MAX) {
        Err(Error::Validation { field, message }) => {
            assert_eq!(field.as_deref(), Some("file"));
            assert!(message.starts_with(&format!("cannot read {name}: ")), "{message}");
        }
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn billing_import_parts_with_the_same_content_are_refused_naming_them() {
    let (one, two) = (hourly_part(0..12), hourly_part(12..23));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(one.as_bytes()).unwrap();
    let one_gz = gz.finish().unwrap();
    let refused = |files: Vec<(&str, &[u8])>| {
        let files = files.into_iter().map(|(n, b)| (n.to_string(), b)).collect();
        match import::parse_files(files, CostMetric::UnblendedCost, u64::MAX) {
            Err(Error::Validation { field, message }) => {
                assert_eq!(field.as_deref(), Some("file"));
                message
            }
            other => panic!("accepted: {other:?}"),
        }
    };
    // The same file twice; the same content plain and gzipped; two of three parts alike.
    let message = refused(vec![
        ("export-00001.csv", one.as_bytes()),
        ("export-00001.csv", one.as_bytes()),
    ]);
    assert!(
        message.starts_with("part 1 (export-00001.csv) and part 2 (export-00001.csv) have the same content"),
        "{message}"
    );
    assert!(message.contains("nothing was stored"), "{message}");
    let message = refused(vec![
        ("a.csv", one.as_bytes()),
        ("b.csv", two.as_bytes()),
        ("a.csv.gz", &one_gz),
    ]);
    assert!(
        message.starts_with("part 1 (a.csv) and part 3 (a.csv.gz) have the same content"),
        "{message}"
    );
    let message = refused(vec![
        ("a.csv", one.as_bytes()),
        ("b.csv", two.as_bytes()),
        ("c.csv", one.as_bytes()),
        ("d.csv", two.as_bytes()),
    ]);
    assert!(
        message.starts_with(
            "part 1 (a.csv) and part 3 (c.csv); part 2 (b.csv) and part 4 (d.csv) each have the same content"
        ),
        "{message}"
    );
    // Different parts are summed; parts without a data row add nothing and are not compared.
    let header_only = focus(&[]);
    let parsed = import::parse_files(
        vec![
            ("p1.csv".to_string(), one.as_bytes()),
            ("p2.csv".to_string(), two.as_bytes()),
            ("p3.csv".to_string(), header_only.as_bytes()),
            ("p4.csv".to_string(), header_only.as_bytes()),
        ],
        CostMetric::UnblendedCost,
        u64::MAX,
    )
    .unwrap();
    assert_eq!(parsed.cells[0].amount, 23.0);
}
