//! How every list pages: `limit` 1..=[`MAX_LIMIT`] (default [`DEFAULT_LIMIT`]) and an opaque
//! `cursor` taken from the previous page's `next_cursor`, which is absent on the last page. A bad
//! limit or cursor is a validation error (400) naming the parameter.
//!
//! Lists read from one store partition pass the store's own cursor through (wrapped, so every
//! cursor is opaque the same way); lists computed in memory (merged states, filtered sets) page by
//! the sort key of the last item returned, so an item deleted between two pages moves nothing.
//! Every cursor names the list and the query it came from ([`scope`]): handed to another list,
//! another filter or another person's list, it is refused rather than answering a wrong page.

use base64::Engine;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 200;

/// What the caller asked for: a checked limit and the cursor as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub cursor: Option<String>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            limit: DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

impl PageRequest {
    /// `limit` in 1..=[`MAX_LIMIT`] (default [`DEFAULT_LIMIT`]).
    pub fn new(limit: Option<usize>, cursor: Option<String>) -> Result<Self> {
        Self::up_to(limit, cursor, DEFAULT_LIMIT, MAX_LIMIT)
    }

    /// A limit with its own default and maximum (exports, which answer more per page).
    pub fn up_to(limit: Option<usize>, cursor: Option<String>, default: usize, max: usize) -> Result<Self> {
        let limit = match limit {
            None => default,
            Some(l) if (1..=max).contains(&l) => l,
            Some(_) => return Err(Error::validation("limit", format!("limit must be 1-{max}"))),
        };
        let cursor = cursor.filter(|c| !c.is_empty());
        Ok(PageRequest { limit, cursor })
    }

    /// Where the page starts, as the list `scope` encoded it; a cursor from another list or query
    /// is refused.
    pub fn position<T: DeserializeOwned>(&self, scope: &str) -> Result<Option<T>> {
        let Some(cursor) = self.cursor.as_deref() else {
            return Ok(None);
        };
        let envelope: Envelope<T> = decode(cursor)?;
        if envelope.s != scope {
            return Err(Error::validation(
                "cursor",
                "the cursor belongs to another list or query; start again without it",
            ));
        }
        Ok(Some(envelope.p))
    }
}

/// One page of a list: `{"items": [...], "next_cursor": ...}` on the wire.
#[derive(Debug, Serialize)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Listed<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Listed<U> {
        Listed {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// What a cursor holds: the scope it belongs to and the position.
#[derive(serde::Serialize, serde::Deserialize)]
struct Envelope<T> {
    s: String,
    p: T,
}

/// The scope of a list: its name and a fingerprint of everything that shapes it (filters, the
/// person for "mine" lists). Stable for one build; a cursor never outlives a deploy by much.
pub fn scope(list: &str, query: &impl std::fmt::Debug) -> String {
    // FNV-1a, 64 bits: short, and no cryptographic claim (the scope is not a secret or a check
    // against forgery; it catches cursors used with the wrong list).
    let hash = crate::ids::fnv1a(format!("{query:?}").bytes());
    format!("{list}:{hash:016x}")
}

/// An opaque cursor for `position` in the list `scope` (URL-safe base64 of its JSON).
/// One page of a store query (its order as `query` says): the items decoded, and the cursor of
/// the next page under `scope`. A cursor from another list is refused ([`PageRequest::position`]).
pub async fn query_page<T: DeserializeOwned>(
    items: &dyn crate::store::ItemStore,
    query: crate::store::Query,
    scope: &str,
    page: &PageRequest,
) -> Result<Listed<T>> {
    let cursor: Option<String> = page.position(scope)?;
    let found = items.query(query.limit(page.limit).after(cursor)).await?;
    Ok(Listed {
        items: found
            .items
            .into_iter()
            .map(crate::store::decode)
            .collect::<Result<_>>()?,
        next_cursor: found.next_cursor.map(|c| encode_cursor(scope, &c)),
    })
}

pub fn encode_cursor<T: Serialize>(scope: &str, position: &T) -> String {
    let envelope = Envelope {
        s: scope.to_string(),
        p: position,
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&envelope).unwrap_or_default())
}

fn decode<T: DeserializeOwned>(cursor: &str) -> Result<T> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| Error::validation("cursor", "the cursor is not valid; start again without it"))
}

/// Which way a list computed in memory is sorted by its keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Ascending,
    Descending,
}

/// Pages a list computed in memory. `items` must already be sorted by `key` in `order`, and keys
/// must be unique; the page starts after the cursor's key.
pub fn in_memory<T>(
    items: Vec<T>,
    page: &PageRequest,
    scope: &str,
    order: Order,
    key: impl Fn(&T) -> String,
) -> Result<Listed<T>> {
    let after: Option<String> = page.position(scope)?;
    let start = match &after {
        None => 0,
        Some(k) => items
            .iter()
            .position(|i| match order {
                Order::Ascending => key(i).as_str() > k.as_str(),
                Order::Descending => key(i).as_str() < k.as_str(),
            })
            .unwrap_or(items.len()),
    };
    let rest = items.len() - start;
    let items: Vec<T> = items.into_iter().skip(start).take(page.limit).collect();
    let next_cursor = (rest > page.limit)
        .then(|| items.last().map(|i| encode_cursor(scope, &key(i))))
        .flatten();
    Ok(Listed { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(items: &[u32], limit: usize, order: Order) -> Vec<Vec<u32>> {
        let mut pages = Vec::new();
        let mut cursor = None;
        loop {
            let req = PageRequest::new(Some(limit), cursor).unwrap();
            let page = in_memory(items.to_vec(), &req, "t", order, |i| format!("{i:05}")).unwrap();
            pages.push(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return pages,
            }
        }
    }

    #[test]
    fn pages_cover_every_item_once_in_order() {
        let items: Vec<u32> = (0..7).collect();
        assert_eq!(
            walk(&items, 3, Order::Ascending),
            vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]
        );
        assert_eq!(walk(&items, 7, Order::Ascending), vec![items.clone()]);
        let desc: Vec<u32> = (0..5).rev().collect();
        assert_eq!(walk(&desc, 2, Order::Descending), vec![vec![4, 3], vec![2, 1], vec![0]]);
        assert_eq!(walk(&[], 2, Order::Ascending), vec![Vec::<u32>::new()]);
    }

    #[test]
    fn a_deleted_item_between_pages_moves_nothing() {
        let first = in_memory(
            (0..6).collect::<Vec<u32>>(),
            &PageRequest::new(Some(3), None).unwrap(),
            "t",
            Order::Ascending,
            |i| format!("{i:05}"),
        )
        .unwrap();
        let cursor = first.next_cursor.unwrap();
        // Item 2 (the cursor's own) is gone by the next call.
        let rest = vec![0, 1, 3, 4, 5];
        let second = in_memory(
            rest,
            &PageRequest::new(Some(3), Some(cursor)).unwrap(),
            "t",
            Order::Ascending,
            |i| format!("{i:05}"),
        )
        .unwrap();
        assert_eq!(second.items, vec![3, 4, 5]);
        assert!(second.next_cursor.is_none());
    }

    #[test]
    fn bad_limits_and_cursors_name_the_parameter() {
        for limit in [0, MAX_LIMIT + 1] {
            match PageRequest::new(Some(limit), None) {
                Err(Error::Validation { field, .. }) => assert_eq!(field.as_deref(), Some("limit")),
                other => panic!("{other:?}"),
            }
        }
        let req = PageRequest::new(None, Some("not base64 json!".into())).unwrap();
        assert_eq!(req.limit, DEFAULT_LIMIT);
        match in_memory(vec![1u32], &req, "t", Order::Ascending, |i| i.to_string()) {
            Err(Error::Validation { field, .. }) => assert_eq!(field.as_deref(), Some("cursor")),
            other => panic!("{:?}", other.map(|l| l.items)),
        }
    }

    #[test]
    fn a_cursor_only_works_for_its_own_list_and_query() {
        let contacts = scope("contacts", &"acme");
        assert_ne!(contacts, scope("contacts", &"globex"));
        assert_ne!(contacts, scope("console-links", &"acme"));
        let items: Vec<u32> = (0..4).collect();
        let first = in_memory(
            items.clone(),
            &PageRequest::new(Some(2), None).unwrap(),
            &contacts,
            Order::Ascending,
            |i| i.to_string(),
        )
        .unwrap();
        let cursor = first.next_cursor.unwrap();
        let req = PageRequest::new(Some(2), Some(cursor)).unwrap();
        assert_eq!(
            in_memory(items.clone(), &req, &contacts, Order::Ascending, |i| i.to_string())
                .unwrap()
                .items,
            vec![2, 3]
        );
        match in_memory(items, &req, &scope("contacts", &"globex"), Order::Ascending, |i| {
            i.to_string()
        }) {
            Err(Error::Validation { field, message }) => {
                assert_eq!(field.as_deref(), Some("cursor"));
                assert!(message.contains("another list"), "{message}");
            }
            other => panic!("{:?}", other.map(|l| l.items)),
        }
    }
}
