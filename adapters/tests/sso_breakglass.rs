//! SSO breakglass through the domain service on the local ports (embedded store, local Identity
//! Center): a breakglass permission set is in the requester's profiles and console links only
//! while the grant is active; requests name a breakglass permission set; a failed assignment or
//! removal is visible on the request and retried by the sweeper; nothing is half-granted.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};

use async_trait::async_trait;
use cc_adapters::local_access::LocalSsoAssigner;
use cc_domain::access::ports::{SsoAssigner, SsoError, SsoTarget};
use cc_domain::access::service::{AuditQuery, Origin};
use cc_domain::access::sso::{AssignmentState, SsoStep};
use cc_domain::access::{AccessRequest, ApprovalPolicy, NewRequest, Status, Verdict};
use cc_domain::config::Config;
use cc_domain::hub::{AccessMethod, Environment, IdentityCenter, NewAccount, NewCustomer, TeamUpdate};
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::*;
use cc_domain::page::PageRequest;
use cc_domain::profiles::Kind;
use cc_domain::profiles::service::ProfileQuery;
use cc_domain::store::ItemStore;
use cc_domain::{App, Clock, Error};
use time::{Duration, OffsetDateTime};

const SSO_ACCOUNT: &str = "222222222222";
const BARE_SSO_ACCOUNT: &str = "333333333333";
const ROLE_ACCOUNT: &str = "444444444444";

fn person(email: &str, roles: &[Role]) -> Principal {
    Principal {
        email: Email::parse(email).unwrap(),
        subject: email.into(),
        roles: roles.iter().copied().collect(),
    }
}
fn admin() -> Principal {
    person("ada@example.com", &[Role::Admin])
}
fn erin() -> Principal {
    person("erin@example.com", &[Role::Engineer])
}
fn senior(n: usize) -> Principal {
    person(&format!("senior{n}@example.com"), &[Role::Engineer, Role::Senior])
}
fn lead() -> Principal {
    person("lee@example.com", &[Role::Engineer, Role::Senior, Role::Lead])
}
fn all() -> PageRequest {
    PageRequest::new(Some(200), None).unwrap()
}
fn o() -> Origin {
    Origin::default()
}

/// The local Identity Center, failing on demand (a user missing from the identity store, a
/// deletion Identity Center refuses).
struct Flaky {
    inner: LocalSsoAssigner,
    fail_assign: AtomicBool,
    fail_unassign: AtomicBool,
    unassign_calls: AtomicUsize,
}

#[async_trait]
impl SsoAssigner for Flaky {
    async fn assign(&self, target: &SsoTarget, user: &Email) -> Result<(), SsoError> {
        if self.fail_assign.load(Ordering::SeqCst) {
            return Err(SsoError::UserNotFound {
                user: user.to_string(),
                identity_store: target.identity_store_id.to_string(),
                attribute: "userName",
            });
        }
        self.inner.assign(target, user).await
    }
    async fn unassign(&self, target: &SsoTarget, user: &Email) -> Result<(), SsoError> {
        self.unassign_calls.fetch_add(1, Ordering::SeqCst);
        if self.fail_unassign.load(Ordering::SeqCst) {
            return Err(SsoError::Failed("DeleteAccountAssignment failed: throttled".into()));
        }
        self.inner.unassign(target, user).await
    }
}

struct Env {
    app: App,
    sso: Arc<Flaky>,
    /// Seconds added to the clock.
    offset: Arc<AtomicI64>,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let items: Arc<dyn ItemStore> =
        Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap());
    let sso = Arc::new(Flaky {
        inner: LocalSsoAssigner { store: items.clone() },
        fail_assign: AtomicBool::new(false),
        fail_unassign: AtomicBool::new(false),
        unassign_calls: AtomicUsize::new(0),
    });
    let mut ports = cc_adapters::local_access::ports(items.clone(), "http://127.0.0.1:1");
    ports.sso = sso.clone();
    let config = Config::from_lookup(|_| None).unwrap();
    let offset = Arc::new(AtomicI64::new(0));
    let app = App::new(config, items, Clock::shifted(offset.clone())).with_access(ports);
    seed(&app).await;
    Env {
        app,
        sso,
        offset,
        _dir: dir,
    }
}

fn sso_access(breakglass: &[&str]) -> AccessMethod {
    AccessMethod::Sso {
        start_url: HttpsUrl::parse("https://acme.awsapps.com/start").unwrap(),
        sso_region: Region::parse("eu-west-1").unwrap(),
        permission_sets: vec![PermissionSetName::parse("ReadOnlyAccess").unwrap()],
        breakglass_permission_sets: breakglass
            .iter()
            .map(|p| PermissionSetName::parse(*p).unwrap())
            .collect(),
        identity_center: Some(IdentityCenter {
            instance_arn: SsoInstanceArn::parse("arn:aws:sso:::instance/ssoins-0123456789abcdef").unwrap(),
            identity_store_id: IdentityStoreId::parse("d-0123456789").unwrap(),
            admin_role_arn: RoleArn::parse("arn:aws:iam::999999999999:role/CustomerCentralSsoAdmin").unwrap(),
            external_id: Some(ExternalId::parse("cc-acme-sso").unwrap()),
        }),
    }
}

async fn seed(app: &App) {
    app.hub
        .create_customer(
            &admin(),
            serde_json::from_value::<NewCustomer>(serde_json::json!({"code": "acme", "name": "Acme"})).unwrap(),
        )
        .await
        .unwrap();
    for (id, access) in [
        (SSO_ACCOUNT, sso_access(&["SRE-Breakglass"])),
        (BARE_SSO_ACCOUNT, sso_access(&[])),
        (
            ROLE_ACCOUNT,
            AccessMethod::Role {
                read_role_arn: RoleArn::parse(format!("arn:aws:iam::{ROLE_ACCOUNT}:role/CCRead")).unwrap(),
                breakglass_role_arn: RoleArn::parse(format!("arn:aws:iam::{ROLE_ACCOUNT}:role/CCBreakglass")).unwrap(),
                external_id: ExternalId::parse("cc-acme-1").unwrap(),
                max_session_seconds: 3600,
            },
        ),
    ] {
        app.hub
            .create_account(
                &admin(),
                NewAccount {
                    id: AccountId::parse(id).unwrap(),
                    customer: CustomerCode::parse("acme").unwrap(),
                    name: format!("workload {id}"),
                    alias: None,
                    environment: Environment::Prod,
                    region: Region::parse("eu-west-1").unwrap(),
                    management_account: false,
                    delegated_admin_services: vec![],
                    access,
                },
            )
            .await
            .unwrap();
    }
    let members = [erin(), senior(1), senior(2)].map(|p| p.email).to_vec();
    app.hub
        .put_team(&admin(), "acme", TeamUpdate { members, version: 0 })
        .await
        .unwrap();
    let policy = ApprovalPolicy {
        approvals_required: 2,
        ..Default::default()
    };
    app.access()
        .unwrap()
        .put_policy(&admin(), "acme", policy, &o())
        .await
        .unwrap();
}

fn ask(account: &str, permission_set: Option<&str>) -> NewRequest {
    NewRequest {
        account_id: AccountId::parse(account).unwrap(),
        duration_minutes: 60,
        justification: "Payments queue stuck, need to purge the dead-letter queue".into(),
        ticket: Some("OPS-42".into()),
        starts_at: None,
        permission_set: permission_set.map(|p| PermissionSetName::parse(p).unwrap()),
    }
}

/// Asks and gets both approvals; returns the request as the second approval left it.
async fn approved(app: &App) -> AccessRequest {
    let access = app.access().unwrap();
    let r = access.create(&erin(), ask(SSO_ACCOUNT, None), &o()).await.unwrap();
    assert_eq!(r.status, Status::Pending);
    access
        .decide(&senior(1), &r.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    access
        .decide(&senior(2), &r.id, Verdict::Approve, "ok", &o())
        .await
        .unwrap()
}

/// Names of the SSO profiles for `who` that assume the breakglass permission set.
async fn breakglass_profiles(app: &App, who: &Principal) -> Vec<String> {
    let set = app.profiles.generate(who, &ProfileQuery::default()).await.unwrap();
    set.profiles
        .iter()
        .filter(|p| {
            p.settings
                .iter()
                .any(|(k, v)| k == "sso_role_name" && v == "SRE-Breakglass")
        })
        .map(|p| p.name.clone())
        .collect()
}

async fn breakglass_links(app: &App, who: &Principal) -> Vec<String> {
    app.hub
        .console_links(who, SSO_ACCOUNT, &all())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|l| l.role_name == "SRE-Breakglass")
        .map(|l| l.url)
        .collect()
}

async fn local_assignments(env: &Env) -> Vec<(String, String)> {
    env.sso.inner.assignments(SSO_ACCOUNT).await.unwrap()
}

fn erin_holds() -> Vec<(String, String)> {
    vec![("SRE-Breakglass".to_string(), "erin@example.com".to_string())]
}

async fn audit_actions(app: &App, id: &str) -> Vec<String> {
    let now = OffsetDateTime::now_utc();
    let q = AuditQuery {
        request: None,
        customer: Some("acme".into()),
        account: Some(SSO_ACCOUNT.into()),
        actor: None,
        from: now - Duration::hours(1),
        to: now + Duration::minutes(1),
    };
    let events = app.access().unwrap().audit(&lead(), &q, &all()).await.unwrap().items;
    events
        .iter()
        .rev()
        .filter(|e| e.request_id.as_deref() == Some(id))
        .map(|e| e.action.clone())
        .collect()
}

#[tokio::test]
async fn breakglass_permission_set_is_in_profiles_and_links_only_during_the_grant() {
    let env = env().await;
    let app = &env.app;
    let access = app.access().unwrap();

    // Before any grant: standing read access only, for everyone.
    assert!(breakglass_profiles(app, &erin()).await.is_empty());
    assert!(breakglass_links(app, &erin()).await.is_empty());
    let links = app.hub.console_links(&erin(), SSO_ACCOUNT, &all()).await.unwrap().items;
    assert_eq!(links.len(), 1, "the standing permission set's link only");

    // One approval of two: nothing assigned yet.
    let r = access.create(&erin(), ask(SSO_ACCOUNT, None), &o()).await.unwrap();
    let sso = r.sso.clone().expect("an SSO grant");
    assert_eq!(
        (sso.permission_set.as_str(), sso.assignment),
        ("SRE-Breakglass", AssignmentState::NotAssigned)
    );
    access
        .decide(&senior(1), &r.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    assert!(local_assignments(&env).await.is_empty());
    assert!(breakglass_profiles(app, &erin()).await.is_empty());

    // The second approval grants: assigned first, then active.
    let active = access
        .decide(&senior(2), &r.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    assert_eq!(active.status, Status::Active);
    assert_eq!(active.sso.as_ref().unwrap().assignment, AssignmentState::Assigned);
    assert_eq!(local_assignments(&env).await, erin_holds());
    assert_eq!(
        breakglass_profiles(app, &erin()).await,
        ["acme-workload-222222222222-sre-breakglass"]
    );
    let set = app.profiles.generate(&erin(), &ProfileQuery::default()).await.unwrap();
    let bg = set
        .profiles
        .iter()
        .find(|p| p.name.ends_with("sre-breakglass"))
        .unwrap();
    assert_eq!(bg.kind, Kind::Breakglass);
    assert!(set.to_ini().contains("sso_role_name = SRE-Breakglass"));
    let portal = "https://acme.awsapps.com/start/#/console?account_id=222222222222&role_name=SRE-Breakglass";
    assert_eq!(breakglass_links(app, &erin()).await, [portal]);
    // Only for the person holding the grant.
    assert!(breakglass_profiles(app, &senior(1)).await.is_empty());
    assert!(breakglass_links(app, &senior(1)).await.is_empty());

    // Credentials come from the SSO portal; the console link is the portal's deep link.
    let err = access.credentials(&erin(), &r.id, &o()).await.unwrap_err();
    assert_eq!(err.code(), "sso_grant");
    assert!(err.to_string().contains("SRE-Breakglass"), "{err}");
    assert_eq!(access.console_link(&erin(), &r.id, &o()).await.unwrap(), portal);
    assert!(matches!(
        access.console_link(&senior(1), &r.id, &o()).await.unwrap_err(),
        Error::Forbidden(_)
    ));

    // Revoked: the assignment is deleted and the set leaves profiles and links.
    let ended = access.revoke(&erin(), &r.id, "done", &o()).await.unwrap();
    assert_eq!(ended.status, Status::Ended);
    assert_eq!(
        ended.sso.as_ref().unwrap().assignment,
        AssignmentState::Removed,
        "the answer says so"
    );
    assert!(local_assignments(&env).await.is_empty());
    assert!(breakglass_profiles(app, &erin()).await.is_empty());
    assert!(breakglass_links(app, &erin()).await.is_empty());
    let after = access.get(&erin(), &r.id).await.unwrap();
    assert_eq!(after.sso.as_ref().unwrap().assignment, AssignmentState::Removed);
    assert!(after.history.iter().any(|h| h.what.contains("assignment removed")));
    assert_eq!(
        audit_actions(app, &r.id).await,
        [
            "request_created",
            "approved",
            "approved",
            "granted",
            "credentials_refused",
            "console_link_issued",
            "console_link_refused",
            "revoked",
            "sso_unassigned"
        ]
    );
    // Nothing left for the sweeper.
    let report = access.sweep().await.unwrap();
    assert_eq!((report.assignments_removed, report.failures), (0, 0));
}

#[tokio::test]
async fn requests_name_a_breakglass_permission_set_of_the_account() {
    let env = env().await;
    let access = env.app.access().unwrap();
    let field = |e: Error| match e {
        Error::Validation {
            field: Some(f),
            message,
        } => (f, message),
        other => panic!("not a validation error: {other}"),
    };

    let (f, m) = field(
        access
            .create(&erin(), ask(SSO_ACCOUNT, Some("Admin")), &o())
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "permission_set");
    assert!(m.contains("'Admin'") && m.contains("SRE-Breakglass"), "{m}");
    let (f, m) = field(
        access
            .create(&erin(), ask(SSO_ACCOUNT, Some("ReadOnlyAccess")), &o())
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "permission_set");
    assert!(m.contains("standing"), "{m}");
    let (f, m) = field(
        access
            .create(&erin(), ask(BARE_SSO_ACCOUNT, None), &o())
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "account_id");
    assert!(m.contains("no breakglass permission sets"), "{m}");
    let (f, _) = field(
        access
            .create(&erin(), ask(ROLE_ACCOUNT, Some("SRE-Breakglass")), &o())
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "permission_set");

    // Named explicitly, or left out when the account has exactly one.
    let named = access
        .create(&erin(), ask(SSO_ACCOUNT, Some("SRE-Breakglass")), &o())
        .await
        .unwrap();
    assert_eq!(named.sso.unwrap().permission_set.as_str(), "SRE-Breakglass");
    // The role account's requests are as before.
    let role = access.create(&erin(), ask(ROLE_ACCOUNT, None), &o()).await.unwrap();
    assert!(role.sso.is_none());
}

#[tokio::test]
async fn a_failed_assignment_is_visible_and_retried_by_the_sweeper() {
    let env = env().await;
    let app = &env.app;
    let access = app.access().unwrap();
    env.sso.fail_assign.store(true, Ordering::SeqCst);

    // The last approval stands; the grant does not happen; the request says why.
    let r = approved(app).await;
    assert_eq!(r.status, Status::Approved);
    let failure = r
        .sso
        .as_ref()
        .unwrap()
        .failure
        .clone()
        .expect("the failure is on the request");
    assert_eq!(
        (failure.step, failure.kind.as_str(), failure.attempts),
        (SsoStep::Assign, "user_not_found", 1)
    );
    assert!(failure.message.contains("erin@example.com"), "{}", failure.message);
    assert!(
        r.history
            .last()
            .unwrap()
            .what
            .contains("could not assign SRE-Breakglass")
    );
    assert!(local_assignments(&env).await.is_empty());
    assert!(breakglass_profiles(app, &erin()).await.is_empty());
    assert!(
        audit_actions(app, &r.id)
            .await
            .contains(&"sso_assign_failed".to_string())
    );
    assert_eq!(
        access.console_link(&erin(), &r.id, &o()).await.unwrap_err().code(),
        "request_not_active"
    );

    // The retry waits (15 s, doubling per attempt), so a failing Identity Center is not hammered.
    let report = access.sweep().await.unwrap();
    assert_eq!((report.granted, report.failures), (0, 0));
    assert_eq!(
        access.get(&erin(), &r.id).await.unwrap().version,
        r.version,
        "not tried again yet"
    );

    // Still failing: counted, not repeated in the history.
    env.offset.store(16, Ordering::SeqCst);
    let report = access.sweep().await.unwrap();
    assert_eq!((report.granted, report.failures), (0, 1));
    let again = access.get(&erin(), &r.id).await.unwrap();
    assert_eq!(again.status, Status::Approved);
    assert_eq!(again.sso.as_ref().unwrap().failure.as_ref().unwrap().attempts, 2);
    let lines = |r: &AccessRequest| r.history.iter().filter(|h| h.what.contains("could not assign")).count();
    assert_eq!(lines(&again), 1);

    // The user now exists: the next try (30 s later) grants.
    env.sso.fail_assign.store(false, Ordering::SeqCst);
    let report = access.sweep().await.unwrap();
    assert_eq!(
        (report.granted, report.failures),
        (0, 0),
        "the second retry is not due yet"
    );
    env.offset.store(16 + 31, Ordering::SeqCst);
    let report = access.sweep().await.unwrap();
    assert_eq!((report.granted, report.failures), (1, 0));
    let granted = access.get(&erin(), &r.id).await.unwrap();
    assert_eq!(granted.status, Status::Active);
    let sso = granted.sso.as_ref().unwrap();
    assert_eq!(
        (sso.assignment, sso.failure.is_none()),
        (AssignmentState::Assigned, true)
    );
    assert_eq!(local_assignments(&env).await, erin_holds());
    assert_eq!(breakglass_profiles(app, &erin()).await.len(), 1);
}

#[tokio::test]
async fn a_failed_removal_is_visible_and_retried_until_it_succeeds() {
    let env = env().await;
    let app = &env.app;
    let access = app.access().unwrap();
    let r = approved(app).await;
    assert_eq!(r.status, Status::Active);

    env.sso.fail_unassign.store(true, Ordering::SeqCst);
    let ended = access.revoke(&lead(), &r.id, "incident closed", &o()).await.unwrap();
    assert_eq!(ended.status, Status::Ended);
    // The grant is over (no profile), but Identity Center still has the assignment: visible.
    assert!(breakglass_profiles(app, &erin()).await.is_empty());
    assert_eq!(local_assignments(&env).await, erin_holds());
    let seen = access.get(&lead(), &r.id).await.unwrap();
    let sso = seen.sso.as_ref().unwrap();
    assert_eq!(sso.assignment, AssignmentState::Assigned);
    let failure = sso.failure.as_ref().unwrap();
    assert_eq!((failure.step, failure.kind.as_str()), (SsoStep::Unassign, "failed"));
    assert!(
        seen.history
            .last()
            .unwrap()
            .what
            .contains("could not remove the SRE-Breakglass assignment")
    );
    assert!(
        audit_actions(app, &r.id)
            .await
            .contains(&"sso_unassign_failed".to_string())
    );

    let report = access.sweep().await.unwrap();
    assert_eq!((report.assignments_removed, report.failures), (0, 1));
    assert_eq!(local_assignments(&env).await, erin_holds());

    env.sso.fail_unassign.store(false, Ordering::SeqCst);
    let report = access.sweep().await.unwrap();
    assert_eq!((report.assignments_removed, report.failures), (1, 0));
    assert!(local_assignments(&env).await.is_empty());
    let done = access.get(&lead(), &r.id).await.unwrap();
    let sso = done.sso.as_ref().unwrap();
    assert_eq!(
        (sso.assignment, sso.failure.is_none()),
        (AssignmentState::Removed, true)
    );
    // And then the sweeper leaves it alone.
    let calls = env.sso.unassign_calls.load(Ordering::SeqCst);
    let report = access.sweep().await.unwrap();
    assert_eq!(report.assignments_removed, 0);
    assert_eq!(env.sso.unassign_calls.load(Ordering::SeqCst), calls);
}

#[tokio::test]
async fn a_request_cancelled_after_a_failed_assignment_leaves_nothing_behind() {
    let env = env().await;
    let app = &env.app;
    let access = app.access().unwrap();
    env.sso.fail_assign.store(true, Ordering::SeqCst);
    let r = approved(app).await;
    assert_eq!(r.status, Status::Approved);
    access.cancel(&erin(), &r.id, &o()).await.unwrap();
    env.sso.fail_assign.store(false, Ordering::SeqCst);
    // The sweeper makes sure no assignment exists for it, once, and never grants it.
    let report = access.sweep().await.unwrap();
    assert_eq!((report.granted, report.assignments_removed, report.failures), (0, 1, 0));
    assert!(local_assignments(&env).await.is_empty());
    let report = access.sweep().await.unwrap();
    assert_eq!(report.assignments_removed, 0);
    assert_eq!(access.get(&erin(), &r.id).await.unwrap().status, Status::Cancelled);
}

#[tokio::test]
async fn an_expired_sso_grant_loses_its_assignment() {
    let env = env().await;
    let app = &env.app;
    let access = app.access().unwrap();
    let r = approved(app).await;
    assert_eq!(local_assignments(&env).await, erin_holds());
    // Not due yet: the sweeper leaves it.
    assert_eq!(access.sweep().await.unwrap().expired, 0);
    assert_eq!(local_assignments(&env).await, erin_holds());
    // Past its end (even before the sweeper runs, profiles stop offering it).
    env.offset.store(61 * 60, Ordering::SeqCst);
    assert!(breakglass_profiles(app, &erin()).await.is_empty());
    let report = access.sweep().await.unwrap();
    assert_eq!((report.expired, report.failures), (1, 0));
    assert!(local_assignments(&env).await.is_empty());
    let ended = access.get(&erin(), &r.id).await.unwrap();
    assert_eq!(ended.status, Status::Ended);
    assert_eq!(ended.sso.unwrap().assignment, AssignmentState::Removed);
}
