//! Entitlement history: every change of what a contract entitles the customer to, kept as a row of
//! its own (what, when, from, to, from which source), never overwritten. A sync compares the
//! contract as the source has it now with the one kept ([`changes`]) and appends the differences.

use time::OffsetDateTime;

use super::Contract;

/// A contract field whose changes are kept.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EntitlementField {
    EntitledHours,
    MonthlyAllocation,
    Start,
    End,
    Status,
}

/// One change of one field of one contract.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct EntitlementChange {
    pub field: EntitlementField,
    /// The value before, as text (`240`, `2026-12-31`, `Activated`); none when the contract was
    /// first seen or the field was empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The value after; none when the field was emptied (a monthly allocation removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// When the change was seen (the sync's or import's time, UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// Where it came from: `salesforce`, `csv` (an admin's import) or `demo`.
    pub source: String,
}

fn hours(h: f64) -> String {
    // Whole hours without a fraction, others as given (240, 37.5).
    if h.fract() == 0.0 && h.abs() < 1e15 {
        format!("{}", h as i64)
    } else {
        format!("{h}")
    }
}

/// The changes from `before` (the contract as kept; none: first seen) to `after`, each stamped
/// `at` and `source`. A first sighting records each entitlement field's initial value (from
/// none), so the history starts with what the contract was when it was first seen.
pub fn changes(
    before: Option<&Contract>,
    after: &Contract,
    at: OffsetDateTime,
    source: &str,
) -> Vec<EntitlementChange> {
    let fields = |c: &Contract| -> [(EntitlementField, Option<String>); 5] {
        [
            (EntitlementField::EntitledHours, Some(hours(c.entitled_hours))),
            (EntitlementField::MonthlyAllocation, c.monthly_allocation.map(hours)),
            (EntitlementField::Start, Some(c.start.to_string())),
            (EntitlementField::End, Some(c.end.to_string())),
            (
                EntitlementField::Status,
                Some(c.status.clone()).filter(|s| !s.is_empty()),
            ),
        ]
    };
    let new = fields(after);
    let old: [(EntitlementField, Option<String>); 5] = match before {
        Some(b) => fields(b),
        None => new.clone().map(|(f, _)| (f, None)),
    };
    old.into_iter()
        .zip(new)
        .filter(|((_, from), (_, to))| from != to)
        .map(|((field, from), (_, to))| EntitlementChange {
            field,
            from,
            to,
            at,
            source: source.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::ids::{ContractId, CustomerCode};

    fn contract() -> Contract {
        Contract {
            id: ContractId::parse("00000100").unwrap(),
            customer: CustomerCode::parse("acme-retail").unwrap(),
            name: "Managed AWS 2026".into(),
            start: date!(2026 - 01 - 01),
            end: date!(2026 - 12 - 31),
            entitled_hours: 240.0,
            monthly_allocation: Some(20.0),
            status: "Activated".into(),
        }
    }

    #[test]
    fn utilisation_entitlement_changes_are_each_field_that_moved() {
        let at = datetime!(2026-06-01 06:00 UTC);
        let before = contract();
        let mut after = contract();
        after.entitled_hours = 300.0;
        after.monthly_allocation = None;
        after.name = "renamed: not an entitlement".into();
        let got = changes(Some(&before), &after, at, "salesforce");
        let got: Vec<_> = got
            .iter()
            .map(|c| (c.field, c.from.as_deref(), c.to.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (EntitlementField::EntitledHours, Some("240"), Some("300")),
                (EntitlementField::MonthlyAllocation, Some("20"), None),
            ]
        );
        assert!(changes(Some(&before), &before, at, "salesforce").is_empty());
    }

    #[test]
    fn utilisation_first_sighting_records_the_initial_entitlement() {
        let mut c = contract();
        c.entitled_hours = 37.5;
        let got = changes(None, &c, datetime!(2026-01-02 00:00 UTC), "csv");
        assert_eq!(got.len(), 5);
        assert!(got.iter().all(|c| c.from.is_none() && c.source == "csv"));
        assert_eq!(got[0].to.as_deref(), Some("37.5"));
    }
}
