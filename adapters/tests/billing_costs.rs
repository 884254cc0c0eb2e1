//! Cost queries over the embedded (SQLite) store: ranges across month partitions, account and
//! service filters, daily and monthly buckets, totals, month to date with its forecast, top movers,
//! and the range rules.

use crate::support;

use std::sync::Arc;
use std::sync::Mutex;

use async_trait::async_trait;
use cc_domain::Error;
use cc_domain::billing::costs::{self, CellSource, CostQuery, DailyCost, Granularity, Grouping};
use cc_domain::ids::{AccountId, CustomerCode};
use cc_domain::store::{Item, ItemStore, Page, Query, StoreResult, Write};
use time::Date;
use time::macros::date;

const A: &str = "111111111111";
const B: &str = "222222222222";

fn acct(id: &str) -> AccountId {
    AccountId::parse(id).unwrap()
}

fn acme() -> CustomerCode {
    CustomerCode::parse("acme").unwrap()
}

fn cell(account: &str, service: &str, day: Date, amount: f64) -> DailyCost {
    DailyCost {
        account: acct(account),
        service: service.into(),
        day,
        amount,
        currency: "USD".into(),
        estimated: false,
        source: CellSource::Import,
    }
}

/// Every day from `from` to `to`: A/EC2 costs 10 + day-of-month, A/S3 costs 1, B/EC2 costs 100.
fn history(from: Date, to: Date) -> Vec<DailyCost> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        out.push(cell(A, "EC2", d, 10.0 + f64::from(d.day())));
        out.push(cell(A, "S3", d, 1.0));
        out.push(cell(B, "EC2", d, 100.0));
        d = d.next_day().unwrap();
    }
    out
}

/// Counts the queries it passes on, with their partition and prefix.
struct Counting {
    inner: Arc<dyn ItemStore>,
    seen: Mutex<Vec<(String, Option<String>)>>,
}

#[async_trait]
impl ItemStore for Counting {
    async fn get(&self, pk: &str, sk: &str) -> StoreResult<Option<Item>> {
        self.inner.get(pk, sk).await
    }
    async fn query(&self, query: Query) -> StoreResult<Page> {
        if query.cursor.is_none() {
            self.seen
                .lock()
                .unwrap()
                .push((query.pk.clone(), query.sk_prefix.clone()));
        }
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> StoreResult<()> {
        self.inner.transact(writes).await
    }
}

fn sum(rows: &[DailyCost], keep: impl Fn(&DailyCost) -> bool) -> f64 {
    rows.iter().filter(|c| keep(c)).map(|c| c.amount).sum()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * (1.0 + b.abs())
}

#[tokio::test]
async fn billing_costs_daily_report_reads_one_partition_per_month_and_totals_by_account_and_service() {
    let (app, _dir) = support::embedded().await;
    let all = history(date!(2026 - 01 - 01), date!(2026 - 04 - 30));
    costs::upsert(app.items.as_ref(), &acme(), &all).await.unwrap();
    let counting = Counting {
        inner: app.items.clone(),
        seen: Mutex::new(Vec::new()),
    };
    let (from, to) = (date!(2026 - 01 - 20), date!(2026 - 03 - 10));
    let q = CostQuery {
        customer: acme(),
        from,
        to,
        account: None,
        service: None,
        granularity: Granularity::Daily,
        grouping: Grouping::NONE,
    };
    let r = costs::report(&counting, &q).await.unwrap();
    let seen = counting.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            ("COST#acme#2026-01".to_string(), None),
            ("COST#acme#2026-02".to_string(), None),
            ("COST#acme#2026-03".to_string(), None)
        ]
    );
    let days = (to - from).whole_days() as usize + 1;
    assert_eq!(r.rows.len(), days * 3);
    assert_eq!(r.rows[0].period, from);
    assert_eq!(r.rows.last().unwrap().period, to);
    let inside = |c: &DailyCost| c.day >= from && c.day <= to;
    let want_a = sum(&all, |c| inside(c) && c.account.as_str() == A);
    let want_ec2 = sum(&all, |c| inside(c) && c.service == "EC2");
    let want_total = sum(&all, inside);
    // Largest first: B spends 100 a day, A about 26.
    assert_eq!(r.by_account[0].key, B);
    let got_a = r.by_account.iter().find(|t| t.key == A).unwrap().amount;
    assert!(close(got_a, want_a), "{got_a} vs {want_a}");
    assert_eq!(r.by_service[0].key, "EC2");
    assert!(close(r.by_service[0].amount, want_ec2));
    assert_eq!(r.total.len(), 1);
    assert!(close(r.total[0].amount, want_total));
    assert_eq!(r.total[0].currency, "USD");
}

#[tokio::test]
async fn billing_costs_filter_by_account_uses_the_sort_key_prefix_and_by_service_exactly() {
    let (app, _dir) = support::embedded().await;
    let all = history(date!(2026 - 02 - 01), date!(2026 - 03 - 31));
    costs::upsert(app.items.as_ref(), &acme(), &all).await.unwrap();
    let counting = Counting {
        inner: app.items.clone(),
        seen: Mutex::new(Vec::new()),
    };
    let q = CostQuery {
        customer: acme(),
        from: date!(2026 - 02 - 10),
        to: date!(2026 - 03 - 05),
        account: Some(acct(A)),
        service: None,
        granularity: Granularity::Daily,
        grouping: Grouping::NONE,
    };
    let r = costs::report(&counting, &q).await.unwrap();
    assert!(
        r.rows
            .iter()
            .all(|row| row.account.as_ref().map(AccountId::as_str) == Some(A))
    );
    assert_eq!(r.by_service.len(), 2);
    assert!(
        counting
            .seen
            .lock()
            .unwrap()
            .iter()
            .all(|(_, p)| p.as_deref() == Some("111111111111#"))
    );

    let q = CostQuery {
        service: Some("EC2".into()),
        account: None,
        ..q
    };
    let r = costs::report(app.items.as_ref(), &q).await.unwrap();
    assert!(r.rows.iter().all(|row| row.service.as_deref() == Some("EC2")));
    assert_eq!(r.by_account.len(), 2);
    let want = sum(&all, |c| {
        c.service == "EC2" && c.day >= date!(2026 - 02 - 10) && c.day <= date!(2026 - 03 - 05)
    });
    assert!(close(r.total[0].amount, want));
}

#[tokio::test]
async fn billing_costs_monthly_buckets_start_at_the_month_or_the_range() {
    let (app, _dir) = support::embedded().await;
    let all = history(date!(2026 - 01 - 01), date!(2026 - 03 - 31));
    costs::upsert(app.items.as_ref(), &acme(), &all).await.unwrap();
    let q = CostQuery {
        customer: acme(),
        from: date!(2026 - 01 - 15),
        to: date!(2026 - 03 - 02),
        account: Some(acct(B)),
        service: Some("EC2".into()),
        granularity: Granularity::Monthly,
        grouping: Grouping::NONE,
    };
    let r = costs::report(app.items.as_ref(), &q).await.unwrap();
    let got: Vec<(Date, f64)> = r.rows.iter().map(|row| (row.period, row.amount)).collect();
    assert_eq!(
        got,
        vec![
            (date!(2026 - 01 - 15), 17.0 * 100.0),
            (date!(2026 - 02 - 01), 28.0 * 100.0),
            (date!(2026 - 03 - 01), 2.0 * 100.0)
        ]
    );
}

#[tokio::test]
async fn billing_costs_ranges_must_be_ordered_and_at_most_14_months() {
    let (app, _dir) = support::embedded().await;
    let q = |from, to| CostQuery {
        customer: acme(),
        from,
        to,
        account: None,
        service: None,
        granularity: Granularity::Daily,
        grouping: Grouping::NONE,
    };
    match costs::report(app.items.as_ref(), &q(date!(2026 - 03 - 02), date!(2026 - 03 - 01))).await {
        Err(Error::Validation { field, .. }) => assert_eq!(field.as_deref(), Some("to")),
        other => panic!("{other:?}"),
    }
    // 14 calendar months is fine, 15 is not.
    costs::report(app.items.as_ref(), &q(date!(2025 - 01 - 31), date!(2026 - 02 - 01)))
        .await
        .unwrap();
    match costs::report(app.items.as_ref(), &q(date!(2025 - 01 - 31), date!(2026 - 03 - 01))).await {
        Err(Error::Validation { field, message }) => {
            assert_eq!(field.as_deref(), Some("from"));
            assert!(message.contains("15 calendar months"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // A single day is a range.
    let r = costs::report(app.items.as_ref(), &q(date!(2026 - 03 - 01), date!(2026 - 03 - 01)))
        .await
        .unwrap();
    assert!(r.rows.is_empty() && r.total.is_empty());
}

#[tokio::test]
async fn billing_costs_month_to_date_compares_the_same_days_and_forecasts_at_the_7_day_rate() {
    let (app, _dir) = support::embedded().await;
    let all = history(date!(2026 - 01 - 01), date!(2026 - 03 - 31));
    costs::upsert(app.items.as_ref(), &acme(), &all).await.unwrap();
    // As of 31 March: February has 28 days, so last month is all of February.
    let as_of = date!(2026 - 03 - 31);
    let m = costs::month_to_date(app.items.as_ref(), &acme(), as_of).await.unwrap();
    assert_eq!(m.len(), 1);
    let m = &m[0];
    let march = sum(&all, |c| c.day.month() == time::Month::March);
    let feb = sum(&all, |c| c.day.month() == time::Month::February);
    assert!(close(m.month_to_date, march));
    assert!(close(m.last_month_same_days, feb));
    assert!(close(m.change, march - feb));
    assert!(close(m.forecast, march), "no day left");
    // As of 10 March: the 7 days 4..10 March average (10+d) + 1 + 100 a day.
    let as_of = date!(2026 - 03 - 10);
    let m = &costs::month_to_date(app.items.as_ref(), &acme(), as_of).await.unwrap()[0];
    let mtd: f64 = (1..=10).map(|d| 111.0 + f64::from(d)).sum();
    let avg: f64 = (4..=10).map(|d| 111.0 + f64::from(d)).sum::<f64>() / 7.0;
    assert!(close(m.month_to_date, mtd));
    assert!(close(m.last_month_same_days, mtd), "February 1..10 costs the same");
    assert_eq!(m.change_ratio, Some(0.0));
    assert!(close(m.daily_average_7d, avg));
    assert!(close(m.forecast, mtd + avg * 21.0));
}

#[tokio::test]
async fn billing_costs_top_movers_rank_cells_by_money_changed_between_equal_windows() {
    let (app, _dir) = support::embedded().await;
    let mut all = Vec::new();
    for d in 1..=14u8 {
        let day = Date::from_calendar_date(2026, time::Month::May, d).unwrap();
        let later = d > 7;
        all.push(cell(A, "EC2", day, if later { 50.0 } else { 10.0 }));
        all.push(cell(A, "S3", day, 5.0));
        all.push(cell(B, "RDS", day, if later { 0.0 } else { 100.0 }));
        all.push(cell(B, "EC2", day, if later { 3.0 } else { 1.0 }));
    }
    costs::upsert(app.items.as_ref(), &acme(), &all).await.unwrap();
    let m = costs::top_movers(
        app.items.as_ref(),
        &acme(),
        date!(2026 - 05 - 08),
        date!(2026 - 05 - 14),
        10,
    )
    .await
    .unwrap();
    let got: Vec<(&str, &str, f64)> = m
        .iter()
        .map(|m| (m.account.as_str(), m.service.as_str(), m.change))
        .collect();
    assert_eq!(got, vec![(B, "RDS", -700.0), (A, "EC2", 280.0), (B, "EC2", 14.0)]);
    assert_eq!((m[1].previous, m[1].current), (70.0, 350.0));
    let one = costs::top_movers(
        app.items.as_ref(),
        &acme(),
        date!(2026 - 05 - 08),
        date!(2026 - 05 - 14),
        1,
    )
    .await
    .unwrap();
    assert_eq!(one.len(), 1);
}

#[tokio::test]
async fn billing_costs_of_one_customer_are_not_another_customers() {
    let (app, _dir) = support::embedded().await;
    costs::upsert(
        app.items.as_ref(),
        &acme(),
        &history(date!(2026 - 01 - 01), date!(2026 - 01 - 31)),
    )
    .await
    .unwrap();
    let q = CostQuery {
        customer: CustomerCode::parse("globex").unwrap(),
        from: date!(2026 - 01 - 01),
        to: date!(2026 - 01 - 31),
        account: None,
        service: None,
        granularity: Granularity::Daily,
        grouping: Grouping::NONE,
    };
    assert!(costs::report(app.items.as_ref(), &q).await.unwrap().rows.is_empty());
}
