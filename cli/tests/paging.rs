//! Every list endpoint pages the same way (`limit` 1-200, opaque `cursor`, `next_cursor`): walking
//! a list in small pages yields exactly what one large page holds, in the same order, and a bad
//! limit or cursor is a 400 naming the parameter. Run over TCP against the local server with demo
//! data plus breakglass requests, sessions and audit events made through the API.

use cc_domain::identity::Role;
use serde_json::{Value, json};

use crate::support;
use support::{join_every_team, start, token};

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

fn with(url: &str, params: &str) -> String {
    format!("{url}{}{params}", if url.contains('?') { '&' } else { '?' })
}

/// A cursor of the customer list, which no other list (or filter) may take.
const FOREIGN: &str = "eyJzIjoiY3VzdG9tZXJzOjAwMDAwMDAwMDAwMDAwMDAiLCJwIjpbImEiLCJiIl19";

/// Walks `url` in pages of `limit` and checks it against one page of 200.
async fn walks_like_one_page(url: &str, token: &str, limit: usize) -> Vec<Value> {
    let (st, whole) = call("GET", &with(url, "limit=200"), token, None).await;
    assert_eq!(st, 200, "GET {url}: {whole}");
    assert!(
        whole["next_cursor"].is_null(),
        "{url}: the test data fits one page of 200"
    );
    let whole = whole["items"].as_array().unwrap().clone();
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..=whole.len() {
        let mut page_url = with(url, &format!("limit={limit}"));
        if let Some(c) = &cursor {
            page_url = with(&page_url, &format!("cursor={c}"));
        }
        let (st, page) = call("GET", &page_url, token, None).await;
        assert_eq!(st, 200, "GET {page_url}: {page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit, "{page_url}: {} items", items.len());
        walked.extend(items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    // `seconds_left` (sessions) counts down between the calls; everything else must agree.
    let steady = |items: &[Value]| -> Vec<Value> {
        items
            .iter()
            .map(|i| {
                let mut i = i.clone();
                if let Some(o) = i.as_object_mut() {
                    o.remove("seconds_left");
                }
                i
            })
            .collect()
    };
    assert_eq!(
        steady(&walked),
        steady(&whole),
        "{url}: pages of {limit} hold what one page holds, in order"
    );
    // The same checks of bad input on every list.
    for bad in ["limit=0", "limit=201", "limit=x"] {
        let (st, err) = call("GET", &with(url, bad), token, None).await;
        assert_eq!(st, 400, "{url} with {bad}: {err}");
    }
    for cursor in ["bm90LWEtY3Vyc29y", FOREIGN] {
        let (st, err) = call("GET", &with(url, &format!("cursor={cursor}")), token, None).await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (400, Some("cursor")),
            "{url}: {err}"
        );
    }
    whole
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_pages_the_same_way() {
    let s = start().await;
    join_every_team(&s, &["erin@example.com", "sam@example.com"]).await;
    let api = &format!("{}/api/v1", s.base);
    let erin = token(&s, "erin@example.com", &[Role::Engineer]);
    let sam = token(&s, "sam@example.com", &[Role::Engineer, Role::Senior]);
    let lee = token(&s, "lee@example.com", &[Role::Engineer, Role::Senior, Role::Lead]);

    // Five requests on role accounts; three approved (active), two left pending.
    let (_, accounts) = call("GET", &format!("{api}/accounts?access=role&limit=5"), &erin, None).await;
    let mut ids = Vec::new();
    for a in accounts["items"].as_array().unwrap() {
        let ask = json!({"account_id": a["id"], "duration_minutes": 60,
            "justification": "Investigate the failing deployment pipeline in this account", "ticket": "OPS-1"});
        let (st, r) = call("POST", &format!("{api}/access-requests"), &erin, Some(ask)).await;
        assert_eq!(st, 201, "{r}");
        ids.push(r["id"].as_str().unwrap().to_string());
    }
    for id in &ids[..3] {
        let (st, r) = call(
            "POST",
            &format!("{api}/access-requests/{id}/decisions"),
            &sam,
            Some(json!({"decision": "approve", "comment": "ok"})),
        )
        .await;
        assert_eq!(st, 200, "{r}");
    }
    let customer = accounts["items"][0]["customer"].as_str().unwrap().to_string();
    let (_, sso) = call("GET", &format!("{api}/accounts?access=sso&limit=1"), &erin, None).await;
    let sso_account = sso["items"][0]["id"].as_str().unwrap().to_string();

    let customers = walks_like_one_page(&format!("{api}/customers"), &erin, 5).await;
    assert_eq!(customers.len(), 12);
    // A cursor is bound to its query: the same list with another filter refuses it.
    let (_, first) = call("GET", &format!("{api}/customers?limit=1"), &erin, None).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (st, err) = call(
        "GET",
        &format!("{api}/customers?limit=1&status=active&cursor={cursor}"),
        &erin,
        None,
    )
    .await;
    assert_eq!((st, err["error"]["field"].as_str()), (400, Some("cursor")), "{err}");
    let (st, _) = call("GET", &format!("{api}/customers?limit=1&cursor={cursor}"), &erin, None).await;
    assert_eq!(st, 200);
    walks_like_one_page(&format!("{api}/accounts?customer={customer}"), &erin, 3).await;
    let contacts = walks_like_one_page(&format!("{api}/customers/{customer}/contacts"), &erin, 1).await;
    assert!(contacts.len() >= 2, "demo customers have several contacts");
    let links = walks_like_one_page(&format!("{api}/accounts/{sso_account}/console-links"), &erin, 1).await;
    assert!(links.len() >= 2, "SSO accounts link each permission set");
    let mine = walks_like_one_page(&format!("{api}/access-requests?scope=mine"), &erin, 2).await;
    assert_eq!(mine.len(), 5);
    let to_approve = walks_like_one_page(&format!("{api}/access-requests?scope=to-approve"), &sam, 1).await;
    assert_eq!(to_approve.len(), 2);
    let open = walks_like_one_page(&format!("{api}/access-requests?scope=all"), &lee, 2).await;
    assert_eq!(open.len(), 5);
    let active = walks_like_one_page(&format!("{api}/access-requests?scope=all&status=active"), &lee, 2).await;
    assert_eq!(active.len(), 3);
    assert_eq!(walks_like_one_page(&format!("{api}/sessions"), &erin, 2).await.len(), 3);
    assert_eq!(
        walks_like_one_page(&format!("{api}/sessions?scope=all"), &lee, 1)
            .await
            .len(),
        3
    );
    let by_actor = walks_like_one_page(&format!("{api}/audit?actor=erin@example.com"), &erin, 2).await;
    assert!(by_actor.len() >= 5, "erin's requests are audited");
    let by_customer = walks_like_one_page(&format!("{api}/audit?customer={customer}"), &lee, 1).await;
    assert!(!by_customer.is_empty());
    let trail = walks_like_one_page(&format!("{api}/audit?request={}", ids[0]), &erin, 1).await;
    assert!(trail.len() >= 3, "created, approved, granted: {trail:?}");

    // Every customer's policy in the customer list's order, each the one its own route answers.
    let ada = token(&s, "ada@example.com", &[Role::Admin]);
    let (st, _) = call(
        "PATCH",
        &format!("{api}/customers/{customer}/approval-policy"),
        &ada,
        Some(json!({"approvals_required": 2, "version": 0})),
    )
    .await;
    assert_eq!(st, 200);
    let policies = walks_like_one_page(&format!("{api}/approval-policies"), &erin, 5).await;
    let codes = |items: &[Value], field: &str| items.iter().map(|i| i[field].clone()).collect::<Vec<_>>();
    assert_eq!(codes(&policies, "customer"), codes(&customers, "code"));
    for p in &policies {
        let code = p["customer"].as_str().unwrap();
        let (_, own) = call("GET", &format!("{api}/customers/{code}/approval-policy"), &erin, None).await;
        assert_eq!(p["policy"], own, "{code}");
        assert_eq!(
            p["policy"]["approvals_required"],
            if code == customer { 2 } else { 1 },
            "{code}"
        );
    }
}

/// The audit export answers every page in one response (`limit` is how many events it reads at a
/// time); `x-next-cursor` only comes when an export outgrows its size budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_export_answers_every_page_at_once() {
    let s = start().await;
    join_every_team(&s, &["erin@example.com"]).await;
    let api = &format!("{}/api/v1", s.base);
    let erin = token(&s, "erin@example.com", &[Role::Engineer]);
    let lee = token(&s, "lee@example.com", &[Role::Engineer, Role::Lead]);
    let (_, accounts) = call("GET", &format!("{api}/accounts?access=role&limit=3"), &erin, None).await;
    for a in accounts["items"].as_array().unwrap() {
        let ask = json!({"account_id": a["id"], "duration_minutes": 60,
            "justification": "Investigate the failing deployment pipeline in this account"});
        assert_eq!(
            call("POST", &format!("{api}/access-requests"), &erin, Some(ask))
                .await
                .0,
            201
        );
    }
    let http = cc_tls::reqwest_client().unwrap();
    let export = |url: String, who: String| {
        let http = http.clone();
        async move {
            let res = http
                .get(&url)
                .bearer_auth(&who)
                .header("accept", "application/x-ndjson")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{url}");
            assert!(
                res.headers().get("x-next-cursor").is_none(),
                "{url}: all in one response"
            );
            let body = res.text().await.unwrap();
            body.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<Value>>()
        }
    };
    let lines = export(format!("{api}/audit?actor=erin@example.com&limit=2"), erin.clone()).await;
    let (_, whole) = call(
        "GET",
        &format!("{api}/audit?actor=erin@example.com&limit=200"),
        &erin,
        None,
    )
    .await;
    assert_eq!(&lines, whole["items"].as_array().unwrap());
    assert_eq!(lines.len(), 3);
    // Everything (a lead, no filter), read seven events at a time: the same as the JSON pages.
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{api}/audit?limit=200&cursor={c}"),
            None => format!("{api}/audit?limit=200"),
        };
        let (st, page) = call("GET", &url, &lee, None).await;
        assert_eq!(st, 200, "{page}");
        pages.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let everything = export(format!("{api}/audit?limit=7"), lee.clone()).await;
    assert!(everything.len() > 7, "more than one page: {}", everything.len());
    assert_eq!(everything, pages);
    let res = http
        .get(format!("{api}/audit?actor=erin@example.com&limit=5001"))
        .bearer_auth(&erin)
        .header("accept", "application/x-ndjson")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "exports page at most 5,000 events");
}
