//! Each section of the snapshot from the facts it is built on: pure functions, no store and no
//! clock, so every rule here is tested without AWS and the same facts always give the same
//! section. [`super::gather`] reads the facts.

use std::collections::{BTreeMap, BTreeSet};

use time::Duration;

use super::month::ReportMonth;
use super::ports::SourceError;
use super::snapshot::*;
use crate::access::{AccessRequest, Verdict};
use crate::billing::costs::DailyCost;
use crate::billing::fetch::{FetchStatus, LastFetch};
use crate::billing::store::StoredAnomaly;
use crate::utilisation::Contract;
use crate::utilisation::usage::ContractUsage;

/// The most characters a summary may hold.
pub const MAX_SUMMARY_CHARS: usize = 20_000;

/// The summary section: the team's markdown with line breaks made `\n`, or "not written yet".
pub fn summary(markdown: Option<&str>) -> Section<Summary> {
    match markdown.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => Section::ready(Summary {
            markdown: m.to_string(),
        }),
        None => Section::missing(
            MissingReason::NoData,
            "The team has not written a summary for this month.",
        ),
    }
}

/// Checks and normalises a summary as sent: line breaks as `\n` (`\r\n` and `\r` converted), at
/// most [`MAX_SUMMARY_CHARS`] characters, tabs allowed, no other control character and no
/// text-direction control (the rule of [`crate::text`]). HTML or script in it is not refused: the
/// markdown is kept as written and sanitised when rendered ([`super::markdown`]).
///
/// Errors: validation on `summary`.
pub fn normalise_summary(raw: &str) -> crate::Result<String> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let n = text.chars().count();
    if n > MAX_SUMMARY_CHARS {
        return Err(crate::Error::validation(
            "summary",
            format!("the summary is {n} characters; at most {MAX_SUMMARY_CHARS}"),
        ));
    }
    // Tabs are ordinary in markdown (code, lists); the shared text rule refuses them as control
    // characters, so it checks the text with tabs as spaces.
    crate::text::text("summary", &text.replace('\t', " "), 0, MAX_SUMMARY_CHARS)?;
    Ok(text)
}

// ---- billing -------------------------------------------------------------------------------------

/// What the billing section is built from.
pub struct BillingFacts<'a> {
    pub month: ReportMonth,
    /// The customer's cells of the month and of the month before (others are ignored).
    pub cells: &'a [DailyCost],
    /// The customer's anomalies (those detected in the month are kept).
    pub anomalies: &'a [StoredAnomaly],
    /// Account id → name in the hub.
    pub account_names: &'a BTreeMap<String, String>,
    /// What the last billing fetch did for the customer (says why there is no data).
    pub last_fetch: Option<&'a LastFetch>,
}

pub fn billing(f: &BillingFacts<'_>) -> Section<BillingSection> {
    let (first, last) = (f.month.first_day(), f.month.last_day());
    let in_month: Vec<&DailyCost> = f.cells.iter().filter(|c| (first..=last).contains(&c.day)).collect();
    if in_month.is_empty() {
        return Section::missing(MissingReason::NoData, no_costs_message(f));
    }
    // The first month of the range (2000-01) has no month before it: nothing to compare with.
    let in_previous = |c: &&DailyCost| {
        f.month
            .previous()
            .is_some_and(|p| (p.first_day()..=p.last_day()).contains(&c.day))
    };
    let had_previous = f.cells.iter().any(|c| in_previous(&c));
    let mut previous: BTreeMap<&str, f64> = BTreeMap::new();
    for c in f.cells.iter().filter(in_previous) {
        *previous.entry(c.currency.as_str()).or_default() += c.amount;
    }
    let mut per_currency: BTreeMap<&str, Vec<&DailyCost>> = BTreeMap::new();
    for c in &in_month {
        per_currency.entry(c.currency.as_str()).or_default().push(c);
    }
    let mut currencies: Vec<CurrencyBilling> = per_currency
        .into_iter()
        .map(|(currency, cells)| {
            let total: f64 = sum(cells.iter().map(|c| c.amount));
            let previous_total = had_previous.then(|| previous.get(currency).copied().unwrap_or(0.0));
            let change = previous_total.map(|p| total - p);
            let change_ratio = previous_total
                .filter(|p| cents(*p) != 0.0)
                .map(|p| ratio((total - p) / p));
            let mut by_account: BTreeMap<&str, f64> = BTreeMap::new();
            let mut by_service: BTreeMap<&str, f64> = BTreeMap::new();
            let mut daily: BTreeMap<time::Date, (f64, bool)> = BTreeMap::new();
            for c in &cells {
                *by_account.entry(c.account.as_str()).or_default() += c.amount;
                *by_service.entry(c.service.as_str()).or_default() += c.amount;
                let d = daily.entry(c.day).or_default();
                d.0 += c.amount;
                d.1 |= c.estimated;
            }
            let share = |a: f64| {
                if total.abs() > f64::EPSILON {
                    ratio(a / total)
                } else {
                    0.0
                }
            };
            let mut accounts: Vec<AccountCost> = by_account
                .into_iter()
                .map(|(a, amount)| AccountCost {
                    account: a.to_string(),
                    name: f.account_names.get(a).cloned(),
                    amount: cents(amount),
                    share: share(amount),
                })
                .collect();
            accounts.sort_by(|a, b| b.amount.total_cmp(&a.amount).then_with(|| a.account.cmp(&b.account)));
            let mut services: Vec<(&str, f64)> = by_service.into_iter().collect();
            services.sort_by(|a, b| cents(b.1).total_cmp(&cents(a.1)).then_with(|| a.0.cmp(b.0)));
            let rest = services.split_off(services.len().min(TOP_SERVICES));
            let other_services = (!rest.is_empty()).then(|| {
                let amount = sum(rest.iter().map(|(_, a)| *a));
                OtherServices {
                    services: rest.len() as u32,
                    amount: cents(amount),
                    share: share(amount),
                }
            });
            CurrencyBilling {
                currency: currency.to_string(),
                total: cents(total),
                previous_total: previous_total.map(cents),
                change: change.map(cents),
                change_ratio,
                estimated: cells.iter().any(|c| c.estimated),
                by_account: accounts,
                top_services: services
                    .into_iter()
                    .map(|(s, amount)| ServiceCost {
                        service: s.to_string(),
                        amount: cents(amount),
                        share: share(amount),
                    })
                    .collect(),
                other_services,
                daily: (0..i64::from(f.month.days()))
                    .map(|i| {
                        let day = first + Duration::days(i);
                        let (amount, estimated) = daily.get(&day).copied().unwrap_or_default();
                        DayCost {
                            day,
                            amount: cents(amount),
                            estimated,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    currencies.sort_by(|a, b| b.total.total_cmp(&a.total).then_with(|| a.currency.cmp(&b.currency)));
    let days_with_data = in_month.iter().map(|c| c.day).collect::<BTreeSet<_>>().len() as u32;
    let mut anomalies: Vec<ReportAnomaly> = f
        .anomalies
        .iter()
        .filter(|a| (first..=last).contains(&a.anomaly.finding.detected_on))
        .map(|a| ReportAnomaly {
            id: a.id.clone(),
            account: a.anomaly.account.to_string(),
            account_name: f.account_names.get(a.anomaly.account.as_str()).cloned(),
            service: a.anomaly.service.clone(),
            kind: a.anomaly.finding.kind,
            first_day: a.anomaly.finding.first_day,
            detected_on: a.anomaly.finding.detected_on,
            expected: cents(a.anomaly.finding.expected),
            actual: cents(a.anomaly.finding.actual),
            impact: cents(a.anomaly.finding.impact),
            currency: a.currency.clone(),
            status: a.status,
            acknowledged: a.anomaly.acknowledged.clone(),
            resolved: a.anomaly.resolved.clone(),
        })
        .collect();
    anomalies.sort_by(|a, b| (a.detected_on, &a.id).cmp(&(b.detected_on, &b.id)));
    Section::ready(BillingSection {
        currencies,
        anomalies,
        days_with_data,
    })
}

/// Sums in a fixed order (the caller's), from +0.0.
fn sum(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |a, b| a + b)
}

/// Why the month has no costs, in the customer's words. The fetch's own reasons (a skip's or a
/// failure's) are the team's to act on and name our configuration ("mark the organisation's
/// management account", access methods, leases): they stay in billing's runs and the UI, not in
/// the customer's report.
fn no_costs_message(f: &BillingFacts<'_>) -> String {
    let month = f.month.long_name();
    let why = match f.last_fetch {
        None => "no billing data has been collected for these accounts yet",
        Some(last) if last.entries.iter().all(|e| e.status == FetchStatus::Ok) => {
            "the last billing update found none for the month"
        }
        Some(_) => "the last billing update could not read them",
    };
    format!("No costs are stored for {month}: {why}.")
}

// ---- utilisation ---------------------------------------------------------------------------------

/// The utilisation section from each contract overlapping the month with its usage as of the
/// month's last day ([`crate::utilisation::usage::contract_usage`]).
pub fn utilisation(month: ReportMonth, contracts: &[(Contract, ContractUsage)]) -> Section<UtilisationSection> {
    let key = month.to_string();
    let mut out: Vec<ReportContract> = contracts
        .iter()
        .filter(|(c, _)| c.start <= month.last_day() && c.end >= month.first_day())
        .map(|(c, u)| {
            let this = u.months.iter().find(|m| m.month == key);
            ReportContract {
                id: c.id.to_string(),
                name: c.name.clone(),
                start: c.start,
                end: c.end,
                status: u.status,
                entitled_hours: hours(u.entitled_hours),
                used_hours: hours(u.used_hours),
                left_hours: hours(u.left_hours),
                month_hours: hours(this.map_or(0.0, |m| m.hours)),
                month_allocation: this.and_then(|m| m.allocation).map(hours),
                month_exceeded: this.is_some_and(|m| m.exceeded),
                months: u
                    .months
                    .iter()
                    .filter(|m| m.month.as_str() <= key.as_str())
                    .filter_map(|m| {
                        Some(MonthHours {
                            month: ReportMonth::parse(&m.month).ok()?,
                            hours: hours(m.hours),
                            allocation: m.allocation.map(hours),
                            exceeded: m.exceeded,
                        })
                    })
                    .collect(),
                consistently_exceeded: u.consistently_exceeded,
                forecast_hours: hours(u.forecast_hours),
                runs_out_on: u.runs_out_on,
            }
        })
        .collect();
    if out.is_empty() {
        return Section::missing(
            MissingReason::NoData,
            format!("No contract of this customer covers {}.", month.long_name()),
        );
    }
    out.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    Section::ready(UtilisationSection { contracts: out })
}

// ---- breakglass ----------------------------------------------------------------------------------

/// The breakglass section from the customer's access requests: those granted in the month (by
/// `granted_at`, UTC), with their end or, while active, their planned end. Requests of other
/// customers and never-granted ones are ignored. No session is an answer (an empty list), not
/// missing data: the product itself keeps every grant.
pub fn breakglass(month: ReportMonth, customer: &str, requests: &[AccessRequest]) -> Section<BreakglassSection> {
    let (from, to) = (
        month.first_day().midnight().assume_utc(),
        month.end().midnight().assume_utc(),
    );
    let mut sessions: Vec<ReportSession> = requests
        .iter()
        .filter(|r| r.customer.as_str() == customer)
        .filter_map(|r| {
            let granted = r.granted_at?;
            if granted < from || granted >= to {
                return None;
            }
            let ended = match r.status {
                crate::access::Status::Ended => r.ended_at,
                _ => None,
            };
            let until = ended.or(r.ends_at).unwrap_or(granted);
            let seconds = (until - granted).whole_seconds().max(0) as u64;
            Some(ReportSession {
                request_id: r.id.clone(),
                requester: r.requester.to_string(),
                account: r.account_id.to_string(),
                account_name: r.account_name.clone(),
                role: match &r.sso {
                    Some(sso) => sso.permission_set.to_string(),
                    None => r.role_arn.as_str().rsplit('/').next().unwrap_or_default().to_string(),
                },
                granted_at: granted,
                ended_at: ended,
                end_reason: ended.and(r.end_reason),
                minutes: seconds.div_ceil(60),
                ticket: r.ticket.clone(),
                justification: r.justification.clone(),
                approvers: r
                    .decisions
                    .iter()
                    .filter(|d| d.verdict == Verdict::Approve)
                    .map(|d| d.by.to_string())
                    .collect(),
            })
        })
        .collect();
    sessions.sort_by(|a, b| (a.granted_at, &a.request_id).cmp(&(b.granted_at, &b.request_id)));
    let mut people: BTreeMap<&str, (u32, u64)> = BTreeMap::new();
    let mut accounts: BTreeMap<&str, (u32, u64, &str)> = BTreeMap::new();
    for s in &sessions {
        let p = people.entry(&s.requester).or_default();
        p.0 += 1;
        p.1 += s.minutes;
        let a = accounts.entry(&s.account).or_insert((0, 0, &s.account_name));
        a.0 += 1;
        a.1 += s.minutes;
    }
    let mut by_person: Vec<SessionTotal> = people
        .into_iter()
        .map(|(k, (n, m))| SessionTotal {
            key: k.to_string(),
            name: None,
            sessions: n,
            minutes: m,
        })
        .collect();
    by_person.sort_by(|a, b| b.minutes.cmp(&a.minutes).then_with(|| a.key.cmp(&b.key)));
    let mut by_account: Vec<SessionTotal> = accounts
        .into_iter()
        .map(|(k, (n, m, name))| SessionTotal {
            key: k.to_string(),
            name: Some(name.to_string()),
            sessions: n,
            minutes: m,
        })
        .collect();
    by_account.sort_by(|a, b| b.minutes.cmp(&a.minutes).then_with(|| a.key.cmp(&b.key)));
    Section::ready(BreakglassSection {
        total_minutes: sessions.iter().map(|s| s.minutes).sum(),
        sessions,
        by_person,
        by_account,
    })
}

// ---- the outside sources -------------------------------------------------------------------------

fn source_missing<T>(e: SourceError) -> Section<T> {
    match e {
        SourceError::NotConfigured(m) => Section::missing(MissingReason::NotConfigured, m),
        SourceError::Unavailable(m) => Section::missing(MissingReason::Unavailable, m),
        SourceError::NoData(m) => Section::missing(MissingReason::NoData, m),
    }
}

/// The compliance section: open findings counted by severity ([`open_by_severity`], the rule of
/// [`ComplianceFinding::is_open`]), and the controls with the most failed checks among them.
pub fn compliance(source: &str, found: Result<Vec<ComplianceFinding>, SourceError>) -> Section<ComplianceSection> {
    let findings = match found {
        Ok(f) => f,
        Err(e) => return source_missing(e),
    };
    let (open_findings, by_severity) = open_by_severity(&findings);
    let open: Vec<&ComplianceFinding> = findings.iter().filter(|f| f.is_open()).collect();
    // control id → (failed checks, accounts, most severe, (id, title) of the first finding by id).
    type Tally<'a> = (u32, BTreeSet<&'a str>, SeverityLabel, (&'a str, &'a str));
    let mut controls: BTreeMap<&str, Tally<'_>> = BTreeMap::new();
    for f in open
        .iter()
        .filter(|f| f.compliance_status == Some(ComplianceStatus::Failed))
    {
        let Some(control) = f.control_id.as_deref() else {
            continue;
        };
        let e = controls
            .entry(control)
            .or_insert((0, BTreeSet::new(), f.severity, (f.id.as_str(), f.title.as_str())));
        e.0 += 1;
        e.1.insert(&f.account);
        e.2 = e.2.max(f.severity);
        if f.id.as_str() < e.3.0 {
            e.3 = (&f.id, &f.title);
        }
    }
    let mut failing: Vec<FailingControl> = controls
        .into_iter()
        .map(|(id, (failed, accounts, severity, (_, title)))| FailingControl {
            control_id: id.to_string(),
            title: title.to_string(),
            severity,
            failed,
            accounts: accounts.len() as u32,
        })
        .collect();
    failing.sort_by(|a, b| {
        b.failed
            .cmp(&a.failed)
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.control_id.cmp(&b.control_id))
    });
    failing.truncate(TOP_CONTROLS);
    Section::ready(ComplianceSection {
        source: source.to_string(),
        open_findings,
        by_severity,
        failing_controls: failing,
    })
}

/// The renewals section: commitments ending after the month's last day and within
/// [`RENEWAL_WINDOW_DAYS`] of it, soonest first.
pub fn renewals(month: ReportMonth, found: Result<Vec<Commitment>, SourceError>) -> Section<RenewalsSection> {
    let all = match found {
        Ok(c) => c,
        Err(e) => return source_missing(e),
    };
    let from = month.end();
    let to = month.last_day() + Duration::days(RENEWAL_WINDOW_DAYS);
    let mut ending: Vec<Commitment> = all
        .into_iter()
        .filter(|c| (from..=to).contains(&c.ends_at.date()))
        .map(|c| Commitment {
            hourly_commitment: c.hourly_commitment.map(|h| (h * 1e6).round() / 1e6),
            ..c
        })
        .collect();
    ending.sort_by(|a, b| (a.ends_at, a.kind, &a.id).cmp(&(b.ends_at, b.kind, &b.id)));
    Section::ready(RenewalsSection {
        window_from: from,
        window_to: to,
        ending,
    })
}

/// The cost optimisation section: the largest estimated monthly savings first, totals per currency.
pub fn optimisation(found: Result<Vec<Recommendation>, SourceError>) -> Section<OptimisationSection> {
    let mut all = match found {
        Ok(r) => r,
        Err(e) => return source_missing(e),
    };
    let mut totals: BTreeMap<String, f64> = BTreeMap::new();
    for r in &mut all {
        r.estimated_monthly_savings = cents(r.estimated_monthly_savings);
        *totals.entry(r.currency.clone()).or_default() += r.estimated_monthly_savings;
    }
    all.sort_by(|a, b| {
        b.estimated_monthly_savings
            .total_cmp(&a.estimated_monthly_savings)
            .then_with(|| {
                (a.kind, &a.account, &a.resource, &a.description).cmp(&(
                    b.kind,
                    &b.account,
                    &b.resource,
                    &b.description,
                ))
            })
    });
    let more = all.len().saturating_sub(TOP_RECOMMENDATIONS) as u32;
    all.truncate(TOP_RECOMMENDATIONS);
    Section::ready(OptimisationSection {
        recommendations: all,
        more,
        total_monthly_savings: totals
            .into_iter()
            .map(|(currency, amount)| Money {
                amount: cents(amount),
                currency,
            })
            .collect(),
    })
}
