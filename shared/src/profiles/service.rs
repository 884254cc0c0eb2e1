//! Profiles for the calling person: their customers' accounts (every customer for leads and
//! admins who ask for `all`), rendered with their stored preferences and the query's overrides,
//! plus the SSO breakglass permission sets of their active grants.

use std::sync::Arc;

use super::{Kind, Preferences, ProfileSet, Selection, render_with_grants};
use crate::access::sso::held_breakglass_sets;
use crate::clock::Clock;
use crate::error::{Conflict, Error, Result};
use crate::hub::{Account, Environment, Hub};
use crate::identity::{Principal, Role};
use crate::ids::Region;
use crate::keys;
use crate::store::{Item, ItemStore, StoreError, Write, decode, encode};

#[derive(Clone, Debug, Default)]
pub struct ProfileQuery {
    pub customers: Option<Vec<String>>,
    pub environment: Option<Environment>,
    pub kinds: Option<Vec<Kind>>,
    pub region: Option<Region>,
    pub template: Option<String>,
    pub hub_profile: Option<String>,
    /// The asking CLI's own command line (its full path): used for `credential_process` while the
    /// person's stored `cli_command` is the default `cc`, which on many machines is the C compiler.
    pub cli_path: Option<String>,
    /// Every customer, not just the person's own (leads and admins).
    pub all: bool,
}

pub struct Profiles {
    store: Arc<dyn ItemStore>,
    hub: Arc<Hub>,
    clock: Clock,
}

fn prefs_pk(who: &Principal) -> String {
    keys::user(who.email.as_str())
}

impl Profiles {
    pub fn new(store: Arc<dyn ItemStore>, hub: Arc<Hub>, clock: Clock) -> Self {
        Profiles { store, hub, clock }
    }

    pub async fn preferences(&self, who: &Principal) -> Result<Preferences> {
        who.require_any_role()?;
        match self.store.get(&prefs_pk(who), keys::PROFILE_PREFS).await? {
            Some(item) => decode(item),
            None => Ok(Preferences::default()),
        }
    }

    /// Stores the person's preferences; `prefs.version` must be the version read (0 at first).
    pub async fn put_preferences(&self, who: &Principal, prefs: Preferences) -> Result<Preferences> {
        who.require_any_role()?;
        prefs.validate()?;
        let expected = prefs.version;
        let mut stored = prefs;
        stored.version = 0;
        let item = Item::new(prefs_pk(who), keys::PROFILE_PREFS, encode(&stored)?);
        self.store
            .transact(vec![Write::at_version(item, expected)])
            .await
            .map_err(|e| match e {
                // Version 0 is also what a body without `version` means: say what to send.
                StoreError::ConditionFailed if expected == 0 => Error::conflict(
                    Conflict::Version,
                    "your preferences already exist: send the version you read (GET /api/v1/me/profile-preferences)",
                ),
                StoreError::ConditionFailed => Error::conflict(
                    Conflict::Version,
                    "your preferences changed elsewhere; reload and try again",
                ),
                e => e.into(),
            })?;
        stored.version = expected + 1;
        Ok(stored)
    }

    pub async fn generate(&self, who: &Principal, q: &ProfileQuery) -> Result<ProfileSet> {
        who.require_any_role()?;
        if q.all && !who.has(Role::Lead) && !who.has(Role::Admin) {
            return Err(Error::Forbidden(
                "profiles for every customer need the lead or admin role".into(),
            ));
        }
        let mut prefs = self.preferences(who).await?;
        if let Some(t) = &q.template {
            prefs.template = t.clone();
        }
        if let Some(r) = &q.region {
            prefs.region = Some(r.clone());
        }
        if let Some(h) = &q.hub_profile {
            prefs.hub_profile = h.clone();
        }
        if let Some(path) = &q.cli_path
            && prefs.cli_command == super::DEFAULT_CLI_COMMAND
        {
            prefs.cli_command = path.clone();
        }
        prefs.validate()?;
        let snap = self.hub.snapshot().await?;
        let mine: Option<Vec<String>> = if q.all {
            None
        } else {
            Some(
                self.hub
                    .customers_of(&who.email)
                    .await?
                    .into_iter()
                    .map(|c| c.to_string())
                    .collect(),
            )
        };
        // Customer codes are case-insensitive (`--customer ACME` is acme); the selection the
        // answer names, and the CLI merges by, is in lower case.
        let q = &ProfileQuery {
            customers: q
                .customers
                .as_ref()
                .map(|cs| cs.iter().map(|c| c.to_ascii_lowercase()).collect()),
            ..q.clone()
        };
        if let Some(asked) = &q.customers {
            for c in asked {
                if snap.customer(c).is_none() {
                    return Err(Error::not_found("customer", c.as_str()));
                }
                if mine.as_ref().is_some_and(|m| !m.contains(c)) {
                    return Err(Error::Forbidden(format!(
                        "you are not on customer {c}'s team (leads and admins may ask for all)"
                    )));
                }
            }
        }
        // Names are given over the whole hub (the same for everyone); `visible` picks the person's.
        let accounts: Vec<&Account> = snap.accounts.iter().collect();
        let visible = |a: &Account| mine.as_ref().is_none_or(|m| m.iter().any(|c| c == a.customer.as_str()));
        let selection = Selection {
            customers: q.customers.clone(),
            environment: q.environment,
            kinds: q.kinds.clone(),
        };
        // SSO breakglass permission sets the person holds an active grant for.
        let held = held_breakglass_sets(self.store.as_ref(), &who.email, self.clock.now()).await?;
        render_with_grants(&accounts, &visible, &prefs, who.email.as_str(), &selection, &held)
    }
}
