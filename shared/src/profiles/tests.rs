use proptest::prelude::*;
use serde_json::json;

use super::ini::Target;
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
    // Same name twice (prod and non-prod "Payments"): the later account adds its id.
    assert!(
        set.profiles
            .iter()
            .any(|p| p.name == "acme-payments-read--000000000002")
    );
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
    // A template that renders to nothing falls back to the account id and role.
    let set = render(&refs, &prefs, "e@example.com", &Selection::default()).unwrap();
    let names: Vec<&str> = set.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["000000000001-breakglass", "000000000001-read"]);
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
fn one_pasted_crlf_line_does_not_make_the_block_crlf() {
    let set = rendered(&Preferences::default(), &Selection::default());
    let raw = "[profile pasted]\r\nregion = eu-west-1\n[profile mine]\nregion = eu-west-2\noutput = json\n";
    let merged = merge(raw, &set).unwrap();
    assert!(merged.text.starts_with(raw), "the user's bytes stay");
    assert!(
        !merged.text[raw.len()..].contains('\r'),
        "the block follows the file's usual LF"
    );
    assert_eq!(merge(&merged.text, &set).unwrap().text, merged.text);
}

#[test]
fn a_block_without_its_end_is_refused() {
    let err = merge(&format!("{BEGIN}\n[profile x]\n"), &ProfileSet::default()).unwrap_err();
    assert!(err.to_string().contains("without"));
}

#[test]
fn user_sections_normalise_default() {
    // As botocore reads them: `[ profile a ]` (space before `profile`) is no profile at all.
    let s = user_sections("[default]\n[profile  a ]\n[ profile z ]\n[sso-session s]\n[services x]\n[profile \"q\"]\n");
    for t in [
        Target::Profile("default".into()),
        Target::Profile("a".into()),
        Target::Profile("q".into()),
        Target::SsoSession("s".into()),
    ] {
        assert!(s.contains(&t), "{t}");
    }
    assert_eq!(s.len(), 4);
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
    /// Templates are slugged piece by piece (fixed text, then each field's value); that must be
    /// the slug of the whole text, wherever the pieces are cut (dashes, non-ASCII, digits).
    #[test]
    fn a_slug_in_pieces_is_the_slug_of_the_whole(pieces in proptest::collection::vec("[a-zA-Z0-9 _./é€-]{0,6}", 0..6)) {
        let mut streamed = Slug::with_capacity(8);
        for p in &pieces {
            streamed.push(p);
        }
        let streamed = streamed.finish();
        prop_assert_eq!(&streamed, &slug(&pieces.concat()));
        prop_assert!(!streamed.starts_with('-') && !streamed.ends_with('-') && !streamed.contains("--"));
        prop_assert!(streamed.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
    }

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
            if own.contains(&super::ini::target(&name).unwrap()) {
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
    let with = render_with_grants(
        &refs,
        &|_| true,
        &prefs,
        "erin@example.com",
        &Selection::default(),
        &held,
    )
    .unwrap();
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
    let bg_only = render_with_grants(&refs, &|_| true, &prefs, "erin@example.com", &only, &held).unwrap();
    assert_eq!(names(&bg_only), ["zeta-web-sre-breakglass"]);
    assert_eq!(bg_only.sso_sessions.len(), 1);
    let read_only = Selection {
        kinds: Some(vec![Kind::Sso]),
        ..Default::default()
    };
    let standing = render_with_grants(&refs, &|_| true, &prefs, "erin@example.com", &read_only, &held).unwrap();
    assert_eq!(names(&standing), ["zeta-data-lake-readonly", "zeta-web-readonly"]);
}

/// A hub profile named like a generated profile would make that profile its own source_profile
/// (the AWS CLI: "infinite loop in credential configuration"); a profile named `default` would be
/// used by every command that names none. The generated profile yields: it adds its account id.
#[test]
fn generated_profiles_yield_the_hub_profile_and_default_names() {
    let accounts = sample();
    let refs: Vec<&Account> = accounts.iter().collect();
    let prefs = Preferences {
        hub_profile: "acme-payments-read".into(),
        ..Preferences::default()
    };
    let set = render(&refs, &prefs, "erin@example.com", &Selection::default()).unwrap();
    assert!(!set.profiles.iter().any(|p| p.name == "acme-payments-read"));
    let read = set
        .profiles
        .iter()
        .find(|p| p.name == "acme-payments-read--000000000001")
        .unwrap();
    assert!(
        read.settings
            .contains(&(k("source_profile"), "acme-payments-read".into()))
    );

    let mut named_default = account("000000000007", "acme", "Default", "prod", role("000000000007"));
    named_default.alias = Some("default".into());
    let prefs = Preferences {
        template: "{alias}".into(),
        ..Preferences::default()
    };
    let set = render(&[&named_default], &prefs, "erin@example.com", &Selection::default()).unwrap();
    assert_eq!(names(&set), ["default--000000000007", "default--000000000007-2618d3a4"]);
}

fn names(set: &ProfileSet) -> Vec<&str> {
    set.profiles.iter().map(|p| p.name.as_str()).collect()
}

fn aged(mut a: Account, day: u8) -> Account {
    a.created_at = time::OffsetDateTime::from_unix_timestamp(1_767_225_600 + i64::from(day) * 86_400).unwrap();
    a
}

fn sso_sets(sets: &[&str]) -> serde_json::Value {
    json!({"method": "sso", "start_url": "https://x.awsapps.com/start", "sso_region": "eu-west-1", "permission_sets": sets})
}

/// Issue 11, fault 1: a clash suffix that equals another profile's real name gave the file the
/// same section twice (the AWS CLI then refuses every profile).
#[test]
fn clash_suffixes_never_equal_another_name() {
    let accounts = [
        account("000000000001", "xx", "web", "prod", sso_sets(&["Admin"])),
        account("000000000002", "xx", "web", "prod", sso_sets(&["Admin", "Admin-2"])),
    ];
    let refs: Vec<&Account> = accounts.iter().collect();
    let set = render(&refs, &Preferences::default(), "e@example.com", &Selection::default()).unwrap();
    assert_eq!(
        names(&set),
        ["xx-web-admin", "xx-web-admin--000000000002", "xx-web-admin-2"]
    );

    let prefs = Preferences {
        template: "{account}".into(),
        ..Default::default()
    };
    let accounts = [
        account("000000000001", "aa", "app", "prod", role("000000000001")),
        account("000000000002", "bb", "app", "prod", role("000000000002")),
        account("000000000003", "cc", "app-2", "prod", role("000000000003")),
        // An account named after another's clash name.
        account("000000000004", "cc", "app 000000000002", "prod", role("000000000004")),
    ];
    let refs: Vec<&Account> = accounts.iter().collect();
    let set = render(&refs, &prefs, "e@example.com", &Selection::default()).unwrap();
    let mut all = names(&set);
    let count = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), count, "unique: {all:?}");
    assert_eq!(count, 8);
    // Permission sets whose slugs are equal on one account.
    let accounts = [account(
        "000000000001",
        "xx",
        "web",
        "prod",
        sso_sets(&["Admin", "ADMIN", "admin."]),
    )];
    let refs: Vec<&Account> = accounts.iter().collect();
    let set = render(&refs, &Preferences::default(), "e@example.com", &Selection::default()).unwrap();
    let mut all = names(&set);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 3, "{all:?}");
}

/// Issue 11, fault 7: adding an account (with a lower id) of the same name must not move a name
/// to it or shift anyone's suffix; and the customer's code is not repeated.
#[test]
fn names_stay_with_their_account_when_accounts_come_and_go() {
    let old = aged(account("000000000009", "acme", "Web", "prod", role("000000000009")), 1);
    let other = aged(
        account("000000000005", "acme", "Web", "non-prod", role("000000000005")),
        2,
    );
    let newer = aged(account("000000000001", "acme", "Web", "prod", role("000000000001")), 3);
    let name_of = |accounts: &[&Account], id: &str| -> Vec<String> {
        let set = render(
            accounts,
            &Preferences::default(),
            "e@example.com",
            &Selection::default(),
        )
        .unwrap();
        set.profiles
            .iter()
            .filter(|p| p.account_id == id)
            .map(|p| p.name.clone())
            .collect()
    };
    let before_9 = name_of(&[&old, &other], "000000000009");
    let before_5 = name_of(&[&old, &other], "000000000005");
    assert_eq!(before_9, ["acme-web-breakglass", "acme-web-read"]);
    assert_eq!(
        before_5,
        ["acme-web-breakglass--000000000005", "acme-web-read--000000000005"]
    );
    assert_eq!(name_of(&[&newer, &old, &other], "000000000009"), before_9);
    assert_eq!(name_of(&[&newer, &old, &other], "000000000005"), before_5);
    assert_eq!(
        name_of(&[&newer, &old, &other], "000000000001"),
        ["acme-web-breakglass--000000000001", "acme-web-read--000000000001"]
    );
    // Removing a newer account changes no other name.
    assert_eq!(name_of(&[&newer, &old], "000000000009"), before_9);

    let mgmt = account(
        "000000000002",
        "acme-retail",
        "Acme Retail Management",
        "prod",
        role("000000000002"),
    );
    let mut aliased = account("000000000003", "acme-retail", "Shop", "prod", role("000000000003"));
    aliased.alias = Some("acme-retail-shop".into());
    let prefs = Preferences {
        template: "{customer}-{alias}-{role}".into(),
        ..Default::default()
    };
    let set = render(&[&mgmt, &aliased], &prefs, "e@example.com", &Selection::default()).unwrap();
    assert_eq!(
        names(&set),
        [
            "acme-retail-management-breakglass",
            "acme-retail-management-read",
            "acme-retail-shop-breakglass",
            "acme-retail-shop-read"
        ]
    );
}

/// Issue 11, fault 3: a hub value with a line break must never reach the file (one bad record
/// would otherwise run a command on every team member's machine).
#[test]
fn values_that_would_break_a_line_are_refused_not_written() {
    let evil = "https://x.awsapps.com/start\n\n[profile pwn]\ncredential_process = touch /tmp/pwned";
    let mut bad = account("000000000001", "xx", "Evil", "prod", sso_sets(&["Admin"]));
    if let AccessMethod::Sso { start_url, .. } = &mut bad.access {
        // Stored before entry validation existed: the URL type itself accepts it.
        *start_url = crate::ids::HttpsUrl::parse(evil).unwrap();
    }
    assert!(bad.validate().is_err(), "the hub refuses it on entry");
    let mut crlf = account("000000000002", "yy", "Crlf", "prod", sso_sets(&["Admin"]));
    if let AccessMethod::Sso { start_url, .. } = &mut crlf.access {
        *start_url = crate::ids::HttpsUrl::parse("https://y.awsapps.com/start\r\n").unwrap();
    }
    assert!(crlf.validate().is_err());
    for url in [
        "https://zz\u{430}.awsapps.com/start",
        "https://user:pw@zz.awsapps.com/start",
    ] {
        let mut odd = account("000000000004", "zz", "Odd", "prod", sso_sets(&["Admin"]));
        if let AccessMethod::Sso { start_url, .. } = &mut odd.access {
            *start_url = crate::ids::HttpsUrl::parse(url).unwrap();
        }
        assert!(odd.validate().is_err(), "{url}");
    }
    let good = account("000000000003", "zz", "Good", "prod", role("000000000003"));
    let set = render(
        &[&bad, &crlf, &good],
        &Preferences::default(),
        "e@example.com",
        &Selection::default(),
    )
    .unwrap();
    assert_eq!(names(&set), ["zz-good-breakglass", "zz-good-read"]);
    assert_eq!(set.refused.len(), 2, "{:?}", set.refused);
    assert!(set.refused[0].contains("000000000001") && set.refused[0].contains("start URL"));
    let ini = set.to_ini();
    assert!(!ini.contains("pwn") && !ini.contains('\r'), "{ini}");

    for (field, value) in [
        ("hub_profile", "hub\nx"),
        ("hub_profile", " hub"),
        ("hub_profile", "\"hub\""),
        ("cli_command", "cc\r"),
        ("cli_command", "cc\u{2028}x"),
        ("mfa_serial", "arn:aws:iam::1:mfa/x\n[profile y]"),
    ] {
        let mut p = Preferences::default();
        match field {
            "hub_profile" => p.hub_profile = value.into(),
            "cli_command" => p.cli_command = value.into(),
            _ => p.mfa_serial = Some(value.into()),
        }
        let err = p.validate().unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field: Some(f), .. } if f == field),
            "{value:?}: {err:?}"
        );
    }
}

/// Issue 11, fault 2: the person's `[profile "x"]`, `[profile 'x']`, `[profile  x ]` and
/// `[sso-session "x"]` are the names botocore reads, so ours is skipped, never written after them.
#[test]
fn quoted_user_sections_are_clashes() {
    let accounts = [account("000000000001", "tau", "zero", "prod", sso_sets(&["Admin"]))];
    let refs: Vec<&Account> = accounts.iter().collect();
    let set = render(&refs, &Preferences::default(), "e@example.com", &Selection::default()).unwrap();
    assert_eq!(names(&set), ["tau-zero-admin"]);
    for user in [
        "[profile \"tau-zero-admin\"]\nregion = x\n",
        "[profile 'tau-zero-admin']\nregion = x\n",
        "[profile  tau-zero-admin ]\nregion = x\n",
    ] {
        let merged = merge(user, &set).unwrap();
        assert_eq!(merged.skipped, ["profile tau-zero-admin"], "{user}");
        assert!(!merged.text.contains("[profile tau-zero-admin]"));
    }
    let merged = merge("[sso-session \"tau\"]\nsso_start_url = https://mine/start\n", &set).unwrap();
    assert_eq!(merged.skipped, ["sso-session tau"]);
    assert_eq!(
        merged.skipped_for_session,
        [("profile tau-zero-admin".to_string(), "tau".to_string())]
    );
    assert_eq!((merged.profiles_written, merged.sessions_written), (0, 0));
}

/// Issue 11, fault 4: a narrowed sync replaces only what it covers.
#[test]
fn a_narrowed_sync_keeps_the_profiles_it_does_not_cover() {
    let full = rendered(&Preferences::default(), &Selection::default());
    let first = merge(USER, &full).unwrap();
    let acme_only = Selection {
        customers: Some(vec!["acme".into()]),
        ..Default::default()
    };
    let narrowed = rendered(&Preferences::default(), &acme_only);
    let second = merge(&first.text, &narrowed).unwrap();
    assert_eq!(second.text, first.text, "same data: nothing changes");
    assert!(second.kept > 0);

    // A narrowed set without some of its profiles (an account gone) drops only those.
    let mut fewer = narrowed.clone();
    fewer.profiles.retain(|p| p.account_id != "000000000002");
    let third = merge(&first.text, &fewer).unwrap();
    assert!(!third.text.contains("acme-payments-read--000000000002"));
    assert!(third.text.contains("zeta-web-admin") && third.text.contains("[sso-session zeta]"));
    assert!(third.text.contains("beta-core-admin"));
    // "0 profiles" for one kind deletes that kind only.
    let no_breakglass = ProfileSet {
        selection: Selection {
            kinds: Some(vec![Kind::Breakglass]),
            ..Default::default()
        },
        ..Default::default()
    };
    let fourth = merge(&first.text, &no_breakglass).unwrap();
    assert!(!fourth.text.contains("-breakglass]"));
    assert!(fourth.text.contains("[profile acme-payments-read--000000000002]"));
    // A full empty set empties the block.
    let empty = merge(&first.text, &ProfileSet::default()).unwrap();
    assert!(!empty.text.contains("zeta"));
}

/// Issue 11, fault 8: role profiles chain from a hub profile the config doesn't have.
#[test]
fn a_missing_source_profile_is_reported() {
    let set = rendered(&Preferences::default(), &Selection::default());
    let merged = merge("", &set).unwrap();
    assert_eq!(merged.missing_sources, [DEFAULT_HUB_PROFILE]);
    let merged = merge("[profile \"customer-central-hub\"]\nsso_session = x\n", &set).unwrap();
    assert!(merged.missing_sources.is_empty());
}

/// A name that leads to another account than in the previous block is reported (renaming or
/// removing an account frees its name for the next-oldest account that renders to it).
#[test]
fn a_name_that_now_leads_elsewhere_is_reported() {
    let a = aged(account("000000000001", "acme", "Web", "prod", role("000000000001")), 1);
    let b = aged(
        account("000000000002", "acme", "Web", "non-prod", role("000000000002")),
        2,
    );
    let first = merge(
        "",
        &render(&[&a, &b], &Preferences::default(), "e@x.io", &Selection::default()).unwrap(),
    )
    .unwrap();
    assert!(first.moved.is_empty());
    let mut renamed = a.clone();
    renamed.name = "Old Web".into();
    let set = render(
        &[&renamed, &b],
        &Preferences::default(),
        "e@x.io",
        &Selection::default(),
    )
    .unwrap();
    let second = merge(&first.text, &set).unwrap();
    assert_eq!(second.moved.len(), 2, "{:?}", second.moved);
    assert!(
        second.moved[0].contains("now leads to account 000000000002")
            && second.moved[0].contains("000000000001 before")
    );
}
