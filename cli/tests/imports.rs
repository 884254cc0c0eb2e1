//! The CLI's imports through the API as a person runs them against the local server.
//!
//! `cc accounts import`: a CSV file, then the same file again (refused: the ids are in the hub),
//! then with --skip-existing (skipped, and a changed row named); a bad file prints a table of row,
//! field and message and exits 1; JSON by content.
//!
//! `cc utilisation import contracts|worklogs`: written and counted; a re-import changes nothing;
//! a bad row is refused with its row and column, nothing written.

use crate::support;

use std::path::Path;
use std::process::{Command, Output};

use cc_domain::identity::Role;

fn cc(server: &support::Server, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cc"))
        .args(args)
        .env("CC_API_URL", &server.base)
        .env("CC_TOKEN", token)
        .env("CC_CONFIG_DIR", "/nonexistent-cc-config")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

const HEADER: &str = "id,customer,name,alias,environment,region,access.method,read_role_arn,breakglass_role_arn,external_id,start_url,sso_region,permission_sets\n";

fn row(id: &str, name: &str) -> String {
    format!(
        "{id},acme-retail,{name},,non-prod,eu-west-1,role,arn:aws:iam::{id}:role/CustomerCentralRead,arn:aws:iam::{id}:role/CustomerCentralBreakglass,cc-acme-retail,,,\n"
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_import_creates_then_skips_existing_and_names_what_differs() {
    let server = support::start().await;
    let admin = support::token(&server, "ada@example.com", &[Role::Admin]);
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "accounts.csv",
        &format!(
            "{HEADER}{}{}",
            row("210987654321", "Data lake"),
            row("210987654322", "Analytics")
        ),
    );
    let out = cc(&server, &admin, &["accounts", "import", &file]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.starts_with(&format!("{file}: 2 created, 0 skipped (1 transaction)")),
        "{stdout}"
    );

    // Again: refused as a whole, each row named, exit 1.
    let out = cc(&server, &admin, &["accounts", "import", &file]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused, nothing written"), "{stderr}");
    assert!(stderr.contains("  row  field  message\n"), "{stderr}");
    assert!(
        stderr.contains("  1    id     account 210987654321 is already in the hub"),
        "{stderr}"
    );
    assert!(stderr.contains("?existing=skip"), "{stderr}");

    // With --skip-existing: both skipped; a renamed row and a new one in a second file.
    let out = cc(&server, &admin, &["accounts", "import", &file, "--skip-existing"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.starts_with(&format!("{file}: 0 created, 2 skipped (0 transactions)")),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 skipped rows are already in the hub as in the file"),
        "{stdout}"
    );
    let changed = write(
        dir.path(),
        "changed.csv",
        &format!(
            "{HEADER}{}{}",
            row("210987654321", "Lake house"),
            row("210987654323", "New")
        ),
    );
    let out = cc(&server, &admin, &["accounts", "import", &changed, "--skip-existing"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("1 created, 1 skipped, 1 of them differing from the hub"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped row 1: 210987654321: in the hub, differs in name"),
        "{stdout}"
    );

    // JSON told by content (no extension), --json prints the hub's answer.
    let json = write(
        dir.path(),
        "accounts",
        r#"{"accounts": [{"id": "210987654324", "customer": "acme-retail", "name": "From JSON",
            "environment": "prod", "region": "eu-west-1", "access": {"method": "sso",
            "start_url": "https://acme-retail-json.awsapps.com/start", "sso_region": "eu-west-1",
            "permission_sets": ["ReadOnlyAccess"]}}]}"#,
    );
    let out = cc(&server, &admin, &["accounts", "import", &json, "--json"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["ids"], serde_json::json!(["210987654324"]));

    // A bad file: a table of row, field and message; nothing written.
    let bad = write(
        dir.path(),
        "bad.csv",
        &format!(
            "{HEADER}{}{}210987654327,acme-retail,Short\n",
            row("210987654325", "Fine"),
            row("210987654326", "").replace(",,non-prod", ",,staging")
        ),
    );
    let out = cc(&server, &admin, &["accounts", "import", &bad]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("  2    environment"), "{stderr}");
    assert!(
        stderr.contains("  3    -            the row has 3 fields; the header has 13"),
        "{stderr}"
    );
    let out = cc(&server, &admin, &["accounts", "import", &bad, "--skip-existing"]);
    assert_eq!(out.status.code(), Some(1));
    // A file that is not an import at all: one line for the file.
    let header = write(dir.path(), "header.csv", "id,colour\n1,red\n");
    let out = cc(&server, &admin, &["accounts", "import", &header]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("  file  header"), "{stderr}");
    assert!(stderr.contains("unknown column 'colour'"), "{stderr}");

    // Not an admin: the API's message, exit 1.
    let erin = support::token(&server, "erin@example.com", &[Role::Engineer]);
    let out = cc(&server, &erin, &["accounts", "import", &file]);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("403"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utilisation_import_writes_contracts_and_worklogs_and_refuses_bad_rows() {
    let server = support::start().await;
    let admin = support::token(&server, "ada@example.com", &[Role::Admin]);
    let dir = tempfile::tempdir().unwrap();
    let contracts = write(
        dir.path(),
        "contracts.csv",
        "contract,customer,name,start,end,entitled_hours,monthly_allocation\n\
         CLI-1,acme-retail,Managed services,2026-01-01,2026-12-31,480,40\n\
         CLI-2,acme-retail,Cost review,2026-06-01,2026-11-30,60,\n",
    );
    let out = cc(&server, &admin, &["utilisation", "import", "contracts", &contracts]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.starts_with(&format!(
            "{contracts}: 2 rows read; contracts: 2 created, 0 updated, 0 unchanged;"
        )),
        "{stdout}"
    );
    // Again: the same contracts, nothing changed.
    let out = cc(
        &server,
        &admin,
        &["utilisation", "import", "contracts", &contracts, "--json"],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["contracts"]["unchanged"], 2, "{stdout}");

    let worklogs = write(
        dir.path(),
        "hours.csv",
        "date,person,task_code,hours,note\n2026-11-02,erin@example.com,ACME-OPS,2.5,patching\n\
         2026-11-02,erin@example.com,ACME-OPS,2.5,patching\n",
    );
    let out = cc(&server, &admin, &["utilisation", "import", "worklogs", &worklogs]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("2 rows read; 2 worklogs written, 0 of earlier imports replaced"),
        "{stdout}"
    );

    // A bad row: its row and column, exit 1; a customer the hub lacks, likewise.
    let bad = write(
        dir.path(),
        "bad.csv",
        "date,person,task_code,hours\n2026-11-03,erin@example.com,ACME-OPS,1\n2026-11-31,erin@example.com,ACME-OPS,1\n",
    );
    let out = cc(&server, &admin, &["utilisation", "import", "worklogs", &bad]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused, nothing written"), "{stderr}");
    assert!(stderr.contains("  2    date"), "{stderr}");
    let unknown = write(
        dir.path(),
        "unknown.csv",
        "contract,customer,start,end,entitled_hours\nX-1,no-such-customer,2026-01-01,2026-12-31,10\n",
    );
    let out = cc(&server, &admin, &["utilisation", "import", "contracts", &unknown]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no customer 'no-such-customer' in the hub"), "{stderr}");

    // Not an admin: the API's 403, exit 1.
    let erin = support::token(&server, "erin@example.com", &[Role::Engineer]);
    let out = cc(&server, &erin, &["utilisation", "import", "worklogs", &worklogs]);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("403"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_import_reads_the_standard_input_for_a_dash() {
    use std::io::Write as _;
    let server = support::start().await;
    let admin = support::token(&server, "ada@example.com", &[Role::Admin]);
    // A spreadsheet's CSV: the id lost its leading zero.
    let csv = format!(
        "{HEADER}{}",
        row("010987654323", "From stdin").replacen("010987654323", "10987654323", 1)
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_cc"))
        .args(["accounts", "import", "-", "--json"])
        .env("CC_API_URL", &server.base)
        .env("CC_TOKEN", &admin)
        .env("CC_CONFIG_DIR", "/nonexistent-cc-config")
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(csv.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let outcome: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(outcome["ids"], serde_json::json!(["010987654323"]), "{outcome}");
}
