//! Imported Security Hub findings: an ASFF export a person uploads for a customer whose accounts
//! Customer Central cannot read (no read role), so its report still has a compliance section.
//!
//! **Why an import at all.** Some customers keep their Security Hub to themselves; they send the
//! output of `aws securityhub get-findings` (`{"Findings":[...]}`) or a bare array of findings
//! instead. The report uses Security Hub where a read role is configured and the latest import
//! otherwise ([`super::gather`]), and says which.
//!
//! **Checked whole, stored whole.** A file is parsed completely before anything is written: JSON
//! that is not ASFF, a finding without one of the fields the section needs, or a finding of an
//! account that is not the customer's is refused (400 naming the finding by its index and the
//! field), and nothing is stored. Findings that are archived (`RecordState` `ARCHIVED`) or
//! suppressed (`Workflow.Status` `SUPPRESSED`) are dropped, as Security Hub's own filter would; the
//! answer says how many.
//!
//! **Where.** One object per customer, [`key`], in the versioned object store: each import is a new
//! version (older ones stay, as report versions do); reports read the latest. Audited
//! (`findings_imported`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::snapshot::{ComplianceFinding, ComplianceStatus, SeverityLabel};
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
    /// The active findings, by id (one per id: the last in the file wins).
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

/// What an import did (the API's answer), without the findings.
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
    /// Active findings stored (after dropping archived and suppressed ones and repeated ids).
    pub stored: u32,
    /// Archived or suppressed, not stored.
    pub dropped: u32,
    /// Stored findings per severity, most severe first.
    pub by_severity: Vec<super::snapshot::SeverityCount>,
}

impl From<&FindingsImport> for FindingsImportSummary {
    fn from(i: &FindingsImport) -> Self {
        FindingsImportSummary {
            customer: i.customer.clone(),
            imported_by: i.imported_by.clone(),
            imported_at: i.imported_at,
            file_name: i.file_name.clone(),
            read: i.read,
            stored: i.findings.len() as u32,
            dropped: i.dropped,
            by_severity: SeverityLabel::ALL
                .iter()
                .map(|s| super::snapshot::SeverityCount {
                    severity: *s,
                    findings: i.findings.iter().filter(|f| f.severity == *s).count() as u32,
                })
                .collect(),
        }
    }
}

/// The active findings of an ASFF export, checked against the customer's `accounts` (12-digit
/// ids). Returns the findings (by id) and how many were read and dropped.
///
/// Errors (400, nothing stored): `body` is not JSON (`file`, with line and column); it is neither
/// `{"Findings":[...]}` nor an array (`file`); more than [`MAX_IMPORT_FINDINGS`]; a finding that is
/// not an object or lacks `Id`, `AwsAccountId`, `Title` or a severity (`Severity.Label`, or the
/// older `Severity.Normalized`), or has a value of the wrong type or outside ASFF's values
/// (`findings[i].Field`); a finding of an account that is not the customer's
/// (`findings[i].AwsAccountId`).
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
    let mut by_id: BTreeMap<String, ComplianceFinding> = BTreeMap::new();
    let mut dropped = 0u32;
    for (i, v) in list.iter().enumerate() {
        let Some(finding) = parse_one(i, v, accounts)? else {
            dropped += 1;
            continue;
        };
        by_id.insert(finding.id.clone(), finding);
    }
    Ok((by_id.into_values().collect(), list.len() as u32, dropped))
}

fn at(i: usize, field: &str) -> String {
    format!("findings[{i}].{field}")
}

/// One finding; `None` when it is archived or suppressed.
fn parse_one(i: usize, v: &Value, accounts: &BTreeSet<String>) -> Result<Option<ComplianceFinding>> {
    let Value::Object(o) = v else {
        return Err(Error::validation(format!("findings[{i}]"), "not a JSON object"));
    };
    let text = |field: &str| -> Result<Option<&str>> {
        match o.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(Error::validation(at(i, field), "not a string")),
        }
    };
    let required = |field: &str| -> Result<&str> {
        text(field)?
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| Error::validation(at(i, field), "missing (a required ASFF field)"))
    };
    let id = required("Id")?;
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
    let title = required("Title")?;
    let severity = severity(i, o.get("Severity"))?;
    let record_state = text("RecordState")?;
    let workflow = match o.get("Workflow") {
        None | Some(Value::Null) => None,
        Some(Value::Object(w)) => match w.get("Status") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => return Err(Error::validation(at(i, "Workflow.Status"), "not a string")),
        },
        Some(_) => return Err(Error::validation(at(i, "Workflow"), "not an object")),
    };
    if record_state == Some("ARCHIVED") || workflow == Some("SUPPRESSED") {
        return Ok(None);
    }
    let (compliance_status, control_id) = match o.get("Compliance") {
        None | Some(Value::Null) => (None, None),
        Some(Value::Object(c)) => {
            let status = match c.get("Status") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(match s.as_str() {
                    "PASSED" => ComplianceStatus::Passed,
                    "WARNING" => ComplianceStatus::Warning,
                    "FAILED" => ComplianceStatus::Failed,
                    "NOT_AVAILABLE" => ComplianceStatus::NotAvailable,
                    other => {
                        return Err(Error::validation(
                            at(i, "Compliance.Status"),
                            format!("'{other}' is not PASSED, WARNING, FAILED or NOT_AVAILABLE"),
                        ));
                    }
                }),
                Some(_) => return Err(Error::validation(at(i, "Compliance.Status"), "not a string")),
            };
            let control = match c.get("SecurityControlId") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => return Err(Error::validation(at(i, "Compliance.SecurityControlId"), "not a string")),
            };
            (status, control)
        }
        Some(_) => return Err(Error::validation(at(i, "Compliance"), "not an object")),
    };
    // Exports made before consolidated control findings name the control in ProductFields.
    let control_id = control_id.or_else(|| {
        o.get("ProductFields")
            .and_then(|p| p.get("ControlId"))
            .and_then(Value::as_str)
            .map(String::from)
    });
    let product = text("ProductName")?
        .map(String::from)
        .or_else(|| {
            o.get("ProductFields")
                .and_then(|p| p.get("aws/securityhub/ProductName"))
                .and_then(Value::as_str)
                .map(String::from)
        })
        .unwrap_or_else(|| "Security Hub".into());
    Ok(Some(ComplianceFinding {
        id: id.to_string(),
        account: account.to_string(),
        region: text("Region")?.map(String::from),
        title: title.to_string(),
        severity,
        compliance_status,
        control_id,
        product,
    }))
}

/// `Severity.Label`, else the label of the older `Severity.Normalized` (0-100) by ASFF's table:
/// 0 informational, 1-39 low, 40-69 medium, 70-89 high, 90-100 critical.
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
    if let Some(label) = s.get("Label").filter(|l| !l.is_null()) {
        return label_of(label.as_str().unwrap_or_default()).ok_or_else(|| {
            Error::validation(
                at(i, "Severity.Label"),
                "not INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL",
            )
        });
    }
    match s.get("Normalized").and_then(Value::as_i64) {
        Some(n @ 0..=100) => Ok(match n {
            0 => SeverityLabel::Informational,
            1..=39 => SeverityLabel::Low,
            40..=69 => SeverityLabel::Medium,
            70..=89 => SeverityLabel::High,
            _ => SeverityLabel::Critical,
        }),
        Some(_) => Err(Error::validation(at(i, "Severity.Normalized"), "outside 0-100")),
        None => Err(Error::validation(
            at(i, "Severity.Label"),
            "missing (a required ASFF field)",
        )),
    }
}

/// An ASFF severity label.
pub fn label_of(s: &str) -> Option<SeverityLabel> {
    SeverityLabel::ALL.iter().copied().find(|l| l.as_str() == s)
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
    fn drops_archived_and_suppressed_and_repeated_ids() {
        let mut archived = finding("b", "111111111111");
        archived["RecordState"] = "ARCHIVED".into();
        let mut suppressed = finding("c", "111111111111");
        suppressed["Workflow"]["Status"] = "SUPPRESSED".into();
        let mut again = finding("a", "111111111111");
        again["Severity"] = serde_json::json!({"Normalized": 95});
        let body = serde_json::json!([finding("a", "111111111111"), archived, suppressed, again]);
        let (f, read, dropped) = parse(body.to_string().as_bytes(), &accounts()).unwrap();
        assert_eq!((f.len(), read, dropped), (1, 4, 2));
        assert_eq!(
            f[0].severity,
            SeverityLabel::Critical,
            "the last finding with an id wins"
        );
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
        bad["Severity"]["Label"] = "URGENT".into();
        assert_eq!(
            err(serde_json::json!([bad]).to_string().as_bytes()).0,
            "findings[0].Severity.Label"
        );
        let mut bad = finding("x", "111111111111");
        bad["Compliance"]["Status"] = "BROKEN".into();
        assert_eq!(
            err(serde_json::json!([bad]).to_string().as_bytes()).0,
            "findings[0].Compliance.Status"
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
