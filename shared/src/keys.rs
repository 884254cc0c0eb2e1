//! The single table's key design: every partition key, sort key and index key the services write
//! or query is built here and nowhere else. The DynamoDB table and the embedded (SQLite) store
//! keep the same keys.
//!
//! | item | PK | SK | GSI1 PK / SK | GSI2 PK / SK |
//! |---|---|---|---|---|
//! | customer | `CUSTOMER#{code}` | `META` | `CUSTOMERS` / `{lower(name)}#{code}` | |
//! | contact | `CUSTOMER#{code}` | `CONTACT#{id}` | | `CONTACTS` / `{code}#{id}` |
//! | team (member list, `version`) | `CUSTOMER#{code}` | `TEAM` | | |
//! | team member | `CUSTOMER#{code}` | `MEMBER#{email}` | `USER#{email}` / `CUSTOMER#{code}` | |
//! | approval policy | `CUSTOMER#{code}` | `POLICY` | | |
//! | account | `ACCOUNT#{id}` | `META` | `CUSTOMER#{code}` / `ACCOUNT#{env}#{id}` | `ACCOUNTS` / `{id}` |
//! | open-request marker (one per person and account while a request is open) | `ACCOUNT#{id}` | `OPEN#{email}` | | |
//! | hub revision marker | `HUB` | `REVISION` | | |
//! | marker: contacts written before the `CONTACTS` index have been indexed | `HUB` | `CONTACTS_INDEXED` | | |
//! | profile preferences | `USER#{email}` | `PROFILE_PREFS` | | |
//! | person (people directory: identity provider subject -> e-mail) | `PEOPLE` | `SUBJECT#{subject}` | | |
//! | e-mail held by a person of the directory (one subject per e-mail) | `PEOPLE` | `EMAIL#{email}` | | |
//! | access request | `REQUEST#{id}` | `META` | `USER#{requester}` / `REQUEST#{created ms:013}#{id}` | `STATUS#{status}` / `{due ms:013}#{id}` |
//! | workflow task token (never in API answers) | `REQUEST#{id}` | `WORKFLOW` | | |
//! | audit event | `AUDIT#{customer}#{yyyy-mm}` | `{ms:013}#{id}` | `ACTOR#{email}` / `{ms:013}#{id}` | `AUDIT#{yyyy-mm}` / `{ms:013}#{id}` |
//! | audit event's copy under an account's former customer (a move; on no index) | `AUDIT#{customer}#{yyyy-mm}` | `{ms:013}#{id}` | | |
//! | local role-guard deny time, per person (embedded only) | `ROLEGUARD#{role arn}` | `DENY#{source identity}` | | |
//! | SSO breakglass assignment that may exist (until removed) | `SSO_ASSIGNMENTS` | `{request id}` | | |
//! | local Identity Center assignment (embedded only) | `SSOLOCAL#{account id}` | `{permission set}#{email}` | | |
//! | daily cost (account, service, day; written again on re-fetch) | `COST#{customer}#{yyyy-mm}` | `{account}#{service}#{dd}` | | |
//! | billing settings (metric, thresholds) | `BILLING#{customer}` | `SETTINGS` | | |
//! | cost anomaly (one per episode; open, acknowledged, resolved) | `ANOMALY#{customer}` | `{id}` | `ANOMALIES#{status}` / `{detected yyyy-mm-dd}#{customer}#{id}` | |
//!
//! `due` is what the sweeper waits for: the approval deadline (pending), the start (approved), the
//! end (active). Every mutable item carries a `version`; writes are conditional on it. Millisecond
//! timestamps are zero-padded to 13 digits so they sort as text. New capabilities keep their data
//! in their own partitions (never under `CUSTOMER#{code}`), so deleting a customer stays small.

use time::OffsetDateTime;

/// The sort key of an entity's main item.
pub const META: &str = "META";

// ---- hub -------------------------------------------------------------------------------------

pub fn customer(code: &str) -> String {
    format!("CUSTOMER#{code}")
}

/// GSI1 partition of every customer, sorted by name.
pub const CUSTOMERS: &str = "CUSTOMERS";

pub fn customer_by_name(name: &str, code: &str) -> String {
    format!("{}#{code}", name.to_lowercase())
}

pub const CONTACT_PREFIX: &str = "CONTACT#";

pub fn contact(id: &str) -> String {
    format!("{CONTACT_PREFIX}{id}")
}

pub const TEAM: &str = "TEAM";

pub fn member(email: &str) -> String {
    format!("MEMBER#{email}")
}

pub const POLICY: &str = "POLICY";

/// The marker that reserves an account alias (case-insensitively) for one account: PK, with SK
/// [`META`]. Written with the account (create, alias change) and deleted with it, so two accounts
/// can never hold the same alias, even when written at once.
pub fn alias(alias: &str) -> String {
    format!("ALIAS#{}", alias.to_lowercase())
}

pub fn account(id: &str) -> String {
    format!("{ACCOUNT_PREFIX}{id}")
}

pub const ACCOUNT_PREFIX: &str = "ACCOUNT#";

/// GSI1 sort key of an account under its customer (filterable by environment prefix).
pub fn account_in_customer(environment: &str, id: &str) -> String {
    format!("ACCOUNT#{environment}#{id}")
}

/// GSI2 partition of every account.
pub const ACCOUNTS: &str = "ACCOUNTS";

/// GSI2 partition of every contact (the hub snapshot loads them in one query for quick find).
pub const CONTACTS: &str = "CONTACTS";

/// GSI2 sort key of a contact: its customer, then its id.
pub fn contact_in_hub(code: &str, id: &str) -> String {
    format!("{code}#{id}")
}

/// The hub revision marker (PK, SK), replaced by every hub write.
pub const HUB_REVISION: (&str, &str) = ("HUB", "REVISION");

/// Written once every contact stored before the `CONTACTS` index is on it (PK, SK).
pub const CONTACTS_INDEXED: (&str, &str) = ("HUB", "CONTACTS_INDEXED");

// ---- people ----------------------------------------------------------------------------------

pub fn user(email: &str) -> String {
    format!("USER#{email}")
}

/// A GSI1 `USER#{email}` sort key naming a customer the person works on; its code when it is one.
pub fn customer_of_member(sk: &str) -> Option<&str> {
    sk.strip_prefix("CUSTOMER#")
}

pub const CUSTOMER_PREFIX: &str = "CUSTOMER#";

pub const PROFILE_PREFS: &str = "PROFILE_PREFS";

/// The people directory's partition: a person per identity provider subject (sorted by subject),
/// and a marker per e-mail so that one e-mail belongs to one subject. Small (one item per person
/// who signs in), read by point lookups, listed by prefix.
pub const PEOPLE: &str = "PEOPLE";

pub const SUBJECT_PREFIX: &str = "SUBJECT#";

pub fn person(subject: &str) -> String {
    format!("{SUBJECT_PREFIX}{subject}")
}

/// The marker that holds `email` for the subject it is mapped from.
pub fn person_email(email: &str) -> String {
    format!("EMAIL#{email}")
}

// ---- breakglass ------------------------------------------------------------------------------

pub fn request(id: &str) -> String {
    format!("REQUEST#{id}")
}

pub const REQUEST_PREFIX: &str = "REQUEST#";

/// GSI1 sort key of a request under its requester: creation order.
pub fn request_by_created(created: OffsetDateTime, id: &str) -> String {
    format!("{REQUEST_PREFIX}{:013}#{id}", ms(created))
}

pub const WORKFLOW: &str = "WORKFLOW";

/// The sort key of the marker that holds an account for one person while their request on it is
/// open (pending, approved or active): created with the request, deleted when it ends. Its
/// partition is the account's, so the hub finds an account's open requests with one query.
pub fn open_request(email: &str) -> String {
    format!("{OPEN_PREFIX}{email}")
}

pub const OPEN_PREFIX: &str = "OPEN#";

/// GSI2 partition of requests in one status.
pub fn status(status: &str) -> String {
    format!("STATUS#{status}")
}

/// GSI2 sort key: when the request is next due (never negative).
pub fn due(at: OffsetDateTime, id: &str) -> String {
    format!("{:013}#{id}", ms(at).max(0))
}

/// A GSI2 sort-key bound: the keys of requests due before `at` sort before it.
pub fn due_before(at: OffsetDateTime) -> String {
    format!("{:013}", ms(at).max(0))
}

/// `AUDIT#{customer}#{yyyy-mm}`: one partition per customer and month.
pub fn audit(customer: &str, at: OffsetDateTime) -> String {
    format!("AUDIT#{customer}#{:04}-{:02}", at.year(), at.month() as u8)
}

/// `AUDIT#{yyyy-mm}`: the GSI2 partition of every customer's audit events in one month.
pub fn audit_month(at: OffsetDateTime) -> String {
    format!("AUDIT#{:04}-{:02}", at.year(), at.month() as u8)
}

/// The sort key of an audit event (also its GSI1 and GSI2 sort key): time order, then id.
pub fn audit_event(at: OffsetDateTime, id: &str) -> String {
    format!("{:013}#{id}", ms(at))
}

pub fn actor(email: &str) -> String {
    format!("ACTOR#{email}")
}

pub fn role_guard(role_arn: &str) -> String {
    format!("ROLEGUARD#{role_arn}")
}

/// The local role guard's deny for one source identity (a grant's requester) on a role.
pub fn deny(source_identity: &str) -> String {
    format!("DENY#{source_identity}")
}

/// The partition of SSO breakglass assignments that may exist: written before an account
/// assignment is created, deleted once it is gone, so the sweeper finds every one left to remove.
pub const SSO_ASSIGNMENTS: &str = "SSO_ASSIGNMENTS";

/// A local (embedded) Identity Center's assignments on one account.
pub fn sso_local(account_id: &str) -> String {
    format!("SSOLOCAL#{account_id}")
}

/// The sort key of one local assignment: a permission set and the person it is assigned to.
pub fn sso_local_assignment(permission_set: &str, email: &str) -> String {
    format!("{permission_set}#{email}")
}

/// Milliseconds since the Unix epoch.
pub fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

// ---- billing ---------------------------------------------------------------------------------

/// Partition of a customer's daily costs for the month of `day`.
pub fn cost(customer: &str, day: time::Date) -> String {
    format!("COST#{customer}#{:04}-{:02}", day.year(), u8::from(day.month()))
}

/// A daily cost cell within its month's partition.
pub fn cost_cell(account: &str, service: &str, day: time::Date) -> String {
    format!("{account}#{service}#{:02}", day.day())
}

/// Partition of a customer's billing records other than costs (settings).
pub fn billing(customer: &str) -> String {
    format!("BILLING#{customer}")
}

pub const BILLING_SETTINGS: &str = "SETTINGS";

/// Within `BILLING#{customer}`: a marker per month that holds daily costs (so a customer's cost
/// partitions can be found, e.g. to delete them with the customer).
pub fn cost_month(day: time::Date) -> String {
    format!("{COST_MONTH_PREFIX}{:04}-{:02}", day.year(), u8::from(day.month()))
}

pub const COST_MONTH_PREFIX: &str = "COSTMONTH#";

/// Partition of a customer's cost anomalies (sort key: the anomaly id).
pub fn anomaly(customer: &str) -> String {
    format!("ANOMALY#{customer}")
}

/// GSI1 partition of every customer's anomalies in one status (`open`, `acknowledged`, `resolved`).
pub fn anomalies(status: &str) -> String {
    format!("ANOMALIES#{status}")
}

/// GSI1 sort key of an anomaly: the day it was detected, then its customer and id.
pub fn anomaly_detected(detected: time::Date, customer: &str, id: &str) -> String {
    format!("{detected}#{customer}#{id}")
}

// ---- billing: fetch runs and organisation facts (issue #13) ------------------------------------
//
// | item | PK | SK |
// |---|---|---|
// | billing fetch run (one per run; per customer and payer: status, requests, cells) | `BILLINGRUN` | `{started ms:013}#{id}` |
// | a payer's last successful fetch (backfill or incremental next time) | `BILLING#{customer}` | `FETCHED#{payer}` |
// | a customer's entries of the last run that covered it (status, reason) | `BILLING#{customer}` | `LASTFETCH` |
// | the lease of the run fetching the customer now (run id, expiry; deleted at its end) | `BILLING#{customer}` | `FETCHLEASE` |
// | one organisation's facts (last refresh, flags), per management account | `ORG#{customer}` | `FACTS#{management account}` |
// | a customer's organisation facts before they were kept per organisation (read, replaced on refresh) | `ORG#{customer}` | `META` |
// | an account in the customer's organisation but not in the hub (discovered) | `ORG#{customer}` | `DISCOVERED#{account}` |

/// The partition of every billing fetch run, sorted by start time.
pub const BILLING_RUNS: &str = "BILLINGRUN";

/// A run's sort key: start time, then id (newest last; listed descending).
pub fn billing_run(started: OffsetDateTime, id: &str) -> String {
    format!("{:013}#{id}", ms(started))
}

/// Within `BILLING#{customer}`: what the last run that covered the customer did for it.
pub const BILLING_LAST_FETCH: &str = "LASTFETCH";

/// Within `BILLING#{customer}`: the lease of the run fetching the customer now (one at a time).
pub const BILLING_FETCH_LEASE: &str = "FETCHLEASE";

/// Within `BILLING#{customer}`: the last successful fetch through one payer account.
pub fn billing_fetched(payer: &str) -> String {
    format!("FETCHED#{payer}")
}

/// Partition of a customer's organisation facts (its own, never under `CUSTOMER#{code}`).
pub fn organization(customer: &str) -> String {
    format!("ORG#{customer}")
}

pub const ORG_FACTS_PREFIX: &str = "FACTS#";

/// One organisation's facts, by its management account.
pub fn org_facts(management_account: &str) -> String {
    format!("{ORG_FACTS_PREFIX}{management_account}")
}

pub const DISCOVERED_PREFIX: &str = "DISCOVERED#";

/// An account of the customer's organisation that is not in the hub.
pub fn discovered(account: &str) -> String {
    format!("{DISCOVERED_PREFIX}{account}")
}

// ---- utilisation (issue #14) -------------------------------------------------------------------
//
// | item | PK | SK | GSI1 PK / SK |
// |---|---|---|---|
// | contract (`version`) | `CONTRACT#{customer}` | `META#{contract}` | `CONTRACTS` / `{customer}#{contract}` |
// | entitlement change (appended, never rewritten) | `CONTRACT#{customer}` | `CHANGE#{contract}#{ms:013}#{field}` | |
// | worklog (replaced on edit, deleted on delete) | `WORKLOG#{id}` | `META` | `WORK#{yyyy-mm}` / `{task code}#{id}` |
// | task code mappings (the whole list, `version`) | `TASKCODES` | `META` | |
// | task code mapping change (appended) | `TASKCODES` | `CHANGE#{ms:013}#{ulid}` | |
// | utilisation sync state (where the next worklog sync starts) | `UTILISATION` | `SYNC` | |
// | utilisation sync run | `UTILISATIONRUN` | `{started ms:013}#{id}` | |
//
// DESIGN.md's starting point keyed worklogs by customer (`WORK#{customer}#{yyyy-mm}`); but a
// worklog's customer is a mapping of its task code, which an admin may change and which may not
// exist yet (unmapped hours), and an edit upstream may move it to another day or code. So each
// worklog is one item under its own id (an edit is a put, a delete a delete, no pointer to chase)
// and the index finds a month's worklogs by task code prefix, which serves exact codes
// (`OPS-12#`) and project prefixes (`ACME-`) alike.
//
// `{contract}` in a key is the number in upper case (`ContractId::key`): numbers compare without
// case. Items written before that rule may hold a number with lower-case letters; the store
// module (`utilisation::store`) finds and moves them.

/// Partition of a customer's contracts and their entitlement changes.
pub fn contract_partition(customer: &str) -> String {
    format!("CONTRACT#{customer}")
}

pub const CONTRACT_PREFIX: &str = "META#";

/// A contract's item within its customer's partition.
pub fn contract(id: &str) -> String {
    format!("{CONTRACT_PREFIX}{id}")
}

/// GSI1 partition of every contract.
pub const CONTRACTS: &str = "CONTRACTS";

/// GSI1 sort key of a contract.
pub fn contract_in_hub(customer: &str, id: &str) -> String {
    format!("{customer}#{id}")
}

/// Sort-key prefix of a customer's entitlement changes (each contract's oldest first).
pub const ENTITLEMENT_CHANGE_PREFIX: &str = "CHANGE#";

/// One entitlement change: the contract, when (ms), which field.
pub fn entitlement_change(contract: &str, at: OffsetDateTime, field: &str) -> String {
    format!("{ENTITLEMENT_CHANGE_PREFIX}{contract}#{:013}#{field}", ms(at))
}

/// The contract number of an entitlement change's sort key.
pub fn entitlement_change_contract(sk: &str) -> Option<&str> {
    sk.strip_prefix(ENTITLEMENT_CHANGE_PREFIX)?.split('#').next()
}

/// A worklog's own partition.
pub fn worklog(id: &str) -> String {
    format!("WORKLOG#{id}")
}

/// GSI1 partition of the worklogs of `day`'s month.
pub fn work_month(day: time::Date) -> String {
    format!("WORK#{:04}-{:02}", day.year(), u8::from(day.month()))
}

/// GSI1 sort key of a worklog: its task code, then its id.
pub fn work_entry(task_code: &str, id: &str) -> String {
    format!("{task_code}#{id}")
}

pub const TASK_CODES: &str = "TASKCODES";
pub const CHANGE_PREFIX: &str = "CHANGE#";

/// A change of the task code mappings.
pub fn task_code_change(at: OffsetDateTime, id: &str) -> String {
    format!("{CHANGE_PREFIX}{:013}#{id}", ms(at))
}

pub const UTILISATION: &str = "UTILISATION";
pub const UTILISATION_SYNC: &str = "SYNC";
pub const UTILISATION_RUNS: &str = "UTILISATIONRUN";

// ---- monthly reports (issue #15) ---------------------------------------------------------------
//
// | item | PK | SK | GSI1 PK / SK | GSI2 PK / SK |
// |---|---|---|---|---|
// | report version (metadata; the outputs are objects, `reports/{customer}/{yyyy-mm}/report.{format}`) | `REPORT#{customer}#{yyyy-mm}` | `{version:06}` | `REPORTS#{customer}` / `{yyyy-mm}#{version:06}` | `REPORTMONTH#{yyyy-mm}` / `{customer}#{version:06}` |
// | monthly run (`reports.monthly`: per customer built, skipped or failed, with why) | `REPORTRUN` | `{started ms:013}#{id}` | | |
//
// Versions are created with a conditional put (never replaced), numbered 1, 2, ... per customer
// and month: two builds racing for the same number both end up stored, one of them under the next.

/// Partition of one customer's report versions for one month.
pub fn report(customer: &str, month: &str) -> String {
    format!("REPORT#{customer}#{month}")
}

/// A report version's sort key: zero-padded so versions sort as text.
pub fn report_version(version: u32) -> String {
    format!("{version:06}")
}

/// GSI1 partition of every report version of a customer.
pub fn reports_of(customer: &str) -> String {
    format!("REPORTS#{customer}")
}

/// GSI1 sort key of a version under its customer: month, then version.
pub fn report_of_customer(month: &str, version: u32) -> String {
    format!("{month}#{version:06}")
}

/// GSI2 partition of every customer's report versions of one month.
pub fn reports_in_month(month: &str) -> String {
    format!("REPORTMONTH#{month}")
}

/// GSI2 sort key of a version under its month: customer, then version.
pub fn report_in_month(customer: &str, version: u32) -> String {
    format!("{customer}#{version:06}")
}

/// The partition of every monthly report run, sorted by start time.
pub const REPORT_RUNS: &str = "REPORTRUN";

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn time_keys_sort_as_text_in_time_order() {
        let early = datetime!(2001-09-09 01:46:39 UTC);
        let late = datetime!(2026-11-29 07:00:00 UTC);
        assert!(due(early, "b") < due(late, "a"));
        assert!(request_by_created(early, "z") < request_by_created(late, "a"));
        assert_eq!(due(datetime!(1969-12-31 23:59:59 UTC), "x"), "0000000000000#x");
    }

    #[test]
    fn audit_partitions_are_monthly() {
        assert_eq!(audit("acme", datetime!(2026-03-31 23:59:59 UTC)), "AUDIT#acme#2026-03");
        assert_eq!(audit("acme", datetime!(2026-04-01 00:00:00 UTC)), "AUDIT#acme#2026-04");
        assert_eq!(audit_month(datetime!(2026-04-01 00:00:00 UTC)), "AUDIT#2026-04");
    }

    #[test]
    fn member_partition_names_the_customer() {
        assert_eq!(customer_of_member(&customer("acme")), Some("acme"));
        assert_eq!(customer_of_member("REQUEST#1"), None);
    }
}
