//! The profile generator checked by botocore itself (issue 11): random hubs (duplicate and unicode
//! names, punctuation, line breaks in every free-text field, clashing permission sets, several start
//! URLs) and random user configs (quoted and spaced section names, comments, continuation lines,
//! CRLF) are rendered and merged here; one Python process in the test virtualenv
//! (`CC_TEST_PYTHON`, set by scripts/test) then reads every result with `botocore.configloader`
//! and checks that it parses, that each generated profile and SSO session reads back exactly as
//! written, that each profile's `source_profile` resolves (or was reported missing), and that the
//! profiles botocore lists are the user's plus ours. The same run compares our own reading of the
//! user's part (`profiles::ini`) with botocore's.
//!
//! Cases are generated from a fixed seed, so a failure names a case that fails again.

use std::path::Path;

use cc_domain::hub::Account;
use cc_domain::profiles::merge::{merge, without_block};
use cc_domain::profiles::{Preferences, Selection, ini, render};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

const CASES: usize = 600;

/// Free text as people type it, and as an attacker would: duplicates, unicode, punctuation and
/// line breaks of every kind.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("web".to_string()),
        Just("Web".to_string()),
        Just("app".to_string()),
        Just("app-2".to_string()),
        Just("App 2".to_string()),
        Just("Acme Retail Management".to_string()),
        Just("!!!".to_string()),
        "[a-z]{1,4}",
        "[A-Za-z0-9 ._'\"\\[\\]#;=:-]{0,16}",
        "\\PC{0,10}",
        "[a-z]{1,5}(\n|\r\n|\r|\u{2028}|\u{85})\\[profile pwn\\]\ncredential_process = touch /tmp/pwned",
        " [a-z]{1,5}\t",
    ]
}

fn start_url() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("acme"), Just("d-1234567890"), Just("zeta")],
        prop_oneof![
            Just(String::new()),
            Just("\n\n[profile pwn]\ncredential_process = touch /tmp/pwned".to_string()),
            Just("\r\n".to_string()),
            Just("/ x".to_string()),
            "[a-z]{0,3}",
        ],
    )
        .prop_map(|(host, tail)| format!("https://{host}.awsapps.com/start{tail}"))
}

fn account(index: usize) -> impl Strategy<Value = Value> {
    let sets = proptest::sample::subsequence(
        vec!["Admin", "Admin-2", "admin", "ADMIN.", "ReadOnly", "Read-Only"],
        1..4,
    );
    let access = prop_oneof![
        any::<u8>().prop_map(|_| json!({"method": "role"})),
        (start_url(), sets, prop_oneof![Just("eu-west-1"), Just("us-east-1")]).prop_map(|(url, sets, region)| {
            json!({"method": "sso", "start_url": url, "sso_region": region, "permission_sets": sets})
        }),
    ];
    (
        prop_oneof![Just("acme"), Just("acme-retail"), Just("zeta"), Just("tau")],
        text(),
        proptest::option::of(text()),
        any::<bool>(),
        0..4i64,
        access,
        prop_oneof![Just("cc-ext-1"), Just("ext:with/odd=chars@x,y")],
    )
        .prop_map(move |(customer, name, alias, prod, day, mut access, external_id)| {
            let id = format!("{:012}", 100_000_000_000 + (index * 7919) % 900_000);
            if access["method"] == "role" {
                access = json!({"method": "role", "read_role_arn": format!("arn:aws:iam::{id}:role/CCRead"),
                    "breakglass_role_arn": format!("arn:aws:iam::{id}:role/CCBreakglass"),
                    "external_id": external_id, "max_session_seconds": 7200});
            }
            json!({"id": id, "customer": customer, "name": name, "alias": alias,
                "environment": if prod { "prod" } else { "non-prod" }, "region": "eu-west-1",
                "management_account": false, "delegated_admin_services": [], "access": access,
                "created_at": format!("2026-01-0{}T00:00:00Z", day + 1), "updated_at": "2026-01-01T00:00:00Z"})
        })
}

fn preferences() -> impl Strategy<Value = Preferences> {
    (
        prop_oneof![
            Just("{customer}-{account}-{role}"),
            Just("{account}"),
            Just("{alias}_{role}"),
            Just("{id}"),
            Just("{customer}.{env}.{account}.{role}"),
            Just("{role}"),
            Just("x{account}y"),
            Just("{account}\n[profile pwn]\n{role}"),
        ],
        // Preferences the API refuses still can't break the file (render refuses the values).
        prop_oneof![
            Just("customer-central-hub"),
            Just("team_hub"),
            Just("default"),
            Just("hub\n[profile pwn]")
        ],
        prop_oneof![Just(None), Just(Some("Environment"))],
        prop_oneof![
            Just("cc"),
            Just("\"/opt/my tools/cc\" --api-url https://cc.example.com"),
            Just("cc\r\n[profile pwn]\ncredential_process = touch /tmp/pwned"),
        ],
        proptest::option::of(Just("arn:aws:iam::111111111111:mfa/erin")),
    )
        .prop_map(|(template, hub, source, cli, mfa)| Preferences {
            template: template.into(),
            hub_profile: hub.into(),
            credential_source: source.map(str::to_string),
            cli_command: cli.into(),
            mfa_serial: mfa.map(str::to_string),
            ..Preferences::default()
        })
}

/// The person's own config: sections named as botocore reads them (quoted, spaced, clashing with
/// ours), settings, comments, continuation lines.
fn user_line() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("acme-web-read".to_string()),
        Just("zeta-app-admin".to_string()),
        Just("customer-central-hub".to_string()),
        Just("team_hub".to_string()),
        "[a-z]{1,6}",
    ];
    prop_oneof![
        Just("[default]".to_string()),
        name.clone().prop_map(|n| format!("[profile {n}]")),
        name.clone().prop_map(|n| format!("[profile \"{n}\"]")),
        name.clone().prop_map(|n| format!("[profile '{n}']")),
        name.clone().prop_map(|n| format!("[profile  {n} ]")),
        name.clone().prop_map(|n| format!("[ profile {n}]")),
        prop_oneof![Just("acme"), Just("zeta"), Just("tau")].prop_map(|n| format!("[sso-session \"{n}\"]")),
        "[a-z_]{1,8} = [a-z0-9:/.-]{0,12}",
        "  [a-z]{1,5} = [a-z]{1,5}",
        "[#;] [ -~]{0,20}",
        Just(String::new()),
    ]
}

fn case() -> impl Strategy<Value = (Vec<Value>, Preferences, Vec<String>, bool, u8)> {
    (
        (1..9usize).prop_flat_map(|n| (0..n).map(account).collect::<Vec<_>>()),
        preferences(),
        proptest::collection::vec(user_line(), 0..14),
        any::<bool>(),
        any::<u8>(),
    )
}

fn python() -> Option<String> {
    cc_domain::test_env::required("CC_TEST_PYTHON")
}

#[test]
fn random_hubs_give_configs_botocore_reads_as_written() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[11; 32]));
    let strategy = case();
    let mut cases = Vec::new();
    for n in 0..CASES {
        let (raw, prefs, lines, crlf, narrow) = strategy.new_tree(&mut runner).unwrap().current();
        // Accounts whose typed fields refuse the generated value (a start URL the URL parser
        // rejects) are left out: the store can't hold them either.
        let accounts: Vec<Account> = raw.into_iter().filter_map(|a| serde_json::from_value(a).ok()).collect();
        let refs: Vec<&Account> = accounts.iter().collect();
        let Ok(set) = render(&refs, &prefs, "erin@example.com", &Selection::default()) else {
            continue; // the hub profile is one of the generated names: refused, tested elsewhere
        };
        // Mostly files the AWS CLI reads today: a header first, each header once (a repeated
        // key now and then still makes one unreadable, and the two readings must agree on it).
        let mut headers = std::collections::HashSet::new();
        let mut lines: Vec<String> = std::iter::once("[profile own]".to_string())
            .chain(lines)
            .map(|l| {
                if l.starts_with('[') && !headers.insert(l.clone()) {
                    format!("# {l}")
                } else {
                    l
                }
            })
            .collect();
        if lines.len() > 1 && lines[1].starts_with('[') {
            lines.remove(0);
        }
        let eol = if crlf { "\r\n" } else { "\n" };
        let user = lines.join(eol) + eol;
        let merged = merge(&user, &set).unwrap();
        let outside = without_block(&merged.text).unwrap();
        assert!(
            outside.starts_with(&user) && outside.len() <= user.len() + 2 * eol.len(),
            "case {n}: user bytes changed"
        );

        // A narrowed sync of the same data changes nothing.
        let customers = ["acme", "acme-retail", "zeta", "tau"];
        let narrowed = Selection {
            customers: Some(vec![customers[usize::from(narrow) % 4].to_string()]),
            ..Default::default()
        };
        let part = render(&refs, &prefs, "erin@example.com", &narrowed).unwrap();
        let again = merge(&merged.text, &part).unwrap();
        assert_eq!(
            again.text, merged.text,
            "case {n}: a narrowed sync of the same data changed the file"
        );

        let case_dir = dir.path().join(n.to_string());
        std::fs::create_dir(&case_dir).unwrap();
        std::fs::write(case_dir.join("user"), &user).unwrap();
        std::fs::write(case_dir.join("config"), &merged.text).unwrap();
        let skipped: Vec<&String> = merged
            .skipped
            .iter()
            .chain(merged.skipped_for_session.iter().map(|(p, _)| p))
            .collect();
        let ours: serde_json::Map<String, Value> = set
            .profiles
            .iter()
            .filter(|p| !skipped.contains(&&format!("profile {}", p.name)))
            .map(|p| {
                let settings: serde_json::Map<String, Value> =
                    p.settings.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
                (p.name.clone(), Value::Object(settings))
            })
            .collect();
        let sessions: serde_json::Map<String, Value> = set
            .sso_sessions
            .iter()
            .filter(|s| !skipped.contains(&&format!("sso-session {}", s.name)))
            .map(|s| {
                (
                    s.name.clone(),
                    json!({"sso_start_url": s.start_url, "sso_region": s.region}),
                )
            })
            .collect();
        let parsed = ini::parse(&user);
        let names = |profile: bool| -> Vec<String> {
            parsed
                .sections
                .iter()
                .filter_map(|s| match (&s.target, profile) {
                    (Some(ini::Target::Profile(n)), true) | (Some(ini::Target::SsoSession(n)), false) => {
                        Some(n.clone())
                    }
                    _ => None,
                })
                .collect()
        };
        cases.push(json!({
            "case": n, "dir": case_dir, "ours": ours, "sessions": sessions,
            "missing_sources": merged.missing_sources, "rust_faults": !parsed.faults.is_empty(),
            "rust_profiles": names(true), "rust_sso_sessions": names(false),
        }));
    }
    assert!(cases.len() >= 500, "only {} cases rendered", cases.len());
    let spec = dir.path().join("cases.json");
    std::fs::write(&spec, serde_json::to_vec(&cases).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/botocore_check.py");
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(&spec)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{report}");
}
