//! AWS accounts: list (filters, pages), read, create, update, delete, console links and quick find.
//! An account's customer must exist; its `account_count` moves in the same transaction.

use super::service::*;
use super::*;
use crate::identity::{Principal, Role};
use crate::keys;
use crate::store::{Index, Query, Write, encode};

impl Hub {
    pub async fn list_accounts(
        &self,
        who: &Principal,
        filter: &AccountFilter,
        limit: Option<usize>,
        cursor: Option<&str>,
    ) -> Result<Listed<Account>> {
        who.require_any_role()?;
        let page = PageRequest::new(limit, cursor.map(String::from))?;
        let limit = page.limit;
        let scope = scope("accounts", filter);
        if let Some(a) = &filter.access
            && a != "sso"
            && a != "role"
        {
            return Err(Error::validation("access", format!("'{a}' is not one of: sso, role")));
        }
        let snap = self.snapshot().await?;
        if let Some(c) = &filter.customer
            && snap.customer(c.as_str()).is_none()
        {
            return Err(Error::not_found("customer", c.as_str()));
        }
        let start = match page.position::<String>(&scope)? {
            Some(id) => snap.account_position_after(&id),
            None => 0,
        };
        let tokens = filter.q.as_deref().map(super::search::tokens).unwrap_or_default();
        let mut items = Vec::with_capacity(limit);
        let mut more = false;
        for (a, hay) in snap.accounts[start..].iter().zip(&snap.account_haystacks[start..]) {
            let keep = filter.customer.as_ref().is_none_or(|c| *c == a.customer)
                && filter.environment.is_none_or(|e| e == a.environment)
                && filter.access.as_deref().is_none_or(|m| m == a.access.kind())
                && tokens.iter().all(|t| hay.contains(t.as_str()));
            if !keep {
                continue;
            }
            if items.len() == limit {
                more = true;
                break;
            }
            items.push(a.clone());
        }
        let next_cursor = if more {
            items.last().map(|a: &Account| encode_cursor(&scope, &a.id.as_str()))
        } else {
            None
        };
        Ok(Listed { items, next_cursor })
    }

    pub async fn get_account(&self, who: &Principal, id: &str) -> Result<Account> {
        who.require_any_role()?;
        Ok(self.load_account(id).await?.0)
    }

    /// The account as stored now (a consistent read) and its version.
    pub(crate) async fn load_account(&self, id: &str) -> Result<(Account, u64)> {
        let item = self
            .store
            .get(&keys::account(id), keys::META)
            .await?
            .ok_or_else(|| Error::not_found("account", id))?;
        from_item(item)
    }

    /// One Identity Center has one home region: every account reached through a start URL must
    /// name the same SSO region (the generated `[sso-session]` has one `sso_region`).
    pub(super) async fn check_sso_region(&self, account: &Account) -> Result<()> {
        let AccessMethod::Sso {
            start_url, sso_region, ..
        } = &account.access
        else {
            return Ok(());
        };
        let snap = self.snapshot().await?;
        let clash = snap.accounts.iter().find(|other| {
            other.id != account.id
                && matches!(&other.access, AccessMethod::Sso { start_url: u, sso_region: r, .. } if u == start_url && r != sso_region)
        });
        match clash {
            Some(other) => {
                let AccessMethod::Sso { sso_region: theirs, .. } = &other.access else {
                    return Ok(());
                };
                Err(Error::validation(
                    "access.sso_region",
                    format!(
                        "{start_url} is in {theirs} for account {}; one start URL has one SSO region",
                        other.id
                    ),
                ))
            }
            None => Ok(()),
        }
    }

    /// The customer an account names, or a validation error on the `customer` field.
    pub(super) async fn owning_customer(&self, code: &CustomerCode) -> Result<(Customer, u64)> {
        match self.load_customer(code.as_str()).await {
            Err(Error::NotFound { .. }) => Err(Error::validation(
                "customer",
                format!("customer '{code}' does not exist"),
            )),
            other => other,
        }
    }

    pub async fn create_account(&self, who: &Principal, new: NewAccount) -> Result<Account> {
        who.require(Role::Admin, "changing the hub")?;
        let account = Account::created(new, self.now());
        account.validate()?;
        self.assumable.check(&account)?;
        self.check_sso_region(&account).await?;
        self.retrying(None, || async {
            if self
                .store
                .get(&keys::account(account.id.as_str()), keys::META)
                .await?
                .is_some()
            {
                return Err(duplicate_account(&account.id));
            }
            let (mut c, version) = self.owning_customer(&account.customer).await?;
            c.account_count += 1;
            let event = self.account_event(who, "account_created", &account, None, Some(encode(&account)?));
            let mut writes = vec![
                Write::PutNew(account_item(&account)?),
                Write::PutIfVersion {
                    item: customer_item(&c)?,
                    expected: version,
                },
                self.revision_write(),
                Write::PutNew(event.item()),
            ];
            writes.extend(self.alias_writes(None, &account).await?);
            self.store.transact(writes).await?;
            Ok(account.clone())
        })
        .await
    }

    /// The writes that move `after`'s alias reservation from `before`'s (nothing when unchanged),
    /// after checking no other account holds it: 409 `duplicate_alias`. The snapshot check also
    /// covers accounts recorded before aliases had markers; the marker's conditional create
    /// settles two writers racing for one alias.
    async fn alias_writes(&self, before: Option<&Account>, after: &Account) -> Result<Vec<Write>> {
        let old = before.and_then(|a| a.alias.as_deref()).map(str::to_lowercase);
        let new = after.alias.as_deref().map(str::to_lowercase);
        if old == new {
            return Ok(vec![]);
        }
        let mut writes = Vec::new();
        if let Some(old) = &old {
            writes.push(Write::Delete {
                pk: keys::alias(old),
                sk: keys::META.into(),
                expected: None,
            });
        }
        if let Some(alias) = &new {
            let holder = self
                .snapshot()
                .await?
                .accounts
                .iter()
                .find(|a| a.id != after.id && a.alias.as_deref().map(str::to_lowercase).as_ref() == Some(alias))
                .map(|a| a.id.to_string());
            let holder = match holder {
                Some(id) => Some(id),
                None => match self.store.get(&keys::alias(alias), keys::META).await? {
                    Some(item) => item.data.get("account").and_then(|v| v.as_str()).map(str::to_string),
                    None => None,
                },
            };
            if let Some(holder) = holder.filter(|h| h != after.id.as_str()) {
                return Err(Error::conflict(
                    Conflict::DuplicateAlias,
                    format!("account {holder} already has the alias {alias} (aliases are unique, ignoring case)"),
                ));
            }
            writes.push(Write::PutNew(crate::store::Item::new(
                keys::alias(alias),
                keys::META,
                serde_json::json!({"account": after.id.as_str()}),
            )));
        }
        Ok(writes)
    }

    pub async fn update_account(&self, who: &Principal, id: &str, patch: AccountPatch) -> Result<Account> {
        who.require(Role::Admin, "changing the hub")?;
        self.retrying(patch.version, || async {
            let (mut a, version) = self.load_account(id).await?;
            check_version(patch.version, version, "account", id)?;
            let original = a.clone();
            let before = encode(&a)?;
            let old_customer = a.customer.clone();
            if let Some(v) = &patch.customer {
                a.customer = v.clone();
            }
            if let Some(v) = &patch.name {
                a.name = v.trim().to_string();
            }
            if let Some(v) = &patch.alias {
                a.alias = v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            }
            if let Some(v) = patch.environment {
                a.environment = v;
            }
            if let Some(v) = &patch.region {
                a.region = v.clone();
            }
            if let Some(v) = patch.management_account {
                a.management_account = v;
            }
            if let Some(v) = &patch.delegated_admin_services {
                a.delegated_admin_services = v.clone();
            }
            if let Some(v) = &patch.access {
                a.access = v.clone();
            }
            a.updated_at = self.now();
            a.validate()?;
            // Only a change of access is judged by the role names the broker may assume now: an
            // account recorded before a rename stays editable (its grants fail until it is fixed).
            if patch.access.is_some() {
                self.assumable.check(&a)?;
            }
            self.check_sso_region(&a).await?;
            // Open breakglass requests were approved for this customer and this way in: moving
            // the account or changing its access waits until they end (as deleting does).
            let access_changed = patch
                .access
                .as_ref()
                .is_some_and(|v| encode(v).ok() != before.get("access").cloned());
            if a.customer != old_customer || access_changed {
                let end_route = format!("/api/v1/accounts/{id}/end-access");
                self.refuse_open_access(std::slice::from_ref(&a.id), &format!("account {id}"), &end_route)
                    .await?;
            }
            let mut after = encode(&a)?;
            after["version"] = (version + 1).into();
            let moved = a.customer != old_customer;
            let action = if moved { "account_moved" } else { "account_updated" };
            let event = self.account_event(who, action, &a, Some(before), Some(after));
            let mut writes = vec![
                Write::PutIfVersion {
                    item: account_item(&a)?,
                    expected: version,
                },
                self.revision_write(),
                Write::PutNew(event.item()),
            ];
            if moved {
                // The move is filed under the customer it left too, so both histories show it.
                writes.push(Write::PutNew(event.copy_under(old_customer.as_str())));
                let (mut to, to_version) = self.owning_customer(&a.customer).await?;
                let (mut from, from_version) = self.load_customer(old_customer.as_str()).await?;
                to.account_count += 1;
                from.account_count = from.account_count.saturating_sub(1);
                writes.push(Write::PutIfVersion {
                    item: customer_item(&to)?,
                    expected: to_version,
                });
                writes.push(Write::PutIfVersion {
                    item: customer_item(&from)?,
                    expected: from_version,
                });
            }
            writes.extend(self.alias_writes(Some(&original), &a).await?);
            self.store.transact(writes).await?;
            a.version = version + 1;
            Ok(a)
        })
        .await
    }

    /// Deletes an account (admin). Refused (409 `open_access`) while someone holds an open
    /// breakglass request or grant on it: end those first (`POST /api/v1/accounts/{id}/end-access` does).
    pub async fn delete_account(&self, who: &Principal, id: &str, expected: Option<u64>) -> Result<()> {
        who.require(Role::Admin, "changing the hub")?;
        self.retrying(expected, || async {
            let (a, version) = self.load_account(id).await?;
            check_version(expected, version, "account", id)?;
            let end_route = format!("/api/v1/accounts/{id}/end-access");
            self.refuse_open_access(std::slice::from_ref(&a.id), &format!("account {id}"), &end_route)
                .await?;
            let (mut c, c_version) = self.load_customer(a.customer.as_str()).await?;
            c.account_count = c.account_count.saturating_sub(1);
            let event = self.account_event(who, "account_deleted", &a, Some(encode(&a)?), None);
            self.store
                .transact(
                    vec![
                        Write::PutNew(event.item()),
                        Write::Delete {
                            pk: keys::account(id),
                            sk: keys::META.into(),
                            expected: Some(version),
                        },
                        Write::PutIfVersion {
                            item: customer_item(&c)?,
                            expected: c_version,
                        },
                        self.revision_write(),
                    ]
                    .into_iter()
                    .chain(a.alias.as_deref().map(|alias| Write::Delete {
                        pk: keys::alias(alias),
                        sk: keys::META.into(),
                        expected: None,
                    }))
                    .collect(),
                )
                .await?;
            Ok(())
        })
        .await
    }

    /// The open breakglass requests on an account (request ids), from the open-request markers.
    pub async fn open_requests(&self, account: &AccountId) -> Result<Vec<String>> {
        let items = self
            .store
            .query_all(
                Query::partition(Index::Primary, keys::account(account.as_str()))
                    .prefix(keys::OPEN_PREFIX)
                    .limit(100),
            )
            .await?;
        Ok(items
            .into_iter()
            .filter_map(|i| i.data.get("request_id").and_then(|v| v.as_str()).map(str::to_string))
            .collect())
    }

    /// The ids of a customer's accounts (its account index partition).
    pub async fn account_ids_of(&self, code: &CustomerCode) -> Result<Vec<AccountId>> {
        let items = self
            .store
            .query_all(
                Query::partition(Index::Gsi1, keys::customer(code.as_str()))
                    .prefix(keys::ACCOUNT_PREFIX)
                    .limit(500),
            )
            .await?;
        Ok(items
            .into_iter()
            .filter_map(|i| {
                i.pk.strip_prefix(keys::ACCOUNT_PREFIX)
                    .and_then(|id| AccountId::parse(id).ok())
            })
            .collect())
    }

    /// 409 `open_access` when any of `accounts` has open breakglass requests.
    /// `end_route` is the route that ends them, named in the message.
    pub(crate) async fn refuse_open_access(&self, accounts: &[AccountId], what: &str, end_route: &str) -> Result<()> {
        let mut open = Vec::new();
        for a in accounts {
            open.extend(self.open_requests(a).await?);
        }
        if open.is_empty() {
            return Ok(());
        }
        let shown: Vec<&str> = open.iter().take(5).map(String::as_str).collect();
        Err(Error::conflict(
            Conflict::OpenAccess,
            format!(
                "{what} has {} open breakglass request(s) or grant(s) ({}{}); end them first (POST {end_route}), then try again",
                open.len(),
                shown.join(", "),
                if open.len() > 5 { ", …" } else { "" }
            ),
        ))
    }

    /// The account's console links, in the order `links::console_links` gives them.
    pub async fn console_links(
        &self,
        who: &Principal,
        id: &str,
        page: &PageRequest,
    ) -> Result<Listed<links::ConsoleLink>> {
        who.require_any_role()?;
        let account = self.load_account(id).await?.0;
        // Breakglass permission sets only while the person holds an active grant for them.
        let held = match &account.access {
            AccessMethod::Sso {
                breakglass_permission_sets,
                ..
            } if !breakglass_permission_sets.is_empty() => {
                crate::access::sso::held_breakglass_sets(self.store.as_ref(), &who.email, self.now())
                    .await?
                    .on(&account)
            }
            _ => Vec::new(),
        };
        let numbered: Vec<(usize, links::ConsoleLink)> =
            links::console_links(&account, &held).into_iter().enumerate().collect();
        let scope = scope("console-links", &id);
        let listed = crate::page::in_memory(numbered, page, &scope, crate::page::Order::Ascending, |(i, _)| {
            format!("{i:04}")
        })?;
        Ok(listed.map(|(_, link)| link))
    }

    pub async fn search(&self, who: &Principal, q: &str, limit: Option<usize>) -> Result<Found> {
        who.require_any_role()?;
        let limit = match limit {
            None => 20,
            Some(l) if (1..=100).contains(&l) => l,
            Some(_) => return Err(Error::validation("limit", "limit must be 1-100")),
        };
        if q.trim().is_empty() || q.len() > 200 {
            return Err(Error::validation("q", "q must be 1-200 characters"));
        }
        let snap = self.snapshot().await?;
        if search::tokens(q).is_empty() {
            return Err(Error::validation("q", "q needs a letter or digit to search for"));
        }
        let found = search::quick_find(&snap, q, limit);
        Ok(Found {
            truncated: found.total_customers > found.customers.len()
                || found.total_accounts > found.accounts.len()
                || found.total_contacts > found.contacts.len(),
            total_customers: found.total_customers,
            total_accounts: found.total_accounts,
            total_contacts: found.total_contacts,
            customers: found.customers.into_iter().cloned().collect(),
            accounts: found.accounts.into_iter().cloned().collect(),
            contacts: found.contacts.into_iter().cloned().collect(),
        })
    }
}

/// What quick find found: best matches first, at most `limit` of each kind (customers,
/// accounts, contacts).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Found {
    pub customers: Vec<Customer>,
    pub accounts: Vec<Account>,
    /// Key contacts found by name, e-mail, phone or role (their customer's page lists them all).
    pub contacts: Vec<Contact>,
    /// How many customers, accounts and contacts matched in all.
    pub total_customers: usize,
    pub total_accounts: usize,
    pub total_contacts: usize,
    /// Whether the limit cut any of the lists (ask with a higher `limit`, up to 100, or more words).
    pub truncated: bool,
}

impl Hub {
    /// The audit event of a change to account `a` (filed under its customer).
    pub(super) fn account_event(
        &self,
        who: &Principal,
        action: &str,
        a: &Account,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> crate::audit::AuditEvent {
        let mut e = self.event(who, action, a.customer.as_str(), before, after);
        e.account_id = Some(a.id.to_string());
        e
    }
}

fn duplicate_account(id: &AccountId) -> Error {
    Error::conflict(
        Conflict::DuplicateAccount,
        format!("account {id} is already in the hub"),
    )
}
