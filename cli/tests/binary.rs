//! The `cc` binary as the README uses it: `cc serve --demo` on the embedded default and on
//! DynamoDB/S3 (moto), `cc token`, and a bad setting failing start-up with its name.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

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
    let res = cc_tls::reqwest_client()
        .unwrap()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
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
    let Some(url) = cc_adapters::wire::test_emulator_url() else {
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

#[test]
fn jobs_are_listed_and_run_once_by_name() {
    let out = cc().args(["jobs", "list", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|j| j["name"] == "breakglass.sweep" && j["description"].is_string()),
        "{list}"
    );

    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().display().to_string();
    let out = cc()
        .args(["jobs", "run", "breakglass.sweep", "--data-dir", &data_dir])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["expired"], 0, "{summary}");

    // A run started here is recorded as the person's, not the schedule's: --by, else $USER.
    let out = cc()
        .args([
            "jobs",
            "run",
            "utilisation.sync",
            "--by",
            "erin@example.com",
            "--data-dir",
            &data_dir,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary["trigger"],
        json!({"kind": "manual", "by": "erin@example.com"}),
        "{summary}"
    );
    let out = cc()
        .args(["jobs", "run", "billing.fetch", "--data-dir", &data_dir])
        .env("USER", "sam")
        .env_remove("CC_RUN_BY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["trigger"], json!({"kind": "manual", "by": "sam"}), "{summary}");
    // Where the environment names nobody (a container, a CI step): still a manual run, by the
    // user id's name.
    let out = cc()
        .args(["jobs", "run", "utilisation.sync", "--data-dir", &data_dir])
        .env_remove("USER")
        .env_remove("LOGNAME")
        .env_remove("USERNAME")
        .env_remove("CC_RUN_BY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["trigger"]["kind"], "manual", "{summary}");
    assert!(
        summary["trigger"]["by"].as_str().is_some_and(|b| !b.is_empty()),
        "{summary}"
    );

    let out = cc()
        .args(["jobs", "run", "breakglass.sweeper", "--data-dir", &data_dir])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown job 'breakglass.sweeper'; known jobs: breakglass.sweep"),
        "{stderr}"
    );
}

/// What reads generated AWS config back, as the test command provides them: `CC_TEST_PYTHON`
/// (a Python with botocore) and `CC_TEST_AWS_CLI`, the AWS CLI v2 (Debian's `awscli`, installed by
/// scripts/lib.sh `ensure_aws_cli_v2`). An AWS CLI that is not v2 fails the test, never skips it.
fn aws_config_readers() -> Option<(String, String)> {
    let aws = cc_domain::test_env::aws_cli_v2()?;
    Some((cc_domain::test_env::required("CC_TEST_PYTHON")?, aws))
}

/// `program` (the AWS CLI, or Python with botocore) reading only `config`: not the user's
/// `~/.aws`, credentials file or profile, and no pager.
fn aws_reader(program: &str, home: &std::path::Path, config: &std::path::Path) -> Command {
    let mut c = Command::new(program);
    c.env("HOME", home)
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_PAGER", "")
        .env("AWS_CLI_AUTO_PROMPT", "off")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE");
    c
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `cc login --dev`, `cc profiles sync` into a config holding the user's own profiles, then the
/// real AWS CLI v2 and botocore read it back: exactly our profiles plus the user's, with our values.
#[tokio::test]
async fn profiles_sync_is_read_back_by_the_aws_cli() {
    let Some((python, aws)) = aws_config_readers() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let aws_home = dir.path().join("home");
    std::fs::create_dir_all(&aws_home).unwrap();
    let data = dir.path().join("data");
    let server = serve(&["--data-dir", data.to_str().unwrap()], &[]);
    let home = dir.path().join("cc-config");
    let config = dir.path().join("aws").join("config");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let own = "[default]\r\nregion = eu-west-1\r\n\r\n[profile my-sandbox]\r\nregion = us-east-1\r\n";
    std::fs::write(&config, own).unwrap();
    let cc_env = |c: &mut Command| {
        c.env("CC_CONFIG_DIR", &home)
            .env("CC_API_URL", &server.base)
            .env_remove("CC_TOKEN");
    };
    let mut login = cc();
    cc_env(&mut login);
    run_ok(login.args([
        "login",
        "--dev",
        "--email",
        "sam.senior@demo.customer-central.dev",
        "--roles",
        "engineer,senior",
        "--data-dir",
        data.to_str().unwrap(),
    ]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.join("login.json")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the cached token is private");
    }

    // JSON from the API: what sync will write.
    let mut show = cc();
    cc_env(&mut show);
    let set: Value = serde_json::from_str(&run_ok(show.args(["profiles", "show", "--format", "json"]))).unwrap();
    let ours: Vec<String> = set["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert!(ours.len() > 50, "sam's customers give many profiles: {}", ours.len());

    let mut dry = cc();
    cc_env(&mut dry);
    let diff = run_ok(dry.args(["profiles", "sync", "--dry-run", "--config", config.to_str().unwrap()]));
    assert!(diff.contains("+# BEGIN customer-central"), "{diff}");
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        own,
        "a dry run writes nothing"
    );

    let mut sync = cc();
    cc_env(&mut sync);
    run_ok(sync.args(["profiles", "sync", "--config", config.to_str().unwrap()]));
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(written.starts_with(own), "the user's bytes are untouched (CRLF kept)");
    let backups = std::fs::read_dir(config.parent().unwrap())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("cc-backup"))
        .count();
    assert_eq!(backups, 1);

    // botocore (what the AWS CLI and SDKs use) lists exactly our profiles plus the user's own.
    let listed = run_ok(aws_reader(&python, &aws_home, &config).args([
        "-c",
        "import botocore.session as s; print('\\n'.join(sorted(s.Session().available_profiles)))",
    ]));
    let mut expected: Vec<String> = ours.clone();
    expected.push("default".into());
    expected.push("my-sandbox".into());
    expected.sort();
    assert_eq!(listed.lines().map(String::from).collect::<Vec<_>>(), expected);
    // So does the AWS CLI v2.
    let listed = run_ok(aws_reader(&aws, &aws_home, &config).args(["configure", "list-profiles"]));
    let mut listed: Vec<String> = listed.lines().map(String::from).collect();
    listed.sort();
    assert_eq!(listed, expected, "aws configure list-profiles");

    // `aws configure get` returns what we wrote, for a sample of each kind.
    let get = |key: &str, profile: &str| {
        run_ok(aws_reader(&aws, &aws_home, &config).args(["configure", "get", key, "--profile", profile]))
            .trim()
            .to_string()
    };
    let profiles = set["profiles"].as_array().unwrap();
    for kind in ["read", "sso", "breakglass"] {
        let p = profiles
            .iter()
            .find(|p| p["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} profile"));
        let name = p["name"].as_str().unwrap();
        for pair in p["settings"].as_array().unwrap() {
            let (k, v) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            if [
                "role_arn",
                "sso_session",
                "external_id",
                "sso_account_id",
                "credential_process",
                "source_profile",
            ]
            .contains(&k)
            {
                assert_eq!(get(k, name), v, "{name}.{k}");
            }
        }
    }
    let session = set["sso_sessions"][0]["name"].as_str().unwrap();
    let sessions = run_ok(aws_reader(&python, &aws_home, &config).args([
        "-c",
        "import botocore.session as s; print(s.Session().full_config['sso_sessions'])",
    ]));
    assert!(
        sessions.contains(session) && sessions.contains("sso:account:access"),
        "{sessions}"
    );

    // Syncing again changes nothing.
    let mut again = cc();
    cc_env(&mut again);
    let out = again
        .args(["profiles", "sync", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("up to date"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), written);

    // A name the user already uses is reported and skipped, never overwritten.
    let clash = format!("{own}[profile {}]\r\nregion = ap-south-1\r\n", ours[0]);
    let text = std::fs::read_to_string(&config).unwrap().replacen(own, &clash, 1);
    std::fs::write(&config, &text).unwrap();
    let mut sync = cc();
    cc_env(&mut sync);
    let out = sync
        .args(["profiles", "sync", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("skipped [profile {}]", ours[0])));
    assert_eq!(get("region", &ours[0]), "ap-south-1");

    // Bad input is a clear error.
    let mut bad = cc();
    cc_env(&mut bad);
    let out = bad
        .args(["profiles", "show", "--template", "{customer}-{colour}"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown placeholder {colour}"));
    let mut bad = cc();
    cc_env(&mut bad);
    let out = bad.args(["profiles", "show", "--customer", "nobody"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("404"));
}

/// `cc login` runs the device authorization grant (RFC 8628) against a local server that plays
/// the identity provider (it signs real tokens with the local server's secret), caches the tokens,
/// and refreshes an expired one on the next command.
#[tokio::test]
async fn login_runs_the_device_flow_and_refreshes() {
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&["--data-dir", data.to_str().unwrap()], &[]);
    let secret = std::fs::read_to_string(data.join("dev-jwt-secret")).unwrap();
    let mint = move || {
        let auth = cc_domain::config::AuthConfig {
            roles_claims: vec!["groups".into()],
            ..Default::default()
        };
        let roles = [cc_domain::identity::Role::Engineer].into();
        cc_http::mint_dev_token(
            secret.trim(),
            &auth,
            "erin.engineer@demo.customer-central.dev",
            &roles,
            std::time::Duration::from_secs(600),
        )
        .unwrap()
    };
    let polls = Arc::new(Mutex::new(Vec::<String>::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let iss = issuer.clone();
    let seen = polls.clone();
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            axum::routing::get(move || {
                let iss = iss.clone();
                async move {
                    axum::Json(serde_json::json!({"issuer": iss, "device_authorization_endpoint": format!("{iss}/device"), "token_endpoint": format!("{iss}/token")}))
                }
            }),
        )
        .route(
            "/device",
            axum::routing::post(|axum::Form(f): axum::Form<std::collections::HashMap<String, String>>| async move {
                assert_eq!(f.get("client_id").map(String::as_str), Some("cc-cli"));
                axum::Json(serde_json::json!({"device_code": "dev-code-1", "user_code": "WDJB-MJHT", "verification_uri": "https://idp.example.com/activate", "expires_in": 600, "interval": 1}))
            }),
        )
        .route(
            "/token",
            axum::routing::post(move |axum::Form(f): axum::Form<std::collections::HashMap<String, String>>| {
                let seen = seen.clone();
                let mint = mint.clone();
                async move {
                    let grant = f.get("grant_type").cloned().unwrap_or_default();
                    let mut log = seen.lock().unwrap();
                    log.push(grant.clone());
                    let pending = log.iter().filter(|g| g.ends_with("device_code")).count() == 1;
                    drop(log);
                    let body = match grant.as_str() {
                        "urn:ietf:params:oauth:grant-type:device_code" if pending => {
                            return (axum::http::StatusCode::BAD_REQUEST, axum::Json(serde_json::json!({"error": "authorization_pending"})));
                        }
                        "urn:ietf:params:oauth:grant-type:device_code" => {
                            assert_eq!(f.get("device_code").map(String::as_str), Some("dev-code-1"));
                            serde_json::json!({"access_token": mint(), "refresh_token": "refresh-1", "expires_in": 1, "token_type": "Bearer"})
                        }
                        "refresh_token" => {
                            assert_eq!(f.get("refresh_token").map(String::as_str), Some("refresh-1"));
                            serde_json::json!({"access_token": mint(), "refresh_token": "refresh-2", "expires_in": 3600, "token_type": "Bearer"})
                        }
                        _ => serde_json::json!({"error": "unsupported_grant_type"}),
                    };
                    (axum::http::StatusCode::OK, axum::Json(body))
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let home = dir.path().join("cc-config");
    let base = server.base.clone();
    let iss = issuer.clone();
    let home2 = home.clone();
    let out = tokio::task::spawn_blocking(move || {
        cc().env("CC_CONFIG_DIR", &home2)
            .args(["login", "--issuer", &iss, "--client-id", "cc-cli", "--api-url", &base])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("WDJB-MJHT") && stderr.contains("https://idp.example.com/activate"),
        "{stderr}"
    );
    let cached: Value = serde_json::from_str(&std::fs::read_to_string(home.join("login.json")).unwrap()).unwrap();
    assert_eq!(cached["refresh_token"], "refresh-1");
    assert_eq!(polls.lock().unwrap().len(), 2, "pending once, then the token");

    // The cached token has expired: the next command refreshes it first.
    let home2 = home.clone();
    let out = tokio::task::spawn_blocking(move || {
        cc().env("CC_CONFIG_DIR", &home2)
            .env_remove("CC_API_URL")
            .args(["profiles", "show"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("[profile "));
    let cached: Value = serde_json::from_str(&std::fs::read_to_string(home.join("login.json")).unwrap()).unwrap();
    assert_eq!(cached["refresh_token"], "refresh-2");
    assert_eq!(polls.lock().unwrap().last().map(String::as_str), Some("refresh_token"));
}

/// `cc login --dev` outside the server's data directory refuses, naming where it looked and how to
/// point at the right one, and creates no secret there; a dev token signed with another data
/// directory's secret earns a 401 that says so and what to run.
#[tokio::test]
async fn login_dev_outside_the_servers_data_directory_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&["--data-dir", data.to_str().unwrap()], &[]);
    std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
    let elsewhere = dir.path().join("elsewhere").canonicalize().unwrap();
    let cfg = dir.path().join("cc-config");
    let run = |args: &[&str], envs: &[(&str, &str)]| {
        let mut c = cc();
        c.current_dir(&elsewhere)
            .env("CC_CONFIG_DIR", &cfg)
            .env("CC_API_URL", &server.base)
            .env_remove("CC_TOKEN")
            .env_remove("CC_JWT_SECRET")
            .args(args);
        for (k, v) in envs {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let login = ["login", "--dev", "--email", "erin@example.com"];
    let call = ["credentials", "--account", "999999999999"];

    // The default data directory here has no server's secret: refused, nothing created.
    let (ok, e) = run(&login, &[]);
    let looked = elsewhere.join(".cc-data");
    assert!(!ok, "{e}");
    assert!(e.contains(&looked.display().to_string()), "{e}");
    assert!(
        e.contains("--data-dir") && e.contains("CC_DATA_DIR") && e.contains("cc serve"),
        "{e}"
    );
    assert!(!looked.exists(), "no secret that no server uses");
    assert!(!cfg.join("login.json").exists());

    // The server's data directory, by flag or by CC_DATA_DIR: the API accepts the token.
    let data = data.to_str().unwrap();
    for (args, envs) in [
        ([&login[..], &["--data-dir", data]].concat(), vec![]),
        (login.to_vec(), vec![("CC_DATA_DIR", data)]),
    ] {
        let (ok, e) = run(&args, &envs);
        assert!(ok, "{e}");
        let (ok, e) = run(&call, &[]);
        assert!(!ok && e.contains("999999999999") && !e.contains("401"), "{e}");
    }

    // Another data directory's secret (another server's): the 401 says what to do.
    let other = elsewhere.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("dev-jwt-secret"), "another-servers-secret-0123456789abcdef").unwrap();
    let (ok, e) = run(&[&login[..], &["--data-dir", "other"]].concat(), &[]);
    assert!(ok, "{e}");
    let (ok, e) = run(&call, &[]);
    assert!(!ok, "{e}");
    assert!(e.contains("401") && e.contains(&other.display().to_string()), "{e}");
    assert!(e.contains("cc login --dev --data-dir") && e.contains("cc serve"), "{e}");

    // The same for a dev token passed as CC_TOKEN.
    let token = run_ok(cc().current_dir(&elsewhere).args([
        "token",
        "--data-dir",
        "other",
        "--email",
        "erin@example.com",
        "--roles",
        "engineer",
    ]));
    let (ok, e) = run(&call, &[("CC_TOKEN", token.trim())]);
    assert!(!ok, "{e}");
    assert!(
        e.contains("401") && e.contains("CC_TOKEN") && e.contains("cc token --data-dir"),
        "{e}"
    );
}

/// `credential_process = cc credentials --account ID`: credentials while a grant is active,
/// a clear failure without one.
#[tokio::test]
async fn credentials_command_serves_credential_process() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let server = serve(&["--data-dir", data], &[]);
    let token = |email: &str, roles: &str| {
        run_ok(cc().args(["token", "--data-dir", data, "--email", email, "--roles", roles]))
            .trim()
            .to_string()
    };
    let erin = token("erin@example.com", "engineer");
    let sam = token("sam@example.com", "engineer,senior");
    let http = cc_tls::reqwest_client().unwrap();
    let accounts = get_json(&format!("{}/api/v1/accounts?access=role&limit=2", server.base), &erin).await;
    let (granted, other) = (
        accounts["items"][0]["id"].as_str().unwrap(),
        accounts["items"][1]["id"].as_str().unwrap(),
    );
    // Breakglass is for the customer's team: an admin puts erin and sam on it.
    let admin = token("ada@example.com", "admin");
    let customer = accounts["items"][0]["customer"].as_str().unwrap();
    let team = get_json(&format!("{}/api/v1/customers/{customer}/team", server.base), &admin).await;
    let put = http
        .put(format!("{}/api/v1/customers/{customer}/team", server.base))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"members": ["erin@example.com", "sam@example.com"], "version": team["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let req: Value = http
        .post(format!("{}/api/v1/access-requests", server.base))
        .bearer_auth(&erin)
        .json(&serde_json::json!({"account_id": granted, "duration_minutes": 30, "justification": "Fix the broken deployment pipeline role"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = req["id"].as_str().unwrap();
    let decided = http
        .post(format!("{}/api/v1/access-requests/{id}/decisions", server.base))
        .bearer_auth(&sam)
        .json(&serde_json::json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), 200);
    let creds = |account: &str| {
        cc().env("CC_TOKEN", &erin)
            .env("CC_CONFIG_DIR", dir.path().join("cfg"))
            .args(["credentials", "--account", account, "--api-url", &server.base])
            .output()
            .unwrap()
    };
    let out = creds(granted);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    assert!(json["AccessKeyId"].is_string() && json["SecretAccessKey"].is_string() && json["SessionToken"].is_string());
    let out = creds(other);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no active breakglass grant"));
    // What is wrong, not "request one first": not an account id, an SSO account, an unknown one.
    let stderr = |account: &str| {
        let out = creds(account);
        assert!(!out.status.success(), "{account}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let e = stderr("abc");
    assert!(e.contains("--account") && e.contains("12 digits"), "{e}");
    let sso = get_json(&format!("{}/api/v1/accounts?access=sso&limit=1", server.base), &erin).await;
    let e = stderr(sso["items"][0]["id"].as_str().unwrap());
    assert!(
        e.contains("IAM Identity Center") && e.contains("cc profiles sync"),
        "{e}"
    );
    let e = stderr("999999999999");
    assert!(e.contains("999999999999") && !e.contains("request one"), "{e}");
}

/// `cc openapi | head -c 100`: the reader goes away after a few bytes; cc ends quietly (exit 0, no
/// panic message) instead of panicking on the broken pipe. Output longer than a pipe's buffer
/// (the document is over 100 KiB) makes sure cc is still writing when the pipe closes.
#[test]
fn a_closed_pipe_ends_cc_quietly() {
    use std::io::Read;
    let mut child = cc()
        .arg("openapi")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cc runs");
    let mut first = [0u8; 100];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("the document starts");
    // stdout is dropped (closed) here.
    let out = child.wait_with_output().expect("cc ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
