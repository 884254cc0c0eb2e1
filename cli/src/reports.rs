//! `cc reports ...`: monthly reports through the API (`CC_API_URL` and `CC_TOKEN`, or `cc login`),
//! like every other command that acts as a person.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::client::Client;

/// Reads a summary file (`-`: the standard input) as UTF-8 text.
pub fn read_summary(path: &Path) -> anyhow::Result<String> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the summary from the standard input")?;
    } else {
        text = std::fs::read_to_string(path).with_context(|| format!("reading the summary from {}", path.display()))?;
    }
    Ok(text)
}

/// Builds a new version of a customer's report of a closed month (`POST /api/v1/reports`) and
/// answers the version as the API gives it.
pub async fn build(
    client: &Client,
    customer: &str,
    month: &str,
    summary: Option<String>,
    reason: Option<String>,
) -> anyhow::Result<Value> {
    let mut body = json!({"customer": customer, "month": month});
    if let Some(s) = summary {
        body["summary"] = json!(s);
    }
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    let (status, text) = client
        .post_body("/api/v1/reports", &[], "application/json", serde_json::to_vec(&body)?)
        .await?;
    if !status.is_success() {
        return Err(client.failure(status, &text));
    }
    Ok(serde_json::from_str(&text)?)
}

/// A version in one or two lines: number, who and when, the outputs, the sections without data.
pub fn describe(v: &Value) -> String {
    let by = match v["trigger"]["kind"].as_str() {
        Some("schedule") => "the monthly schedule".to_string(),
        _ => v["trigger"]["email"].as_str().unwrap_or("?").to_string(),
    };
    let outputs: Vec<String> = v["outputs"]
        .as_array()
        .map(|o| {
            o.iter()
                .map(|o| format!("{} {} bytes", o["format"].as_str().unwrap_or("?"), o["size"]))
                .collect()
        })
        .unwrap_or_default();
    let missing: Vec<String> = v["sections"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter(|s| s["ready"] == false)
                .map(|s| {
                    format!(
                        "{} ({})",
                        s["section"].as_str().unwrap_or("?"),
                        s["missing"].as_str().unwrap_or("?").replace('_', " ")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out = format!(
        "{} {} version {}: built {} by {} ({}); {}",
        v["customer"].as_str().unwrap_or("?"),
        v["month"].as_str().unwrap_or("?"),
        v["version"],
        v["built_at"].as_str().unwrap_or("?"),
        by,
        v["reason"].as_str().unwrap_or(""),
        outputs.join(", ")
    );
    if !missing.is_empty() {
        out.push_str(&format!("\n  no data: {}", missing.join(", ")));
    }
    out
}

/// Reports by month (`GET /api/v1/reports`): a customer's months, a month's customers, or both.
pub async fn list(client: &Client, customer: Option<&str>, month: Option<&str>) -> anyhow::Result<Vec<Value>> {
    if customer.is_none() && month.is_none() {
        bail!("give --customer, --month or both");
    }
    let mut q = Vec::new();
    if let Some(c) = customer {
        q.push(("customer", c.to_string()));
    }
    if let Some(m) = month {
        q.push(("month", m.to_string()));
    }
    client.get_all("/api/v1/reports", &q).await
}

/// One line per month: customer, month, how many versions, the newest's number, when and by whom.
pub fn describe_list(items: &[Value]) -> String {
    let mut out = format!("{:<24} {:<8} {:>8}  {}\n", "customer", "month", "versions", "latest");
    for i in items {
        let l = &i["latest"];
        let by = match l["trigger"]["kind"].as_str() {
            Some("schedule") => "schedule".to_string(),
            _ => l["trigger"]["email"].as_str().unwrap_or("?").to_string(),
        };
        out.push_str(&format!(
            "{:<24} {:<8} {:>8}  v{} {} by {}\n",
            i["customer"].as_str().unwrap_or("?"),
            i["month"].as_str().unwrap_or("?"),
            i["versions"],
            l["version"],
            l["built_at"].as_str().unwrap_or("?"),
            by
        ));
    }
    out
}

/// One version's output (`format`: html, json or pdf) as bytes; the newest version when none is
/// given.
pub async fn get(
    client: &Client,
    customer: &str,
    month: &str,
    version: Option<u32>,
    format: &str,
) -> anyhow::Result<Vec<u8>> {
    let version = match version {
        Some(v) => v,
        None => {
            let versions: Value = client
                .get_json(&format!("/api/v1/reports/{customer}/{month}/versions"), &[])
                .await?;
            versions["items"][0]["version"]
                .as_u64()
                .context("the API listed no version")? as u32
        }
    };
    client
        .get_bytes(
            &format!("/api/v1/reports/{customer}/{month}/versions/{version}"),
            &[("format", format.to_string())],
        )
        .await
}

/// Imports a Security Hub ASFF export as a customer's findings (`POST /api/v1/reports/findings`,
/// leads and admins): `file` is the output of `aws securityhub get-findings` or an array of
/// findings (`-`: the standard input). Answers the import's summary. A refused file (400) says
/// which finding and field, and nothing was stored.
pub async fn import_findings(client: &Client, customer: &str, file: &Path) -> anyhow::Result<Value> {
    let (bytes, name) = if file == Path::new("-") {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("reading the findings from the standard input")?;
        (b, None)
    } else {
        let b = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        (b, file.file_name().map(|n| n.to_string_lossy().into_owned()))
    };
    let mut query = vec![("customer", customer.to_string())];
    if let Some(n) = name {
        query.push(("file_name", n));
    }
    let (status, text) = client
        .post_body("/api/v1/reports/findings", &query, "application/json", bytes)
        .await?;
    if !status.is_success() {
        let detail = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["error"]["field"].as_str().map(String::from));
        let e = client.failure(status, &text);
        return Err(match detail {
            Some(field) => anyhow::anyhow!("{}: {e} (at {field}); nothing was imported", file.display()),
            None => anyhow::anyhow!("{}: {e}; nothing was imported", file.display()),
        });
    }
    Ok(serde_json::from_str(&text)?)
}

/// An import's summary in one line: what was stored of what was read, then how many of those are
/// open (as the report counts them) by severity.
pub fn describe_import(v: &Value) -> String {
    let counts: Vec<String> = v["by_severity"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|s| s["findings"].as_u64().unwrap_or(0) > 0)
                .map(|s| {
                    format!(
                        "{} {}",
                        s["findings"],
                        s["severity"].as_str().unwrap_or("?").to_lowercase()
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    format!(
        "{}: {} findings stored ({} read, {} archived or suppressed); {} open{}\n",
        v["customer"].as_str().unwrap_or("?"),
        v["stored"],
        v["read"],
        v["dropped"],
        v["open"],
        if counts.is_empty() {
            String::new()
        } else {
            format!(": {}", counts.join(", "))
        }
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use cc_domain::ids::CustomerCode;
    use cc_domain::reports::findings::{self, FindingsImport, FindingsImportSummary};

    /// The line reads the API's answer as the domain writes it: stored of read, then the open
    /// ones (a passed check and a resolved finding stored, not open) by severity.
    #[test]
    fn an_imports_line_says_what_was_stored_and_what_is_open() {
        let f = |id: &str, severity: &str, compliance: &str, workflow: &str| {
            serde_json::json!({"Id": id, "AwsAccountId": "111111111111", "Title": "t",
                "Severity": {"Label": severity}, "RecordState": "ACTIVE", "Workflow": {"Status": workflow},
                "Compliance": {"Status": compliance}})
        };
        let body = serde_json::json!({"Findings": [
            f("a", "HIGH", "FAILED", "NEW"),
            f("b", "CRITICAL", "PASSED", "RESOLVED"),
            f("c", "CRITICAL", "FAILED", "RESOLVED"),
            f("d", "LOW", "FAILED", "SUPPRESSED"),
        ]});
        let accounts: BTreeSet<String> = ["111111111111".to_string()].into();
        let (found, read, dropped) = findings::parse(body.to_string().as_bytes(), &accounts).unwrap();
        let import = FindingsImport {
            customer: CustomerCode::parse("acme-retail").unwrap(),
            imported_by: "lee@example.com".into(),
            imported_at: time::OffsetDateTime::UNIX_EPOCH,
            file_name: None,
            read,
            dropped,
            findings: found,
        };
        let answer = serde_json::to_value(FindingsImportSummary::from(&import)).unwrap();
        assert_eq!(
            super::describe_import(&answer),
            "acme-retail: 3 findings stored (4 read, 1 archived or suppressed); 1 open: 1 high\n"
        );
    }
}
