//! SSO breakglass against moto's IAM Identity Center (sso-admin + identitystore), reached through
//! an admin role assumed with STS: the assigner on its own (assign, idempotence, removal, a user
//! missing from the identity store, an unknown permission set, lookup by e-mail), then the whole
//! flow through the domain service on DynamoDB: a grant creates the account assignment, the end
//! deletes it, and a grant that failed because the user was missing succeeds on the sweeper's
//! retry once the user exists.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use cc_adapters::sso::{Polling, SsoAdminAssigner};
use cc_adapters::sts::StsBroker;
use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};
use cc_domain::access::ports::{AccessBroker, SsoAssigner, SsoError, SsoTarget};
use cc_domain::access::service::Origin;
use cc_domain::access::sso::AssignmentState;
use cc_domain::access::{ApprovalPolicy, NewRequest, Status, Verdict};
use cc_domain::config::{Config, SsoUserAttribute};
use cc_domain::hub::{AccessMethod, Environment, IdentityCenter, NewAccount, NewCustomer, TeamUpdate};
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::*;
use cc_domain::profiles::service::ProfileQuery;
use cc_domain::store::ItemStore;
use cc_domain::{App, Clock};

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity","sts:TagSession"]}]}"#;

/// What a test needs of moto's Identity Center: the instance, an admin role, a permission set.
struct IdentityCenterFixture {
    sdk: aws_config::SdkConfig,
    instance_arn: String,
    identity_store_id: String,
    admin_role: RoleArn,
    permission_set: String,
    permission_set_arn: String,
    suffix: String,
}

async fn fixture(url: &str) -> IdentityCenterFixture {
    let sdk = emulator_sdk_config(url).await;
    let suffix = new_ulid().to_string()[18..].to_lowercase();
    let admin = aws_sdk_ssoadmin::Client::new(&sdk);
    let instances = admin.list_instances().send().await.unwrap();
    let instance = &instances.instances()[0];
    let instance_arn = instance.instance_arn().unwrap().to_string();
    let identity_store_id = instance.identity_store_id().unwrap().to_string();
    let permission_set = format!("SRE-Breakglass-{suffix}");
    let created = admin
        .create_permission_set()
        .instance_arn(&instance_arn)
        .name(&permission_set)
        .session_duration("PT1H")
        .send()
        .await
        .unwrap();
    let permission_set_arn = created
        .permission_set()
        .unwrap()
        .permission_set_arn()
        .unwrap()
        .to_string();
    // Another permission set first in the listing, so the lookup by name has to look.
    admin
        .create_permission_set()
        .instance_arn(&instance_arn)
        .name(format!("ReadOnly-{suffix}"))
        // moto answers a defaulted session duration as a number, which the SDK refuses.
        .session_duration("PT1H")
        .send()
        .await
        .unwrap();
    let role = aws_sdk_iam::Client::new(&sdk)
        .create_role()
        .role_name(format!("CCSsoAdmin{suffix}"))
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .unwrap();
    IdentityCenterFixture {
        admin_role: RoleArn::parse(role.role().unwrap().arn()).unwrap(),
        sdk,
        instance_arn,
        identity_store_id,
        permission_set,
        permission_set_arn,
        suffix,
    }
}

impl IdentityCenterFixture {
    async fn create_user(&self, user_name: &str, email: &str) -> String {
        use aws_sdk_identitystore::types::{Email as UserEmail, Name};
        aws_sdk_identitystore::Client::new(&self.sdk)
            .create_user()
            .identity_store_id(&self.identity_store_id)
            .user_name(user_name)
            .display_name("Erin Engineer")
            .name(Name::builder().given_name("Erin").family_name("Engineer").build())
            .emails(UserEmail::builder().value(email).primary(true).build())
            .send()
            .await
            .unwrap()
            .user_id()
            .to_string()
    }

    /// The principals holding the permission set on `account`.
    async fn assigned(&self, account: &str) -> Vec<String> {
        aws_sdk_ssoadmin::Client::new(&self.sdk)
            .list_account_assignments()
            .instance_arn(&self.instance_arn)
            .account_id(account)
            .permission_set_arn(&self.permission_set_arn)
            .send()
            .await
            .unwrap()
            .account_assignments()
            .iter()
            .filter_map(|a| a.principal_id().map(str::to_string))
            .collect()
    }

    fn assigner(&self, attribute: SsoUserAttribute) -> SsoAdminAssigner {
        let broker: Arc<dyn AccessBroker> = Arc::new(StsBroker::new(
            aws_sdk_sts::Client::new(&self.sdk),
            "http://127.0.0.1:1",
        ));
        SsoAdminAssigner::new(self.sdk.clone(), broker, attribute).with_polling(Polling {
            attempts: 5,
            first: StdDuration::from_millis(20),
            max: StdDuration::from_millis(100),
        })
    }

    fn identity_center(&self) -> IdentityCenter {
        IdentityCenter {
            instance_arn: SsoInstanceArn::parse(&self.instance_arn).unwrap(),
            identity_store_id: IdentityStoreId::parse(&self.identity_store_id).unwrap(),
            admin_role_arn: self.admin_role.clone(),
            external_id: Some(ExternalId::parse("cc-acme-sso").unwrap()),
        }
    }

    fn target(&self, account: &str, permission_set: &str) -> SsoTarget {
        let ic = self.identity_center();
        SsoTarget {
            instance_arn: ic.instance_arn,
            identity_store_id: ic.identity_store_id,
            region: Region::parse("us-east-1").unwrap(),
            admin_role_arn: ic.admin_role_arn,
            admin_external_id: ic.external_id,
            account_id: AccountId::parse(account).unwrap(),
            permission_set: PermissionSetName::parse(permission_set).unwrap(),
            request_id: "01jtestrequest".into(),
        }
    }
}

#[tokio::test]
async fn identity_center_assigner_on_moto() {
    let Some(url) = test_emulator_url() else { return };
    let ic = fixture(&url).await;
    let account = "555555555555";
    let email = Email::parse(format!("erin-{}@example.com", ic.suffix)).unwrap();
    let assigner = ic.assigner(SsoUserAttribute::UserName);
    let target = ic.target(account, &ic.permission_set);

    // Not in the identity store yet.
    let missing = assigner.assign(&target, &email).await.unwrap_err();
    assert!(matches!(missing, SsoError::UserNotFound { .. }), "{missing}");
    assert!(missing.to_string().contains(email.as_str()));
    assert!(ic.assigned(account).await.is_empty());

    let user_id = ic.create_user(email.as_str(), email.as_str()).await;
    assigner.assign(&target, &email).await.unwrap();
    assert_eq!(ic.assigned(account).await, std::slice::from_ref(&user_id));
    // Idempotent: assigning again changes nothing.
    assigner.assign(&target, &email).await.unwrap();
    assert_eq!(ic.assigned(account).await, std::slice::from_ref(&user_id));

    assigner.unassign(&target, &email).await.unwrap();
    assert!(ic.assigned(account).await.is_empty());
    // Removing what is not there succeeds.
    assigner.unassign(&target, &email).await.unwrap();

    let unknown = assigner
        .assign(&ic.target(account, &format!("Nope-{}", ic.suffix)), &email)
        .await
        .unwrap_err();
    assert!(matches!(unknown, SsoError::UnknownPermissionSet { .. }), "{unknown}");

    // Looked up by e-mail instead of user name.
    let other = Email::parse(format!("sam-{}@example.com", ic.suffix)).unwrap();
    let sam = ic.create_user(&format!("sam-{}", ic.suffix), other.as_str()).await;
    assert!(matches!(
        assigner.assign(&target, &other).await.unwrap_err(),
        SsoError::UserNotFound { .. }
    ));
    ic.assigner(SsoUserAttribute::Email)
        .assign(&target, &other)
        .await
        .unwrap();
    assert_eq!(ic.assigned(account).await, [sam]);
}

fn person(email: &str, roles: &[Role]) -> Principal {
    Principal {
        email: Email::parse(email).unwrap(),
        subject: email.into(),
        roles: roles.iter().copied().collect(),
    }
}

#[tokio::test]
async fn sso_breakglass_flow_on_moto() {
    let Some(url) = test_emulator_url() else { return };
    let ic = fixture(&url).await;
    let account = "666666666666";
    let admin = person("ada@example.com", &[Role::Admin]);
    let erin = person(&format!("erin-{}@example.com", ic.suffix), &[Role::Engineer]);
    let senior = person("senior1@example.com", &[Role::Engineer, Role::Senior]);

    // The service on DynamoDB (moto), with the Identity Center assigner on moto.
    let table = format!("sso-{}", new_ulid()).to_lowercase();
    let items = cc_adapters::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&ic.sdk), &table);
    items.ensure_table().await.unwrap();
    let items: Arc<dyn ItemStore> = Arc::new(items);
    let mut ports = cc_adapters::local_access::ports(items.clone(), "http://127.0.0.1:1");
    ports.sso = Arc::new(ic.assigner(SsoUserAttribute::UserName));
    let offset = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let app = App::new(
        Config::from_lookup(|_| None).unwrap(),
        items,
        Clock::shifted(offset.clone()),
    )
    .with_access(ports);
    let access = app.access().unwrap();

    app.hub
        .create_customer(
            &admin,
            serde_json::from_value::<NewCustomer>(serde_json::json!({"code": "acme", "name": "Acme"})).unwrap(),
        )
        .await
        .unwrap();
    app.hub
        .create_account(
            &admin,
            NewAccount {
                id: AccountId::parse(account).unwrap(),
                customer: CustomerCode::parse("acme").unwrap(),
                name: "payments prod".into(),
                alias: None,
                environment: Environment::Prod,
                region: Region::parse("eu-west-1").unwrap(),
                management_account: false,
                delegated_admin_services: vec![],
                access: AccessMethod::Sso {
                    start_url: HttpsUrl::parse("https://acme.awsapps.com/start").unwrap(),
                    sso_region: Region::parse("us-east-1").unwrap(),
                    permission_sets: vec![PermissionSetName::parse("ReadOnlyAccess").unwrap()],
                    breakglass_permission_sets: vec![PermissionSetName::parse(&ic.permission_set).unwrap()],
                    identity_center: Some(ic.identity_center()),
                },
            },
        )
        .await
        .unwrap();
    app.hub
        .put_team(
            &admin,
            "acme",
            TeamUpdate {
                members: vec![erin.email.clone(), senior.email.clone()],
                version: 0,
            },
        )
        .await
        .unwrap();
    access
        .put_policy(&admin, "acme", ApprovalPolicy::default(), &Origin::default())
        .await
        .unwrap();

    let ask = NewRequest {
        account_id: AccountId::parse(account).unwrap(),
        duration_minutes: 60,
        justification: "Payments queue stuck, need to purge the dead-letter queue".into(),
        ticket: None,
        starts_at: None,
        permission_set: None,
    };
    let r = access.create(&erin, ask, &Origin::default()).await.unwrap();

    // Erin is not in the customer's identity store: approved, not granted, and it says why.
    let decided = access
        .decide(&senior, &r.id, Verdict::Approve, "", &Origin::default())
        .await
        .unwrap();
    assert_eq!(decided.status, Status::Approved);
    let failure = decided.sso.as_ref().unwrap().failure.clone().expect("visible failure");
    assert_eq!(failure.kind, "user_not_found");
    assert!(failure.message.contains(&ic.identity_store_id), "{}", failure.message);
    assert!(ic.assigned(account).await.is_empty());

    // Someone adds her; the sweeper's retry (after its 15 s back-off) grants.
    let user_id = ic.create_user(erin.email.as_str(), erin.email.as_str()).await;
    offset.store(16, std::sync::atomic::Ordering::SeqCst);
    let report = access.sweep().await.unwrap();
    assert_eq!((report.granted, report.failures), (1, 0));
    let active = access.get(&erin, &r.id).await.unwrap();
    assert_eq!(active.status, Status::Active);
    assert_eq!(active.sso.as_ref().unwrap().assignment, AssignmentState::Assigned);
    assert!(active.sso.as_ref().unwrap().failure.is_none());
    assert_eq!(ic.assigned(account).await, [user_id]);
    let profiles = app.profiles.generate(&erin, &ProfileQuery::default()).await.unwrap();
    assert!(
        profiles
            .to_ini()
            .contains(&format!("sso_role_name = {}", ic.permission_set))
    );

    // The end deletes the assignment.
    let ended = access.revoke(&erin, &r.id, "done", &Origin::default()).await.unwrap();
    assert_eq!(ended.status, Status::Ended);
    assert!(ic.assigned(account).await.is_empty());
    let after = access.get(&erin, &r.id).await.unwrap();
    assert_eq!(after.sso.as_ref().unwrap().assignment, AssignmentState::Removed);
    let profiles = app.profiles.generate(&erin, &ProfileQuery::default()).await.unwrap();
    assert!(!profiles.to_ini().contains(&ic.permission_set));
    assert_eq!(access.sweep().await.unwrap().failures, 0);
}
