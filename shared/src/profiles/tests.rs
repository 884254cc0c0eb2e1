use proptest::prelude::*;
use serde_json::json;

use super::merge::{BEGIN, END, merge, user_sections, without_block};
use super::*;

fn account(id: &str, customer: &str, name: &str, env: &str, access: serde_json::Value) -> Account {
    serde_json::from_value(json!({
        "id": id, "customer": customer, "name": name, "alias": null, "environment": env, "region": "eu-west-1",
        "management_account": false, "delegated_admin_services": [], "access": access,
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
    }))
    .unwrap()
}

fn role(id: &str) -> serde_json::Value {
    json!({"method": "role", "read_role_arn": format!("arn:aws:iam::{id}:role/CCRead"),
           "breakglass_role_arn": format!("arn:aws:iam::{id}:role/CCBreakglass"), "external_id": "cc-ext-1",
           "max_session_seconds": 7200})
}

fn sso(url: &str) -> serde_json::Value {
    json!({"method": "sso", "start_url": url, "sso_region": "eu-central-1", "permission_sets": ["ReadOnly", "Admin"]})
}

fn sample() -> Vec<Account> {
    vec![
        account("000000000001", "acme", "Payments", "prod", role("000000000001")),
        account("000000000002", "acme", "Payments", "non-prod", role("000000000002")),
        account(
            "000000000003",
            "zeta",
            "Data Lake",
            "prod",
            sso("https://zeta.awsapps.com/start"),
        ),
        account(
            "000000000004",
            "zeta",
            "Web",
            "non-prod",
            sso("https://zeta.awsapps.com/start"),
        ),
        account(
            "000000000005",
            "beta",
            "Core",
            "prod",
            sso("https://beta.awsapps.com/start"),
        ),
    ]
}

fn rendered(prefs: &Preferences, sel: &Selection) -> ProfileSet {
    let accounts = sample();
    let refs: Vec<&Account> = accounts.iter().collect();
    render(&refs, prefs, "erin@example.com", sel).unwrap()
}

#[test]
fn role_accounts_get_read_and_breakglass_profiles() {
    let set = rendered(&Preferences::default(), &Selection::default());
    let read = set.profiles.iter().find(|p| p.name == "acme-payments-read").unwrap();
    assert_eq!(
        read.settings,
        vec![
            (k("role_arn"), "arn:aws:iam::000000000001:role/CCRead".to_string()),
            (k("source_profile"), "customer-central-hub".to_string()),
            (k("external_id"), "cc-ext-1".to_string()),
            (k("role_session_name"), "cc-erin@example.com".to_string()),
            (k("duration_seconds"), "3600".to_string()),
            (k("region"), "eu-west-1".to_string()),
        ]
    );
    let bg = set
        .profiles
        .iter()
        .find(|p| p.name == "acme-payments-breakglass")
        .unwrap();
    assert_eq!(
        bg.settings[0],
        (
            k("credential_process"),
            "cc credentials --account 000000000001".to_string()
        )
    );
    // Same name twice (prod and non-prod "Payments"): a stable numeric suffix.
    assert!(set.profiles.iter().any(|p| p.name == "acme-payments-read-2"));
}

#[test]
fn one_sso_session_per_start_url() {
    let set = rendered(&Preferences::default(), &Selection::default());
    let names: Vec<&str> = set.sso_sessions.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["beta", "zeta"]);
    let p = set.profiles.iter().find(|p| p.name == "zeta-web-admin").unwrap();
    assert_eq!(p.settings[0], (k("sso_session"), "zeta".to_string()));
    assert_eq!(p.settings[2], (k("sso_role_name"), "Admin".to_string()));
    let ini = set.to_ini();
    assert!(ini.contains("[sso-session zeta]\nsso_start_url = https://zeta.awsapps.com/start\nsso_region = eu-central-1\nsso_registration_scopes = sso:account:access\n"));
}

#[test]
fn selection_template_and_preferences() {
    let sel = Selection {
        kinds: Some(vec![Kind::Read]),
        environment: Some(Environment::Prod),
        customers: Some(vec!["acme".into()]),
    };
    let prefs = Preferences {
        template: "{env}_{ID}".replace("ID", "id"),
        credential_source: Some("Ec2InstanceMetadata".into()),
        mfa_serial: Some("arn:aws:iam::111111111111:mfa/erin".into()),
        region: Some(Region::parse("us-east-1").unwrap()),
        ..Default::default()
    };
    let set = rendered(&prefs, &sel);
    assert_eq!(set.profiles.len(), 1);
    let p = &set.profiles[0];
    assert_eq!(p.name, "prod-000000000001");
    assert!(
        p.settings
            .contains(&(k("credential_source"), "Ec2InstanceMetadata".into()))
    );
    assert!(!p.settings.iter().any(|(key, _)| key == "source_profile"));
    assert!(
        p.settings
            .contains(&(k("mfa_serial"), "arn:aws:iam::111111111111:mfa/erin".into()))
    );
    assert!(p.settings.contains(&(k("region"), "us-east-1".into())));
}

#[test]
fn bad_templates_are_refused_with_a_reason() {
    for (t, why) in [
        ("{customer}-{colour}", "unknown placeholder {colour}"),
        ("plain", "at least one placeholder"),
        ("{customer", "not closed"),
    ] {
        let err = Template::parse(t).unwrap_err();
        assert!(err.to_string().contains(why), "{t}: {err}");
    }
    let accounts = [account("000000000001", "acme", "!!!", "prod", role("000000000001"))];
    let refs: Vec<&Account> = accounts.iter().collect();
    let prefs = Preferences {
        template: "{account}".into(),
        ..Default::default()
    };
    let err = render(&refs, &prefs, "e@example.com", &Selection::default()).unwrap_err();
    assert!(err.to_string().contains("empty name"), "{err}");
}

#[test]
fn slugs() {
    assert_eq!(slug("Data Lake (EU)"), "data-lake-eu");
    assert_eq!(slug("--x__y--"), "x-y");
    assert_eq!(slug("ÄÖ"), "");
}

const USER: &str =
    "[default]\nregion = eu-west-1\n\n# my own\n[profile acme-payments-read]\nrole_arn = arn:aws:iam::1:role/Mine\n";

#[test]
fn merge_appends_once_and_is_idempotent() {
    let set = rendered(&Preferences::default(), &Selection::default());
    let first = merge(USER, &set).unwrap();
    assert!(first.changed);
    assert!(first.text.starts_with(USER), "the user's bytes come first, untouched");
    assert_eq!(
        first.skipped,
        vec!["profile acme-payments-read".to_string()],
        "clash reported, not overwritten"
    );
    assert!(!first.text[USER.len()..].contains("[profile acme-payments-read]\n"));
    let second = merge(&first.text, &set).unwrap();
    assert!(!second.changed);
    assert_eq!(second.text, first.text);
}

#[test]
fn stale_profiles_vanish_and_outside_text_survives() {
    let set = rendered(&Preferences::default(), &Selection::default());
    let with_block = format!("{USER}\n{BEGIN}\n[profile old-gone]\nregion = x\n{END}\n[profile after]\nregion = y\n");
    let merged = merge(&with_block, &set).unwrap();
    assert!(!merged.text.contains("old-gone"));
    assert!(merged.text.ends_with("[profile after]\nregion = y\n"));
    assert_eq!(
        without_block(&merged.text).unwrap(),
        without_block(&with_block).unwrap()
    );
    let empty = merge(&merged.text, &ProfileSet::default()).unwrap();
    assert_eq!(
        empty.text.matches("[profile acme").count(),
        1,
        "an empty set empties the block; the user's own stays"
    );
}

#[test]
fn no_trailing_newline_and_crlf() {
    let set = rendered(&Preferences::default(), &Selection::default());
    let raw = "[profile mine]\r\nregion = eu-west-1";
    let merged = merge(raw, &set).unwrap();
    assert!(merged.text.starts_with(raw));
    assert!(
        !merged.text.replace("\r\n", "").contains('\n'),
        "CRLF throughout the block"
    );
    assert_eq!(merge(&merged.text, &set).unwrap().text, merged.text);
    let lf = merge("[profile mine]\nregion = x", &set).unwrap();
    assert!(lf.text.starts_with("[profile mine]\nregion = x\n\n# BEGIN"));
}

#[test]
fn a_block_without_its_end_is_refused() {
    let err = merge(&format!("{BEGIN}\n[profile x]\n"), &ProfileSet::default()).unwrap_err();
    assert!(err.to_string().contains("without"));
}

#[test]
fn user_sections_normalise_default() {
    let s = user_sections("[default]\n[ profile  a ]\n[sso-session s]\n[services x]\n");
    assert!(s.contains("profile default") && s.contains("profile a") && s.contains("sso-session s"));
    assert_eq!(s.len(), 3);
}

fn user_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[default]".to_string()),
        "[a-z]{1,8}".prop_map(|n| format!("[profile {n}]")),
        "[a-z]{1,8}".prop_map(|n| format!("[sso-session {n}]")),
        "[a-z_]{1,10} = [a-z0-9:/.-]{0,20}",
        "# [ -~]{0,30}",
        Just(String::new()),
        Just("[profile acme-payments-read]".to_string()),
    ]
}

proptest! {
    #[test]
    fn merging_never_alters_the_users_bytes(lines in proptest::collection::vec(user_line(), 0..30), crlf in any::<bool>(), trailing in any::<bool>()) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = lines.join(eol);
        if trailing && !text.is_empty() {
            text.push_str(eol);
        }
        let set = rendered(&Preferences::default(), &Selection::default());
        let once = merge(&text, &set).unwrap();
        prop_assert!(once.text.starts_with(&text));
        let twice = merge(&once.text, &set).unwrap();
        prop_assert_eq!(&twice.text, &once.text);
        prop_assert!(!twice.changed);
        // What is outside the block is the user's text plus at most the separator we appended.
        let outside = without_block(&once.text).unwrap();
        prop_assert!(outside.starts_with(&text));
        prop_assert!(outside.len() - text.len() <= 2 * eol.len());
        // Every generated section appears once; clashing ones are skipped.
        let own = user_sections(&text);
        for name in set.section_names() {
            let header = format!("[{name}]");
            let count = once.text.matches(&header).count();
            if own.contains(&name) {
                prop_assert!(once.skipped.contains(&name));
            } else {
                prop_assert_eq!(count, 1, "{}", name);
            }
        }
    }
}

#[test]
fn sso_breakglass_permission_sets_are_profiles_only_while_held() {
    let access = json!({"method": "sso", "start_url": "https://zeta.awsapps.com/start", "sso_region": "eu-central-1",
        "permission_sets": ["ReadOnly"], "breakglass_permission_sets": ["SRE-Breakglass"],
        "identity_center": {"instance_arn": "arn:aws:sso:::instance/ssoins-0123456789abcdef",
            "identity_store_id": "d-0123456789", "admin_role_arn": "arn:aws:iam::999999999999:role/SsoAdmin"}});
    let accounts = [
        account("000000000003", "zeta", "Data Lake", "prod", access.clone()),
        account("000000000004", "zeta", "Web", "prod", access),
    ];
    let refs: Vec<&Account> = accounts.iter().collect();
    let prefs = Preferences::default();
    let names = |set: &ProfileSet| set.profiles.iter().map(|p| p.name.clone()).collect::<Vec<_>>();

    let without = render(&refs, &prefs, "erin@example.com", &Selection::default()).unwrap();
    assert_eq!(names(&without), ["zeta-data-lake-readonly", "zeta-web-readonly"]);
    assert!(!without.to_ini().contains("SRE-Breakglass"));

    let held = HeldSets::of([("000000000004", "SRE-Breakglass")]);
    let with = render_with_grants(&refs, &prefs, "erin@example.com", &Selection::default(), &held).unwrap();
    assert_eq!(
        names(&with),
        [
            "zeta-data-lake-readonly",
            "zeta-web-readonly",
            "zeta-web-sre-breakglass"
        ]
    );
    let bg = &with.profiles[2];
    assert_eq!(bg.kind, Kind::Breakglass);
    assert!(
        bg.settings
            .contains(&(Cow::Borrowed("sso_role_name"), "SRE-Breakglass".to_string()))
    );
    assert!(
        bg.settings
            .contains(&(Cow::Borrowed("sso_session"), "zeta".to_string()))
    );

    // Asking only for breakglass profiles gives the held one and its sso-session.
    let only = Selection {
        kinds: Some(vec![Kind::Breakglass]),
        ..Default::default()
    };
    let bg_only = render_with_grants(&refs, &prefs, "erin@example.com", &only, &held).unwrap();
    assert_eq!(names(&bg_only), ["zeta-web-sre-breakglass"]);
    assert_eq!(bg_only.sso_sessions.len(), 1);
    let read_only = Selection {
        kinds: Some(vec![Kind::Sso]),
        ..Default::default()
    };
    let standing = render_with_grants(&refs, &prefs, "erin@example.com", &read_only, &held).unwrap();
    assert_eq!(names(&standing), ["zeta-data-lake-readonly", "zeta-web-readonly"]);
}

/// A hub profile named like a generated profile would make that profile its own source_profile
/// (the AWS CLI: "infinite loop in credential configuration").
#[test]
fn a_hub_profile_named_like_a_generated_profile_is_refused() {
    let accounts = sample();
    let refs: Vec<&Account> = accounts.iter().collect();
    let ok = render(
        &refs,
        &Preferences::default(),
        "erin@example.com",
        &Selection::default(),
    )
    .unwrap();
    let generated = ok.profiles.iter().find(|p| p.kind == Kind::Read).unwrap().name.clone();
    let prefs = Preferences {
        hub_profile: generated.clone(),
        ..Preferences::default()
    };
    let err = render(&refs, &prefs, "erin@example.com", &Selection::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field: Some(f), message } if f == "hub_profile" && message.contains(&generated)),
        "{err:?}"
    );
    // With a credential source instead of a source profile, no profile chains from the hub.
    let prefs = Preferences {
        hub_profile: generated,
        credential_source: Some("Ec2InstanceMetadata".into()),
        ..Preferences::default()
    };
    assert!(render(&refs, &prefs, "erin@example.com", &Selection::default()).is_ok());
}
