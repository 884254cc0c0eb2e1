//! The customer-side onboarding template (onboarding/customer-account.yaml) deployed on moto's
//! CloudFormation, then used the way Customer Central uses a customer account: the broker assumes
//! the breakglass role with the external id, a source identity and the request's session tag, and
//! the role guard reads and rewrites the role's deny policy through a session of the role itself.
//! (moto does not evaluate trust policies; tests/stack/test_onboarding.py checks their content.)

use std::process::Command;
use std::sync::Arc;

use cc_adapters::iam::{IamRoleGuard, POLICY_NAME};
use cc_adapters::sts::StsBroker;
use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};
use cc_domain::access::ports::{AccessBroker, Assume, RoleGuard};
use cc_domain::ids::{ExternalId, RoleArn};

const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../onboarding/customer-account.yaml");

/// Deploys the template with boto3 (the test command's Python has it, with moto) and prints the
/// stack's outputs as JSON.
const DEPLOY: &str = r#"
import json, sys, boto3
endpoint, template, name, external_id, console = sys.argv[1:6]
cfn = boto3.client("cloudformation", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
params = {"CustomerCentralAccountId": "111122223333", "ExternalId": external_id,
          "BreakglassRoleName": name + "-bg", "ReadRoleName": name + "-read",
          "SsoAdminRoleName": name + "-sso", "CreateSsoAdminRole": "true",
          "BreakglassPermissionSetArns": "arn:aws:sso:::permissionSet/ssoins-1/ps-1,arn:aws:sso:::permissionSet/ssoins-1/ps-2"}
if console:
    params["ConsolePrincipalArns"] = console
cfn.create_stack(StackName=name, TemplateBody=open(template).read(), Capabilities=["CAPABILITY_NAMED_IAM"],
                 Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()])
cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
(stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
print(json.dumps({o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}))
"#;

#[tokio::test]
async fn onboarding_template_deploys_on_moto_and_the_product_uses_its_roles() {
    let Some(url) = test_emulator_url() else { return };
    let python = std::env::var("CC_TEST_PYTHON").expect("scripts/test sets CC_TEST_PYTHON with moto's boto3");
    let name = format!(
        "cc-onboard-{}",
        time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
    );
    let console = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Engineer_*";
    let out = Command::new(&python)
        .args(["-c", DEPLOY, &url, TEMPLATE, &name, "cc-acme-7f3a", console])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "deploy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outputs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let breakglass = RoleArn::parse(outputs["BreakglassRoleArn"].as_str().unwrap()).unwrap();
    assert!(
        breakglass.as_str().ends_with(&format!(":role/{name}-bg")),
        "{breakglass}"
    );
    assert!(
        outputs["ReadRoleArn"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":role/{name}-read"))
    );
    assert!(
        outputs["SsoAdminRoleArn"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":role/{name}-sso"))
    );

    let sdk = emulator_sdk_config(&url).await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let role = iam.get_role().role_name(format!("{name}-bg")).send().await.unwrap();
    let role = role.role().unwrap();
    assert_eq!(
        role.max_session_duration(),
        Some(3600),
        "role chaining caps sessions at an hour"
    );
    let trust = urlencoding_decode(role.assume_role_policy_document().unwrap());
    for action in [
        "sts:AssumeRole",
        "sts:SetSourceIdentity",
        "sts:TagSession",
        "cc-acme-7f3a",
    ] {
        assert!(trust.contains(action), "{action} in {trust}");
    }
    // (moto's CloudFormation ignores a role's ManagedPolicyArns; test_onboarding.py checks them.)

    // The read role: the external id for CLI profiles, and console switch-role (which cannot
    // send one) for the named team principals only; without any named, no such statement.
    let read_trust = |role: String| {
        let iam = iam.clone();
        async move {
            let got = iam.get_role().role_name(role).send().await.unwrap();
            urlencoding_decode(got.role().unwrap().assume_role_policy_document().unwrap())
        }
    };
    let read = read_trust(format!("{name}-read")).await;
    for part in ["cc-acme-7f3a", "TeamConsoleSwitchRole", "aws:PrincipalArn", console] {
        assert!(read.contains(part), "{part} in {read}");
    }
    let plain = format!("{name}-plain");
    let out = Command::new(&python)
        .args(["-c", DEPLOY, &url, TEMPLATE, &plain, "cc-acme-7f3a", ""])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "deploy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = read_trust(format!("{plain}-read")).await;
    assert!(
        read.contains("cc-acme-7f3a") && !read.contains("TeamConsoleSwitchRole"),
        "{read}"
    );

    let external_id = ExternalId::parse("cc-acme-7f3a").unwrap();
    let broker: Arc<dyn AccessBroker> = Arc::new(StsBroker::new(aws_sdk_sts::Client::new(&sdk), "http://127.0.0.1:1"));
    let creds = broker
        .assume(&Assume {
            role_arn: breakglass.clone(),
            external_id: Some(external_id.clone()),
            session_name: "cc-erin@example.com".into(),
            source_identity: "erin@example.com".into(),
            duration_seconds: 3600,
            request_id: "01jonboardingrequest".into(),
        })
        .await
        .unwrap();
    assert!(!creds.session_token.is_empty());

    let guard = IamRoleGuard::new(sdk.clone(), broker.clone()).with_settle(std::time::Duration::ZERO);
    let at = time::OffsetDateTime::now_utc();
    guard
        .end_sessions(&breakglass, Some(&external_id), "erin@example.com", at)
        .await
        .unwrap();
    let inline = iam
        .list_role_policies()
        .role_name(format!("{name}-bg"))
        .send()
        .await
        .unwrap();
    let mut names: Vec<_> = inline.policy_names().to_vec();
    names.sort();
    assert_eq!(
        names,
        ["CustomerCentralEndSessions".to_string(), POLICY_NAME.to_string()]
    );
    let deny = iam
        .get_role_policy()
        .role_name(format!("{name}-bg"))
        .policy_name(POLICY_NAME)
        .send()
        .await
        .unwrap();
    let deny = urlencoding_decode(deny.policy_document());
    assert!(
        deny.contains("erin@example.com") && deny.contains("aws:TokenIssueTime"),
        "{deny}"
    );
}

/// IAM returns policy documents URL-encoded (RFC 3986); moto may or may not.
fn urlencoding_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("d={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
