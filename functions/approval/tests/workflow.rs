//! The breakglass state machine: the ASL file's structure, the task handlers, and a real run on
//! moto's Step Functions through our adapter: approval reaching the grant state, cancel stopping
//! the execution, and each path (approve, reject, time out, early revoke, transient and terminal
//! failures) run to its end with the handlers' answers.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use cc_adapters::sfn::SfnWorkflow;
use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};
use cc_domain::App;
use cc_domain::access::service::Origin;
use cc_domain::access::{NewRequest, Status, StepError, Verdict};
use cc_domain::config::Config;
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::{AccountId, Email};
use cc_domain::page::PageRequest;
use cc_domain::store::{Item, ItemStore, Page, Query, StoreError, StoreResult, Write};
use serde_json::{Value, json};

const ASL: &str = include_str!("../../../statemachine/breakglass.asl.json");
/// The functions the stack defines for the state machine's tasks (template.yaml and cdk/ pass
/// these substitutions).
const STACK_FUNCTIONS: &[&str] = &["ApprovalWorkflowFunctionArn"];

fn asl() -> Value {
    serde_json::from_str(ASL).expect("the ASL file is valid JSON")
}

fn targets(state: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(n) = state["Next"].as_str() {
        out.push(n.to_string());
    }
    if let Some(d) = state["Default"].as_str() {
        out.push(d.to_string());
    }
    for list in ["Catch", "Choices"] {
        for c in state[list].as_array().into_iter().flatten() {
            if let Some(n) = c["Next"].as_str() {
                out.push(n.to_string());
            }
        }
    }
    out
}

#[test]
fn every_state_exists_and_is_reachable() {
    let doc = asl();
    let states = doc["States"].as_object().unwrap();
    let start = doc["StartAt"].as_str().unwrap();
    assert!(states.contains_key(start));
    let mut seen = BTreeSet::new();
    let mut todo = vec![start.to_string()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let state = states
            .get(&name)
            .unwrap_or_else(|| panic!("transition to missing state {name}"));
        let terminal = state["End"] == json!(true) || matches!(state["Type"].as_str(), Some("Succeed" | "Fail"));
        let next = targets(state);
        assert!(terminal || !next.is_empty(), "{name} neither ends nor moves on");
        todo.extend(next);
    }
    let all: BTreeSet<String> = states.keys().cloned().collect();
    assert_eq!(seen, all, "unreachable states");
}

#[test]
fn every_task_resolves_to_a_stack_function_and_a_known_task() {
    let doc = asl();
    for (name, state) in doc["States"].as_object().unwrap() {
        if state["Type"] != "Task" {
            continue;
        }
        let function = state["Parameters"]["FunctionName"].as_str().unwrap();
        let placeholder = function.trim_start_matches("${").trim_end_matches('}');
        assert!(STACK_FUNCTIONS.contains(&placeholder), "{name}: {function}");
        // The payload, with paths filled in, is a task the handler understands.
        let mut payload = serde_json::Map::new();
        for (k, v) in state["Parameters"]["Payload"].as_object().unwrap() {
            let key = k.trim_end_matches(".$").to_string();
            let value = if k.ends_with(".$") {
                json!("01jzzzzzzzzzzzzzzzzzzzzzzz")
            } else {
                v.clone()
            };
            payload.insert(key, value);
        }
        serde_json::from_value::<approval::tasks::Task>(Value::Object(payload))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

fn person(email: &str, roles: &[Role]) -> Principal {
    Principal {
        email: Email::parse(email).unwrap(),
        subject: email.into(),
        roles: roles.iter().copied().collect(),
    }
}

async fn seed(app: &App) {
    let admin = person("ada@example.com", &[Role::Admin]);
    let customer = serde_json::from_value(json!({"code": "acme", "name": "Acme"})).unwrap();
    app.hub.create_customer(&admin, customer).await.unwrap();
    let account = serde_json::from_value(json!({
        "id": "012345678901", "customer": "acme", "name": "prod", "environment": "prod", "region": "eu-west-1",
        "access": {"method": "role", "read_role_arn": "arn:aws:iam::012345678901:role/R",
                   "breakglass_role_arn": "arn:aws:iam::012345678901:role/B", "external_id": "cc-acme-1"}}))
    .unwrap();
    app.hub.create_account(&admin, account).await.unwrap();
    let team = serde_json::from_value(json!({"members": TEAM, "version": 0})).unwrap();
    app.hub.put_team(&admin, "acme", team).await.unwrap();
}

/// Everyone these tests ask or decide as (breakglass is scoped to the customer's team).
const TEAM: &[&str] = &[
    "erin@example.com",
    "sam@example.com",
    "sue@example.com",
    "senior1@example.com",
    "senior2@example.com",
];

fn ask() -> NewRequest {
    NewRequest {
        account_id: AccountId::parse("012345678901").unwrap(),
        duration_minutes: 30,
        justification: "Restart the stuck ingestion workers in production".into(),
        ticket: None,
        starts_at: None,
        permission_set: None,
    }
}

#[tokio::test]
async fn task_handlers_grant_end_and_time_out_and_refuse_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let app = cc_adapters::wire::access(Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap())
        .await
        .unwrap();
    seed(&app).await;
    let erin = person("erin@example.com", &[Role::Engineer]);
    let r = app
        .access()
        .unwrap()
        .create(&erin, ask(), &Origin::default())
        .await
        .unwrap();
    // Granting a pending request is refused with the type the state machine catches.
    let err = approval::tasks::handle(&app, json!({"task": "grant", "request_id": r.id}))
        .await
        .unwrap_err();
    assert_eq!(err.kind, StepError::Closed);
    let senior = person("sam@example.com", &[Role::Senior]);
    app.access()
        .unwrap()
        .decide(&senior, &r.id, Verdict::Approve, "", &Origin::default())
        .await
        .unwrap();
    let out = approval::tasks::handle(&app, json!({"task": "grant", "request_id": r.id}))
        .await
        .unwrap();
    assert_eq!(out["status"], "active", "granting an active request returns it: {out}");
    assert!(out["ends_at"].is_string());
    let err = approval::tasks::handle(&app, json!({"task": "end", "request_id": r.id}))
        .await
        .unwrap_err();
    assert_eq!(err.kind, StepError::NotDue);
    let out = approval::tasks::handle(&app, json!({"task": "time_out", "request_id": r.id}))
        .await
        .unwrap();
    assert_eq!(out["status"], "active", "a decided request is not timed out");
    // The sweeper is the jobs function's now: a scheduled event here is a wiring mistake.
    let err = approval::tasks::handle(&app, json!({"source": "aws.events", "detail-type": "Scheduled Event"}))
        .await
        .unwrap_err();
    assert_eq!(err.kind, StepError::BadTask);
    let err = approval::tasks::handle(&app, json!({"task": "launch"}))
        .await
        .unwrap_err();
    assert_eq!(err.kind, StepError::BadTask);
    let err = approval::tasks::handle(&app, json!({"task": "grant", "request_id": "../etc"}))
        .await
        .unwrap_err();
    assert_eq!(err.kind, StepError::BadTask);
}

/// Creates a function in moto (its code never runs: moto is configured without Docker), in
/// `region` (`sdk`'s).
async fn moto_function(endpoint: &str, sdk: &aws_config::SdkConfig, name: &str) -> String {
    let region = sdk
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "us-east-1".into());
    let role = format!("{name}-role");
    aws_sdk_iam::Client::new(sdk)
        .create_role()
        .role_name(&role)
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    // A zip holding one stored file named bootstrap.
    const ZIP: &str = "UEsDBBQAAAAAAC1JeV2DFtyMAQAAAAEAAAAJAAAAYm9vdHN0cmFweFBLAQIUAxQAAAAAAC1JeV2DFtyMAQAAAAEAAAAJAAAAAAAAAAAAAACAAQAAAABib290c3RyYXBQSwUGAAAAAAEAAQA3AAAAKAAAAAAA";
    let http = cc_tls::reqwest_client().unwrap();
    let config = json!({"stepfunctions": {"execute_state_machine": true}, "lambda": {"use_docker": false}});
    let res = http
        .post(format!("{endpoint}/moto-api/config"))
        .json(&config)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    // moto routes by the credential scope of the (unchecked) signature.
    let res = http
        .post(format!("{endpoint}/2015-03-31/functions"))
        .header("authorization", format!("AWS4-HMAC-SHA256 Credential=testing/20261125/{region}/lambda/aws4_request, SignedHeaders=host, Signature=00"))
        .json(&json!({"FunctionName": name, "Runtime": "provided.al2023", "Role": format!("arn:aws:iam::123456789012:role/{role}"),
                      "Handler": "bootstrap", "Code": {"ZipFile": ZIP}}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["FunctionArn"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string()
}

async fn history(sfn: &aws_sdk_sfn::Client, arn: &str) -> Vec<aws_sdk_sfn::types::HistoryEvent> {
    sfn.get_execution_history()
        .execution_arn(arn)
        .send()
        .await
        .unwrap()
        .events()
        .to_vec()
}

async fn wait_for<F: Fn(&[aws_sdk_sfn::types::HistoryEvent]) -> bool>(
    sfn: &aws_sdk_sfn::Client,
    arn: &str,
    what: &str,
    f: F,
) -> Vec<aws_sdk_sfn::types::HistoryEvent> {
    for _ in 0..100 {
        let h = history(sfn, arn).await;
        if f(&h) {
            return h;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "execution never reached: {what}: {:?}",
        history(sfn, arn)
            .await
            .iter()
            .map(|e| e.r#type().as_str().to_string())
            .collect::<Vec<_>>()
    );
}

fn entered(h: &[aws_sdk_sfn::types::HistoryEvent], state: &str) -> bool {
    h.iter()
        .any(|e| e.state_entered_event_details().is_some_and(|d| d.name() == state))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_reaches_the_grant_state_on_moto_step_functions() {
    let Some(url) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&url).await;
    let sfn = aws_sdk_sfn::Client::new(&sdk);
    let suffix = cc_domain::ids::new_ulid().to_string().to_lowercase();
    let function_arn = moto_function(&url, &sdk, &format!("approval-workflow-{suffix}")).await;
    let definition = ASL.replace("${ApprovalWorkflowFunctionArn}", &function_arn);
    let machine = sfn
        .create_state_machine()
        .name(format!("breakglass-{suffix}"))
        .definition(definition)
        .role_arn("arn:aws:iam::123456789012:role/states")
        .send()
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    let items: Arc<dyn ItemStore> = Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("i.db")).unwrap());
    let mut ports = cc_adapters::local_access::ports(items.clone(), "http://127.0.0.1:1");
    ports.workflow = Arc::new(SfnWorkflow::new(
        sfn.clone(),
        machine.state_machine_arn(),
        items.clone(),
    ));
    let app = App::new(config, items, cc_domain::Clock::system()).with_access(ports);
    seed(&app).await;
    let erin = person("erin@example.com", &[Role::Engineer]);

    // Approval path: the execution waits under a task token; our adapter signals it.
    let r = app
        .access()
        .unwrap()
        .create(&erin, ask(), &Origin::default())
        .await
        .unwrap();
    let execution = format!(
        "{}:{}",
        machine.state_machine_arn().replace(":stateMachine:", ":execution:"),
        r.id
    );
    let h = wait_for(&sfn, &execution, "TaskScheduled", |h| {
        h.iter().any(|e| e.task_scheduled_event_details().is_some())
    })
    .await;
    let params: Value = serde_json::from_str(
        h.iter()
            .find_map(|e| e.task_scheduled_event_details())
            .unwrap()
            .parameters(),
    )
    .unwrap();
    assert_eq!(params["Payload"]["task"], "record_token");
    assert_eq!(params["Payload"]["request_id"], r.id.as_str());
    let token = params["Payload"]["task_token"].as_str().unwrap().to_string();
    // What the record_token task does when Step Functions invokes it:
    approval::tasks::handle(
        &app,
        json!({"task": "record_token", "request_id": r.id, "task_token": token}),
    )
    .await
    .unwrap();
    assert!(
        !entered(&history(&sfn, &execution).await, "WaitForStart"),
        "still waiting for approval"
    );
    let senior = person("sam@example.com", &[Role::Senior]);
    let approved = app
        .access()
        .unwrap()
        .decide(&senior, &r.id, Verdict::Approve, "ok", &Origin::default())
        .await
        .unwrap();
    assert_eq!(
        approved.status,
        Status::Approved,
        "the state machine grants, not the decision"
    );
    wait_for(&sfn, &execution, "the Grant state", |h| entered(h, "Grant")).await;

    // Cancel path: the adapter stops the execution. (moto accepts StopExecution but keeps showing
    // executions its interpreter runs as RUNNING, so the proof here is that the call succeeded:
    // a failed workflow call is audited as `workflow_stop_failed`.)
    // Another engineer (erin's first request still holds the account for her).
    let sue = person("sue@example.com", &[Role::Engineer]);
    let r2 = app
        .access()
        .unwrap()
        .create(&sue, ask(), &Origin::default())
        .await
        .unwrap();
    let execution2 = format!(
        "{}:{}",
        machine.state_machine_arn().replace(":stateMachine:", ":execution:"),
        r2.id
    );
    wait_for(&sfn, &execution2, "TaskScheduled", |h| {
        h.iter().any(|e| e.task_scheduled_event_details().is_some())
    })
    .await;
    app.access()
        .unwrap()
        .cancel(&sue, &r2.id, &Origin::default())
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let q = cc_domain::access::service::AuditQuery {
        request: None,
        customer: Some("acme".into()),
        account: None,
        actor: None,
        from: now - time::Duration::hours(1),
        to: now + time::Duration::minutes(1),
    };
    let lead = person("lee@example.com", &[Role::Lead]);
    let actions: Vec<String> = app
        .access()
        .unwrap()
        .audit(&lead, &q, &PageRequest::new(Some(200), None).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"cancelled".to_string()));
    assert!(
        !actions.iter().any(|a| a.starts_with("workflow_")),
        "every workflow call succeeded: {actions:?}"
    );
}

/// Every sample in `events/approval-workflow/` through the task entry point (unknown request ids:
/// the handler must answer with the error type the state machine expects, never a panic).
#[tokio::test]
async fn sample_task_events_are_handled() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let app = cc_adapters::wire::access(Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap())
        .await
        .unwrap();
    let events = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "approval-workflow");
    let expected = [
        ("01-record-token", Err("BadTask")),
        ("02-grant", Err("BadTask")),
        ("03-end", Err("BadTask")),
        ("04-time-out", Err("BadTask")),
    ];
    assert_eq!(
        cc_http::testing::event_names(&events),
        expected.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>()
    );
    for (name, want) in expected {
        let event: Value =
            serde_json::from_str(&std::fs::read_to_string(events.join(format!("{name}.json"))).unwrap()).unwrap();
        let got = approval::tasks::handle(&app, event)
            .await
            .map(|_| ())
            .map_err(|e| e.kind.name());
        assert_eq!(got, want, "{name}");
    }
}

/// The Lambda errors AWS recommends retrying for Lambda tasks ("Handle transient Lambda service
/// exceptions", Step Functions developer guide).
const LAMBDA_SERVICE_ERRORS: &[&str] = &[
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
];

fn error_names(list: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for rule in list.as_array().into_iter().flatten() {
        for e in rule["ErrorEquals"].as_array().unwrap() {
            out.push((
                e.as_str().unwrap().to_string(),
                rule["Next"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out
}

#[test]
fn retries_and_catches_name_only_errors_the_handlers_return() {
    let doc = asl();
    let step = |name: &str| StepError::ALL.into_iter().find(|k| k.name() == name);
    for (name, state) in doc["States"].as_object().unwrap() {
        if state["Type"] != "Task" {
            continue;
        }
        let retried = error_names(&state["Retry"]);
        for (e, _) in &retried {
            match step(e) {
                Some(k) => assert!(k.is_transient(), "{name} retries the terminal {e}"),
                // Neither States.ALL nor States.TaskFailed: they would retry Closed and BadTask too.
                None => assert!(
                    LAMBDA_SERVICE_ERRORS.contains(&e.as_str()),
                    "{name} retries {e}: only transient step errors and Lambda's service errors"
                ),
            }
        }
        for must in LAMBDA_SERVICE_ERRORS
            .iter()
            .copied()
            .chain([StepError::Transient.name()])
        {
            assert!(retried.iter().any(|(e, _)| e == must), "{name} does not retry {must}");
        }
        for (e, next) in error_names(&state["Catch"]) {
            match step(&e) {
                Some(k) => assert!(!k.is_transient(), "{name} catches the transient {e}"),
                None => assert!(
                    e.starts_with("States.") || e.starts_with("Lambda."),
                    "{name} catches {e}, which no handler returns"
                ),
            }
            assert_ne!(
                e, "States.ALL",
                "{name}: a catch-all would hide failures (they fail the execution)"
            );
            if e == StepError::Closed.name() {
                assert_eq!(next, "Closed", "{name}: a request that moved on ends in Closed");
            }
        }
    }
    // The timed steps retry a too-early wake-up; the approval wait times out to TimeOut.
    for name in ["Grant", "End", "TimeOut"] {
        assert!(
            error_names(&doc["States"][name]["Retry"])
                .iter()
                .any(|(e, _)| e == "NotDue"),
            "{name} does not retry NotDue"
        );
    }
    let wait = error_names(&doc["States"]["WaitForApproval"]["Catch"]);
    assert!(wait.contains(&("States.Timeout".into(), "TimeOut".into())));
    assert!(wait.contains(&("Closed".into(), "Closed".into())));
}

// ---- Each path on moto's Step Functions ----
//
// moto runs no Lambda code here (no Docker), so these tests play the approval-workflow Lambda: they
// run the real task handler on the request as it stands and queue its answer with moto's
// lambda-simple queue (`/moto-api/static/lambda-simple/response`) before Step Functions invokes the
// task: the handler's output, or its error as the Lambda runtime reports it (the serialised
// `Diagnostic`, which scripts/moto_server.py turns into a function error, so Step Functions sees the
// error name). The queue is per account and region and the tests share one moto server, so each
// test uses a region of its own. What moto cannot do: run the handler at the moment of the
// invocation (the answer is computed just before); raise Lambda's own service errors
// (Lambda.ServiceException, ...: their retry is checked on the ASL above only); abort an execution
// that waits for a task token (it accepts StopExecution, the wait goes on; an execution in a Wait
// state is aborted, as in AWS).

/// An item store whose reads fail while `failing` is set (DynamoDB throttling).
struct Flaky {
    inner: Arc<dyn ItemStore>,
    failing: AtomicBool,
}

#[async_trait::async_trait]
impl ItemStore for Flaky {
    async fn get(&self, pk: &str, sk: &str) -> StoreResult<Option<Item>> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::Backend(anyhow::anyhow!(
                "ThrottlingException: rate exceeded"
            )));
        }
        self.inner.get(pk, sk).await
    }
    async fn query(&self, query: Query) -> StoreResult<Page> {
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> StoreResult<()> {
        self.inner.transact(writes).await
    }
    fn index_settle_time(&self) -> Duration {
        self.inner.index_settle_time()
    }
}

/// The state machine in its own moto region, and the app every function runs (the API functions
/// and the approval-workflow Lambda share the store and the Step Functions adapter, as in AWS).
struct Rig {
    url: String,
    region: &'static str,
    sfn: aws_sdk_sfn::Client,
    machine: String,
    app: App,
    /// The app's clock, shifted by this many seconds.
    offset: Arc<AtomicI64>,
    store: Arc<Flaky>,
    _dir: tempfile::TempDir,
}

impl Rig {
    async fn new(region: &'static str) -> Option<Rig> {
        let url = test_emulator_url()?;
        let sdk = emulator_sdk_config(&url)
            .await
            .into_builder()
            .region(aws_config::Region::new(region))
            .build();
        let sfn = aws_sdk_sfn::Client::new(&sdk);
        let suffix = cc_domain::ids::new_ulid().to_string().to_lowercase();
        let function_arn = moto_function(&url, &sdk, &format!("approval-workflow-{suffix}")).await;
        let machine = sfn
            .create_state_machine()
            .name(format!("breakglass-{suffix}"))
            .definition(ASL.replace("${ApprovalWorkflowFunctionArn}", &function_arn))
            .role_arn("arn:aws:iam::123456789012:role/states")
            .send()
            .await
            .unwrap()
            .state_machine_arn()
            .to_string();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        let config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
        let sqlite: Arc<dyn ItemStore> =
            Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("i.db")).unwrap());
        let store = Arc::new(Flaky {
            inner: sqlite,
            failing: AtomicBool::new(false),
        });
        let items: Arc<dyn ItemStore> = store.clone();
        let mut ports = cc_adapters::local_access::ports(items.clone(), "http://127.0.0.1:1");
        ports.workflow = Arc::new(SfnWorkflow::new(sfn.clone(), &machine, items.clone()));
        let offset = Arc::new(AtomicI64::new(0));
        let app = App::new(config, items, cc_domain::Clock::shifted(offset.clone())).with_access(ports);
        seed(&app).await;
        Some(Rig {
            url,
            region,
            sfn,
            machine,
            app,
            offset,
            store,
            _dir: dir,
        })
    }

    fn shift_clock(&self, seconds: i64) {
        self.offset.store(seconds, Ordering::SeqCst);
    }

    fn execution(&self, name: &str) -> String {
        format!("{}:{name}", self.machine.replace(":stateMachine:", ":execution:"))
    }

    async fn ask(&self, who: &str) -> cc_domain::access::AccessRequest {
        let person = person(who, &[Role::Engineer]);
        self.app
            .access()
            .unwrap()
            .create(&person, ask(), &Origin::default())
            .await
            .unwrap()
    }

    async fn decide(&self, id: &str, verdict: Verdict) {
        let senior = person("sam@example.com", &[Role::Senior]);
        self.app
            .access()
            .unwrap()
            .decide(&senior, id, verdict, "not needed after all", &Origin::default())
            .await
            .unwrap();
    }

    async fn request(&self, id: &str) -> cc_domain::access::AccessRequest {
        self.app.access().unwrap().find(id).await.unwrap()
    }

    /// The approval-workflow Lambda's answer to `task`, as the real handler gives it now.
    async fn run(&self, task: Value) -> Result<Value, approval::tasks::TaskError> {
        approval::tasks::handle(&self.app, task).await
    }

    /// Queues `answer` as the function's next result, in the Lambda runtime's wire form.
    async fn queue(&self, answer: Result<Value, approval::tasks::TaskError>) {
        let result = match answer {
            Ok(v) => v.to_string(),
            Err(e) => serde_json::to_string(&lambda_http::lambda_runtime::Diagnostic::from(e)).unwrap(),
        };
        let res = cc_tls::reqwest_client()
            .unwrap()
            .post(format!("{}/moto-api/static/lambda-simple/response", self.url))
            .json(&json!({"region": self.region, "results": [result]}))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// Waits until the execution waits for approval (its record_token invocation answered) and
    /// returns the task token it waits under.
    async fn waiting_token(&self, execution: &str) -> String {
        let h = wait_for(&self.sfn, execution, "TaskSubmitted", |h| {
            h.iter().any(|e| e.task_submitted_event_details().is_some())
        })
        .await;
        let params: Value = serde_json::from_str(
            h.iter()
                .find_map(|e| e.task_scheduled_event_details())
                .unwrap()
                .parameters(),
        )
        .unwrap();
        params["Payload"]["task_token"].as_str().unwrap().to_string()
    }

    /// What the record_token task does when Step Functions invokes it.
    async fn record_token(&self, id: &str, token: &str) {
        self.run(json!({"task": "record_token", "request_id": id, "task_token": token}))
            .await
            .unwrap();
    }

    /// The execution's status once it has finished (30 s at most).
    async fn finished(&self, execution: &str) -> aws_sdk_sfn::types::ExecutionStatus {
        use aws_sdk_sfn::types::ExecutionStatus;
        for _ in 0..300 {
            let out = self
                .sfn
                .describe_execution()
                .execution_arn(execution)
                .send()
                .await
                .unwrap();
            if *out.status() != ExecutionStatus::Running {
                return out.status().clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{execution} still running: {:?}",
            states(&history(&self.sfn, execution).await)
        );
    }

    async fn audit_actions(&self) -> Vec<String> {
        let now = time::OffsetDateTime::now_utc();
        let q = cc_domain::access::service::AuditQuery {
            request: None,
            customer: Some("acme".into()),
            account: None,
            actor: None,
            from: now - time::Duration::days(1),
            to: now + time::Duration::days(1),
        };
        let lead = person("lee@example.com", &[Role::Lead]);
        self.app
            .access()
            .unwrap()
            .audit(&lead, &q, &PageRequest::new(Some(200), None).unwrap())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|e| e.action)
            .collect()
    }
}

/// The states an execution entered, in order.
fn states(h: &[aws_sdk_sfn::types::HistoryEvent]) -> Vec<String> {
    h.iter()
        .filter_map(|e| e.state_entered_event_details().map(|d| d.name().to_string()))
        .collect()
}

/// The payloads of the Lambda tasks Step Functions scheduled, in order.
fn payloads(h: &[aws_sdk_sfn::types::HistoryEvent]) -> Vec<Value> {
    h.iter()
        .filter_map(|e| e.task_scheduled_event_details())
        .map(|d| serde_json::from_str::<Value>(d.parameters()).unwrap()["Payload"].clone())
        .collect()
}

/// The error names of the failed task attempts, in order.
fn task_failures(h: &[aws_sdk_sfn::types::HistoryEvent]) -> Vec<String> {
    h.iter()
        .filter_map(|e| {
            e.task_failed_event_details()
                .map(|d| d.error().unwrap_or_default().to_string())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_path_grants_and_ends_on_moto_step_functions() {
    let Some(rig) = Rig::new("eu-west-1").await else { return };
    // Asked and granted 29m50s ago (by our clock): the 30-minute grant ends 10 s from now.
    rig.shift_clock(-(30 * 60 - 10));
    let r = rig.ask("erin@example.com").await;
    let execution = rig.execution(&r.id);
    let token = rig.waiting_token(&execution).await;
    // The approval comes before the token is recorded (the other order signals from the
    // decision; see approval_reaches_the_grant_state_on_moto_step_functions).
    rig.decide(&r.id, Verdict::Approve).await;
    let grant = rig.run(json!({"task": "grant", "request_id": r.id})).await;
    assert_eq!(grant.as_ref().unwrap()["status"], "active");
    rig.queue(grant).await;
    rig.record_token(&r.id, &token).await; // approved: sends task success
    wait_for(&rig.sfn, &execution, "WaitUntilEnd", |h| entered(h, "WaitUntilEnd")).await;
    rig.shift_clock(15);
    let end = rig.run(json!({"task": "end", "request_id": r.id})).await;
    assert_eq!(end.as_ref().unwrap()["status"], "ended");
    rig.queue(end).await;

    assert_eq!(
        rig.finished(&execution).await,
        aws_sdk_sfn::types::ExecutionStatus::Succeeded
    );
    let h = history(&rig.sfn, &execution).await;
    assert_eq!(
        states(&h),
        [
            "WaitForApproval",
            "WaitForStart",
            "Grant",
            "WaitUntilEnd",
            "End",
            "Done"
        ]
    );
    let p = payloads(&h);
    assert_eq!(p[1], json!({"task": "grant", "request_id": r.id}));
    assert_eq!(p[2], json!({"task": "end", "request_id": r.id}));
    assert!(task_failures(&h).is_empty(), "{:?}", task_failures(&h));
    assert_eq!(rig.request(&r.id).await.status, Status::Ended);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reject_path_stops_or_closes_the_execution_on_moto_step_functions() {
    let Some(rig) = Rig::new("eu-west-2").await else { return };
    let r = rig.ask("erin@example.com").await;
    let execution = rig.execution(&r.id);
    let token = rig.waiting_token(&execution).await;
    rig.record_token(&r.id, &token).await; // pending: nothing to signal
    // The rejection stops the execution. moto accepts StopExecution but lets a task-token wait go
    // on, so the proof is that the call succeeded (a failure is audited) and nothing moved on.
    rig.decide(&r.id, Verdict::Reject).await;
    assert_eq!(rig.request(&r.id).await.status, Status::Rejected);
    let actions = rig.audit_actions().await;
    assert!(actions.contains(&"rejected".to_string()), "{actions:?}");
    assert!(!actions.iter().any(|a| a.starts_with("workflow_")), "{actions:?}");
    assert_eq!(states(&history(&rig.sfn, &execution).await), ["WaitForApproval"]);

    // Had the stop been lost, the execution waiting for this request would be answered
    // SendTaskFailure(Closed) when its token is recorded, and end in Closed.
    let late = rig.execution(&format!("{}-late", r.id));
    rig.sfn
        .start_execution()
        .state_machine_arn(&rig.machine)
        .name(format!("{}-late", r.id))
        .input(json!({"request_id": r.id, "approval_window_seconds": 600}).to_string())
        .send()
        .await
        .unwrap();
    let token = rig.waiting_token(&late).await;
    rig.record_token(&r.id, &token).await;
    assert_eq!(
        rig.finished(&late).await,
        aws_sdk_sfn::types::ExecutionStatus::Succeeded
    );
    let h = history(&rig.sfn, &late).await;
    assert_eq!(states(&h), ["WaitForApproval", "Closed"]);
    assert_eq!(task_failures(&h), [StepError::Closed.name()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_out_path_times_the_request_out_on_moto_step_functions() {
    let Some(rig) = Rig::new("eu-west-3").await else { return };
    let r = rig.ask("erin@example.com").await;
    // The adapter's own execution waits out the request's 2-hour window; this one, with the same
    // input but a 3-second window, times out now.
    rig.waiting_token(&rig.execution(&r.id)).await;
    let name = format!("{}-short", r.id);
    let execution = rig.execution(&name);
    rig.sfn
        .start_execution()
        .state_machine_arn(&rig.machine)
        .name(&name)
        .input(json!({"request_id": r.id, "approval_window_seconds": 3}).to_string())
        .send()
        .await
        .unwrap();
    rig.waiting_token(&execution).await;
    rig.shift_clock(2 * 3600 + 1); // our clock: the window has closed too
    let out = rig.run(json!({"task": "time_out", "request_id": r.id})).await;
    assert_eq!(out.as_ref().unwrap()["status"], "timed_out");
    rig.queue(out).await;

    assert_eq!(
        rig.finished(&execution).await,
        aws_sdk_sfn::types::ExecutionStatus::Succeeded
    );
    let h = history(&rig.sfn, &execution).await;
    assert_eq!(states(&h), ["WaitForApproval", "TimeOut", "Closed"]);
    assert!(h.iter().any(|e| e.task_timed_out_event_details().is_some()));
    assert_eq!(payloads(&h)[1], json!({"task": "time_out", "request_id": r.id}));
    assert_eq!(rig.request(&r.id).await.status, Status::TimedOut);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_revoke_aborts_the_execution_on_moto_step_functions() {
    let Some(rig) = Rig::new("eu-central-1").await else {
        return;
    };
    let r = rig.ask("erin@example.com").await;
    let execution = rig.execution(&r.id);
    let token = rig.waiting_token(&execution).await;
    rig.decide(&r.id, Verdict::Approve).await;
    rig.queue(rig.run(json!({"task": "grant", "request_id": r.id})).await)
        .await;
    rig.record_token(&r.id, &token).await;
    // Granted for 30 minutes: the execution waits for the end.
    wait_for(&rig.sfn, &execution, "WaitUntilEnd", |h| entered(h, "WaitUntilEnd")).await;
    let erin = person("erin@example.com", &[Role::Engineer]);
    let revoked = rig
        .app
        .access()
        .unwrap()
        .revoke(&erin, &r.id, "done early", &Origin::default())
        .await
        .unwrap();
    assert_eq!(revoked.status, Status::Ended);
    assert_eq!(
        rig.finished(&execution).await,
        aws_sdk_sfn::types::ExecutionStatus::Aborted
    );
    let h = history(&rig.sfn, &execution).await;
    assert_eq!(
        states(&h),
        ["WaitForApproval", "WaitForStart", "Grant", "WaitUntilEnd"],
        "never reaches End"
    );
    let actions = rig.audit_actions().await;
    assert!(!actions.iter().any(|a| a.starts_with("workflow_")), "{actions:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_are_retried_and_terminal_ones_fail_at_once_on_moto_step_functions() {
    let Some(rig) = Rig::new("eu-north-1").await else {
        return;
    };
    let r = rig.ask("erin@example.com").await;
    let execution = rig.execution(&r.id);
    let token = rig.waiting_token(&execution).await;
    rig.decide(&r.id, Verdict::Approve).await;
    // The store throttles the first grant attempt, not the second.
    rig.store.failing.store(true, Ordering::SeqCst);
    let first = rig.run(json!({"task": "grant", "request_id": r.id})).await;
    rig.store.failing.store(false, Ordering::SeqCst);
    assert_eq!(first.as_ref().unwrap_err().kind, StepError::Transient);
    rig.queue(first).await;
    let second = rig.run(json!({"task": "grant", "request_id": r.id})).await;
    assert_eq!(second.as_ref().unwrap()["status"], "active");
    rig.queue(second).await;
    rig.record_token(&r.id, &token).await;
    let h = wait_for(&rig.sfn, &execution, "WaitUntilEnd", |h| entered(h, "WaitUntilEnd")).await;
    assert_eq!(task_failures(&h), [StepError::Transient.name()]);
    let grants = payloads(&h).iter().filter(|p| p["task"] == "grant").count();
    assert_eq!(grants, 2, "one retry");

    // A request id no handler knows: BadTask, not retried, and the execution fails so it shows.
    let unknown = cc_domain::ids::new_ulid().to_string();
    let bad = rig
        .run(json!({"task": "record_token", "request_id": unknown, "task_token": "t"}))
        .await;
    assert_eq!(bad.as_ref().unwrap_err().kind, StepError::BadTask);
    rig.queue(bad).await;
    let broken = rig.execution(&unknown);
    rig.sfn
        .start_execution()
        .state_machine_arn(&rig.machine)
        .name(&unknown)
        .input(json!({"request_id": unknown, "approval_window_seconds": 600}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(rig.finished(&broken).await, aws_sdk_sfn::types::ExecutionStatus::Failed);
    let h = history(&rig.sfn, &broken).await;
    assert_eq!(task_failures(&h), [StepError::BadTask.name()]);
    assert_eq!(payloads(&h).len(), 1, "not retried");
}
