//! `cc profiles sync` and `cc profiles doctor` as a person runs them on a fresh machine: the first
//! sync says the hub profile is missing and how to add it, doctor fails naming it and passes once
//! it exists, and a narrowed sync keeps every other generated profile.

#[allow(dead_code)] // each test binary uses part of the shared support
use crate::support;

use std::path::Path;
use std::process::{Command, Output};

use cc_domain::identity::Role;

fn cc(server: &support::Server, token: &str, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cc"))
        .args(args)
        .env("CC_API_URL", &server.base)
        .env("CC_TOKEN", token)
        .env("HOME", home)
        .env_remove("AWS_CONFIG_FILE")
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_sync_doctor_and_narrowed_sync() {
    let server = support::start().await;
    let token = support::token(&server, "erin.engineer@demo.customer-central.dev", &[Role::Engineer]);
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    let config_arg = config.to_str().unwrap();

    let sync = cc(
        &server,
        &token,
        home.path(),
        &["profiles", "sync", "--config", config_arg],
    );
    assert!(sync.status.success(), "{}", text(&sync.stderr));
    let said = text(&sync.stderr);
    assert!(
        said.contains("source_profile 'customer-central-hub'") && said.contains("aws configure sso --profile"),
        "{said}"
    );

    let doctor = cc(
        &server,
        &token,
        home.path(),
        &["profiles", "doctor", "--config", config_arg],
    );
    assert_eq!(doctor.status.code(), Some(1), "{}", text(&doctor.stdout));
    let report = text(&doctor.stdout);
    assert!(
        report.contains("error: profile customer-central-hub is not defined"),
        "{report}"
    );
    assert!(
        report.contains("aws sso login --sso-session"),
        "SSO sign-ins are checked: {report}"
    );

    // With the hub profile in place (before the block), doctor finds nothing that will fail.
    let synced = std::fs::read_to_string(&config).unwrap();
    let hub = "[profile customer-central-hub]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n\n";
    std::fs::write(&config, format!("{hub}{synced}")).unwrap();
    let doctor = cc(
        &server,
        &token,
        home.path(),
        &["profiles", "doctor", "--config", config_arg],
    );
    assert!(doctor.status.success(), "{}", text(&doctor.stdout));
    assert!(text(&doctor.stdout).contains(": 0 errors"), "{}", text(&doctor.stdout));

    // A narrowed sync replaces that customer's profiles and keeps the rest.
    let before = std::fs::read_to_string(&config).unwrap();
    let narrowed = cc(
        &server,
        &token,
        home.path(),
        &[
            "profiles",
            "sync",
            "--customer",
            "borealis-energy",
            "--config",
            config_arg,
        ],
    );
    assert!(narrowed.status.success(), "{}", text(&narrowed.stderr));
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        before,
        "same data: nothing changes, nothing is lost"
    );
    let profiles = |t: &str| t.lines().filter(|l| l.starts_with("[profile ")).count();
    assert!(profiles(&before) > 40, "erin has several customers");

    // Customer codes are case-insensitive on the command line too: the same customer, the same
    // profiles replaced, the others kept.
    let upper = cc(
        &server,
        &token,
        home.path(),
        &[
            "profiles",
            "sync",
            "--customer",
            "BOREALIS-Energy",
            "--config",
            config_arg,
        ],
    );
    assert!(upper.status.success(), "{}", text(&upper.stderr));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
}
