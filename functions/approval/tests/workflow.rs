//! The breakglass state machine: the ASL file's structure, the task handlers, and a real run on
//! moto's Step Functions through our adapter (approval path reaching the grant state, cancel
//! stopping the execution).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use cc_adapters::sfn::SfnWorkflow;
use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};
use cc_domain::App;
use cc_domain::access::service::Origin;
use cc_domain::access::{NewRequest, Status, Verdict};
use cc_domain::config::Config;
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::{AccountId, Email};
use cc_domain::page::PageRequest;
use cc_domain::store::ItemStore;
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
    assert_eq!(err.kind, "Closed");
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
    assert_eq!(err.kind, "NotDue");
    let out = approval::tasks::handle(&app, json!({"task": "time_out", "request_id": r.id}))
        .await
        .unwrap();
    assert_eq!(out["status"], "active", "a decided request is not timed out");
    // The sweeper is the jobs function's now: a scheduled event here is a wiring mistake.
    let err = approval::tasks::handle(&app, json!({"source": "aws.events", "detail-type": "Scheduled Event"}))
        .await
        .unwrap_err();
    assert_eq!(err.kind, "BadTask");
    let err = approval::tasks::handle(&app, json!({"task": "launch"}))
        .await
        .unwrap_err();
    assert_eq!(err.kind, "BadTask");
    let err = approval::tasks::handle(&app, json!({"task": "grant", "request_id": "../etc"}))
        .await
        .unwrap_err();
    assert_eq!(err.kind, "BadTask");
}

/// Creates a function in moto (its code never runs: moto is configured without Docker).
async fn moto_function(endpoint: &str, sdk: &aws_config::SdkConfig, name: &str) -> String {
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
    let http = reqwest::Client::new();
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
        .header("authorization", "AWS4-HMAC-SHA256 Credential=testing/20261125/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00")
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
            .map_err(|e| e.kind);
        assert_eq!(got, want, "{name}");
    }
}
