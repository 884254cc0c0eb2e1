#!/usr/bin/env python3
"""Writes the sample API Gateway HTTP API (v2) events in events/<function>/, as API Gateway sends
them with a JWT authorizer (array claims arrive as "[a b]" strings). Run from anywhere:
python3 events/generate.py. The handler tests replay every file; cargo lambda invoke takes them too.
Each replaying test's EXPECTED table names the status every event must get and, for an error, its
{"error":{"code":...}} (so a router 404, no_such_route, never passes for a domain 404, not_found):
add an event here, then its expectation there. events/jobs/ holds what EventBridge rules send the
jobs function ({"job": NAME}); events/approval-workflow/ the state machine's task payloads;
events/report-pdf/ the table's stream records (keys only) the report-pdf function gets."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ISS = {"iss": "https://issuer.example.com", "aud": "customer-central"}


def claims(email, groups):
    return {"sub": email, "email": email, "groups": f"[{' '.join(groups)}]", **ISS}


ADMIN = claims("ada.admin@demo.customer-central.dev", ["admin"])
ENG = claims("erin.engineer@demo.customer-central.dev", ["engineer"])
SENIOR = claims("sam.senior@demo.customer-central.dev", ["engineer", "senior"])
LEAD = claims("lee.lead@demo.customer-central.dev", ["engineer", "senior", "lead"])
UNKNOWN = "01jzzzzzzzzzzzzzzzzzzzzzzz"


def ev(function, name, method, route, path, query="", body=None, who=ADMIN, content_type="application/json"):
    e = {
        "version": "2.0",
        "routeKey": f"{method} {route}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"accept": "application/json", "content-type": content_type,
                    "host": "api.customer-central.example.com", "user-agent": "sample-event"},
        "requestContext": {
            "accountId": "111122223333", "apiId": "cc0api", "domainName": "api.customer-central.example.com",
            "domainPrefix": "api", "authorizer": {"jwt": {"claims": who, "scopes": None}},
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.10",
                     "userAgent": "sample-event"},
            "requestId": f"sample-{function}-{name}", "routeKey": f"{method} {route}", "stage": "$default",
            "time": "25/Nov/2026:09:00:00 +0000", "timeEpoch": 1795597200000,
        },
        "isBase64Encoded": False,
    }
    if query:
        e["queryStringParameters"] = dict(p.split("=", 1) for p in query.split("&"))
    if "{" in route:
        e["pathParameters"] = {r[1:-1]: p for r, p in zip(route.split("/"), path.split("/")) if r.startswith("{")}
    if isinstance(body, str):
        e["body"] = body
    elif body is not None:
        e["body"] = json.dumps(body)
    os.makedirs(os.path.join(HERE, function), exist_ok=True)
    with open(os.path.join(HERE, function, f"{name}.json"), "w") as f:
        json.dump(e, f, indent=2)
        f.write("\n")


def customers():
    c = "customers"
    ev(c, "01-get-me", "GET", "/api/v1/me", "/api/v1/me")
    ev(c, "02-create-customer", "POST", "/api/v1/customers", "/api/v1/customers",
       body={"code": "events-demo", "name": "Events Demo", "notes": "Created by the sample events."})
    ev(c, "03-list-customers", "GET", "/api/v1/customers", "/api/v1/customers", "limit=10&q=events")
    ev(c, "04-get-customer", "GET", "/api/v1/customers/{code}", "/api/v1/customers/events-demo")
    ev(c, "05-update-customer", "PATCH", "/api/v1/customers/{code}", "/api/v1/customers/events-demo",
       body={"status": "onboarding", "contract": {"reference": "MSA-9001", "hours_per_month": 40}})
    ev(c, "06-create-contact", "POST", "/api/v1/customers/{code}/contacts", "/api/v1/customers/events-demo/contacts",
       body={"name": "Morgan Hale", "role": "CTO", "email": "morgan@events-demo.example.com",
             "phone": "+44 20 7946 0000", "escalation_order": 1})
    ev(c, "07-list-contacts", "GET", "/api/v1/customers/{code}/contacts", "/api/v1/customers/events-demo/contacts")
    ev(c, "08-update-unknown-contact", "PATCH", "/api/v1/customers/{code}/contacts/{id}",
       f"/api/v1/customers/events-demo/contacts/{UNKNOWN}", body={"phone": "+44 20 7946 0001"})
    ev(c, "09-delete-unknown-contact", "DELETE", "/api/v1/customers/{code}/contacts/{id}",
       f"/api/v1/customers/events-demo/contacts/{UNKNOWN}")
    ev(c, "10-create-account", "POST", "/api/v1/accounts", "/api/v1/accounts", body={
        "id": "000111222333", "customer": "events-demo", "name": "payments prod", "alias": "events-payments-prod",
        "environment": "prod", "region": "eu-west-1",
        "access": {"method": "role", "read_role_arn": "arn:aws:iam::000111222333:role/CustomerCentralRead",
                   "breakglass_role_arn": "arn:aws:iam::000111222333:role/CustomerCentralBreakglass",
                   "external_id": "cc-events-demo-1", "max_session_seconds": 3600}})
    ev(c, "11-list-accounts", "GET", "/api/v1/accounts", "/api/v1/accounts",
       "customer=events-demo&environment=prod&access=role&limit=50")
    ev(c, "12-get-account", "GET", "/api/v1/accounts/{id}", "/api/v1/accounts/000111222333")
    ev(c, "13-update-account", "PATCH", "/api/v1/accounts/{id}", "/api/v1/accounts/000111222333",
       body={"alias": "events-pay-prod", "delegated_admin_services": ["securityhub.amazonaws.com"]})
    ev(c, "14-console-links", "GET", "/api/v1/accounts/{id}/console-links", "/api/v1/accounts/000111222333/console-links")
    ev(c, "15-search", "GET", "/api/v1/search", "/api/v1/search", "q=000111&limit=5")
    ev(c, "16-create-customer-as-engineer", "POST", "/api/v1/customers", "/api/v1/customers",
       body={"code": "not-allowed", "name": "Not Allowed"}, who=ENG)
    ev(c, "17-delete-customer-with-accounts", "DELETE", "/api/v1/customers/{code}", "/api/v1/customers/events-demo")
    ev(c, "18-delete-account", "DELETE", "/api/v1/accounts/{id}", "/api/v1/accounts/000111222333")
    ev(c, "19-delete-customer", "DELETE", "/api/v1/customers/{code}", "/api/v1/customers/events-demo")
    ev(c, "20-put-team", "PUT", "/api/v1/customers/{code}/team", "/api/v1/customers/acme-retail/team",
       body={"members": ["erin.engineer@demo.customer-central.dev", "sam.senior@demo.customer-central.dev"], "version": 0})
    ev(c, "21-get-team", "GET", "/api/v1/customers/{code}/team", "/api/v1/customers/acme-retail/team", who=ENG)
    ev(c, "22-put-team-stale-version", "PUT", "/api/v1/customers/{code}/team", "/api/v1/customers/acme-retail/team",
       body={"members": [], "version": 0})
    # The people directory (CC_EMAIL_SOURCE=people maps these subjects to e-mails).
    okta = "00u1a2b3c4D5e6F7g8h9"
    ev(c, "23-put-person", "PUT", "/api/v1/people/{subject}", f"/api/v1/people/{okta}",
       body={"email": "erin.engineer@demo.customer-central.dev", "name": "Erin Engineer"})
    ev(c, "24-get-person", "GET", "/api/v1/people/{subject}", f"/api/v1/people/{okta}")
    ev(c, "25-list-people", "GET", "/api/v1/people", "/api/v1/people", "limit=10")
    ev(c, "26-put-person-email-taken", "PUT", "/api/v1/people/{subject}", "/api/v1/people/00uOTHER",
       body={"email": "erin.engineer@demo.customer-central.dev"})
    ev(c, "27-list-people-as-engineer", "GET", "/api/v1/people", "/api/v1/people", who=ENG)
    ev(c, "28-delete-person", "DELETE", "/api/v1/people/{subject}", f"/api/v1/people/{okta}")
    ev(c, "29-get-deleted-person", "GET", "/api/v1/people/{subject}", f"/api/v1/people/{okta}")
    # The customer page in one call; codes are case-insensitive.
    ev(c, "30-customer-overview", "GET", "/api/v1/customers/{code}/overview",
       "/api/v1/customers/ACME-Retail/overview", who=ENG)
    ev(c, "31-customer-overview-unknown", "GET", "/api/v1/customers/{code}/overview",
       "/api/v1/customers/nobody/overview", who=ENG)
    # Bulk import: validated as a whole (a bad row writes nothing), then written in batches.
    def bulk_account(account, name, env):
        return {"id": account, "customer": "acme-retail", "name": name, "environment": env, "region": "eu-west-1",
                "access": {"method": "role", "read_role_arn": f"arn:aws:iam::{account}:role/CustomerCentralRead",
                           "breakglass_role_arn": f"arn:aws:iam::{account}:role/CustomerCentralBreakglass",
                           "external_id": "cc-acme-retail-bulk"}}
    ev(c, "32-bulk-accounts", "POST", "/api/v1/accounts/bulk", "/api/v1/accounts/bulk", body={"accounts": [
        bulk_account("000111222444", "bulk analytics prod", "prod"),
        bulk_account("000111222555", "bulk analytics dev", "non-prod")]})
    ev(c, "33-bulk-accounts-invalid", "POST", "/api/v1/accounts/bulk", "/api/v1/accounts/bulk", body={"accounts": [
        bulk_account("000111222666", "bulk sandbox", "non-prod"),
        bulk_account("000111222444", "bulk analytics prod again", "prod")]})


def access_request():
    # Replayed against a hub holding customer events-demo with role account 000111222333.
    a = "access-request"
    ev(a, "01-get-approval-policy", "GET", "/api/v1/customers/{code}/approval-policy",
       "/api/v1/customers/events-demo/approval-policy", who=ENG)
    ev(a, "02-put-approval-policy", "PUT", "/api/v1/customers/{code}/approval-policy",
       "/api/v1/customers/events-demo/approval-policy",
       body={"approvals_required": 1, "approver_roles": ["senior", "lead"], "max_duration_minutes": 240,
             "approval_window_minutes": 120, "ticket_required": True, "ticket_pattern": None,
             "requester_roles": ["engineer"], "approvers_off_team": ["lead"], "version": 0})
    ev(a, "03-create-request", "POST", "/api/v1/access-requests", "/api/v1/access-requests", who=ENG,
       body={"account_id": "000111222333", "duration_minutes": 60, "ticket": "OPS-1234", "starts_at": None,
             "justification": "Payments queue is stuck; purge the dead-letter queue and restart consumers."})
    ev(a, "04-create-request-without-ticket", "POST", "/api/v1/access-requests", "/api/v1/access-requests", who=ENG,
       body={"account_id": "000111222333", "duration_minutes": 60,
             "justification": "Payments queue is stuck; purge the dead-letter queue and restart consumers."})
    ev(a, "05-list-my-requests", "GET", "/api/v1/access-requests", "/api/v1/access-requests", "scope=mine", who=ENG)
    ev(a, "06-list-to-approve", "GET", "/api/v1/access-requests", "/api/v1/access-requests", "scope=to-approve",
       who=SENIOR)
    ev(a, "07-list-all-as-engineer", "GET", "/api/v1/access-requests", "/api/v1/access-requests", "scope=all", who=ENG)
    ev(a, "08-get-unknown-request", "GET", "/api/v1/access-requests/{id}", f"/api/v1/access-requests/{UNKNOWN}", who=ENG)
    ev(a, "09-cancel-unknown-request", "POST", "/api/v1/access-requests/{id}/cancel",
       f"/api/v1/access-requests/{UNKNOWN}/cancel", who=ENG)
    ev(a, "10-revoke-unknown-request", "POST", "/api/v1/access-requests/{id}/revoke",
       f"/api/v1/access-requests/{UNKNOWN}/revoke", body={"reason": "incident closed"}, who=LEAD)
    ev(a, "11-credentials-unknown-request", "POST", "/api/v1/access-requests/{id}/credentials",
       f"/api/v1/access-requests/{UNKNOWN}/credentials", who=ENG)
    ev(a, "12-console-link-unknown-request", "POST", "/api/v1/access-requests/{id}/console-link",
       f"/api/v1/access-requests/{UNKNOWN}/console-link", who=ENG)
    ev(a, "13-my-sessions", "GET", "/api/v1/sessions", "/api/v1/sessions", "scope=mine", who=ENG)
    ev(a, "14-all-sessions", "GET", "/api/v1/sessions", "/api/v1/sessions", "scope=all", who=LEAD)
    ev(a, "15-audit", "GET", "/api/v1/audit", "/api/v1/audit", "customer=events-demo", who=LEAD)
    ev(a, "16-patch-approval-policy", "PATCH", "/api/v1/customers/{code}/approval-policy",
       "/api/v1/customers/events-demo/approval-policy", body={"max_duration_minutes": 120, "version": 1})
    ev(a, "17-end-access-account", "POST", "/api/v1/accounts/{id}/end-access", "/api/v1/accounts/000111222333/end-access",
       body={"reason": "the account leaves the hub"})
    ev(a, "18-end-access-customer", "POST", "/api/v1/customers/{code}/end-access",
       "/api/v1/customers/events-demo/end-access", body={"reason": "customer offboarding"})
    ev(a, "19-list-approval-policies", "GET", "/api/v1/approval-policies", "/api/v1/approval-policies", "limit=10",
       who=ENG)
    ev(a, "20-audit-of-unknown-request", "GET", "/api/v1/audit", "/api/v1/audit", f"request={UNKNOWN}", who=ENG)


def approval():
    p = "approval"
    ev(p, "01-decide-unknown-request", "POST", "/api/v1/access-requests/{id}/decisions",
       f"/api/v1/access-requests/{UNKNOWN}/decisions", body={"decision": "approve", "comment": "ok"}, who=SENIOR)
    ev(p, "02-decide-malformed-id", "POST", "/api/v1/access-requests/{id}/decisions",
       "/api/v1/access-requests/not-a-request/decisions", body={"decision": "approve"}, who=SENIOR)
    ev(p, "03-decide-bad-verdict", "POST", "/api/v1/access-requests/{id}/decisions",
       f"/api/v1/access-requests/{UNKNOWN}/decisions", body={"decision": "maybe"}, who=SENIOR)


def profile_gen():
    # Replayed against a hub holding customer events-demo (role account 000111222333) with
    # erin.engineer on its team.
    g = "profile-gen"
    ev(g, "01-get-preferences", "GET", "/api/v1/me/profile-preferences", "/api/v1/me/profile-preferences", who=ENG)
    ev(g, "02-put-preferences", "PUT", "/api/v1/me/profile-preferences", "/api/v1/me/profile-preferences", who=ENG,
       body={"template": "{customer}-{alias}-{role}", "hub_profile": "sre-hub", "region": "eu-west-1", "version": 0})
    ev(g, "03-profiles-ini", "GET", "/api/v1/profiles", "/api/v1/profiles", "format=ini", who=ENG)
    ev(g, "04-profiles-json-filtered", "GET", "/api/v1/profiles", "/api/v1/profiles",
       "format=json&customer=events-demo&environment=prod&kind=read,breakglass", who=ENG)
    ev(g, "05-profiles-unknown-placeholder", "GET", "/api/v1/profiles", "/api/v1/profiles",
       "template=%7Bcustomer%7D-%7Bcolour%7D", who=ENG)
    ev(g, "06-profiles-unknown-customer", "GET", "/api/v1/profiles", "/api/v1/profiles", "customer=nobody", who=ENG)
    ev(g, "07-profiles-all-as-engineer", "GET", "/api/v1/profiles", "/api/v1/profiles", "all=true", who=ENG)
    ev(g, "08-profiles-all-as-lead", "GET", "/api/v1/profiles", "/api/v1/profiles", "all=true&format=json", who=LEAD)


def billing_fetch():
    # Replayed against a hub holding customer events-demo with October 2026 costs stored.
    b = "billing-fetch"
    ev(b, "01-overview", "GET", "/api/v1/billing/overview", "/api/v1/billing/overview", who=ENG)
    ev(b, "02-costs-monthly", "GET", "/api/v1/billing/costs", "/api/v1/billing/costs",
       "customer=events-demo&from=2026-10-01&to=2026-10-31&granularity=monthly", who=ENG)
    ev(b, "03-costs-range-too-long", "GET", "/api/v1/billing/costs", "/api/v1/billing/costs",
       "customer=events-demo&from=2024-01-01&to=2026-10-31", who=ENG)
    ev(b, "04-costs-unknown-customer", "GET", "/api/v1/billing/costs", "/api/v1/billing/costs",
       "customer=nobody", who=ENG)
    ev(b, "05-movers", "GET", "/api/v1/billing/movers", "/api/v1/billing/movers",
       "customer=events-demo&from=2026-10-25&to=2026-10-31&limit=5", who=ENG)
    ev(b, "06-anomalies", "GET", "/api/v1/billing/anomalies", "/api/v1/billing/anomalies",
       "customer=events-demo", who=ENG)
    ev(b, "07-acknowledge-unknown", "POST", "/api/v1/billing/anomalies/{id}/acknowledge",
       "/api/v1/billing/anomalies/20261020-0123456789abcdef/acknowledge",
       body={"customer": "events-demo", "note": "looking", "version": 0}, who=ENG)
    ev(b, "08-runs", "GET", "/api/v1/billing/runs", "/api/v1/billing/runs", who=ENG)
    ev(b, "09-run-as-engineer", "POST", "/api/v1/billing/runs", "/api/v1/billing/runs",
       body={"customer": "events-demo"}, who=ENG)
    ev(b, "10-get-settings", "GET", "/api/v1/billing/settings/{code}", "/api/v1/billing/settings/events-demo", who=ENG)
    ev(b, "11-put-settings", "PUT", "/api/v1/billing/settings/{code}", "/api/v1/billing/settings/events-demo",
       body={"metric": "AmortizedCost", "thresholds": {"min_impact": 100, "min_relative": 0.25}, "version": 0})
    ev(b, "12-organization", "GET", "/api/v1/billing/organizations/{code}",
       "/api/v1/billing/organizations/events-demo", who=ENG)
    ev(b, "13-add-discovered-unknown", "POST", "/api/v1/billing/organizations/{code}/discovered",
       "/api/v1/billing/organizations/events-demo/discovered", body={"accounts": ["999900000001"]})
    ev(b, "14-resolve-unknown", "POST", "/api/v1/billing/anomalies/{id}/resolve",
       "/api/v1/billing/anomalies/20261020-0123456789abcdef/resolve",
       body={"customer": "events-demo", "note": "scaled the group back down", "version": 1}, who=ENG)
    ev(b, "15-import-as-engineer", "POST", "/api/v1/billing/imports", "/api/v1/billing/imports",
       "customer=events-demo", body={"not": "an export"}, who=ENG)
    ev(b, "16-remove-imports", "DELETE", "/api/v1/billing/imports", "/api/v1/billing/imports",
       "customer=events-demo&from=2026-10&to=2026-10")
    ev(b, "17-remove-imports-as-engineer", "DELETE", "/api/v1/billing/imports", "/api/v1/billing/imports",
       "customer=events-demo&from=2026-10", who=ENG)


def utilisation():
    # Replayed against the demo hub with the demo contracts and timesheets seeded
    # (cc_domain::demo::seed, then cc_domain::utilisation::demo::seed): acme-retail has contract
    # 00000100; the task codes are at version 1.
    u = "utilisation"
    ev(u, "01-customer", "GET", "/api/v1/utilisation", "/api/v1/utilisation", "customer=acme-retail", who=ENG)
    ev(u, "02-customer-missing", "GET", "/api/v1/utilisation", "/api/v1/utilisation", who=ENG)
    ev(u, "03-customer-unknown", "GET", "/api/v1/utilisation", "/api/v1/utilisation", "customer=nobody", who=ENG)
    ev(u, "04-contract", "GET", "/api/v1/utilisation/contracts/{customer}/{contract}",
       "/api/v1/utilisation/contracts/acme-retail/00000100", who=ENG)
    ev(u, "05-contract-unknown", "GET", "/api/v1/utilisation/contracts/{customer}/{contract}",
       "/api/v1/utilisation/contracts/acme-retail/99999999", who=ENG)
    ev(u, "06-unmapped", "GET", "/api/v1/utilisation/unmapped", "/api/v1/utilisation/unmapped", who=ENG)
    ev(u, "07-unmapped-bad-date", "GET", "/api/v1/utilisation/unmapped", "/api/v1/utilisation/unmapped",
       "from=2026-13-01", who=ENG)
    ev(u, "08-task-codes", "GET", "/api/v1/task-codes", "/api/v1/task-codes", who=ENG)
    ev(u, "09-put-task-codes-stale", "PUT", "/api/v1/task-codes", "/api/v1/task-codes",
       body={"mappings": [{"code": "ACME-", "prefix": True, "customer": "acme-retail", "contract": "00000100"}],
             "version": 0})
    ev(u, "10-task-code-history", "GET", "/api/v1/task-codes/history", "/api/v1/task-codes/history",
       "limit=10", who=ENG)
    ev(u, "11-import-contracts-as-engineer", "POST", "/api/v1/utilisation/imports/contracts",
       "/api/v1/utilisation/imports/contracts",
       body="contract,customer,start,end,entitled_hours\n00000900,acme-retail,2026-01-01,2026-12-31,100\n",
       content_type="text/csv", who=ENG)
    ev(u, "12-import-worklogs", "POST", "/api/v1/utilisation/imports/worklogs", "/api/v1/utilisation/imports/worklogs",
       body="date,person,task_code,hours,note\n2026-11-02,erin@example.com,ACME-7,1.5,patching\n",
       content_type="text/csv")
    ev(u, "13-runs", "GET", "/api/v1/utilisation/runs", "/api/v1/utilisation/runs", "limit=5", who=ENG)
    ev(u, "14-run-as-engineer", "POST", "/api/v1/utilisation/runs", "/api/v1/utilisation/runs", who=ENG)
    ev(u, "15-run", "POST", "/api/v1/utilisation/runs", "/api/v1/utilisation/runs")
    ev(u, "16-portfolio", "GET", "/api/v1/utilisation/portfolio", "/api/v1/utilisation/portfolio", who=ENG)
    ev(u, "17-team", "GET", "/api/v1/utilisation/team", "/api/v1/utilisation/team", "month=2026-10", who=ENG)
    ev(u, "18-team-bad-month", "GET", "/api/v1/utilisation/team", "/api/v1/utilisation/team", "month=2026-13",
       who=ENG)


def report_build():
    # Replayed against the demo hub (erin is on acme-retail's team, not on driftwood-media's) with
    # demo costs and contracts, on a clock at 2026-11-25, where acme-retail's October 2026 report
    # has version 1 (the schedule's) before the first event.
    r = "report-build"
    month = "/api/v1/reports/{customer}/{month}"
    ev(r, "01-list-customer", "GET", "/api/v1/reports", "/api/v1/reports", "customer=acme-retail", who=ENG)
    ev(r, "02-list-without-filter", "GET", "/api/v1/reports", "/api/v1/reports", who=ENG)
    ev(r, "03-build", "POST", "/api/v1/reports", "/api/v1/reports",
       body={"customer": "acme-retail", "month": "2026-10", "reason": "summary written",
             "summary": "## October\n\nWe moved the **checkout** service to Graviton."}, who=ENG)
    ev(r, "04-build-open-month", "POST", "/api/v1/reports", "/api/v1/reports",
       body={"customer": "acme-retail", "month": "2026-11"}, who=ENG)
    ev(r, "05-build-future-month", "POST", "/api/v1/reports", "/api/v1/reports",
       body={"customer": "acme-retail", "month": "2027-01"}, who=ENG)
    ev(r, "06-build-unknown-customer", "POST", "/api/v1/reports", "/api/v1/reports",
       body={"customer": "nobody", "month": "2026-10"})
    ev(r, "07-build-summary-too-long", "POST", "/api/v1/reports", "/api/v1/reports",
       body={"customer": "acme-retail", "month": "2026-10", "summary": "x" * 20001}, who=ENG)
    ev(r, "08-build-off-team", "POST", "/api/v1/reports", "/api/v1/reports",
       body={"customer": "driftwood-media", "month": "2026-10"}, who=ENG)
    ev(r, "09-versions", "GET", f"{month}/versions", "/api/v1/reports/acme-retail/2026-10/versions", who=ENG)
    ev(r, "10-version-html", "GET", f"{month}/versions/{{version}}",
       "/api/v1/reports/acme-retail/2026-10/versions/1", who=ENG)
    ev(r, "11-version-json", "GET", f"{month}/versions/{{version}}",
       "/api/v1/reports/acme-retail/2026-10/versions/2", "format=json", who=ENG)
    ev(r, "12-version-pdf", "GET", f"{month}/versions/{{version}}",
       "/api/v1/reports/acme-retail/2026-10/versions/2", "format=pdf", who=ENG)
    ev(r, "13-version-unknown", "GET", f"{month}/versions/{{version}}",
       "/api/v1/reports/acme-retail/2026-10/versions/99", who=ENG)
    ev(r, "14-download", "GET", f"{month}/versions/{{version}}/download",
       "/api/v1/reports/acme-retail/2026-10/versions/1/download", "format=json", who=ENG)
    ev(r, "15-diff", "GET", f"{month}/diff", "/api/v1/reports/acme-retail/2026-10/diff", "from=1&to=2", who=ENG)
    ev(r, "16-runs", "GET", "/api/v1/reports/runs", "/api/v1/reports/runs", who=ENG)
    ev(r, "17-versions-bad-month", "GET", f"{month}/versions", "/api/v1/reports/acme-retail/2026-13/versions",
       who=ENG)
    ev(r, "18-import-findings-not-json", "POST", "/api/v1/reports/findings", "/api/v1/reports/findings",
       "customer=acme-retail&file_name=export.json", body='{"Findings": [', who=LEAD)
    ev(r, "19-import-findings-other-account", "POST", "/api/v1/reports/findings", "/api/v1/reports/findings",
       "customer=acme-retail", body={"Findings": [{"Id": "f-1", "AwsAccountId": "999999999999", "Title": "t",
                                                    "Severity": {"Label": "HIGH"}}]}, who=LEAD)
    ev(r, "20-import-findings-engineer", "POST", "/api/v1/reports/findings", "/api/v1/reports/findings",
       "customer=acme-retail", body=[], who=ENG)


def write(function, name, body):
    os.makedirs(os.path.join(HERE, function), exist_ok=True)
    with open(os.path.join(HERE, function, f"{name}.json"), "w") as f:
        json.dump(body, f, indent=2)
        f.write("\n")


def docs():
    d = "docs"
    ev(d, "01-openapi", "GET", "/api/v1/openapi.json", "/api/v1/openapi.json")


def workflow_tasks():
    # Step Functions lambda:invoke payloads for approval-workflow.
    for name, body in {
        "01-record-token": {"task": "record_token", "request_id": UNKNOWN, "task_token": "AQCEAAAAKgAAAAMAAAAAAAAAAf=="},
        "02-grant": {"task": "grant", "request_id": UNKNOWN},
        "03-end": {"task": "end", "request_id": UNKNOWN},
        "04-time-out": {"task": "time_out", "request_id": UNKNOWN},
    }.items():
        write("approval-workflow", name, body)


def jobs():
    # What EventBridge rules send the jobs function: the rule's Input, {"job": NAME}. The last one
    # is a rule without Input (the bare Scheduled Event), which the function refuses.
    write("jobs", "01-breakglass-sweep", {"job": "breakglass.sweep"})
    write("jobs", "02-unknown-job", {"job": "breakglass.sweeper"})
    write("jobs", "03-scheduled-event-without-input", {
        "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "111122223333", "time": "2026-11-25T09:00:00Z", "region": "eu-west-1",
        "resources": ["arn:aws:events:eu-west-1:111122223333:rule/customer-central-breakglass-sweep"], "detail": {}})
    write("jobs", "04-billing-fetch", {"job": "billing.fetch"})
    write("jobs", "05-utilisation-sync", {"job": "utilisation.sync"})
    write("jobs", "06-reports-monthly", {"job": "reports.monthly"})


def report_pdf():
    # What the DynamoDB stream's event source mapping sends the report-pdf function: batches of
    # records with the keys only (StreamViewType KEYS_ONLY). The mapping's filter passes only
    # INSERTs of REPORT# keys; the function skips anything else itself too. The replaying test
    # builds acme-retail's October 2026 version 1 with its PDF pending first.
    arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/customer-central/stream/2026-11-01T00:00:00.000"

    def record(name, pk, sk, seq):
        return {"eventID": f"sample-{seq}", "eventName": name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
                "awsRegion": "eu-west-1", "eventSourceARN": arn,
                "dynamodb": {"ApproximateCreationDateTime": 1795597200, "Keys": {"PK": {"S": pk}, "SK": {"S": sk}},
                             "SequenceNumber": f"{seq:021d}", "SizeBytes": 64, "StreamViewType": "KEYS_ONLY"}}

    october = "REPORT#acme-retail#2026-10"
    write("report-pdf", "01-new-version", {"Records": [record("INSERT", october, "000001", 100)]})
    write("report-pdf", "02-delivered-again", {"Records": [record("INSERT", october, "000001", 100)]})
    write("report-pdf", "03-other-records", {"Records": [
        record("MODIFY", october, "000001", 101),
        record("INSERT", "REPORTRUN", "1795597200000#01jzzzzzzzzzzzzzzzzzzzzzzz", 102),
        record("REMOVE", october, "000001", 103),
        record("INSERT", "REPORT#acme-retail#2026-10", "000099", 104)]})
    write("report-pdf", "04-not-a-stream-event", {"job": "reports.monthly"})


customers()
access_request()
approval()
profile_gen()
billing_fetch()
utilisation()
report_build()
docs()
workflow_tasks()
jobs()
report_pdf()
