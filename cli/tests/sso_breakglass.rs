//! SSO breakglass end to end over HTTP on the local server with demo data (local Identity Center):
//! request SRE-Breakglass on a demo SSO account, two approvals, the requester's profiles and
//! console links include it (nobody else's), credentials point to the SSO profile, revoke takes it
//! away again.

use cc_domain::identity::Role;
use serde_json::{Value, json};

use crate::support;
use support::{start, token};

async fn call(method: &str, url: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let http = cc_tls::reqwest_client().unwrap();
    let mut req = http.request(method.parse().unwrap(), url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The names of `who`'s profiles that use the SRE-Breakglass permission set.
async fn breakglass_profiles(api: &str, who: &str) -> Vec<String> {
    let (st, set) = call(
        "GET",
        &format!("{api}/profiles?format=json&customer=acme-retail"),
        who,
        None,
    )
    .await;
    assert_eq!(st, 200, "{set}");
    set["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["settings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|kv| kv[0] == "sso_role_name" && kv[1] == "SRE-Breakglass")
        })
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

async fn link_roles(api: &str, who: &str, account: &str) -> Vec<String> {
    let (st, links) = call("GET", &format!("{api}/accounts/{account}/console-links"), who, None).await;
    assert_eq!(st, 200, "{links}");
    links["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["role_name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sso_breakglass_on_the_demo_hub() {
    let server = start().await;
    let api = format!("{}/api/v1", server.base);
    let erin = token(&server, "erin.engineer@demo.customer-central.dev", &[Role::Engineer]);
    let sam = token(
        &server,
        "sam.senior@demo.customer-central.dev",
        &[Role::Engineer, Role::Senior],
    );
    // Sam and Lee are on acme-retail's team (the demo teams).
    let lee = token(
        &server,
        "lee.lead@demo.customer-central.dev",
        &[Role::Engineer, Role::Senior, Role::Lead],
    );
    let ada = token(&server, "ada.admin@demo.customer-central.dev", &[Role::Admin]);

    // Two approvers for this customer.
    let (st, policy) = call(
        "GET",
        &format!("{api}/customers/acme-retail/approval-policy"),
        &ada,
        None,
    )
    .await;
    assert_eq!(st, 200);
    let mut policy = policy;
    policy["approvals_required"] = json!(2);
    let (st, _) = call(
        "PUT",
        &format!("{api}/customers/acme-retail/approval-policy"),
        &ada,
        Some(policy),
    )
    .await;
    assert_eq!(st, 200);

    let (_, accounts) = call(
        "GET",
        &format!("{api}/accounts?customer=acme-retail&access=sso"),
        &erin,
        None,
    )
    .await;
    let account = &accounts["items"][0];
    let id = account["id"].as_str().unwrap().to_string();
    assert_eq!(
        account["access"]["breakglass_permission_sets"],
        json!(["SRE-Breakglass"])
    );
    assert!(
        !account["access"]["permission_sets"]
            .as_array()
            .unwrap()
            .contains(&json!("SRE-Breakglass")),
        "breakglass is not standing: {account}"
    );
    assert!(breakglass_profiles(&api, &erin).await.is_empty());
    assert!(
        !link_roles(&api, &erin, &id)
            .await
            .contains(&"SRE-Breakglass".to_string())
    );

    let ask = |ps: Option<&str>| {
        let mut body = json!({"account_id": id, "duration_minutes": 60,
            "justification": "Payments queue stuck, purge the dead-letter queue", "ticket": "OPS-1234"});
        if let Some(ps) = ps {
            body["permission_set"] = json!(ps);
        }
        body
    };
    let (st, err) = call(
        "POST",
        &format!("{api}/access-requests"),
        &erin,
        Some(ask(Some("Admin"))),
    )
    .await;
    assert_eq!(
        (st, err["error"]["field"].as_str()),
        (400, Some("permission_set")),
        "{err}"
    );
    let (st, r) = call("POST", &format!("{api}/access-requests"), &erin, Some(ask(None))).await;
    assert_eq!(st, 201, "{r}");
    assert_eq!(r["sso"]["permission_set"], "SRE-Breakglass");
    let rid = r["id"].as_str().unwrap().to_string();
    let decide = json!({"decision": "approve", "comment": "ok"});
    let (st, r) = call(
        "POST",
        &format!("{api}/access-requests/{rid}/decisions"),
        &sam,
        Some(decide.clone()),
    )
    .await;
    assert_eq!((st, r["status"].as_str()), (200, Some("pending")));
    assert!(breakglass_profiles(&api, &erin).await.is_empty());
    let (st, r) = call(
        "POST",
        &format!("{api}/access-requests/{rid}/decisions"),
        &lee,
        Some(decide),
    )
    .await;
    assert_eq!((st, r["status"].as_str()), (200, Some("active")), "{r}");
    assert_eq!(r["sso"]["assignment"], "assigned");

    // Erin's profiles and links have it; Sam's do not.
    assert_eq!(breakglass_profiles(&api, &erin).await.len(), 1);
    assert!(breakglass_profiles(&api, &sam).await.is_empty());
    assert!(
        link_roles(&api, &erin, &id)
            .await
            .contains(&"SRE-Breakglass".to_string())
    );
    assert!(
        !link_roles(&api, &sam, &id)
            .await
            .contains(&"SRE-Breakglass".to_string())
    );
    let (st, link) = call(
        "POST",
        &format!("{api}/access-requests/{rid}/console-link"),
        &erin,
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(
        link["url"],
        format!("https://acme-retail.awsapps.com/start/#/console?account_id={id}&role_name=SRE-Breakglass")
    );
    let (st, err) = call("POST", &format!("{api}/access-requests/{rid}/credentials"), &erin, None).await;
    assert_eq!((st, err["error"]["code"].as_str()), (409, Some("sso_grant")), "{err}");
    // The sessions list says how the grant is used, so no client has to read the role ARN.
    let (st, sessions) = call("GET", &format!("{api}/sessions"), &erin, None).await;
    assert_eq!(st, 200);
    let s = &sessions["items"][0];
    assert_eq!(
        (
            s["kind"].as_str(),
            s["permission_set"].as_str(),
            s["sso_start_url"].as_str()
        ),
        (
            Some("sso"),
            Some("SRE-Breakglass"),
            Some("https://acme-retail.awsapps.com/start")
        ),
        "{s}"
    );

    let (st, r) = call(
        "POST",
        &format!("{api}/access-requests/{rid}/revoke"),
        &erin,
        Some(json!({"reason": "done"})),
    )
    .await;
    assert_eq!((st, r["status"].as_str()), (200, Some("ended")), "{r}");
    assert_eq!(r["sso"]["assignment"], "removed");
    assert!(breakglass_profiles(&api, &erin).await.is_empty());
    assert!(
        !link_roles(&api, &erin, &id)
            .await
            .contains(&"SRE-Breakglass".to_string())
    );
}
