//! The embedded stand-ins for Cost Explorer and Organizations (`cc serve`, `cc jobs run
//! billing.fetch` on the local default), so a fetch runs end to end without AWS.
//!
//! Both answer for the payer account the read role lives in, from the hub: the organisation is the
//! payer's customer's hub accounts, plus two accounts the hub does not have (one active, one
//! suspended) so account discovery has something to show.
//!
//! [`LocalCostSource`] generates each (account, service, day) cell from a hash of those three, so
//! the same day always has the same cost (a re-fetch replaces, never changes, what was stored):
//! 3 to 7 services per account with a level log-uniform over USD 0.5 to 400 a day, weekend dips,
//! ±15 % noise, month-start fees (support, tax) on the 1st, and a lasting step (+60 %) on one
//! service in five from a day of its own. Pages hold at most [`PAGE_CELLS`] cells; the page token
//! is the offset of the next cell.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use time::{Date, Duration};

use cc_domain::billing::costs::DailyCost;
use cc_domain::billing::ports::{
    CostPage, CostQuery, CostSource, OrgAccount, OrgAccountStatus, Organization, OrganizationSource, ReadRole,
    SourceError,
};
use cc_domain::hub::{Account, Hub};
use cc_domain::ids::AccountId;

/// Cells per generated page.
pub const PAGE_CELLS: usize = 1000;

/// Services as Cost Explorer's `SERVICE` dimension names them; the last two are month-start fees.
const SERVICES: &[&str] = &[
    "Amazon Elastic Compute Cloud - Compute",
    "Amazon Simple Storage Service",
    "Amazon Relational Database Service",
    "AWS Lambda",
    "Amazon CloudWatch",
    "Amazon Virtual Private Cloud",
    "Amazon DynamoDB",
    "Amazon Elastic Container Service",
    "AWS Key Management Service",
    "Amazon Route 53",
];
const MONTHLY: &[&str] = &["AWS Support (Business)", "Tax"];

/// FNV-1a over the parts, then a splitmix64 finaliser: a well-spread 64-bit value per key.
fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    let mut z = h.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform value in [0, 1) from a key.
fn unit(parts: &[&str]) -> f64 {
    (hash(parts) >> 11) as f64 / (1u64 << 53) as f64
}

/// The services an account uses (3 to 7 of [`SERVICES`]).
fn services_of(account: &str) -> Vec<&'static str> {
    let n = 3 + (hash(&[account, "services"]) % 5) as usize;
    let mut picked: Vec<(u64, &'static str)> = SERVICES.iter().map(|s| (hash(&[account, s]), *s)).collect();
    picked.sort();
    picked.into_iter().take(n).map(|(_, s)| s).collect()
}

/// The generated cost of `service` in `account` on `day`, in USD (cents).
pub fn generated_cost(account: &str, service: &str, day: Date) -> f64 {
    let d = day.to_string();
    let level = (0.5f64.ln() + unit(&[account, service, "level"]) * (400.0f64.ln() - 0.5f64.ln())).exp();
    let weekend = if day.weekday().number_days_from_monday() >= 5 {
        0.5 + 0.5 * unit(&[account, service, "weekend"])
    } else {
        1.0
    };
    let noise = 1.0 + 0.3 * (unit(&[account, service, &d]) - 0.5);
    // One service in five steps up by 60 % from a day of its own in 2025-2026.
    let step = if hash(&[account, service, "step"]).is_multiple_of(5) {
        let from = Date::from_calendar_date(2025, time::Month::January, 1).unwrap_or(day)
            + Duration::days((hash(&[account, service, "step-day"]) % 700) as i64);
        if day >= from { 1.6 } else { 1.0 }
    } else {
        1.0
    };
    ((level * weekend * noise * step) * 100.0).round() / 100.0
}

fn monthly_fee(account: &str, fee: &str, day: Date) -> Option<f64> {
    (day.day() == 1).then(|| (((20.0 + 180.0 * unit(&[account, fee])) * 100.0).round()) / 100.0)
}

/// The cells of `accounts` over `[start, end)`, in (day, account, service) order.
fn cells(accounts: &[AccountId], start: Date, end: Date) -> Vec<DailyCost> {
    let mut out = Vec::new();
    let mut day = start;
    while day < end {
        for account in accounts {
            for service in services_of(account.as_str()) {
                out.push(DailyCost {
                    account: account.clone(),
                    service: service.to_string(),
                    day,
                    amount: generated_cost(account.as_str(), service, day),
                    currency: "USD".into(),
                });
            }
            for fee in MONTHLY {
                if let Some(amount) = monthly_fee(account.as_str(), fee, day) {
                    out.push(DailyCost {
                        account: account.clone(),
                        service: fee.to_string(),
                        day,
                        amount,
                        currency: "USD".into(),
                    });
                }
            }
        }
        day = day.next_day().unwrap_or(end);
    }
    out
}

/// The hub accounts of the customer whose account `payer` is; an error when the hub has no such
/// account (the local organisation is the hub's).
async fn organisation_of(hub: &Hub, payer: &str) -> Result<Vec<Account>, SourceError> {
    let snap = hub.snapshot().await.map_err(|e| SourceError::Failed(e.to_string()))?;
    let customer = snap
        .accounts
        .iter()
        .find(|a| a.id.as_str() == payer)
        .map(|a| a.customer.clone())
        .ok_or_else(|| SourceError::AccessDenied(format!("account {payer} is not in the hub")))?;
    Ok(snap
        .accounts
        .iter()
        .filter(|a| a.customer == customer)
        .cloned()
        .collect())
}

/// The two accounts of the local organisation that the hub does not have.
fn extra_accounts(payer: &str) -> Vec<OrgAccount> {
    let base = hash(&[payer, "extra"]) % 900_000_000_000;
    [
        ("sandbox", OrgAccountStatus::Active),
        ("legacy", OrgAccountStatus::Suspended),
    ]
    .into_iter()
    .enumerate()
    .filter_map(|(i, (name, status))| {
        let id = AccountId::parse(format!("{:012}", 900_000_000_000 + (base + i as u64) % 99_999_999_999)).ok()?;
        Some(OrgAccount {
            email: format!("aws+{name}-{}@example.com", &payer[8..]),
            name: format!("{name} {}", &payer[8..]),
            id,
            status,
        })
    })
    .collect()
}

/// Generated Cost Explorer answers for the hub's organisations.
pub struct LocalCostSource {
    hub: Arc<Hub>,
}

impl LocalCostSource {
    pub fn new(hub: Arc<Hub>) -> Self {
        LocalCostSource { hub }
    }
}

#[async_trait]
impl CostSource for LocalCostSource {
    async fn cost_page(&self, role: &ReadRole, query: &CostQuery) -> Result<CostPage, SourceError> {
        let mut accounts: Vec<AccountId> = organisation_of(&self.hub, role.account())
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        accounts.extend(
            extra_accounts(role.account())
                .into_iter()
                .filter(|a| a.status == OrgAccountStatus::Active)
                .map(|a| a.id),
        );
        let all = cells(&accounts, query.start, query.end);
        let offset = match &query.page_token {
            None => 0,
            Some(t) => t
                .parse::<usize>()
                .ok()
                .filter(|o| *o < all.len())
                .ok_or_else(|| SourceError::BadAnswer(format!("page token '{t}' is not one this source gave")))?,
        };
        let end = (offset + PAGE_CELLS).min(all.len());
        Ok(CostPage {
            costs: all[offset..end].to_vec(),
            totals: vec![],
            estimated_days: vec![],
            next_page_token: (end < all.len()).then(|| end.to_string()),
        })
    }
}

/// Organizations answers built from the hub: the management account is the payer, the members
/// its customer's hub accounts (active) plus [`extra_accounts`], the delegated administrators
/// those the hub records.
pub struct LocalOrganizationSource {
    hub: Arc<Hub>,
}

impl LocalOrganizationSource {
    pub fn new(hub: Arc<Hub>) -> Self {
        LocalOrganizationSource { hub }
    }
}

#[async_trait]
impl OrganizationSource for LocalOrganizationSource {
    async fn organization(&self, role: &ReadRole) -> Result<Organization, SourceError> {
        organisation_of(&self.hub, role.account()).await?;
        let management_account = AccountId::parse(role.account()).map_err(|e| SourceError::BadAnswer(e.to_string()))?;
        Ok(Organization {
            id: format!("o-{:010x}", hash(&[role.account(), "org"]) & 0xff_ffff_ffff),
            management_account,
        })
    }

    async fn accounts(&self, role: &ReadRole) -> Result<Vec<OrgAccount>, SourceError> {
        let mut out: Vec<OrgAccount> = organisation_of(&self.hub, role.account())
            .await?
            .into_iter()
            .map(|a| OrgAccount {
                email: format!("aws+{}@{}.example.com", a.id, a.customer),
                name: a.name,
                id: a.id,
                status: OrgAccountStatus::Active,
            })
            .collect();
        out.extend(extra_accounts(role.account()));
        Ok(out)
    }

    async fn delegated_administrators(&self, role: &ReadRole) -> Result<BTreeMap<AccountId, Vec<String>>, SourceError> {
        Ok(organisation_of(&self.hub, role.account())
            .await?
            .into_iter()
            .filter(|a| !a.delegated_admin_services.is_empty() && a.id.as_str() != role.account())
            .map(|a| {
                let mut s = a.delegated_admin_services;
                s.sort();
                (a.id, s)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn generated_costs_are_deterministic_and_plausible() {
        let a = "123456789012";
        let d = date!(2026 - 03 - 10);
        assert_eq!(generated_cost(a, SERVICES[0], d), generated_cost(a, SERVICES[0], d));
        let accounts = [AccountId::parse(a).unwrap()];
        let month = cells(&accounts, date!(2026 - 03 - 01), date!(2026 - 04 - 01));
        let services = services_of(a).len();
        // Every day has each service; the 1st also has the two monthly fees.
        assert_eq!(month.len(), 31 * services + MONTHLY.len());
        assert!(month.iter().all(|c| c.amount >= 0.0 && c.amount < 2000.0));
        assert!(
            month
                .iter()
                .any(|c| c.service == "Tax" && c.day == date!(2026 - 03 - 01))
        );
    }
}
