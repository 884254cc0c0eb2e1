//! Who may do what on every breakglass route, over HTTP on the local server: the requester, an
//! approver on the customer's team, an approver off it, engineers off and on the team, a lead
//! (off the team), an admin, and a signed-in person with no role. Each state-changing check runs
//! on a fresh request; a refused call changes nothing.

use crate::support;

use cc_domain::identity::Role;
use serde_json::{Value, json};
use support::{send, start, token};

const CUSTOMER: &str = "borealis-energy";

/// The people, in the order of every expectation row below.
const PEOPLE: [(&str, &[Role]); 8] = [
    ("erin@example.com", &[Role::Engineer]),               // requester, on the team
    ("sam@example.com", &[Role::Engineer, Role::Senior]),  // approver on the team
    ("olga@example.com", &[Role::Engineer, Role::Senior]), // approver off the team
    ("bob@example.com", &[Role::Engineer]),                // engineer off the team
    ("eve@example.com", &[Role::Engineer]),                // engineer on the team
    ("lee@example.com", &[Role::Engineer, Role::Senior, Role::Lead]), // lead, off the team
    ("ada@example.com", &[Role::Admin]),
    ("nobody@example.com", &[]),
];

struct Bench {
    http: reqwest::Client,
    api: String,
    tokens: Vec<String>,
    account: String,
    _s: support::Server,
}

impl Bench {
    async fn call(&self, who: usize, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        send(
            &self.http,
            method,
            &format!("{}{path}", self.api),
            &self.tokens[who],
            body,
        )
        .await
    }

    /// A fresh pending request by erin (anything open on the account is ended first).
    async fn pending(&self) -> String {
        let path = format!("/accounts/{}/end-access", self.account);
        let (st, _) = self.call(6, "POST", &path, Some(json!({"reason": "next check"}))).await;
        assert_eq!(st, 200);
        let ask = json!({"account_id": self.account, "duration_minutes": 60,
            "justification": "Rotate the leaked database password", "ticket": "OPS-1"});
        let (st, r) = self.call(0, "POST", "/access-requests", Some(ask)).await;
        assert_eq!(st, 201, "{r}");
        r["id"].as_str().unwrap().to_string()
    }

    async fn active(&self) -> String {
        let id = self.pending().await;
        let (st, r) = self
            .call(
                1,
                "POST",
                &format!("/access-requests/{id}/decisions"),
                Some(json!({"decision": "approve"})),
            )
            .await;
        assert_eq!((st, r["status"].as_str()), (200, Some("active")), "{r}");
        id
    }

    async fn version(&self, id: &str) -> u64 {
        self.call(6, "GET", &format!("/access-requests/{id}"), None).await.1["version"]
            .as_u64()
            .unwrap()
    }
}

async fn bench() -> Bench {
    let s = start().await;
    let admin = cc_domain::identity::Principal {
        email: cc_domain::ids::Email::parse("ada@example.com").unwrap(),
        subject: "t".into(),
        roles: [Role::Admin].into(),
    };
    let team = s.app.hub.team(&admin, CUSTOMER).await.unwrap();
    let members = ["erin@example.com", "sam@example.com", "eve@example.com"]
        .map(|e| cc_domain::ids::Email::parse(e).unwrap())
        .to_vec();
    let update = cc_domain::hub::TeamUpdate {
        members,
        version: team.version,
    };
    s.app.hub.put_team(&admin, CUSTOMER, update).await.unwrap();
    let tokens = PEOPLE.iter().map(|(e, r)| token(&s, e, r)).collect();
    let http = cc_tls::reqwest_client().unwrap();
    let api = format!("{}/api/v1", s.base);
    let (_, accounts) = send(
        &http,
        "GET",
        &format!("{api}/accounts?customer={CUSTOMER}&access=role&limit=1"),
        &token(&s, "ada@example.com", &[Role::Admin]),
        None,
    )
    .await;
    let account = accounts["items"][0]["id"].as_str().unwrap().to_string();
    Bench {
        http,
        api,
        tokens,
        account,
        _s: s,
    }
}

#[derive(Clone, Copy)]
enum On {
    Pending,
    Active,
}

/// One route: the state it needs, the call, and the status each person gets.
struct Row {
    what: &'static str,
    on: On,
    method: &'static str,
    path: &'static str,
    body: Option<fn() -> Value>,
    expect: [u16; 8],
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_breakglass_route_answers_each_person_as_it_should() {
    let b = bench().await;
    let rows = [
        Row {
            what: "read a request",
            on: On::Pending,
            method: "GET",
            path: "/access-requests/{id}",
            body: None,
            expect: [200, 200, 404, 404, 404, 200, 200, 403],
        },
        Row {
            what: "read a request's audit trail",
            on: On::Pending,
            method: "GET",
            path: "/audit?request={id}",
            body: None,
            expect: [200, 200, 404, 404, 404, 200, 200, 403],
        },
        Row {
            what: "approve",
            on: On::Pending,
            method: "POST",
            path: "/access-requests/{id}/decisions",
            body: Some(|| json!({"decision": "approve"})),
            expect: [403, 200, 404, 404, 404, 200, 403, 403],
        },
        Row {
            what: "reject",
            on: On::Pending,
            method: "POST",
            path: "/access-requests/{id}/decisions",
            body: Some(|| json!({"decision": "reject", "comment": "no"})),
            expect: [403, 200, 404, 404, 404, 200, 403, 403],
        },
        Row {
            what: "cancel",
            on: On::Pending,
            method: "POST",
            path: "/access-requests/{id}/cancel",
            body: None,
            expect: [200, 403, 404, 404, 404, 403, 403, 403],
        },
        Row {
            what: "revoke",
            on: On::Active,
            method: "POST",
            path: "/access-requests/{id}/revoke",
            body: None,
            expect: [200, 403, 404, 404, 404, 200, 200, 403],
        },
        Row {
            what: "credentials",
            on: On::Active,
            method: "POST",
            path: "/access-requests/{id}/credentials",
            body: None,
            expect: [200, 403, 404, 404, 404, 403, 403, 403],
        },
        Row {
            what: "console link",
            on: On::Active,
            method: "POST",
            path: "/access-requests/{id}/console-link",
            body: None,
            expect: [200, 403, 404, 404, 404, 403, 403, 403],
        },
    ];
    for row in &rows {
        for (who, want) in row.expect.iter().enumerate() {
            let id = match row.on {
                On::Pending => b.pending().await,
                On::Active => b.active().await,
            };
            let before = b.version(&id).await;
            let path = row.path.replace("{id}", &id);
            let (st, body) = b.call(who, row.method, &path, row.body.map(|f| f())).await;
            assert_eq!(st, *want, "{} by {}: {body}", row.what, PEOPLE[who].0);
            if st >= 400 {
                assert!(body["error"]["message"].is_string(), "{body}");
                assert_eq!(b.version(&id).await, before, "a refused {} changes nothing", row.what);
            }
        }
    }
}

/// `/audit?request=` lists that request's events, whoever acted, to the requester (who otherwise
/// lists only their own events), and nothing of the account's other requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_s_audit_trail_is_its_own_events_by_everyone() {
    let b = bench().await;
    let first = b.active().await;
    let second = b.pending().await;
    let (st, trail) = b.call(0, "GET", &format!("/audit?request={first}"), None).await;
    assert_eq!(st, 200, "{trail}");
    let events = trail["items"].as_array().unwrap();
    assert!(
        events.iter().all(|e| e["request_id"] == first.as_str()),
        "only the request's events: {trail}"
    );
    let by = |action: &str| {
        events
            .iter()
            .find(|e| e["action"] == action)
            .map(|e| e["actor"].clone())
    };
    assert_eq!(by("request_created"), Some(json!("erin@example.com")), "{trail}");
    assert_eq!(
        by("approved"),
        Some(json!("sam@example.com")),
        "the approver's event too: {trail}"
    );
    // Not the requester's own audit rights: the account's other request isn't in the trail, and
    // without `request` erin still lists only her own events.
    let (_, second_trail) = b.call(0, "GET", &format!("/audit?request={second}"), None).await;
    assert!(
        second_trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["request_id"] == second.as_str())
    );
    let (st, _) = b.call(0, "GET", "/audit", None).await;
    assert_eq!(st, 403);
    for bad in ["nope", "01J", "ZZZZZZZZZZZZZZZZZZZZZZZZZZ"] {
        let (st, body) = b.call(0, "GET", &format!("/audit?request={bad}"), None).await;
        assert_eq!(st, 400, "{bad}: {body}");
        assert_eq!(body["error"]["field"], "request", "{body}");
    }
    let unknown = "0".repeat(26);
    let (st, _) = b.call(6, "GET", &format!("/audit?request={unknown}"), None).await;
    assert_eq!(st, 404);
}

/// What, method, path, body, and the status each person gets.
type Check = (&'static str, &'static str, &'static str, Option<Value>, [u16; 8]);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_listing_and_admin_routes_answer_each_person_as_they_should() {
    let b = bench().await;
    let customer_routes: [Check; 8] = [
        (
            "read the policy",
            "GET",
            "/customers/{c}/approval-policy",
            None,
            [200, 200, 200, 200, 200, 200, 200, 403],
        ),
        (
            "patch the policy",
            "PATCH",
            "/customers/{c}/approval-policy",
            Some(json!({"version": 999})),
            // admins get past the role check to the version check
            [403, 403, 403, 403, 403, 403, 409, 403],
        ),
        (
            "everyone's requests",
            "GET",
            "/access-requests?scope=all",
            None,
            [403, 403, 403, 403, 403, 200, 200, 403],
        ),
        (
            "everyone's sessions",
            "GET",
            "/sessions?scope=all",
            None,
            [403, 403, 403, 403, 403, 200, 200, 403],
        ),
        (
            "my requests",
            "GET",
            "/access-requests?scope=mine",
            None,
            [200, 200, 200, 200, 200, 200, 200, 403],
        ),
        (
            "to approve",
            "GET",
            "/access-requests?scope=to-approve",
            None,
            [200, 200, 200, 200, 200, 200, 200, 403],
        ),
        (
            "end access on a customer",
            "POST",
            "/customers/{c}/end-access",
            Some(json!({"reason": "check"})),
            [403, 403, 403, 403, 403, 403, 200, 403],
        ),
        (
            "end access on an account",
            "POST",
            "/accounts/{a}/end-access",
            Some(json!({"reason": "check"})),
            [403, 403, 403, 403, 403, 403, 200, 403],
        ),
    ];
    for (what, method, path, body, expect) in customer_routes {
        let path = path.replace("{c}", CUSTOMER).replace("{a}", &b.account);
        for (who, want) in expect.iter().enumerate() {
            let (st, got) = b.call(who, method, &path, body.clone()).await;
            assert_eq!(st, *want, "{what} by {}: {got}", PEOPLE[who].0);
        }
    }
    // Only team members with a requester role may ask.
    let asks = [201, 201, 403, 403, 201, 403, 403, 403];
    for (who, want) in asks.iter().enumerate() {
        let ask = json!({"account_id": b.account, "duration_minutes": 30,
            "justification": "Check the failing deployment pipeline", "ticket": "OPS-2"});
        let (st, got) = b.call(who, "POST", "/access-requests", Some(ask)).await;
        assert_eq!(st, *want, "ask by {}: {got}", PEOPLE[who].0);
    }
    // The off-team senior sees nothing to approve; the on-team one sees erin's and eve's asks.
    let listed = |v: Value| v["items"].as_array().unwrap().len();
    assert_eq!(
        listed(b.call(2, "GET", "/access-requests?scope=to-approve", None).await.1),
        0
    );
    assert_eq!(
        listed(b.call(1, "GET", "/access-requests?scope=to-approve", None).await.1),
        2
    );
}
