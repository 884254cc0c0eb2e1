//! Utilisation sync benchmark (issue #14): two years of worklogs for 50 customers, about 100,000,
//! read through a local HTTP server speaking JIRA Cloud's and Salesforce's wire formats
//! (`wiremock`), by the real adapters, into the embedded store through the domain's sync. Prints
//! the time, the requests and the process's peak memory. Not a test: `scripts/bench
//! utilisation-sync` (or `cargo bench -p cc-adapters --bench utilisation_sync --profile
//! bench-local`). `CC_BENCH_WORKLOGS` changes the count.
//!
//! The server answers as JIRA does: `worklog/updated` in pages of 1,000 ids with `nextPage`,
//! `worklog/list` for up to 1,000 ids, `search/jql` for `id in (...)`, an empty
//! `worklog/deleted`; Salesforce's token endpoint and one `query` page of 50 contracts.

use std::time::Instant;

use cc_domain::config::Config;
use cc_domain::demo::{self, DemoSize};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CUSTOMERS: usize = 50;
/// Issues per customer (each worklog is on one of them).
const ISSUES: u64 = 40;
const DAYS: u64 = 730;
const PAGE: u64 = 1000;

/// Peak resident memory of this process (`VmHWM`, kB), where /proc has it.
fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Issue `10000 + i`: customer `i / ISSUES`'s issue.
fn issue_of(worklog: u64) -> u64 {
    10_000 + worklog % (CUSTOMERS as u64 * ISSUES)
}

struct Updated {
    total: u64,
    base: String,
}

impl Respond for Updated {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: u64 = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let first = page * PAGE + 1;
        let last = ((page + 1) * PAGE).min(self.total);
        let until: i64 = 1_791_000_000_000;
        let values: Vec<Value> = (first..=last)
            .map(|id| json!({"worklogId": id, "updatedTime": until - 1000, "properties": []}))
            .collect();
        let mut body = json!({"values": values, "since": 0, "until": until, "lastPage": last >= self.total});
        if last < self.total {
            body["nextPage"] = json!(format!(
                "{}/rest/api/3/worklog/updated?since=0&page={}",
                self.base,
                page + 1
            ));
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

struct List {
    today: time::Date,
}

impl Respond for List {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let logs: Vec<Value> = body["ids"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_u64)
            .map(|id| {
                let day = self.today - time::Duration::days((id % DAYS) as i64 + 1);
                let person = format!("engineer{}@example.com", id % 12);
                json!({
                    "id": id.to_string(),
                    "issueId": issue_of(id).to_string(),
                    "author": {"accountId": format!("acc-{}", id % 12), "emailAddress": person, "displayName": person},
                    "started": format!("{day}T09:30:00.000+1100"),
                    "timeSpentSeconds": 900 * (1 + id % 12),
                    "comment": {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Routine operations"}]}]},
                    "updated": "2026-10-05T23:40:00.000+0000"
                })
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(logs)
    }
}

struct Issues {
    codes: Vec<String>,
}

impl Respond for Issues {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let jql = body["jql"].as_str().unwrap_or_default();
        let issues: Vec<Value> = jql
            .trim_start_matches("id in (")
            .trim_end_matches(')')
            .split(',')
            .filter_map(|s| s.trim().parse::<u64>().ok())
            .map(|id| {
                let i = id - 10_000;
                let customer = &self.codes[(i / ISSUES) as usize];
                let key = format!(
                    "{}-{}",
                    customer.split('-').next().unwrap_or("C").to_uppercase(),
                    i % ISSUES + 1
                );
                json!({"id": id.to_string(), "key": key, "fields": {}})
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"issues": issues, "isLast": true}))
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let total: u64 = std::env::var("CC_BENCH_WORKLOGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let size = DemoSize {
        customers: CUSTOMERS,
        accounts: CUSTOMERS,
    };
    let codes = demo::customer_codes(&size);
    let server = MockServer::start().await;
    let today = time::OffsetDateTime::now_utc().date();
    Mock::given(method("POST"))
        .and(path("/services/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "T1", "instance_url": server.uri(), "token_type": "Bearer", "issued_at": "1700000000000"
        })))
        .mount(&server)
        .await;
    let records: Vec<Value> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "attributes": {"type": "Contract"}, "Id": format!("800{i:04}"), "ContractNumber": format!("{:08}", 100 + i),
                "Account": {"attributes": {"type": "Account"}, "Customer_Code__c": c},
                "StartDate": (today - time::Duration::days(365)).to_string(), "EndDate": (today + time::Duration::days(365)).to_string(),
                "Entitled_Hours__c": 1000, "Monthly_Hours__c": 40.0, "Status": "Activated", "Description": "Managed AWS"
            })
        })
        .collect();
    Mock::given(method("GET"))
        .and(path("/services/data/v60.0/query"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"totalSize": records.len(), "done": true, "records": records})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/worklog/updated"))
        .respond_with(Updated {
            total,
            base: server.uri(),
        })
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/worklog/list"))
        .respond_with(List { today })
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .respond_with(Issues { codes: codes.clone() })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/worklog/deleted"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"values": [], "since": 0, "until": 1_791_000_000_000i64, "lastPage": true})),
        )
        .mount(&server)
        .await;

    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().display().to_string();
    let salesforce =
        json!({"login_url": server.uri(), "client_id": "bench", "client_secret": "bench-secret"}).to_string();
    let jira =
        json!({"base_url": server.uri(), "auth": {"kind": "basic", "email": "sync@example.com", "api_token": "t"}})
            .to_string();
    let config = Config::from_lookup(|k| match k {
        "CC_DATA_DIR" => Some(data_dir.clone()),
        "CC_JWT_SECRET" => Some("bench-secret-bench-secret-bench-secret-0".into()),
        "CC_SALESFORCE" => Some(salesforce.clone()),
        "CC_JIRA" => Some(jira.clone()),
        _ => None,
    })?;
    let app = cc_adapters::wire::utilisation(config).await?;
    demo::seed(&app, &size).await?;
    let before = peak_kb();

    let started = Instant::now();
    let run = app.utilisation()?.sync(cc_domain::Trigger::Schedule).await?;
    let took = started.elapsed();
    let requests = server.received_requests().await.map(|r| r.len()).unwrap_or(0);
    anyhow::ensure!(
        run.worklogs_written == total as usize,
        "wrote {} worklogs of {total}: {:?}",
        run.worklogs_written,
        run.worklogs
    );
    println!(
        "utilisation sync: {} contracts ({} customers), {} worklogs over {DAYS} days in {:.2} s ({:.0} worklogs/s); {} HTTP requests ({} to JIRA, {} to Salesforce); peak memory {} (before the sync {})",
        run.contracts_written.created + run.contracts_written.updated + run.contracts_written.unchanged,
        CUSTOMERS,
        run.worklogs_written,
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64(),
        requests,
        run.worklogs.requests,
        run.contracts.requests,
        peak_kb().map_or("unknown".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0)),
        before.map_or("unknown".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0)),
    );
    println!(
        "machine: {} cores; embedded store (SQLite) in a temporary directory",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    Ok(())
}
