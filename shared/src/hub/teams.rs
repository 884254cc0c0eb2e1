//! Who works on a customer: the team item (versioned member list) and one member item per person,
//! indexed by person so "my customers" is one query.

use super::service::*;
use super::*;
use crate::identity::{Principal, Role};
use crate::keys;
use crate::store::{Index, Item, Query, StoreError, Write, encode};

impl Hub {
    pub async fn team(&self, who: &Principal, code: &str) -> Result<Team> {
        who.require_any_role()?;
        let customer = self.load_customer(code).await?.0;
        Ok(self.load_team(&customer.code).await?.0)
    }

    pub(super) async fn load_team(&self, code: &CustomerCode) -> Result<(Team, u64)> {
        match self.store.get(&keys::customer(code.as_str()), keys::TEAM).await? {
            Some(item) => from_item(item),
            None => Ok((
                Team {
                    customer: code.clone(),
                    members: Vec::new(),
                    history: Vec::new(),
                    version: 0,
                },
                0,
            )),
        }
    }

    /// Replaces a customer's team (admin); `version` must be the one read (0 for none yet).
    pub async fn put_team(&self, who: &Principal, code: &str, update: TeamUpdate) -> Result<Team> {
        who.require(Role::Admin, "changing a team")?;
        let (customer, customer_version) = self.load_customer(code).await?;
        let mut members: Vec<Email> = update.members.clone();
        members.sort();
        members.dedup();
        if members.len() > MAX_TEAM {
            return Err(Error::validation(
                "members",
                format!("a team has at most {MAX_TEAM} members"),
            ));
        }
        let (mut team, version) = self.load_team(&customer.code).await?;
        if version != update.version {
            return Err(Error::conflict(
                Conflict::Version,
                format!(
                    "the team is at version {version}, not {}; reload and try again",
                    update.version
                ),
            ));
        }
        let added: Vec<Email> = members.iter().filter(|m| !team.members.contains(m)).cloned().collect();
        let removed: Vec<Email> = team.members.iter().filter(|m| !members.contains(m)).cloned().collect();
        if added.is_empty() && removed.is_empty() {
            return Ok(team);
        }
        let before = serde_json::json!({ "members": team.members });
        team.members = members;
        team.history.push(TeamChange {
            at: self.now(),
            by: who.email.clone(),
            added: added.clone(),
            removed: removed.clone(),
        });
        if team.history.len() > 100 {
            team.history.drain(..team.history.len() - 100);
        }
        let mut event = self.event(
            who,
            "team_changed",
            code,
            Some(before),
            Some(serde_json::json!({ "members": team.members })),
        );
        let names = |list: &[Email]| list.iter().map(Email::as_str).collect::<Vec<_>>().join(" ");
        event.detail = format!("added: {}; removed: {}", names(&added), names(&removed));
        let pk = keys::customer(code);
        let team_item = Item::new(&pk, keys::TEAM, encode(&team)?);
        // At most MAX_TEAM added and MAX_TEAM removed: the transaction stays under 100 writes (84).
        let mut writes = vec![
            Write::PutNew(event.item()),
            self.revision_write(),
            Write::at_version(team_item, version),
            // The customer must still exist (a concurrent delete fails this).
            Write::Check {
                pk: pk.clone(),
                sk: keys::META.into(),
                expected: customer_version,
            },
        ];
        for m in &added {
            writes.push(Write::Put(
                Item::new(
                    &pk,
                    keys::member(m.as_str()),
                    serde_json::json!({"email": m, "customer": code}),
                )
                .with_gsi1(keys::user(m.as_str()), keys::customer(code)),
            ));
        }
        for m in &removed {
            writes.push(Write::Delete {
                pk: pk.clone(),
                sk: keys::member(m.as_str()),
                expected: None,
            });
        }
        self.store.transact(writes).await.map_err(|e| match e {
            StoreError::ConditionFailed => Error::conflict(
                Conflict::Version,
                "the team or customer changed meanwhile; reload and try again",
            ),
            e => e.into(),
        })?;
        team.version = version + 1;
        Ok(team)
    }

    /// The customers a person is on the team of.
    pub async fn customers_of(&self, email: &Email) -> Result<Vec<CustomerCode>> {
        let items = self
            .store
            .query_all(
                Query::partition(Index::Gsi1, keys::user(email.as_str()))
                    .prefix(keys::CUSTOMER_PREFIX)
                    .limit(500),
            )
            .await?;
        let mut codes: Vec<CustomerCode> = items
            .iter()
            .filter_map(|i| {
                let sk = &i.gsi1.as_ref()?.sk;
                keys::customer_of_member(sk).and_then(|c| CustomerCode::parse(c).ok())
            })
            .collect();
        codes.sort();
        Ok(codes)
    }
}
