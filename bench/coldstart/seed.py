#!/usr/bin/env python3
"""Seeds what the cold-start benchmark's sample events read (scripts/bench coldstart), through a
running `cc serve --store aws` (the functions' own code, on the same table), so that their reads
find data: the customer `events-demo` (events/customers/02), its account (events/customers/10),
a team with the engineer of events/access-request/03, that engineer's access request, and the
customer `acme-retail` the report events name, with its team (events/customers/20). Writes
events/approval-workflow/01-record-token.json with the new request's id to OUT, so the
approval-workflow function's task has a request to record its token on.

Tokens come from `cc token` (the server's CC_JWT_SECRET, in the environment), one per caller the
events name (their authorizer claims' email and groups).

Usage: seed.py CC_BIN API_URL EVENTS_DIR OUT"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

cc, api, events, out = sys.argv[1:5]


def event(name):
    with open(os.path.join(events, name + ".json")) as f:
        return json.load(f)


def token(claims):
    roles = claims["groups"].strip("[]").replace(" ", ",")
    return subprocess.run([cc, "token", "--email", claims["email"], "--roles", roles],
                          check=True, capture_output=True, text=True).stdout.strip()


def send(method, path, body, claims):
    req = urllib.request.Request(api + path, method=method, data=json.dumps(body).encode(), headers={
        "authorization": "Bearer " + token(claims), "content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        sys.exit(f"seeding: {method} {path} answered {e.code}: {e.read().decode()}")


def replay(name):
    e = event(name)
    claims = e["requestContext"]["authorizer"]["jwt"]["claims"]
    return send(e["requestContext"]["http"]["method"], e["rawPath"], json.loads(e["body"]), claims), claims


customer, admin = replay("customers/02-create-customer")
replay("customers/10-create-account")
request = event("access-request/03-create-request")
engineer = request["requestContext"]["authorizer"]["jwt"]["claims"]
send("PUT", f"/api/v1/customers/{customer['code']}/team", {"members": [engineer["email"]], "version": 0}, admin)
# The customer the report events name, with the team events/customers/20 gives it.
send("POST", "/api/v1/customers", {"code": "acme-retail", "name": "Acme Retail"}, admin)
replay("customers/20-put-team")
created, _ = replay("access-request/03-create-request")
task = event("approval-workflow/01-record-token")
task["request_id"] = created["id"]
with open(out, "w") as f:
    json.dump(task, f)
print(f"seeded customers {customer['code']} and acme-retail, access request {created['id']}", file=sys.stderr)
