//! How much history each kind of cost jump needs before the detector raises it, as the module
//! documentation of `billing::anomaly` ("How much history each kind needs") and the README say:
//! the 8-week warm-up, a new service's months before its own jumps are seen, 12 weeks for a drift.

use cc_domain::billing::anomaly::{DailySeries, FindingKind, Thresholds, detect};
use cc_domain::ids::AccountId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::Date;
use time::macros::date;

/// A Sunday, not a month's first day.
const START: Date = date!(2025 - 03 - 02);

/// `days` of 100 a day (times `weekend` on Saturdays and Sundays, with uniform noise of standard
/// deviation `sigma` on the log scale), zero before `first_spend`, times `jump(i)`.
fn series(
    days: usize,
    first_spend: usize,
    weekend: f64,
    sigma: f64,
    seed: u64,
    jump: impl Fn(usize) -> f64,
) -> DailySeries {
    let mut rng = StdRng::seed_from_u64(seed);
    let amounts = (0..days)
        .map(|i| {
            let u: f64 = rng.random::<f64>() - 0.5;
            if i < first_spend {
                return 0.0;
            }
            let day = START + time::Duration::days(i as i64);
            let w = if day.weekday().number_days_from_monday() >= 5 {
                weekend
            } else {
                1.0
            };
            100.0 * w * jump(i) * (sigma * 12f64.sqrt() * u).exp()
        })
        .collect();
    DailySeries {
        account: AccountId::parse("012345678901").unwrap(),
        service: "Amazon Elastic Compute Cloud - Compute".into(),
        start: START,
        amounts,
    }
}

/// The jumps (spike or step) found that overlap the 5 days from `at`, by kind.
fn jumps_at(s: &DailySeries, at: usize) -> Vec<FindingKind> {
    let at = at as i64;
    detect(s, &Thresholds::default())
        .into_iter()
        .filter(|f| {
            matches!(f.kind, FindingKind::Spike | FindingKind::Step)
                && s.index_of(f.first_day) <= at + 4
                && s.index_of(f.last_day) >= at
        })
        .map(|f| f.kind)
        .collect()
}

/// `mag` times the level for 5 days from `at`.
fn five_days(at: usize, mag: f64) -> impl Fn(usize) -> f64 {
    move |i| if (at..at + 5).contains(&i) { mag } else { 1.0 }
}

#[test]
fn billing_anomaly_history_nothing_is_raised_in_the_8_week_warm_up_then_at_once() {
    // A series with spend from its first day: a 6x jump on day 50 is in the warm-up (and, once
    // the window is full, a few high days in it do not move its median): nothing.
    let s = series(120, 0, 1.0, 0.03, 1, five_days(50, 6.0));
    assert_eq!(detect(&s, &Thresholds::default()), vec![], "a jump in the warm-up");
    // From day 56 on: a 6x jump on a series with 61 days of history (the new-user pass's case)
    // is raised on its first day, as a step while it lasts.
    let s = series(66, 0, 1.0, 0.03, 1, |i| if i >= 61 { 6.0 } else { 1.0 });
    let found = detect(&s, &Thresholds::default());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, FindingKind::Step);
    assert_eq!(s.index_of(found[0].first_day), 61);
    assert_eq!(s.index_of(found[0].detected_on), 61);
    for at in [56, 57, 80] {
        let s = series(at + 40, 0, 0.6, 0.08, 2, five_days(at, 6.0));
        assert_eq!(jumps_at(&s, at), vec![FindingKind::Step], "6x for 5 days on day {at}");
    }
}

/// A service that starts from nothing within the history: its jumps are raised only once its
/// spend has the months of history the documentation gives, whatever day it started on.
#[test]
fn billing_anomaly_history_a_new_service_needs_months_of_its_own_spend_before_its_jumps_are_raised() {
    // (jump, never raised this many days after the first spend, always raised from this many).
    let documented: [(f64, usize, usize); 2] = [(6.0, 55, 125), (2.0, 55, 165)];
    let shapes = [(1.0, 0.03), (0.6, 0.08), (0.8, 0.05)];
    for (mag, never, always) in documented {
        for first_spend in (60..=300).step_by(20) {
            for (k, &(weekend, sigma)) in shapes.iter().enumerate() {
                let seed = first_spend as u64 * 7 + k as u64;
                let early = first_spend + never;
                let s = series(early + 10, first_spend, weekend, sigma, seed, five_days(early, mag));
                let found = detect(&s, &Thresholds::default());
                assert!(
                    jumps_at(&s, early).is_empty(),
                    "{mag}x {never} days after a start on day {first_spend} ({weekend}, {sigma}): not raised: \
                     {found:?}"
                );
                assert_eq!(
                    found.iter().filter(|f| f.kind == FindingKind::NewService).count(),
                    1,
                    "the new service is raised: {found:?}"
                );
                let late = first_spend + always;
                let s = series(late + 10, first_spend, weekend, sigma, seed, five_days(late, mag));
                assert_eq!(
                    jumps_at(&s, late).len(),
                    1,
                    "{mag}x {always} days after a start on day {first_spend} ({weekend}, {sigma}): {:?}",
                    detect(&s, &Thresholds::default())
                );
            }
        }
    }
    // The new-user pass's case: a 6x jump 61 days after a service's first spend, in a customer
    // history of 14 months, is part of the new service's finding only.
    let s = series(300 + 61 + 10, 300, 1.0, 0.03, 1, five_days(361, 6.0));
    let kinds: Vec<FindingKind> = detect(&s, &Thresholds::default()).iter().map(|f| f.kind).collect();
    assert_eq!(kinds, vec![FindingKind::NewService]);
}

#[test]
fn billing_anomaly_history_a_drift_needs_12_weeks() {
    // 8 % a week, compounding, from the first day: a trailing baseline follows it, and the
    // baseline 8 weeks back must stand on a full window of its own.
    for seed in 0..5 {
        let s = series(200, 0, 0.7, 0.04, seed, |i| 1.08f64.powf(i as f64 / 7.0));
        let found = detect(&s, &Thresholds::default());
        let drifts: Vec<_> = found.iter().filter(|f| f.kind == FindingKind::Drift).collect();
        assert!(!drifts.is_empty(), "seed {seed}: {found:?}");
        assert!(
            drifts.iter().all(|f| s.index_of(f.detected_on) >= 84),
            "seed {seed}: {drifts:?}"
        );
    }
}
