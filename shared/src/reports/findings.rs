//! Imported Security Hub findings: an ASFF export a person uploads for a customer whose accounts
//! Customer Central cannot read (no read role), so its report still has a compliance section.
//!
//! **Why an import at all.** Some customers keep their Security Hub to themselves; they send the
//! output of `aws securityhub get-findings` (`{"Findings":[...]}`) or a bare array of findings
//! instead. The report uses Security Hub where a read role is configured and the latest import
//! otherwise ([`super::gather`]), and says which.
//!
//! **Checked whole, stored whole.** A file is parsed completely before anything is written: JSON
//! that is not ASFF, a finding without one of the fields the section needs, a value of a field we
//! read that ASFF does not allow (an enumeration outside its values, text over ASFF's length or
//! with a control character, [`crate::text`]'s rule, since it ends up in the customer's report),
//! an `Id` that appears twice (an export never repeats one; which one to keep would be a guess),
//! or a finding of an account that is not the customer's is refused (400 naming the finding by
//! its index and the field, `findings[3].Workflow.Status`), and nothing is stored. Findings that
//! are archived (`RecordState` `ARCHIVED`) or suppressed (`Workflow.Status` `SUPPRESSED`) are
//! dropped, as Security Hub's own filter would; the answer says how many, and how many of those
//! stored are open by the report's rule ([`ComplianceFinding::is_open`]).
//!
//! ASFF's values and lengths are those of the `AwsSecurityFinding` API reference (Security Hub
//! API, `securityhub-2018-10-26`), which `aws-sdk-securityhub` documents field by field.
//!
//! **Where.** One object per customer, [`key`], in the versioned object store: each import is a new
//! version (older ones stay, as report versions do); reports read the latest. Audited
//! (`findings_imported`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::snapshot::{ComplianceFinding, ComplianceStatus, SeverityLabel, WorkflowStatus};
use crate::error::{Error, Result};
use crate::ids::CustomerCode;

/// The largest export accepted, 4 MiB (the API's upload limit: under Lambda's 6 MB payload even
/// base64-encoded). About 2,000-4,000 findings of `get-findings` output.
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;

/// The most findings one import holds.
pub const MAX_IMPORT_FINDINGS: usize = 50_000;

/// The object key of a customer's imported findings (every import a version of it).
pub fn key(customer: &CustomerCode) -> String {
    format!("reports/{customer}/findings/import.json")
}

/// One stored import: the findings the report uses and where they came from.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct FindingsImport {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    /// Who uploaded it (e-mail).
    pub imported_by: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub imported_at: OffsetDateTime,
    /// The uploaded file's name, when given (at most 200 characters).
    pub file_name: Option<String>,
    /// Findings in the file.
    pub read: u32,
    /// Dropped because archived or suppressed.
    pub dropped: u32,
    /// The active findings, by id (ids are unique: a file repeating one is refused).
    pub findings: Vec<ComplianceFinding>,
}

impl FindingsImport {
    /// How the report names this source: `ASFF import (file.json, 2026-11-02 by a@b)`.
    pub fn source_name(&self) -> String {
        let day = self.imported_at.date();
        match &self.file_name {
            Some(f) => format!("ASFF import ({f}, {day} by {})", self.imported_by),
            None => format!("ASFF import ({day} by {})", self.imported_by),
        }
    }
}

/// What an import did (the API's answer), without the findings: `read` = `stored` + `dropped`,
/// and `open` of the `stored` count as the report counts them.
#[derive(Clone, Debug, PartialEq, serde::Serialize, ToSchema)]
pub struct FindingsImportSummary {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    pub imported_by: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub imported_at: OffsetDateTime,
    pub file_name: Option<String>,
    /// Findings in the file.
    pub read: u32,
    /// Active findings stored (after dropping archived and suppressed ones).
    pub stored: u32,
    /// Archived or suppressed, not stored.
    pub dropped: u32,
    /// Stored findings that are open by the report's rule (not a passed control check, not
    /// `RESOLVED`; `ComplianceFinding::is_open`): what the next report's compliance section counts.
    pub open: u32,
    /// Open findings (those of `open`) per severity, most severe first, zeros included.
    pub by_severity: Vec<super::snapshot::SeverityCount>,
}

impl From<&FindingsImport> for FindingsImportSummary {
    fn from(i: &FindingsImport) -> Self {
        let (open, by_severity) = super::snapshot::open_by_severity(&i.findings);
        FindingsImportSummary {
            customer: i.customer.clone(),
            imported_by: i.imported_by.clone(),
            imported_at: i.imported_at,
            file_name: i.file_name.clone(),
            read: i.read,
            stored: i.findings.len() as u32,
            dropped: i.dropped,
            open,
            by_severity,
        }
    }
}

/// ASFF `RecordState` values.
const RECORD_STATES: [&str; 2] = ["ACTIVE", "ARCHIVED"];

/// ASFF's length limits (characters) of the text fields read, from the `AwsSecurityFinding` API
/// reference: `Id` 1-512, `Title` 1-256, `ProductName` 1-128, `Region` 1-16; `ProductFields`
/// values at most 2,048. `Compliance.SecurityControlId` has no ASFF limit; it is held to the
/// `ProductFields` value's (the older place of the same id).
const MAX_ID: usize = 512;
const MAX_TITLE: usize = 256;
const MAX_PRODUCT_NAME: usize = 128;
const MAX_REGION: usize = 16;
const MAX_PRODUCT_FIELD: usize = 2048;

/// The active findings of an ASFF export, checked against the customer's `accounts` (12-digit
/// ids). Returns the findings (by id) and how many were read and dropped.
///
/// Errors (400, nothing stored): `body` is not JSON (`file`, with line and column); it is neither
/// `{"Findings":[...]}` nor an array (`file`); more than [`MAX_IMPORT_FINDINGS`]; a finding that is
/// not an object or lacks `Id`, `AwsAccountId`, `Title` or a severity (`Severity.Label`, or the
/// older `Severity.Normalized`); a field read that has the wrong type, a value outside ASFF's
/// (`RecordState` ACTIVE | ARCHIVED, `Workflow.Status` NEW | NOTIFIED | RESOLVED | SUPPRESSED,
/// `Compliance.Status` PASSED | WARNING | FAILED | NOT_AVAILABLE, `Severity.Label` INFORMATIONAL |
/// LOW | MEDIUM | HIGH | CRITICAL, `Severity.Normalized` an integer 0-100), or text longer than
/// ASFF allows or holding a control or text-direction character (`Id`, `Title`, `ProductName`,
/// `Region`, `Compliance.SecurityControlId`, `ProductFields.ControlId`,
/// `ProductFields.aws/securityhub/ProductName`); all `findings[i].Field.Sub`. An `Id` already
/// used by an earlier finding (`findings[j].Id`, the message naming both positions and the id);
/// a finding of an account that is not the customer's (`findings[i].AwsAccountId`).
pub fn parse(body: &[u8], accounts: &BTreeSet<String>) -> Result<(Vec<ComplianceFinding>, u32, u32)> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| {
        Error::validation(
            "file",
            format!(
                "not JSON ({} at line {}, column {}): upload the output of `aws securityhub get-findings` \
                 ({{\"Findings\":[...]}}) or an array of ASFF findings",
                match e.classify() {
                    serde_json::error::Category::Eof => "it ends early",
                    serde_json::error::Category::Syntax => "syntax error",
                    serde_json::error::Category::Data => "unexpected data",
                    serde_json::error::Category::Io => "unreadable",
                },
                e.line(),
                e.column()
            ),
        )
    })?;
    let list = match &doc {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("Findings") {
            Some(Value::Array(a)) => a,
            Some(_) => {
                return Err(Error::validation(
                    "Findings",
                    "`Findings` is not an array of ASFF findings",
                ));
            }
            None => {
                return Err(Error::validation(
                    "file",
                    "a JSON object without `Findings`: expected the output of `aws securityhub get-findings` \
                     ({\"Findings\":[...]}) or an array of ASFF findings",
                ));
            }
        },
        _ => {
            return Err(Error::validation(
                "file",
                "expected {\"Findings\":[...]} (the output of `aws securityhub get-findings`) or an array of ASFF \
                 findings",
            ));
        }
    };
    if list.len() > MAX_IMPORT_FINDINGS {
        return Err(Error::validation(
            "Findings",
            format!(
                "{} findings; at most {MAX_IMPORT_FINDINGS} per import (filter the export, e.g. by RecordState ACTIVE)",
                list.len()
            ),
        ));
    }
    // Id → the index of the finding that has it, archived and suppressed ones included: a
    // repeated Id is a file that is not one export, whatever the state of either copy.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut found = Vec::with_capacity(list.len());
    let mut dropped = 0u32;
    for (i, v) in list.iter().enumerate() {
        let (id, finding) = parse_one(i, v, accounts)?;
        if let Some(first) = seen.get(&id) {
            return Err(Error::validation(
                at(i, "Id"),
                format!(
                    "findings[{first}] and findings[{i}] have the same Id '{id}': an export never repeats an Id, so \
                     this file is not one export (e.g. two joined); remove one of them"
                ),
            ));
        }
        seen.insert(id, i);
        match finding {
            Some(f) => found.push(f),
            None => dropped += 1,
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((found, list.len() as u32, dropped))
}

fn at(i: usize, field: &str) -> String {
    format!("findings[{i}].{field}")
}

/// `v` as a string: `None` when absent or null, an error naming `field` when not a string.
fn string(field: impl FnOnce() -> String, v: Option<&Value>) -> Result<Option<&str>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(Error::validation(field(), "not a string")),
    }
}

/// `value` of `field` is not one of ASFF's `allowed` values.
fn not_asff(field: String, value: &str, allowed: &[&str]) -> Error {
    Error::validation(
        field,
        format!("'{value}' is not one of ASFF's values here: {}", allowed.join(", ")),
    )
}

/// Free text from the file: one line of 1..=`max` characters without control or text-direction
/// characters ([`crate::text::line`]), the error naming `field` (`findings[0].Title`).
fn free_text<'a>(field: &str, value: &'a str, max: usize) -> Result<&'a str> {
    crate::text::line(field, value, 1, max)?;
    Ok(value)
}

/// One finding: its `Id`, and the finding, `None` when it is archived or suppressed (checked all
/// the same: a bad value is a bad file whatever the finding's state).
fn parse_one(i: usize, v: &Value, accounts: &BTreeSet<String>) -> Result<(String, Option<ComplianceFinding>)> {
    let Value::Object(o) = v else {
        return Err(Error::validation(format!("findings[{i}]"), "not a JSON object"));
    };
    let text = |field: &str| string(|| at(i, field), o.get(field));
    let required = |field: &str| -> Result<&str> {
        text(field)?
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| Error::validation(at(i, field), "missing (a required ASFF field)"))
    };
    let id = free_text(&at(i, "Id"), required("Id")?, MAX_ID)?;
    let account = required("AwsAccountId")?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::validation(
            at(i, "AwsAccountId"),
            format!("'{account}' is not a 12-digit account id"),
        ));
    }
    if !accounts.contains(account) {
        return Err(Error::validation(
            at(i, "AwsAccountId"),
            format!("account {account} is not one of this customer's accounts in the hub (finding {id})"),
        ));
    }
    let title = free_text(&at(i, "Title"), required("Title")?, MAX_TITLE)?;
    let severity = severity(i, o.get("Severity"))?;
    let region = text("Region")?
        .map(|r| free_text(&at(i, "Region"), r, MAX_REGION))
        .transpose()?;
    let record_state = match text("RecordState")? {
        Some(s) if !RECORD_STATES.contains(&s) => return Err(not_asff(at(i, "RecordState"), s, &RECORD_STATES)),
        other => other,
    };
    let workflow = match o.get("Workflow") {
        None | Some(Value::Null) => None,
        Some(Value::Object(w)) => string(|| at(i, "Workflow.Status"), w.get("Status"))?
            .map(|s| asff_value::<WorkflowStatus>(at(i, "Workflow.Status"), s, &WORKFLOW))
            .transpose()?,
        Some(_) => return Err(Error::validation(at(i, "Workflow"), "not an object")),
    };
    let (compliance_status, control_id) = match o.get("Compliance") {
        None | Some(Value::Null) => (None, None),
        Some(Value::Object(c)) => {
            let status = string(|| at(i, "Compliance.Status"), c.get("Status"))?
                .map(|s| asff_value::<ComplianceStatus>(at(i, "Compliance.Status"), s, &COMPLIANCE))
                .transpose()?;
            let field = at(i, "Compliance.SecurityControlId");
            let control = string(|| field.clone(), c.get("SecurityControlId"))?
                .map(|s| free_text(&field, s, MAX_PRODUCT_FIELD).map(String::from))
                .transpose()?;
            (status, control)
        }
        Some(_) => return Err(Error::validation(at(i, "Compliance"), "not an object")),
    };
    // ASFF `ProductFields`: a map of string to string. Exports made before consolidated control
    // findings name the control there, and some name the product there.
    let product_field = |key: &str| -> Result<Option<&str>> {
        match o.get("ProductFields") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(p)) => {
                let field = at(i, &format!("ProductFields.{key}"));
                string(|| field.clone(), p.get(key))?
                    .map(|s| free_text(&field, s, MAX_PRODUCT_FIELD))
                    .transpose()
            }
            Some(_) => Err(Error::validation(at(i, "ProductFields"), "not an object")),
        }
    };
    // Both checked whether or not they are needed: a file with a bad value is a bad file.
    let (old_control, old_product) = (
        product_field("ControlId")?,
        product_field("aws/securityhub/ProductName")?,
    );
    let control_id = control_id.or(old_control.map(String::from));
    let product = match text("ProductName")? {
        Some(p) => free_text(&at(i, "ProductName"), p, MAX_PRODUCT_NAME)?,
        None => old_product.unwrap_or("Security Hub"),
    }
    .to_string();
    if record_state == Some("ARCHIVED") || workflow == Some(WorkflowStatus::Suppressed) {
        return Ok((id.to_string(), None));
    }
    Ok((
        id.to_string(),
        Some(ComplianceFinding {
            id: id.to_string(),
            account: account.to_string(),
            region: region.map(String::from),
            title: title.to_string(),
            severity,
            compliance_status,
            control_id,
            product,
            workflow_status: workflow,
        }),
    ))
}

/// ASFF `Workflow.Status` values.
const WORKFLOW: [&str; 4] = ["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"];

/// ASFF `Compliance.Status` values.
const COMPLIANCE: [&str; 4] = ["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"];

/// An ASFF enumeration's value as its snapshot type, whose serde names are ASFF's
/// (`SCREAMING_SNAKE_CASE`); anything else is refused naming `field` and the `allowed` values.
fn asff_value<T: serde::de::DeserializeOwned>(field: String, value: &str, allowed: &[&str]) -> Result<T> {
    serde_json::from_value(Value::String(value.to_string())).map_err(|_| not_asff(field, value, allowed))
}

/// `Severity.Label`, else the label of the older `Severity.Normalized` (an integer 0-100) by
/// ASFF's table ([`SeverityLabel::of_normalized`]).
fn severity(i: usize, v: Option<&Value>) -> Result<SeverityLabel> {
    let Some(Value::Object(s)) = v else {
        return Err(Error::validation(
            at(i, "Severity"),
            match v {
                None | Some(Value::Null) => "missing (a required ASFF field)",
                Some(_) => "not an object",
            },
        ));
    };
    let labels: Vec<&str> = SeverityLabel::ALL.iter().rev().map(|l| l.as_str()).collect();
    if let Some(label) = string(|| at(i, "Severity.Label"), s.get("Label"))? {
        return asff_value(at(i, "Severity.Label"), label, &labels);
    }
    match s.get("Normalized") {
        None | Some(Value::Null) => Err(Error::validation(
            at(i, "Severity.Label"),
            "missing (a required ASFF field)",
        )),
        Some(n) => match n.as_u64() {
            Some(n @ 0..=100) => Ok(SeverityLabel::of_normalized(n as u8)),
            _ => Err(Error::validation(
                at(i, "Severity.Normalized"),
                format!("{n} is not an integer from 0 to 100"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts() -> BTreeSet<String> {
        ["111111111111".to_string(), "222222222222".to_string()].into()
    }

    fn finding(id: &str, account: &str) -> Value {
        serde_json::json!({
            "SchemaVersion": "2018-10-08", "Id": id, "AwsAccountId": account, "Region": "eu-west-1",
            "Title": "S3 buckets should block public access", "ProductName": "Security Hub",
            "Severity": {"Label": "HIGH"}, "RecordState": "ACTIVE", "Workflow": {"Status": "NEW"},
            "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8"}
        })
    }

    fn err(body: &[u8]) -> (String, String) {
        match parse(body, &accounts()) {
            Err(Error::Validation { field, message }) => (field.unwrap_or_default(), message),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn takes_the_get_findings_shape_and_a_bare_array() {
        let wrapped = serde_json::json!({"Findings": [finding("a", "111111111111"), finding("b", "222222222222")]});
        let (f, read, dropped) = parse(wrapped.to_string().as_bytes(), &accounts()).unwrap();
        assert_eq!((f.len(), read, dropped), (2, 2, 0));
        assert_eq!(f[0].control_id.as_deref(), Some("S3.8"));
        assert_eq!(f[0].compliance_status, Some(ComplianceStatus::Failed));
        let bare = serde_json::json!([finding("a", "111111111111")]);
        assert_eq!(parse(bare.to_string().as_bytes(), &accounts()).unwrap().0.len(), 1);
    }

    #[test]
    fn drops_archived_and_suppressed() {
        let mut archived = finding("b", "111111111111");
        archived["RecordState"] = "ARCHIVED".into();
        let mut suppressed = finding("c", "111111111111");
        suppressed["Workflow"]["Status"] = "SUPPRESSED".into();
        let mut normalized = finding("d", "111111111111");
        normalized["Severity"] = serde_json::json!({"Normalized": 95});
        let body = serde_json::json!([finding("a", "111111111111"), archived, suppressed, normalized]);
        let (f, read, dropped) = parse(body.to_string().as_bytes(), &accounts()).unwrap();
        assert_eq!((f.len(), read, dropped), (2, 4, 2));
        assert_eq!(f[1].severity, SeverityLabel::Critical, "95 normalized is critical");
        assert_eq!(f[0].workflow_status, Some(WorkflowStatus::New));
    }

    #[test]
    fn a_repeated_id_is_refused_naming_both_positions_whatever_their_state() {
        let mut archived_again = finding("a", "111111111111");
        archived_again["RecordState"] = "ARCHIVED".into();
        for again in [finding("a", "222222222222"), archived_again] {
            let body = serde_json::json!([finding("a", "111111111111"), finding("b", "111111111111"), again]);
            let (field, message) = err(body.to_string().as_bytes());
            assert_eq!(field, "findings[2].Id");
            assert!(
                message.contains("findings[0]") && message.contains("findings[2]") && message.contains("'a'"),
                "{message}"
            );
        }
    }

    /// Every enumerated field read, outside ASFF's values (or of the wrong type), is refused naming
    /// the finding and the field, archived findings included.
    #[test]
    fn a_value_outside_asffs_is_refused_naming_the_field() {
        let cases: &[(&str, Value, &str)] = &[
            ("/RecordState", "WEIRD".into(), "RecordState"),
            ("/RecordState", "active".into(), "RecordState"),
            ("/RecordState", 1.into(), "RecordState"),
            ("/Workflow/Status", "WEIRD".into(), "Workflow.Status"),
            ("/Workflow/Status", true.into(), "Workflow.Status"),
            ("/Workflow", "NEW".into(), "Workflow"),
            ("/Compliance/Status", "BROKEN".into(), "Compliance.Status"),
            ("/Compliance", "FAILED".into(), "Compliance"),
            ("/Severity/Label", "URGENT".into(), "Severity.Label"),
            ("/Severity/Label", 3.into(), "Severity.Label"),
            (
                "/Severity",
                serde_json::json!({"Normalized": 101}),
                "Severity.Normalized",
            ),
            (
                "/Severity",
                serde_json::json!({"Normalized": -1}),
                "Severity.Normalized",
            ),
            (
                "/Severity",
                serde_json::json!({"Normalized": 95.5}),
                "Severity.Normalized",
            ),
            (
                "/Severity",
                serde_json::json!({"Normalized": "95"}),
                "Severity.Normalized",
            ),
            ("/ProductFields", "x".into(), "ProductFields"),
            ("/AwsAccountId", 111111111111u64.into(), "AwsAccountId"),
        ];
        for archived in [false, true] {
            for (pointer, value, field) in cases {
                let mut f = finding("x", "111111111111");
                f.as_object_mut().unwrap().remove("ProductName");
                f["ProductFields"] = serde_json::json!({});
                if archived && *field != "RecordState" {
                    f["RecordState"] = "ARCHIVED".into();
                }
                *f.pointer_mut(pointer).unwrap() = value.clone();
                let body = serde_json::json!([finding("a", "111111111111"), f]);
                let (got, message) = err(body.to_string().as_bytes());
                assert_eq!(got, format!("findings[1].{field}"), "{pointer} = {value}: {message}");
            }
        }
        let mut bad = finding("x", "111111111111");
        bad["RecordState"] = "WEIRD".into();
        assert_eq!(
            err(serde_json::json!([bad]).to_string().as_bytes()).1,
            "'WEIRD' is not one of ASFF's values here: ACTIVE, ARCHIVED"
        );
        for (state, status) in [("ACTIVE", "NOTIFIED"), ("ACTIVE", "RESOLVED")] {
            let mut ok = finding("x", "111111111111");
            ok["RecordState"] = state.into();
            ok["Workflow"]["Status"] = status.into();
            assert_eq!(
                parse(serde_json::json!([ok]).to_string().as_bytes(), &accounts())
                    .unwrap()
                    .0
                    .len(),
                1
            );
        }
    }

    /// Every free-text field read (it ends up in the customer's report) takes the product's text
    /// rule and ASFF's length, naming the field.
    #[test]
    fn free_text_with_control_characters_or_over_asffs_length_is_refused() {
        let cases: &[(&str, &str, usize)] = &[
            ("/Id", "Id", 512),
            ("/Title", "Title", 256),
            ("/ProductName", "ProductName", 128),
            ("/Region", "Region", 16),
            ("/Compliance/SecurityControlId", "Compliance.SecurityControlId", 2048),
            ("/ProductFields/ControlId", "ProductFields.ControlId", 2048),
            (
                "/ProductFields/aws~1securityhub~1ProductName",
                "ProductFields.aws/securityhub/ProductName",
                2048,
            ),
        ];
        for (pointer, field, max) in cases {
            for (value, says) in [
                ("S3 \u{7} bell".to_string(), "control character (U+0007"),
                ("two\nlines".to_string(), "line break"),
                ("evil\u{202E}txt".to_string(), "text-direction control"),
                ("x".repeat(max + 1), "characters"),
            ] {
                let mut f = finding("x", "111111111111");
                f["ProductFields"] =
                    serde_json::json!({"ControlId": "S3.8", "aws/securityhub/ProductName": "Security Hub"});
                *f.pointer_mut(pointer).unwrap() = value.clone().into();
                let (got, message) = err(serde_json::json!([f]).to_string().as_bytes());
                assert_eq!(got, format!("findings[0].{field}"), "{value:?}");
                assert!(message.contains(says), "{field} {value:?}: {message}");
            }
            let mut f = finding("x", "111111111111");
            f["ProductFields"] =
                serde_json::json!({"ControlId": "S3.8", "aws/securityhub/ProductName": "Security Hub"});
            *f.pointer_mut(pointer).unwrap() = "x".repeat(*max).into();
            assert!(
                parse(serde_json::json!([f]).to_string().as_bytes(), &accounts()).is_ok(),
                "{field} at {max}"
            );
        }
    }

    /// The answer counts open findings as the report does (one rule), and says how many are open
    /// of those stored.
    #[test]
    fn the_answer_counts_open_findings_as_the_report_does() {
        let mut passed = finding("p", "111111111111");
        passed["Compliance"]["Status"] = "PASSED".into();
        passed["Severity"]["Label"] = "CRITICAL".into();
        let mut resolved = finding("r", "111111111111");
        resolved["Workflow"]["Status"] = "RESOLVED".into();
        resolved["Severity"]["Label"] = "CRITICAL".into();
        let mut warning = finding("w", "111111111111");
        warning["Compliance"]["Status"] = "WARNING".into();
        warning["Severity"]["Label"] = "LOW".into();
        let body = serde_json::json!([finding("a", "111111111111"), passed, resolved, warning]);
        let (found, read, dropped) = parse(body.to_string().as_bytes(), &accounts()).unwrap();
        let import = FindingsImport {
            customer: CustomerCode::parse("acme-retail").unwrap(),
            imported_by: "lee@example.com".into(),
            imported_at: OffsetDateTime::UNIX_EPOCH,
            file_name: None,
            read,
            dropped,
            findings: found.clone(),
        };
        let summary = FindingsImportSummary::from(&import);
        assert_eq!((summary.read, summary.stored, summary.open), (4, 4, 2));
        let section = super::super::sections::compliance("x", Ok(found));
        let section = section.data().unwrap();
        assert_eq!(summary.open, section.open_findings);
        assert_eq!(summary.by_severity, section.by_severity);
        let counts: Vec<u32> = summary.by_severity.iter().map(|c| c.findings).collect();
        assert_eq!(counts, vec![0, 1, 0, 1, 0], "critical: none open (passed, resolved)");
    }

    #[test]
    fn refuses_what_is_not_asff_naming_where() {
        assert_eq!(err(b"{not json").0, "file");
        assert!(err(b"{\"Findings\": [").1.contains("ends early"));
        assert_eq!(err(b"42").0, "file");
        assert_eq!(err(b"{\"Items\": []}").0, "file");
        assert_eq!(err(b"{\"Findings\": {}}").0, "Findings");
        assert_eq!(err(b"[1]").0, "findings[0]");
        let mut no_title = finding("x", "111111111111");
        no_title.as_object_mut().unwrap().remove("Title");
        let body = serde_json::json!([finding("a", "111111111111"), no_title]);
        assert_eq!(
            err(body.to_string().as_bytes()),
            ("findings[1].Title".into(), "missing (a required ASFF field)".into())
        );
        let mut bad = finding("x", "111111111111");
        bad["AwsAccountId"] = 111111111111u64.into();
        assert_eq!(err(serde_json::json!([bad]).to_string().as_bytes()).1, "not a string");
    }

    #[test]
    fn refuses_another_customers_account() {
        let body = serde_json::json!([finding("a", "111111111111"), finding("b", "333333333333")]);
        let (field, message) = err(body.to_string().as_bytes());
        assert_eq!(field, "findings[1].AwsAccountId");
        assert!(message.contains("333333333333") && message.contains("not one of this customer's accounts"));
    }
}
