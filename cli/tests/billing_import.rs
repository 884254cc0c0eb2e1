//! `cc billing import` as a person runs it: the FinOps Foundation's FOCUS 1.0 sample (CC BY 4.0,
//! `../shared/data/` beside the repository) into an embedded data directory, the summary, the
//! costs then readable; a bad file stores nothing and names its row.

use std::process::Command;

use cc_domain::billing::costs::{self, CostQuery, Granularity, Grouping};
use cc_domain::config::Config;
use cc_domain::hub::{NewAccount, NewCustomer};
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::{CustomerCode, Email};
use time::macros::date;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/focus-1.0-sample-1000.csv"
);

async fn app(dir: &std::path::Path) -> cc_domain::App {
    let d = dir.display().to_string();
    let config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    cc_adapters::wire::local_server(config).await.unwrap()
}

/// Acme with one of the sample's accounts (`11353890204`, its leading zero restored).
async fn seed(dir: &std::path::Path) {
    let app = app(dir).await;
    let admin = Principal {
        email: Email::parse("ada@example.com").unwrap(),
        subject: "ada".into(),
        roles: [Role::Admin].into_iter().collect(),
    };
    app.hub
        .create_customer(
            &admin,
            serde_json::from_value::<NewCustomer>(serde_json::json!({"code": "acme", "name": "Acme"})).unwrap(),
        )
        .await
        .unwrap();
    let account: NewAccount = serde_json::from_value(serde_json::json!({
        "id": "011353890204", "customer": "acme", "name": "workloads", "environment": "prod",
        "region": "us-west-2", "access": {"method": "role",
            "read_role_arn": "arn:aws:iam::011353890204:role/CCRead",
            "breakglass_role_arn": "arn:aws:iam::011353890204:role/CCBreakglass",
            "external_id": "cc-x-1"}}))
    .unwrap();
    app.hub.create_account(&admin, account).await.unwrap();
}

fn cc(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cc"));
    c.env_remove("CC_STORE").env("CC_DATA_DIR", dir).env("RUST_LOG", "warn");
    c
}

async fn stored_total(dir: &std::path::Path) -> f64 {
    let app = app(dir).await;
    let q = CostQuery {
        customer: CustomerCode::parse("acme").unwrap(),
        from: date!(2024 - 09 - 01),
        to: date!(2024 - 09 - 30),
        account: None,
        service: None,
        granularity: Granularity::Monthly,
        grouping: Grouping::NONE,
    };
    let r = costs::report(app.items.as_ref(), &q).await.unwrap();
    r.total.iter().map(|t| t.amount).sum()
}

#[tokio::test]
async fn billing_import_cli_imports_the_focus_sample_and_prints_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;
    let out = cc(dir.path())
        .args(["billing", "import", SAMPLE, "--customer", "acme", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["format"], "focus");
    assert_eq!(s["rows_read"], 1000);
    assert_eq!(
        s["skipped"][0],
        serde_json::json!({"reason": "other_provider", "rows": 58})
    );
    // 66 AWS accounts and 24 services in the sample, September 2024.
    assert_eq!(s["accounts"].as_array().unwrap().len(), 66);
    assert_eq!(s["services"].as_array().unwrap().len(), 24);
    assert_eq!(s["currencies"], serde_json::json!(["USD"]));
    assert_eq!(
        (s["first_day"].as_str(), s["last_day"].as_str()),
        (Some("2024-09-01"), Some("2024-09-30"))
    );
    let not_in_hub = s["accounts_not_in_hub"].as_array().unwrap();
    assert_eq!(not_in_hub.len(), 65);
    assert!(!not_in_hub.contains(&serde_json::json!("011353890204")));
    let total = s["totals"][0]["amount"].as_f64().unwrap();
    assert!((total - stored_total(dir.path()).await).abs() < 1e-9);
    assert!(s["cells_written"].as_u64().unwrap() > 66);
    // The words a person reads: the skip reason as the API and the UI say it.
    let out = cc(dir.path())
        .args(["billing", "import", SAMPLE, "--customer", "acme"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("skipped: 58 rows (other provider)"), "{text}");

    // The person's summary, and a re-import replaces rather than adds.
    let out = cc(dir.path())
        .args(["billing", "import", SAMPLE, "--customer", "acme"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FOCUS file for acme: 1000 rows read"), "{text}");
    assert!(text.contains("65 account(s) not in the hub"), "{text}");
    assert!((total - stored_total(dir.path()).await).abs() < 1e-9);
}

#[tokio::test]
async fn billing_import_cli_refuses_a_bad_file_and_an_unknown_customer_storing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;
    let sample = std::fs::read_to_string(SAMPLE).unwrap();
    // Break the amount of the 500th data row (line 501).
    let mut lines: Vec<String> = sample.lines().map(str::to_string).collect();
    let cols: Vec<&str> = lines[500].splitn(3, ',').collect();
    lines[500] = format!("{},twelve,{}", cols[0], cols[2]);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let out = cc(dir.path())
        .args(["billing", "import", bad.to_str().unwrap(), "--customer", "acme"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 501, column BilledCost: 'twelve' is not a number"),
        "{err}"
    );
    assert_eq!(stored_total(dir.path()).await, 0.0);

    let out = cc(dir.path())
        .args(["billing", "import", SAMPLE, "--customer", "globex"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("globex"));
}

#[tokio::test]
async fn billing_import_cli_reads_the_standard_input_and_the_parts_of_one_export() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;
    let sample = std::fs::read(SAMPLE).unwrap();
    let mut child = cc(dir.path())
        .args(["billing", "import", "-", "--customer", "acme", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&sample).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let whole: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(whole["rows_read"], 1000);
    assert_eq!(
        whole["files"],
        serde_json::json!([{"name": "(standard input)", "rows_read": 1000}])
    );

    // The sample split in two parts (each with the header): one import, the same cells.
    let text = String::from_utf8(sample).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let (a, b) = rows.split_at(rows.len() / 2);
    let part = |name: &str, rows: &[&str]| {
        let p = dir.path().join(name);
        std::fs::write(&p, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
        p.display().to_string()
    };
    let (p1, p2) = (part("export-00001.csv", a), part("export-00002.csv", b));
    let out = cc(dir.path())
        .args(["billing", "import", &p1, &p2, "--customer", "acme"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("FOCUS export of 2 files for acme: 1000 rows read"),
        "{said}"
    );
    assert!(said.contains("export-00002.csv: 500 rows"), "{said}");
    let total = whole["totals"][0]["amount"].as_f64().unwrap();
    assert!((total - stored_total(dir.path()).await).abs() < 1e-6);
}

#[tokio::test]
async fn a_data_directory_that_does_not_exist_is_refused_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mistyped");
    for args in [
        vec!["billing", "import", SAMPLE, "--customer", "acme"],
        vec!["jobs", "run", "billing.fetch"],
        vec!["token", "--email", "ada@example.com", "--roles", "admin"],
    ] {
        let out = cc(&missing).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr.contains(&format!("the data directory {} does not exist", missing.display())),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("cc serve --demo"), "{stderr}");
        assert!(!missing.exists(), "{args:?} created it");
    }
}

#[tokio::test]
async fn billing_import_cli_refuses_a_part_given_twice_and_removes_imported_months() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;
    // The same file twice in one import: refused, naming the parts; nothing stored.
    let out = cc(dir.path())
        .args(["billing", "import", SAMPLE, SAMPLE, "--customer", "acme"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("part 1 (") && err.contains("and part 2 (") && err.contains("have the same content"),
        "{err}"
    );
    assert_eq!(stored_total(dir.path()).await, 0.0);

    let out = cc(dir.path())
        .args(["billing", "import", SAMPLE, "--customer", "acme"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("months replaced: 2024-09 (0 imported cells the file no longer has removed)"),
        "{said}"
    );
    assert!(stored_total(dir.path()).await > 0.0);

    // Bad months and an unknown customer: refused, nothing removed.
    for (args, says) in [
        (vec!["--customer", "acme", "--from", "2024-9"], "YYYY-MM"),
        (
            vec!["--customer", "acme", "--from", "2024-10", "--to", "2024-09"],
            "before",
        ),
        (vec!["--customer", "globex", "--from", "2024-09"], "globex"),
    ] {
        let out = cc(dir.path())
            .args(["billing", "remove-imported"])
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert!(stored_total(dir.path()).await > 0.0);

    // September's imported costs removed, and said so.
    let out = cc(dir.path())
        .args([
            "billing",
            "remove-imported",
            "--customer",
            "acme",
            "--from",
            "2024-09",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let removed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(removed["months"], serde_json::json!(["2024-09"]));
    assert!(removed["cells_removed"].as_u64().unwrap() > 66, "{removed}");
    assert_eq!(stored_total(dir.path()).await, 0.0);
    let out = cc(dir.path())
        .args(["billing", "remove-imported", "--customer", "acme", "--from", "2024-09"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "imported costs of 2024-09 removed for acme: 0 daily cells"
    );
}
