//! The embedded stand-ins for Cost Explorer and Organizations (`cc serve`, `cc jobs run
//! billing.fetch` on the local default), so a fetch runs end to end without AWS.
//!
//! Both answer for the payer account the read role lives in, from the hub: the organisation is the
//! payer's customer's hub accounts, plus two accounts the hub does not have (one active, one
//! suspended) so account discovery has something to show. Once one of those two is added to the
//! hub (from "discovered") it is a hub account of the organisation like the others, listed once.
//!
//! [`LocalCostSource`] answers with the demo's cost generator
//! ([`cc_domain::billing::demo::history`]): the first four accounts of the payer's customer, the same
//! amount for the same (account, service, day) and period end, month-start support fees, and the
//! demo customers' planted jumps. So a local fetch over the demo history rewrites the same cells and
//! raises nothing new; a customer of one's own gets a plausible history with nothing planted. Like
//! Cost Explorer, it flags the last days before the period's end estimated
//! ([`demo::ESTIMATED_DAYS`]: the cells say so, and the page's `estimated_days` lists them).
//! Pages hold at most [`PAGE_CELLS`] cells; the page token is the offset of the next cell.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use time::Duration;

use cc_domain::billing::costs::DailyCost;
use cc_domain::billing::demo;
use cc_domain::billing::ports::{
    CostPage, CostQuery, CostSource, OrgAccount, OrgAccountStatus, Organization, OrganizationSource, ReadRole,
    SourceError,
};
use cc_domain::hub::{Account, Hub};
use cc_domain::ids::AccountId;

/// Cells per generated page.
pub const PAGE_CELLS: usize = 250;

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
        let members = organisation_of(&self.hub, role.account()).await?;
        let Some(customer) = members.first().map(|a| a.customer.clone()) else {
            return Err(SourceError::AccessDenied(format!(
                "account {} is not in the hub",
                role.account()
            )));
        };
        let accounts = demo::billed_accounts(members.into_iter().map(|a| a.id).collect());
        let last = query.end - Duration::days(1);
        let all: Vec<DailyCost> = demo::history(&customer, &accounts, last)
            .into_iter()
            .filter(|c| c.day >= query.start && c.day < query.end)
            .collect();
        let offset = match &query.page_token {
            None => 0,
            Some(t) => t
                .parse::<usize>()
                .ok()
                .filter(|o| *o < all.len())
                .ok_or_else(|| SourceError::BadAnswer(format!("page token '{t}' is not one this source gave")))?,
        };
        let end = (offset + PAGE_CELLS).min(all.len());
        let costs = all[offset..end].to_vec();
        let mut estimated_days: Vec<_> = costs.iter().filter(|c| c.estimated).map(|c| c.day).collect();
        estimated_days.sort();
        estimated_days.dedup();
        Ok(CostPage {
            costs,
            totals: vec![],
            estimated_days,
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
        // An extra account added to the hub is among the hub's already: once, as Organizations
        // lists each member once.
        let extras: Vec<OrgAccount> = extra_accounts(role.account())
            .into_iter()
            .filter(|e| !out.iter().any(|a| a.id == e.id))
            .collect();
        out.extend(extras);
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
