//! The `cc` binary as the README uses it: `cc serve --demo` on the embedded default and on
//! DynamoDB/S3 (moto), `cc token`, and a bad setting failing start-up with its name.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

struct Running {
    child: Child,
    base: String,
    admin_token: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cc"));
    c.env_remove("CC_STORE")
        .env_remove("CC_PORT")
        .env_remove("CC_DATA_DIR")
        .env("RUST_LOG", "warn");
    c
}

/// Starts `cc serve --demo --port 0 ...` and reads the URL and the admin's token from its output.
fn serve(args: &[&str], envs: &[(&str, &str)]) -> Running {
    let mut cmd = cc();
    cmd.args(["serve", "--demo", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("cc runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut base, mut admin_token) = (None, None);
    while let Some(Ok(line)) = lines.next() {
        if let Some(url) = line.strip_prefix("Customer Central is running at ") {
            base = Some(url.trim_end_matches('/').to_string());
        }
        if line.trim_start().starts_with("ada.admin@") {
            admin_token = lines.next().and_then(|l| l.ok()).map(|l| l.trim().to_string());
            break;
        }
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Running {
        child,
        base: base.expect("serve printed its URL"),
        admin_token: admin_token.expect("serve printed the admin's token"),
    }
}

async fn get_json(url: &str, token: &str) -> Value {
    let res = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {url}");
    res.json().await.unwrap()
}

async fn customers(base: &str, token: &str) -> Value {
    get_json(&format!("{base}/api/v1/customers?limit=50"), token).await
}

#[tokio::test]
async fn serve_demo_on_the_embedded_default_and_token_command() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let server = serve(&["--data-dir", data], &[]);
    let page = customers(&server.base, &server.admin_token).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 12);
    // `cc token` signs with the same per-data-directory secret.
    let out = cc()
        .args([
            "token",
            "--data-dir",
            data,
            "--email",
            "erin@example.com",
            "--roles",
            "engineer",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let page = customers(&server.base, &token).await;
    assert_eq!(page["items"][0]["code"], "acme-retail");
    let bad = cc()
        .args([
            "token",
            "--data-dir",
            data,
            "--email",
            "erin@example.com",
            "--roles",
            "boss",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown role 'boss'"));
}

#[tokio::test]
async fn serve_demo_on_dynamodb_and_s3_in_moto() {
    let Some(url) = cc_domain::app::test_emulator_url() else {
        return;
    };
    let table = format!("cc-{}", cc_domain::ids::new_ulid()).to_lowercase();
    let server = serve(
        &[
            "--store",
            "aws",
            "--table",
            &table,
            "--bucket",
            &table,
            "--create-resources",
        ],
        &[
            ("AWS_ENDPOINT_URL", url.as_str()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("CC_JWT_SECRET", "a-local-secret-for-the-moto-run-0123456789"),
        ],
    );
    let page = customers(&server.base, &server.admin_token).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 12);
    let accounts = get_json(
        &format!("{}/api/v1/accounts?limit=200", server.base),
        &server.admin_token,
    )
    .await;
    assert_eq!(accounts["items"].as_array().unwrap().len(), 160);
}

#[test]
fn a_bad_setting_stops_start_up_naming_it() {
    let out = cc()
        .args(["serve", "--store", "mongo", "--port", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("CC_STORE"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cc().args(["serve", "--store", "aws", "--port", "0"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CC_TABLE"));
}
