//! Issue 11's faults, each rebuilt as the small input that showed it, rendered and merged here and
//! read back by the real AWS CLI (`CC_TEST_AWS_CLI`, the Debian AWS CLI v2 that scripts/test
//! installs): `aws configure list-profiles` must list exactly the user's profiles plus ours, and
//! `aws configure get` must give the values of the right account.

use std::path::{Path, PathBuf};
use std::process::Command;

use cc_domain::hub::Account;
use cc_domain::profiles::merge::merge;
use cc_domain::profiles::{Preferences, ProfileSet, Selection, render};
use serde_json::{Value, json};

fn aws_cli() -> Option<String> {
    cc_domain::test_env::aws_cli_v2()
}

struct Cli {
    aws: String,
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Option<Cli> {
        Some(Cli {
            aws: aws_cli()?,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn run(&self, config: &Path, args: &[&str]) -> (bool, String, String) {
        let out = Command::new(&self.aws)
            .args(args)
            .env("AWS_CONFIG_FILE", config)
            .env("AWS_SHARED_CREDENTIALS_FILE", self.dir.path().join("no-credentials"))
            .env("HOME", self.dir.path())
            .env("AWS_PAGER", "")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_DEFAULT_PROFILE")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    }

    /// The profiles the AWS CLI lists, sorted; the file must parse.
    fn profiles(&self, config: &Path) -> Vec<String> {
        let (ok, out, err) = self.run(config, &["configure", "list-profiles"]);
        assert!(ok, "the AWS CLI can't read {}: {err}", config.display());
        let mut names: Vec<String> = out.lines().map(str::to_string).collect();
        names.sort();
        names
    }

    fn get(&self, config: &Path, profile: &str, key: &str) -> String {
        let (ok, out, err) = self.run(config, &["configure", "get", key, "--profile", profile]);
        assert!(ok, "aws configure get {key} --profile {profile}: {err}");
        out
    }
}

fn account(id: &str, customer: &str, name: &str, day: u8, access: Value) -> Account {
    serde_json::from_value(json!({
        "id": id, "customer": customer, "name": name, "alias": null, "environment": "prod", "region": "eu-west-1",
        "management_account": false, "delegated_admin_services": [], "access": access,
        "created_at": format!("2026-01-0{day}T00:00:00Z"), "updated_at": "2026-01-01T00:00:00Z"
    }))
    .unwrap()
}

fn role(id: &str) -> Value {
    json!({"method": "role", "read_role_arn": format!("arn:aws:iam::{id}:role/CCRead"),
           "breakglass_role_arn": format!("arn:aws:iam::{id}:role/CCBreakglass"), "external_id": "cc-ext-1",
           "max_session_seconds": 3600})
}

fn sso(url: &str, sets: &[&str]) -> Value {
    json!({"method": "sso", "start_url": url, "sso_region": "eu-west-1", "permission_sets": sets})
}

fn rendered(accounts: &[Account], prefs: &Preferences, selection: &Selection) -> ProfileSet {
    let refs: Vec<&Account> = accounts.iter().collect();
    render(&refs, prefs, "erin@example.com", selection).unwrap()
}

fn names(set: &ProfileSet) -> Vec<String> {
    let mut n: Vec<String> = set.profiles.iter().map(|p| p.name.clone()).collect();
    n.sort();
    n
}

const HUB: &str = "[profile customer-central-hub]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n";

/// Faults 1 and 7: clash suffixes that equal real names, and names that move between accounts.
#[test]
fn duplicate_and_drifting_names() {
    let Some(cli) = Cli::new() else { return };
    let url = "https://xx.awsapps.com/start";
    let accounts = [
        account("000000000001", "xx", "web", 1, sso(url, &["Admin"])),
        account("000000000002", "xx", "web", 2, sso(url, &["Admin", "Admin-2"])),
    ];
    let set = rendered(&accounts, &Preferences::default(), &Selection::default());
    let config = cli.write("f1a", &merge("", &set).unwrap().text);
    assert_eq!(cli.profiles(&config), names(&set));
    assert_eq!(cli.get(&config, "xx-web-admin-2", "sso_role_name"), "Admin-2");
    assert_eq!(
        cli.get(&config, "xx-web-admin--000000000002", "sso_account_id"),
        "000000000002"
    );

    let prefs = Preferences {
        template: "{account}".into(),
        ..Default::default()
    };
    let mut accounts = vec![
        account("000000000009", "aa", "app", 1, role("000000000009")),
        account("000000000005", "bb", "app", 2, role("000000000005")),
        account("000000000007", "bb", "app-2", 3, role("000000000007")),
    ];
    let before = rendered(&accounts, &prefs, &Selection::default());
    let config = cli.write("f1b", &merge(HUB, &before).unwrap().text);
    let mut expected = names(&before);
    expected.push("customer-central-hub".into());
    expected.sort();
    assert_eq!(cli.profiles(&config), expected);
    assert_eq!(expected.len(), 7, "six unique names and the hub: {expected:?}");
    // `{account}` has no `{role}`: the read profile came first, so it has the plain name.
    assert_eq!(
        cli.get(&config, "app", "role_arn"),
        "arn:aws:iam::000000000009:role/CCRead"
    );
    assert_eq!(
        cli.get(&config, "app-2", "role_arn"),
        "arn:aws:iam::000000000007:role/CCRead"
    );

    // A newer account with a lower id and the same name takes nobody's name.
    accounts.push(account("000000000001", "aa", "app", 4, role("000000000001")));
    let after = rendered(&accounts, &prefs, &Selection::default());
    let config = cli.write("f7", &merge(HUB, &after).unwrap().text);
    assert_eq!(
        cli.get(&config, "app", "role_arn"),
        "arn:aws:iam::000000000009:role/CCRead"
    );
    assert_eq!(
        cli.get(&config, "app--000000000005", "role_arn"),
        "arn:aws:iam::000000000005:role/CCRead"
    );
    assert_eq!(
        cli.get(&config, "app--000000000001", "role_arn"),
        "arn:aws:iam::000000000001:role/CCRead"
    );
}

/// Fault 2: the user's quoted section names are theirs; ours is skipped, not written after them.
#[test]
fn quoted_user_sections_keep_their_values() {
    let Some(cli) = Cli::new() else { return };
    let accounts = [account(
        "000000000001",
        "tau",
        "zero",
        1,
        sso("https://tau.awsapps.com/start", &["Admin"]),
    )];
    let set = rendered(&accounts, &Preferences::default(), &Selection::default());
    for own in [
        "[profile \"tau-zero-admin\"]\nregion = us-east-2\n",
        "[profile 'tau-zero-admin']\nregion = us-east-2\n",
        "[profile  tau-zero-admin ]\nregion = us-east-2\n",
    ] {
        let config = cli.write("f2", &merge(own, &set).unwrap().text);
        assert_eq!(cli.profiles(&config), ["tau-zero-admin"]);
        assert_eq!(cli.get(&config, "tau-zero-admin", "region"), "us-east-2", "{own}");
    }
}

/// Fault 3: a start URL with line breaks (stored before the hub refused them) injects nothing.
#[test]
fn injected_start_urls_never_reach_the_file() {
    let Some(cli) = Cli::new() else { return };
    let evil = "https://x.awsapps.com/start\n\n[profile pwn]\ncredential_process = touch /tmp/pwned";
    let accounts = [
        account("000000000001", "xx", "evil", 1, sso(evil, &["Admin"])),
        account(
            "000000000002",
            "yy",
            "crlf",
            1,
            sso("https://y.awsapps.com/start\r\n", &["Admin"]),
        ),
        account(
            "000000000003",
            "zz",
            "good",
            1,
            sso("https://z.awsapps.com/start", &["Admin"]),
        ),
    ];
    let set = rendered(&accounts, &Preferences::default(), &Selection::default());
    assert_eq!(set.refused.len(), 2);
    let config = cli.write("f3", &merge("", &set).unwrap().text);
    assert_eq!(cli.profiles(&config), ["zz-good-admin"]);
    assert_eq!(
        cli.get(&config, "zz-good-admin", "sso_session"),
        "zz",
        "the good account's session is intact"
    );
}

/// Fault 4: a narrowed sync replaces only what it covers.
#[test]
fn a_narrowed_sync_keeps_everything_else() {
    let Some(cli) = Cli::new() else { return };
    let accounts = [
        account("000000000001", "aa", "one", 1, role("000000000001")),
        account("000000000002", "bb", "two", 1, role("000000000002")),
        account(
            "000000000003",
            "cc",
            "three",
            1,
            sso("https://cc.awsapps.com/start", &["Admin"]),
        ),
    ];
    let full = rendered(&accounts, &Preferences::default(), &Selection::default());
    let first = merge(HUB, &full).unwrap().text;
    let only_aa = Selection {
        customers: Some(vec!["aa".into()]),
        ..Default::default()
    };
    let mut narrowed = rendered(&accounts, &Preferences::default(), &only_aa);
    narrowed.profiles.retain(|p| p.name != "aa-one-breakglass");
    let config = cli.write("f4", &merge(&first, &narrowed).unwrap().text);
    let mut expected = names(&full);
    expected.retain(|n| n != "aa-one-breakglass");
    expected.push("customer-central-hub".into());
    expected.sort();
    assert_eq!(cli.profiles(&config), expected);
    assert_eq!(cli.get(&config, "cc-three-admin", "sso_session"), "cc");
}

/// Fault 8: role profiles chain from a hub profile the config lacks; the merge says so, and the AWS
/// CLI names the same missing profile.
#[test]
fn a_missing_source_profile_is_reported_as_the_aws_cli_sees_it() {
    let Some(cli) = Cli::new() else { return };
    let accounts = [account("000000000001", "aa", "one", 1, role("000000000001"))];
    let set = rendered(&accounts, &Preferences::default(), &Selection::default());
    let merged = merge("", &set).unwrap();
    assert_eq!(merged.missing_sources, ["customer-central-hub"]);
    let config = cli.write("f8", &merged.text);
    let (ok, _, err) = cli.run(
        &config,
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "aa-one-read",
            "--region",
            "eu-west-1",
        ],
    );
    assert!(!ok && err.contains("customer-central-hub"), "{err}");
    let with_hub = merge(HUB, &set).unwrap();
    assert!(with_hub.missing_sources.is_empty());
}
