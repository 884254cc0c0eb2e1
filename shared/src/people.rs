//! The people directory: which e-mail an identity provider's subject stands for.
//!
//! People are known by e-mail everywhere (teams, requests, the audit log). Some providers' access
//! tokens carry no e-mail (Cognito, Entra ID without the optional claim); with
//! `CC_EMAIL_SOURCE=people` the token's subject (`CC_SUBJECT_CLAIM`, default `sub`) is looked up
//! here instead. Admins maintain the directory; every change is audited like a hub change (with
//! no customer). One e-mail belongs to one subject: a second subject mapped to the same e-mail
//! would act as that person, so it is refused (409 `email_taken`).
//!
//! **Caching.** A lookup reads one item. Found entries are kept in memory for [`CACHE_TTL`]: a
//! change or removal reaches the instance that made it (and the local server) at once, and every
//! other running Lambda instance within that time. Unknown subjects are not cached, so a person
//! just added can sign in at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{AuditEvent, changed_fields, current_origin};
use crate::clock::Clock;
use crate::error::{Conflict, Error, Result, retry_lost_races};
use crate::identity::{Role, Verified};
use crate::ids::{Email, Subject};
use crate::keys;
use crate::page::{Listed, PageRequest, encode_cursor, scope};
use crate::store::{Index, Item, ItemStore, Query, Write, decode, encode};

/// How long a found entry is trusted without reading it again.
pub const CACHE_TTL: time::Duration = time::Duration::seconds(60);

/// The most entries kept in memory; past it the cache starts again empty.
const CACHE_MAX: usize = 10_000;

/// One person of the directory.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Person {
    /// The identity provider's subject (the value of `CC_SUBJECT_CLAIM` in their tokens).
    pub subject: Subject,
    /// The e-mail the person is known by in Customer Central.
    pub email: Email,
    /// Who this is, for the admins reading the directory.
    #[serde(default)]
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// The admin who made the last change.
    pub updated_by: String,
    /// Optimistic-concurrency version; send it back in a PUT to refuse lost updates.
    #[serde(default)]
    pub version: u64,
}

/// The body of `PUT /api/v1/people/{subject}`.
#[derive(Clone, Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonUpdate {
    pub email: Email,
    /// Who this is (optional, at most 200 characters).
    #[serde(default)]
    pub name: String,
    /// The version you read (0: only if the subject is not in the directory yet). Without it the
    /// entry is created or replaced whatever its version.
    #[serde(default)]
    pub version: Option<u64>,
}

pub const MAX_NAME: usize = 200;

pub struct People {
    store: Arc<dyn ItemStore>,
    clock: Clock,
    cache: RwLock<HashMap<String, (Email, OffsetDateTime)>>,
}

fn subject_param(subject: &str) -> Result<Subject> {
    Subject::parse(subject).map_err(|e| Error::validation("subject", e.to_string()))
}

fn person_item(p: &Person) -> Result<Item> {
    Ok(Item::new(keys::PEOPLE, keys::person(p.subject.as_str()), encode(p)?))
}

fn email_item(email: &Email, subject: &Subject) -> Item {
    Item::new(
        keys::PEOPLE,
        keys::person_email(email.as_str()),
        serde_json::json!({ "email": email, "subject": subject }),
    )
}

impl People {
    pub fn new(store: Arc<dyn ItemStore>, clock: Clock) -> Self {
        People {
            store,
            clock,
            cache: RwLock::new(HashMap::new()),
        }
    }

    /// The e-mail a subject stands for; `None` when the directory does not know it.
    pub async fn email_of(&self, subject: &str) -> Result<Option<Email>> {
        let now = self.clock.now();
        if let Ok(cache) = self.cache.read()
            && let Some((email, until)) = cache.get(subject)
            && *until > now
        {
            return Ok(Some(email.clone()));
        }
        let Ok(subject) = Subject::parse(subject) else {
            return Ok(None);
        };
        let found = self.load(&subject).await?.map(|(p, _)| p.email);
        if let (Some(email), Ok(mut cache)) = (&found, self.cache.write()) {
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
            cache.insert(subject.to_string(), (email.clone(), now + CACHE_TTL));
        }
        Ok(found)
    }

    fn forget(&self, subject: &Subject) {
        if let Ok(mut cache) = self.cache.write() {
            cache.remove(subject.as_str());
        }
    }

    async fn load(&self, subject: &Subject) -> Result<Option<(Person, u64)>> {
        match self.store.get(keys::PEOPLE, &keys::person(subject.as_str())).await? {
            Some(item) => {
                let version = item.version;
                let mut p: Person = decode(item)?;
                p.version = version;
                Ok(Some((p, version)))
            }
            None => Ok(None),
        }
    }

    /// The directory, sorted by subject (admin).
    pub async fn list(&self, who: &Verified, page: &PageRequest) -> Result<Listed<Person>> {
        who.require(Role::Admin, "reading the people directory")?;
        let scope = scope("people", &());
        let found = self
            .store
            .query(
                Query::partition(Index::Primary, keys::PEOPLE)
                    .prefix(keys::SUBJECT_PREFIX)
                    .limit(page.limit)
                    .after(page.position(&scope)?),
            )
            .await?;
        let items = found
            .items
            .into_iter()
            .map(|i| {
                let version = i.version;
                decode::<Person>(i).map(|p| Person { version, ..p })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Listed {
            items,
            next_cursor: found.next_cursor.map(|c| encode_cursor(&scope, &c)),
        })
    }

    /// One person (admin); 404 when the subject is not in the directory.
    pub async fn get(&self, who: &Verified, subject: &str) -> Result<Person> {
        who.require(Role::Admin, "reading the people directory")?;
        let subject = subject_param(subject)?;
        self.load(&subject)
            .await?
            .map(|(p, _)| p)
            .ok_or_else(|| Error::not_found("person", subject.as_str()))
    }

    /// Maps a subject to an e-mail (admin): creates the entry or replaces it. Returns the entry
    /// and whether it was created.
    pub async fn put(&self, who: &Verified, subject: &str, update: PersonUpdate) -> Result<(Person, bool)> {
        who.require(Role::Admin, "changing the people directory")?;
        let subject = subject_param(subject)?;
        let name = update.name.trim().to_string();
        crate::text::line("name", &name, 0, MAX_NAME)?;
        let step = || async {
            let current = self.load(&subject).await?;
            let read = current.as_ref().map_or(0, |(_, v)| *v);
            if let Some(v) = update.version
                && v != read
            {
                return Err(Error::conflict(
                    Conflict::Version,
                    format!("person '{subject}' is at version {read}, not {v}; reload and try again"),
                ));
            }
            if let Some((p, _)) = &current
                && p.email == update.email
                && p.name == name
            {
                return Ok((p.clone(), false));
            }
            if let Some(holder) = self
                .store
                .get(keys::PEOPLE, &keys::person_email(update.email.as_str()))
                .await?
                && holder.data["subject"].as_str() != Some(subject.as_str())
            {
                return Err(Error::conflict(
                    Conflict::EmailTaken,
                    format!(
                        "{} is already mapped from subject '{}'; remove that entry first",
                        update.email,
                        holder.data["subject"].as_str().unwrap_or_default()
                    ),
                ));
            }
            let person = Person {
                subject: subject.clone(),
                email: update.email.clone(),
                name: name.clone(),
                updated_at: self.clock.now(),
                updated_by: who.actor(),
                version: read + 1,
            };
            let before = current.as_ref().map(|(p, _)| encode(p)).transpose()?;
            let after = encode(&person)?;
            let mut writes = vec![Write::at_version(person_item(&person)?, read)];
            match &current {
                Some((old, _)) if old.email == person.email => {}
                Some((old, _)) => {
                    writes.push(Write::Delete {
                        pk: keys::PEOPLE.into(),
                        sk: keys::person_email(old.email.as_str()),
                        expected: None,
                    });
                    writes.push(Write::PutNew(email_item(&person.email, &subject)));
                }
                None => writes.push(Write::PutNew(email_item(&person.email, &subject))),
            }
            let action = if current.is_some() {
                "person_updated"
            } else {
                "person_created"
            };
            let mut event = AuditEvent::new(&who.actor(), action, "", self.clock.now()).origin(&current_origin());
            event.detail = match &before {
                Some(b) => format!("{subject}: {}", changed_fields(b, &after)),
                None => format!("{subject} -> {}", person.email),
            };
            writes.push(Write::PutNew(event.before_after(before, Some(after)).item()));
            self.store.transact(writes).await?;
            Ok((person, current.is_none()))
        };
        let result = match update.version {
            Some(_) => step().await,
            None => retry_lost_races(step).await,
        };
        self.forget(&subject);
        result
    }

    /// Removes a subject from the directory (admin); their tokens stop working (at once here,
    /// within [`CACHE_TTL`] on other instances).
    pub async fn delete(&self, who: &Verified, subject: &str, version: Option<u64>) -> Result<()> {
        who.require(Role::Admin, "changing the people directory")?;
        let subject = subject_param(subject)?;
        let step = || async {
            let (person, read) = self
                .load(&subject)
                .await?
                .ok_or_else(|| Error::not_found("person", subject.as_str()))?;
            if let Some(v) = version
                && v != read
            {
                return Err(Error::conflict(
                    Conflict::Version,
                    format!("person '{subject}' is at version {read}, not {v}; reload and try again"),
                ));
            }
            let event = AuditEvent::new(&who.actor(), "person_deleted", "", self.clock.now())
                .origin(&current_origin())
                .before_after(Some(encode(&person)?), None);
            let mut event = event;
            event.detail = format!("{subject} ({})", person.email);
            self.store
                .transact(vec![
                    Write::Delete {
                        pk: keys::PEOPLE.into(),
                        sk: keys::person(subject.as_str()),
                        expected: Some(read),
                    },
                    Write::Delete {
                        pk: keys::PEOPLE.into(),
                        sk: keys::person_email(person.email.as_str()),
                        expected: None,
                    },
                    Write::PutNew(event.item()),
                ])
                .await?;
            Ok(())
        };
        let result = match version {
            Some(_) => step().await,
            None => retry_lost_races(step).await,
        };
        self.forget(&subject);
        result
    }
}
