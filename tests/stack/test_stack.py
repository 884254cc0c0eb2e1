"""The stack, described two ways (template.yaml for SAM, cdk/ for CDK), must agree, and both must
match the code: every route the functions serve, every schedule, the table's keys and indexes, the
reports bucket's settings, the state machine's task function, the PDF function's stream trigger
and its filter. Also checks .gitlab-ci.yml.

Run by scripts/check-stack after `cdk synth` (CDK_TEMPLATE), with the OpenAPI document the code
generates (OPENAPI_JSON, `cc openapi`), each function's own document (OPENAPI_BY_FUNCTION,
`cc openapi --by-function`) and the job names the jobs function knows (JOBS_JSON, `cc jobs list --json`)."""
import json
import os
import re
import unittest

import yaml
from cfnlint.decode import cfn_yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAM = cfn_yaml.load(os.path.join(ROOT, "template.yaml"))
CDK = json.load(open(os.environ["CDK_TEMPLATE"]))
OPENAPI = json.load(open(os.environ["OPENAPI_JSON"]))
FUNCTION_DOCS = json.load(open(os.environ["OPENAPI_BY_FUNCTION"]))
JOBS = {j["name"] for j in json.load(open(os.environ["JOBS_JSON"]))}
ASL = open(os.path.join(ROOT, "statemachine", "breakglass.asl.json")).read()
# The CDK app synthesized with the UI deployment (CC_UI_DIST=tests/stack/ui-dist): its cdk.out.
CDK_UI_OUT = os.environ.get("CDK_UI_OUT")


HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# Memory (MB) of the functions that are not API-sized (128-256 MB): Typst, in report-pdf, is
# CPU-bound and Lambda's CPU share grows with memory.
MEMORY = {"report-pdf": 1024}


def operations(doc):
    """(METHOD, path) for every operation an OpenAPI document describes."""
    return {(m.upper(), p) for p, item in doc["paths"].items() for m in item if m in HTTP_METHODS}


def routes_by_function(routes):
    out = {}
    for method, path, binary, _ in routes:
        out.setdefault(binary, set()).add((method, path))
    return out


def resources(t, kind):
    return {k: v for k, v in t["Resources"].items() if v["Type"] == kind}


def sam_functions():
    return {v["Properties"]["Environment"]["Variables"]["CC_FUNCTION"]: (k, v)
            for k, v in resources(SAM, "AWS::Serverless::Function").items()}


def cdk_functions():
    return {v["Properties"]["Environment"]["Variables"]["CC_FUNCTION"]: (k, v)
            for k, v in resources(CDK, "AWS::Lambda::Function").items()
            if "CC_FUNCTION" in v["Properties"].get("Environment", {}).get("Variables", {})}


def sam_routes():
    out = set()
    for binary, (_, fn) in sam_functions().items():
        for ev in fn["Properties"].get("Events", {}).values():
            if ev["Type"] == "HttpApi":
                p = ev["Properties"]
                public = p.get("Auth", {}).get("Authorizer") == "NONE"
                out.add((p["Method"].upper(), p["Path"], binary, public))
    return out


def cdk_ref(value):
    """The logical id a Ref/GetAtt (or a Join around one) points at."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            return value["Fn::GetAtt"][0]
        for v in value.values():
            r = cdk_ref(v)
            if r:
                return r
    if isinstance(value, list):
        for v in value:
            r = cdk_ref(v)
            if r:
                return r
    return None


def cdk_routes():
    by_id = {k: b for b, (k, _) in cdk_functions().items()}
    integrations = resources(CDK, "AWS::ApiGatewayV2::Integration")
    out = set()
    for r in resources(CDK, "AWS::ApiGatewayV2::Route").values():
        p = r["Properties"]
        method, path = p["RouteKey"].split(" ", 1)
        integration = integrations[cdk_ref(p["Target"])]
        binary = by_id[cdk_ref(integration["Properties"]["IntegrationUri"])]
        out.add((method, path, binary, p.get("AuthorizationType", "NONE") == "NONE"))
    return out


def job_input(text):
    """A rule's Input, parsed (None when the rule passes none)."""
    return json.loads(text) if text is not None else None


def sam_schedules():
    out = []
    for binary, (_, fn) in sam_functions().items():
        for ev in fn["Properties"].get("Events", {}).values():
            if ev["Type"] == "Schedule":
                p = ev["Properties"]
                out.append((p["Schedule"], binary, job_input(p.get("Input"))))
    return out


def cdk_schedules():
    by_id = {k: b for b, (k, _) in cdk_functions().items()}
    out = []
    for r in resources(CDK, "AWS::Events::Rule").values():
        (target,) = r["Properties"]["Targets"]
        out.append((r["Properties"]["ScheduleExpression"], by_id[cdk_ref(target["Arn"])],
                    job_input(target.get("Input"))))
    return out


def canonical(schedules):
    return sorted(json.dumps(s, sort_keys=True) for s in schedules)


def as_list(v):
    return v if isinstance(v, list) else [v]


def resource_kind(resource):
    """A policy Resource, classified: "*", or which Step Functions ARN it names (SAM writes it
    with Fn::Sub, CDK with Fn::Join, so the rendered text is compared, not the structure)."""
    if resource == "*":
        return "*"
    text = json.dumps(resource)
    for kind in ("stateMachine", "execution"):
        if f":{kind}:" in text:
            return kind
    return text


def states_grants(statements):
    """{(action, resource kind)} for every states:* action the statements allow."""
    out = set()
    for st in statements:
        if st.get("Effect", "Allow") != "Allow":
            continue
        for action in as_list(st["Action"]):
            if action.startswith("states:"):
                out.update((action, resource_kind(r)) for r in as_list(st["Resource"]))
    return out


def sam_states_grants():
    return {binary: states_grants([st for pol in fn["Properties"].get("Policies", []) if isinstance(pol, dict)
                                   for st in pol.get("Statement", [])])
            for binary, (_, fn) in sam_functions().items()}


def cdk_states_grants():
    policies = resources(CDK, "AWS::IAM::Policy").values()
    out = {}
    for binary, (_, fn) in cdk_functions().items():
        role = cdk_ref(fn["Properties"]["Role"])
        out[binary] = states_grants([st for pol in policies if role in [cdk_ref(r) for r in pol["Properties"]["Roles"]]
                                     for st in pol["Properties"]["PolicyDocument"]["Statement"]])
    return out


class Agreement(unittest.TestCase):
    def test_same_functions_on_arm64_al2023(self):
        self.assertEqual(set(sam_functions()), set(cdk_functions()))
        glob = SAM["Globals"]["Function"]
        self.assertEqual((glob["Runtime"], glob["Architectures"]), ("provided.al2023", ["arm64"]))
        for binary, (_, fn) in cdk_functions().items():
            self.assertEqual(fn["Properties"]["Runtime"], "provided.al2023", binary)
            self.assertEqual(fn["Properties"]["Architectures"], ["arm64"], binary)
            self.assert_memory(binary, fn)
        for binary, (_, fn) in sam_functions().items():
            self.assert_memory(binary, fn)
            self.assertEqual(fn["Metadata"]["BuildMethod"], "rust-cargolambda")
            self.assertEqual(fn["Metadata"]["BuildProperties"]["Binary"], binary)

    def assert_memory(self, binary, fn):
        memory = fn["Properties"]["MemorySize"]
        if binary in MEMORY:
            self.assertEqual(memory, MEMORY[binary], binary)
        else:
            self.assertTrue(128 <= memory <= 256, binary)

    def test_each_function_is_built_from_its_own_crate(self):
        """SAM runs `cargo lambda build --bin X` in CodeUri and copies the workspace's
        target/lambda/X/bootstrap (aws-lambda-builders' workspace support); CDK passes `--package`. Either way cargo must select the function's crate alone (building from the
        workspace root unifies features with the `cc` runner's, which bundle SQLite)."""
        cdk = cdk_functions()
        for binary, (_, fn) in sam_functions().items():
            code_uri = fn["Properties"]["CodeUri"]
            manifest_path = os.path.join(ROOT, code_uri, "Cargo.toml")
            self.assertTrue(os.path.isfile(manifest_path), f"{binary}: its CodeUri {code_uri} has no Cargo.toml")
            manifest = open(manifest_path).read()
            package = re.search(r'^name = "([^"]+)"', manifest, re.M).group(1)
            bins = set(re.findall(r'^\[\[bin\]\]\s*name = "([^"]+)"', manifest, re.M))
            own_bins = {package} | {os.path.splitext(f)[0] for f in os.listdir(os.path.join(ROOT, code_uri, "src", "bin"))} \
                if os.path.isdir(os.path.join(ROOT, code_uri, "src", "bin")) else {package} | bins
            self.assertIn(binary, own_bins, f"{code_uri} does not build {binary}")
            self.assertEqual(cdk[binary][1]["Metadata"]["CargoPackage"], package, binary)

    def test_same_routes_and_authorisation(self):
        self.assertEqual(sam_routes(), cdk_routes())
        public = {r for r in sam_routes() if r[3]}
        self.assertEqual({(m, p) for m, p, _, _ in public}, {("GET", "/api/v1/openapi.json")})

    def test_routes_match_the_code(self):
        self.assertEqual(operations(OPENAPI), {(m, p) for m, p, _, _ in sam_routes()})
        union = set().union(*(operations(doc) for doc in FUNCTION_DOCS.values()))
        self.assertEqual(operations(OPENAPI), union, "the merged document is every function's own routes")

    def test_each_function_gets_exactly_the_routes_of_its_own_document(self):
        expected = {binary: operations(doc) for binary, doc in FUNCTION_DOCS.items()}
        self.assertTrue(all(expected.values()), "every function document describes routes")
        self.assertEqual(set(expected) - set(sam_functions()), set(), "documented functions missing from the stack")
        for name, routes in (("template.yaml", sam_routes()), ("CDK", cdk_routes())):
            got = routes_by_function(routes)
            for binary in sorted(set(expected) | set(got)):
                self.assertEqual(got.get(binary, set()), expected.get(binary, set()),
                                 f"{name}: the routes sent to {binary} vs its OpenAPI document")

    def test_same_function_settings(self):
        sam = set(SAM["Globals"]["Function"]["Environment"]["Variables"])
        for binary, (_, fn) in cdk_functions().items():
            cdk = set(fn["Properties"]["Environment"]["Variables"]) - {"CC_FUNCTION"}
            self.assertEqual(sam, cdk, binary)
        self.assertNotIn("CC_WEBHOOK_URL", sam, "the webhook URL is a credential: it comes from Secrets Manager")

    def test_same_parameters(self):
        """The same parameters, with the same types, defaults and constraints: what an engineer can set
        must not depend on which of the two the pipeline deploys."""
        def shape(t):
            return {k: {f: v.get(f) for f in ("Type", "Default", "AllowedValues", "AllowedPattern", "NoEcho")}
                    for k, v in t["Parameters"].items() if k != "BootstrapVersion"}
        self.assertEqual(shape(SAM), shape(CDK))
        self.assertIn("RoleGroups", shape(SAM))
        self.assertIn("WebhookSecretArn", shape(SAM))
        pattern = re.compile(SAM["Parameters"]["WebhookSecretArn"]["AllowedPattern"])
        self.assertTrue(pattern.fullmatch(""))
        self.assertTrue(pattern.fullmatch("arn:aws:secretsmanager:eu-west-1:123456789012:secret:cc/webhook-AbCdEf"))
        self.assertFalse(pattern.fullmatch("https://hooks.slack.com/services/T000/B000/XXXX"))

    def test_same_logging(self):
        """API access logs, state machine execution logs and the reports bucket's server access logs."""
        for name, t in (("SAM", SAM), ("CDK", CDK)):
            sm = [r for r in t["Resources"].values()
                  if r["Type"] in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")]
            (sm,) = sm
            logging = sm["Properties"].get("Logging") or sm["Properties"].get("LoggingConfiguration")
            self.assertIsNotNone(logging, f"{name}: state machine execution logging")
            self.assertEqual((logging["Level"], logging["IncludeExecutionData"]), ("ALL", False), name)
            (dest,) = logging["Destinations"]
            group = t["Resources"][cdk_ref(dest["CloudWatchLogsLogGroup"]["LogGroupArn"])]
            self.assertEqual(group["Properties"]["RetentionInDays"], 365, name)
            (reports,) = [b for b in resources(t, "AWS::S3::Bucket").values()
                          if b["Properties"].get("VersioningConfiguration")]
            logs = reports["Properties"].get("LoggingConfiguration")
            self.assertIsNotNone(logs, f"{name}: reports bucket server access logging")
            self.assertEqual(logs["LogFilePrefix"], "reports/", name)
            target = t["Resources"][cdk_ref(logs["DestinationBucketName"])]
            self.assertEqual(target.get("DeletionPolicy"), "Retain", name)
            delivery = [s for pol in resources(t, "AWS::S3::BucketPolicy").values()
                        if cdk_ref(pol["Properties"]["Bucket"]) == cdk_ref(logs["DestinationBucketName"])
                        for s in pol["Properties"]["PolicyDocument"]["Statement"]
                        if s.get("Principal") == {"Service": "logging.s3.amazonaws.com"}]
            # CDK adds one statement per logged bucket (the reports bucket, and the UI bucket).
            self.assertGreaterEqual(len(delivery), 1, f"{name}: S3 may deliver access logs")
        api = SAM["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]
        (stage,) = resources(CDK, "AWS::ApiGatewayV2::Stage").values()
        self.assertEqual(json.loads(api["Format"]), json.loads(stage["Properties"]["AccessLogSettings"]["Format"]))

    def secret_grant(self, policy, parameter):
        """The functions whose roles may read the secret `parameter` names (through the policy
        `policy`, only under the policy's condition), the same in both stacks."""
        def grant(t, functions):
            by_role = {}
            for binary, (_, fn) in functions.items():
                role = fn["Properties"].get("Role")
                by_role[cdk_ref(role) if role else None] = binary
            (pol,) = [p for p in resources(t, "AWS::IAM::Policy").values()
                      if p["Properties"]["PolicyName"] == policy]
            (st,) = pol["Properties"]["PolicyDocument"]["Statement"]
            self.assertEqual((st["Action"], st["Resource"]), ("secretsmanager:GetSecretValue", {"Ref": parameter}))
            roles = {cdk_ref(r) for r in pol["Properties"]["Roles"]}
            return pol["Condition"], roles, by_role
        condition, roles, _ = grant(SAM, sam_functions())
        sam_ids = {k: b for b, (k, _) in sam_functions().items()}
        sam_binaries = {sam_ids[r[: -len("Role")]] for r in roles}
        cdk_condition, cdk_roles, by_role = grant(CDK, cdk_functions())
        self.assertEqual(condition, cdk_condition)
        self.assertEqual(SAM["Conditions"][condition], {"Fn::Not": [{"Fn::Equals": [{"Ref": parameter}, ""]}]})
        self.assertEqual(sam_binaries, {by_role[r] for r in cdk_roles})
        return sam_binaries

    def test_same_webhook_secret_grant(self):
        """Exactly the functions that notify approvers may read the webhook secret, only when one is set."""
        self.assertEqual(self.secret_grant("ReadWebhookSecret", "WebhookSecretArn"),
                         {"access-request", "approval", "approval-workflow", "jobs"})

    def test_same_utilisation_source_grants(self):
        """Exactly the functions that sync utilisation (an admin's sync now; utilisation.sync) may read
        the Salesforce and JIRA secrets, each only when set, and find them in CC_SALESFORCE / CC_JIRA."""
        for policy, parameter, variable in (("ReadSalesforceSecret", "SalesforceSecretArn", "CC_SALESFORCE"),
                                            ("ReadJiraSecret", "JiraSecretArn", "CC_JIRA")):
            self.assertEqual(self.secret_grant(policy, parameter), {"utilisation", "jobs"}, policy)
            env = SAM["Globals"]["Function"]["Environment"]["Variables"][variable]
            self.assertEqual(env["Fn::If"][1], {"Ref": parameter}, variable)

    def test_same_identity_provider_parameters(self):
        names = ["JwtIssuer", "JwtAudience", "RolesClaim", "EmailSource", "EmailClaim", "SubjectClaim", "RoleGroups"]
        for name in names:
            sam, cdk = SAM["Parameters"].get(name), CDK["Parameters"].get(name)
            self.assertIsNotNone(sam, f"template.yaml lacks {name}")
            self.assertIsNotNone(cdk, f"CDK lacks {name}")
            self.assertEqual(dict(sam), dict(cdk), name)
        variables = SAM["Globals"]["Function"]["Environment"]["Variables"]
        for variable, name in [("CC_JWT_ISSUER", "JwtIssuer"), ("CC_JWT_AUDIENCE", "JwtAudience"),
                               ("CC_ROLES_CLAIM", "RolesClaim"), ("CC_EMAIL_SOURCE", "EmailSource"),
                               ("CC_EMAIL_CLAIM", "EmailClaim"), ("CC_SUBJECT_CLAIM", "SubjectClaim"),
                               ("CC_ROLE_GROUPS", "RoleGroups")]:
            self.assertEqual(variables[variable], {"Ref": name}, variable)
            for binary, (_, fn) in cdk_functions().items():
                self.assertEqual(fn["Properties"]["Environment"]["Variables"][variable], {"Ref": name},
                                 f"{binary} {variable}")

    def test_same_jwt_authorizer(self):
        sam = SAM["Resources"]["HttpApi"]["Properties"]["Auth"]
        self.assertEqual(sam["DefaultAuthorizer"], "JwtAuthorizer")
        cdk = list(resources(CDK, "AWS::ApiGatewayV2::Authorizer").values())
        self.assertEqual(len(cdk), 1)
        self.assertEqual(cdk[0]["Properties"]["AuthorizerType"], "JWT")
        self.assertEqual(cdk[0]["Properties"]["JwtConfiguration"]["Issuer"], {"Ref": "JwtIssuer"})

    def test_same_schedules(self):
        self.assertEqual(canonical(sam_schedules()), canonical(cdk_schedules()))
        self.assertIn(("rate(2 minutes)", "jobs", {"job": "breakglass.sweep"}), sam_schedules(),
                      "the access sweeper runs every few minutes")

    def test_every_schedule_runs_a_job_the_code_knows(self):
        self.assertIn("breakglass.sweep", JOBS)
        for expression, binary, job in sam_schedules() + cdk_schedules():
            self.assertEqual(binary, "jobs", f"{expression}: schedules go through the jobs entry point")
            self.assertIsInstance(job, dict, f"{expression}: the rule passes {{\"job\": NAME}} as its Input")
            self.assertEqual(set(job), {"job"}, f"{expression}: {job}")
            self.assertIn(job["job"], JOBS, f"{expression}: no such job; the code knows {sorted(JOBS)}")

    def test_same_table_keys_and_indexes(self):
        def shape(t):
            (table,) = resources(t, "AWS::DynamoDB::Table").values()
            p = table["Properties"]
            gsis = sorted((g["IndexName"], json.dumps(g["KeySchema"]), g["Projection"]["ProjectionType"])
                          for g in p["GlobalSecondaryIndexes"])
            attrs = sorted((a["AttributeName"], a["AttributeType"]) for a in p["AttributeDefinitions"])
            return (json.dumps(p["KeySchema"]), attrs, gsis, p["BillingMode"],
                    p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
                    p["SSESpecification"]["SSEEnabled"], table.get("DeletionPolicy"))
        self.assertEqual(shape(SAM), shape(CDK))
        self.assertEqual([g[0] for g in shape(SAM)[2]], ["GSI1", "GSI2"])

    def test_same_reports_bucket_settings(self):
        def shape(t):
            buckets = [(k, b) for k, b in resources(t, "AWS::S3::Bucket").items()
                       if b["Properties"].get("VersioningConfiguration")]
            (name, b), = buckets
            p = b["Properties"]
            enc = p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
            policies = [pol for pol in resources(t, "AWS::S3::BucketPolicy").values()
                        if cdk_ref(pol["Properties"]["Bucket"]) == name]
            tls_only = any(s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
                           for pol in policies for s in pol["Properties"]["PolicyDocument"]["Statement"])
            return (p["VersioningConfiguration"]["Status"], enc["SSEAlgorithm"],
                    p["PublicAccessBlockConfiguration"], tls_only, b.get("DeletionPolicy"))
        self.assertEqual(shape(SAM), shape(CDK))
        self.assertEqual(shape(SAM)[0], "Enabled")
        self.assertTrue(shape(SAM)[3], "TLS only")

    # What each function calls on Step Functions (adapters/src/sfn.rs, through the Workflow port):
    # access-request starts an execution on create and stops it on cancel, revoke, end-access and a
    # grant found unusable; approval signals success on the last approval and stops on rejection;
    # approval-workflow's record_token signals success or failure at once when the request was
    # already decided, and its grant task withdraws (stops) a request whose account left the hub;
    # the jobs sweeper withdraws the same way. The other functions never touch the workflow.
    STATES_ACTIONS = {
        "access-request": {"states:StartExecution", "states:StopExecution"},
        "approval": {"states:SendTaskSuccess", "states:StopExecution"},
        "approval-workflow": {"states:SendTaskSuccess", "states:SendTaskFailure", "states:StopExecution"},
        "jobs": {"states:StopExecution"},
    }

    def test_same_step_functions_grants_each_where_it_can_apply(self):
        sam, cdk = sam_states_grants(), cdk_states_grants()
        self.assertEqual(set(sam), set(cdk))
        for binary in sorted(sam):
            self.assertEqual(sam[binary], cdk[binary], f"{binary}: states:* grants, template.yaml vs CDK")
            self.assertEqual({a for a, _ in sam[binary]}, self.STATES_ACTIONS.get(binary, set()),
                             f"{binary}: states:* actions vs what its code calls")
            for action, kind in sam[binary]:
                # Task tokens are no resource: SendTask* has no resource type, so only "*" applies
                # (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html).
                want = {"states:StartExecution": "stateMachine", "states:StopExecution": "execution"}.get(action, "*")
                self.assertEqual(kind, want, f"{binary}: {action}")

    def test_state_machine_tasks_resolve_to_the_workflow_function(self):
        placeholders = set(re.findall(r"\$\{(\w+)\}", ASL))
        (sm,) = resources(SAM, "AWS::Serverless::StateMachine").values()
        self.assertEqual(sm["Properties"]["DefinitionUri"], "statemachine/breakglass.asl.json")
        subs = sm["Properties"]["DefinitionSubstitutions"]
        self.assertEqual(set(subs), placeholders)
        sam_fns = {k: b for b, (k, _) in sam_functions().items()}
        self.assertEqual({sam_fns[cdk_ref(v)] for v in subs.values()}, {"approval-workflow"})
        (cdk_sm,) = resources(CDK, "AWS::StepFunctions::StateMachine").values()
        cdk_subs = cdk_sm["Properties"]["DefinitionSubstitutions"]
        self.assertEqual(set(cdk_subs), placeholders)
        cdk_fns = {k: b for b, (k, _) in cdk_functions().items()}
        self.assertEqual({cdk_fns[cdk_ref(v)] for v in cdk_subs.values()}, {"approval-workflow"})


def s3_grants(statements):
    """{(action, bucket logical id, prefix)} for every s3:* action the statements allow."""
    out = set()
    for st in statements:
        if st.get("Effect", "Allow") != "Allow":
            continue
        for action in as_list(st["Action"]):
            if action.startswith("s3:"):
                for r in as_list(st["Resource"]):
                    text = json.dumps(r)
                    # SAM: {"Fn::Sub": "${Bucket.Arn}/reports/*"}; CDK: a Join around a GetAtt.
                    sub = re.search(r"\$\{(\w+)\.Arn\}", r["Fn::Sub"]) if isinstance(r, dict) and isinstance(r.get("Fn::Sub"), str) else None
                    bucket = sub.group(1) if sub else cdk_ref(r) or text
                    out.add((action, bucket, "reports/*" if "/reports/*" in text else text))
    return out


def function_statements(t, functions):
    """Each function's policy statements: SAM's inline Policies, or CDK's policies on its role."""
    out = {}
    for binary, (_, fn) in functions.items():
        statements = [st for pol in fn["Properties"].get("Policies", []) if isinstance(pol, dict)
                      for st in pol.get("Statement", [])]
        role = fn["Properties"].get("Role")
        if role:
            statements += [st for pol in resources(t, "AWS::IAM::Policy").values()
                           if cdk_ref(role) in [cdk_ref(r) for r in pol["Properties"]["Roles"]]
                           for st in pol["Properties"]["PolicyDocument"]["Statement"]]
        out[binary] = statements
    return out


class ReportObjects(unittest.TestCase):
    # What each function does with report objects (cc_domain::reports, through the ObjectStore port):
    # report-build writes a build's outputs, reads any version and signs links to it (a version's
    # GET needs s3:GetObjectVersion); the jobs function's reports.monthly writes outputs and reads a
    # customer's imported findings (reports/{customer}/findings/import.json). Nothing deletes:
    # rebuilding adds object versions.
    S3_ACTIONS = {
        "report-build": {"s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"},
        "jobs": {"s3:PutObject", "s3:GetObject"},
        # report-pdf reads the version's report.json object version and writes report.pdf.
        "report-pdf": {"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"},
    }

    def test_same_report_object_grants_each_where_its_code_needs_them(self):
        sam = {b: s3_grants(st) for b, st in function_statements(SAM, sam_functions()).items()}
        cdk = {b: s3_grants(st) for b, st in function_statements(CDK, cdk_functions()).items()}
        (sam_bucket,) = [k for k, b in resources(SAM, "AWS::S3::Bucket").items()
                         if b["Properties"].get("VersioningConfiguration")]
        (cdk_bucket,) = [k for k, b in resources(CDK, "AWS::S3::Bucket").items()
                         if b["Properties"].get("VersioningConfiguration")]
        for binary in sorted(set(sam) | set(cdk)):
            want = self.S3_ACTIONS.get(binary, set())
            for name, grants, bucket in (("template.yaml", sam, sam_bucket), ("CDK", cdk, cdk_bucket)):
                got = grants.get(binary, set())
                self.assertEqual({a for a, _, _ in got}, want, f"{name}: {binary}'s s3 actions vs what its code calls")
                for action, ref, prefix in got:
                    self.assertEqual((ref, prefix), (bucket, "reports/*"), f"{name}: {binary} {action}")


def filter_matches(pattern, event):
    """Whether a Lambda event filter pattern (the subset our stacks use: nested objects, exact
    values, {"prefix": ...}) matches an event, as Lambda's filtering does
    (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html): every field of
    the pattern must match; a list matches when any of its rules does. Any other rule is refused
    here rather than guessed at."""
    for field, rule in pattern.items():
        if field not in event:
            return False
        value = event[field]
        if isinstance(rule, dict):
            if not isinstance(value, dict) or not filter_matches(rule, value):
                return False
            continue
        if not isinstance(rule, list):
            raise ValueError(f"{field}: a filter rule is an object or a list, not {rule!r}")
        if not any(rule_matches(r, value) for r in rule):
            return False
    return True


def rule_matches(rule, value):
    if isinstance(rule, dict):
        if set(rule) != {"prefix"}:
            raise ValueError(f"filter rule {rule!r}: only exact values and prefix are evaluated here")
        return isinstance(value, str) and value.startswith(rule["prefix"])
    return value == rule


KEYS_RS = os.path.join(ROOT, "shared", "src", "keys.rs")


def item_keys():
    """{name: sample key} for every key format in shared/src/keys.rs (each `fn NAME(..) -> String`
    built with format!, and each `const NAME: &str`), rendered with sample values, so the filter is
    checked against the keys the code writes, not a copy of them."""
    src = open(KEYS_RS).read().split("#[cfg(test)]")[0]
    consts = dict(re.findall(r'const (\w+): &str = "([^"]*)";', src))
    formats = re.findall(r'fn (\w+)\([^)]*\)\s*->\s*String\s*\{\s*format!\(\s*"([^"]*)"', src, re.S)
    samples = {"customer": "acme-retail", "code": "acme-retail", "month": "2026-10", "version": "1"}

    def render(m):
        name, width = m.group(1), m.group(2)
        if name in consts:
            return consts[name]
        value = samples.get(name, "7" if width else f"x-{name or 'arg'}")
        return value.zfill(int(width)) if width else value
    keys = {name: re.sub(r"\{(\w*)(?::0(\d+))?\}", render, fmt) for name, fmt in formats}
    keys.update(consts)
    return keys


def stream_record(event_name, pk, sk):
    """A DynamoDB stream record as Lambda filters it (KEYS_ONLY: the keys and no images)."""
    return {
        "eventID": "1", "eventName": event_name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": {"Keys": {"PK": {"S": pk}, "SK": {"S": sk}}, "SequenceNumber": "100", "SizeBytes": 60,
                     "StreamViewType": "KEYS_ONLY"},
        "eventSourceARN": "arn:aws:dynamodb:eu-west-1:111122223333:table/cc/stream/2026-11-01T00:00:00.000",
    }


def sam_stream_events():
    """(binary, event properties) for every DynamoDB stream event in template.yaml."""
    return [(binary, ev["Properties"]) for binary, (_, fn) in sam_functions().items()
            for ev in fn["Properties"].get("Events", {}).values() if ev["Type"] == "DynamoDB"]


def cdk_stream_mappings():
    """(binary, mapping properties) for every event source mapping of the CDK stack."""
    by_id = {k: b for b, (k, _) in cdk_functions().items()}
    return [(by_id[cdk_ref(m["Properties"]["FunctionName"])], m["Properties"])
            for m in resources(CDK, "AWS::Lambda::EventSourceMapping").values()]


def table_id(t):
    (table,) = resources(t, "AWS::DynamoDB::Table")
    return table


class ReportPdf(unittest.TestCase):
    """The PDF function (issue #16): its own Lambda, so Typst's size stays out of report-build and
    jobs; invoked by the table's KEYS_ONLY stream, filtered to new report version items."""

    # The event source mapping's settings, the same in both templates (SAM's event property names are
    # the mapping's own).
    MAPPING = {
        "StartingPosition": "LATEST",
        "BatchSize": 5,
        "MaximumRetryAttempts": 3,
        "BisectBatchOnFunctionError": True,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "MaximumRecordAgeInSeconds": 3600,
    }
    # What the function calls (functions/report-pdf): GetItem on the version item, a conditional
    # PutItem (with ConditionCheckItem) recording report.pdf on it; report.json's object version in,
    # report.pdf out. No index, no Query, no DeleteItem.
    DYNAMODB_ACTIONS = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"}
    S3_ACTIONS = {"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"}
    # What reading a stream takes (granted by SAM's AWSLambdaDynamoDBExecutionRole for a DynamoDB
    # event, and by CDK's DynamoEventSource on this table's stream; ListStreams takes no resource).
    STREAM_READ = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}

    def test_table_stream_is_keys_only(self):
        for name, t in (("template.yaml", SAM), ("CDK", CDK)):
            table = t["Resources"][table_id(t)]["Properties"]
            self.assertEqual(table.get("StreamSpecification"), {"StreamViewType": "KEYS_ONLY"}, name)

    def test_same_function_settings_in_both_templates(self):
        (sam_id, sam), (_, cdk) = sam_functions()["report-pdf"], cdk_functions()["report-pdf"]
        self.assertEqual(sam_id, "ReportPdfFunction")
        self.assertEqual(sam["Properties"]["CodeUri"], "functions/report-pdf")
        self.assertEqual(sam["Properties"]["Handler"], "bootstrap")
        self.assertEqual(cdk["Metadata"]["CargoPackage"], "report-pdf")
        for name, fn in (("template.yaml", sam), ("CDK", cdk)):
            self.assertEqual((fn["Properties"]["MemorySize"], fn["Properties"]["Timeout"]), (1024, 120), name)
        self.assertNotIn("Tags", sam["Properties"], "it assumes no customer role: no customer-central:stack tag")
        role = CDK["Resources"][cdk_ref(cdk["Properties"]["Role"])]
        self.assertNotIn("Tags", role["Properties"], "CDK: no customer-central:stack tag on its role")
        self.assertNotIn("report-pdf", routes_by_function(sam_routes()), "no API routes")
        self.assertNotIn("report-pdf", routes_by_function(cdk_routes()), "no API routes")

    def test_same_stream_trigger_in_both_templates(self):
        """Exactly one stream consumer, the PDF function, on the table's stream, with the same
        settings and filter in both templates."""
        sam, cdk = sam_stream_events(), cdk_stream_mappings()
        self.assertEqual([b for b, _ in sam], ["report-pdf"], "template.yaml: the stream's consumers")
        self.assertEqual([b for b, _ in cdk], ["report-pdf"], "CDK: the event source mappings' functions")
        (_, sam), (_, cdk) = sam[0], cdk[0]
        self.assertEqual(sam["Stream"], {"Fn::GetAtt": [table_id(SAM), "StreamArn"]})
        self.assertEqual(cdk["EventSourceArn"], {"Fn::GetAtt": [table_id(CDK), "StreamArn"]})
        for name, props in (("template.yaml", sam), ("CDK", cdk)):
            self.assertEqual({k: props.get(k) for k in self.MAPPING}, self.MAPPING, name)
            (flt,) = props["FilterCriteria"]["Filters"]
            self.assertEqual(json.loads(flt["Pattern"]), {
                "eventName": ["INSERT"], "dynamodb": {"Keys": {"PK": {"S": [{"prefix": "REPORT#"}]}}}}, name)
        # Keys SAM's DynamoDB event takes but the mapping above leaves unset must stay unset in both.
        extra = {"Enabled", "ParallelizationFactor", "TumblingWindowInSeconds", "DestinationConfig"}
        self.assertEqual({k: sam.get(k) for k in extra}, {k: cdk.get(k) for k in extra})

    def test_filter_passes_new_report_versions_only(self):
        """The filter, evaluated as Lambda does, against every key format the code writes: only an
        INSERT of a report version item (REPORT#{customer}#{yyyy-mm}) reaches the function; REPORTRUN,
        REPORTS#..., REPORTMONTH#... and every other item kind do not, nor does a MODIFY (the
        function's own write of the version item) or a REMOVE."""
        keys = item_keys()
        self.assertEqual(keys["report"], "REPORT#acme-retail#2026-10")
        for name in ("reports_of", "reports_in_month", "REPORT_RUNS", "customer", "request"):
            self.assertIn(name, keys, f"{KEYS_RS}: key {name} not found")
        version_sk = keys["report_version"]
        for name, t in (("template.yaml", SAM), ("CDK", CDK)):
            (props,) = [p for _, p in (sam_stream_events() if t is SAM else cdk_stream_mappings())]
            (flt,) = props["FilterCriteria"]["Filters"]
            pattern = json.loads(flt["Pattern"])
            passed = {k for k, pk in keys.items() if filter_matches(pattern, stream_record("INSERT", pk, version_sk))}
            self.assertEqual(passed, {"report"}, f"{name}: the item kinds whose INSERT reaches report-pdf")
            for event_name in ("MODIFY", "REMOVE"):
                self.assertFalse(filter_matches(pattern, stream_record(event_name, keys["report"], version_sk)),
                                 f"{name}: a {event_name} of a report version")
            for pk in ("REPORTRUN", "REPORTS#acme-retail", "REPORTMONTH#2026-10", "REPORT", "report#acme-retail#2026-10"):
                self.assertFalse(filter_matches(pattern, stream_record("INSERT", pk, version_sk)), f"{name}: {pk}")

    def test_policy_is_exactly_what_the_function_calls(self):
        for name, t, functions in (("template.yaml", SAM, sam_functions()), ("CDK", CDK, cdk_functions())):
            statements = function_statements(t, functions)["report-pdf"]
            bucket = [k for k, b in resources(t, "AWS::S3::Bucket").items() if b["Properties"].get("VersioningConfiguration")][0]
            table = table_id(t)
            grants = set()
            for st in statements:
                self.assertEqual(st.get("Effect", "Allow"), "Allow", name)
                for action in as_list(st["Action"]):
                    for r in as_list(st["Resource"]):
                        if action.startswith("xray:") or action == "dynamodb:ListStreams":
                            self.assertEqual(r, "*", f"{name}: {action}")
                            continue
                        if action in self.STREAM_READ:
                            self.assertEqual(r, {"Fn::GetAtt": [table, "StreamArn"]}, f"{name}: {action}")
                            continue
                        grants.add((action, json.dumps(r)))
            table_arn = json.dumps({"Fn::GetAtt": [table, "Arn"]})
            self.assertEqual({(a, r) for a, r in grants if a.startswith("dynamodb:")},
                             {(a, table_arn) for a in self.DYNAMODB_ACTIONS}, f"{name}: the table only, no index")
            s3 = {(a, r) for a, r in grants if a.startswith("s3:")}
            self.assertEqual({a for a, _ in s3}, self.S3_ACTIONS, name)
            for action, r in s3:
                self.assertIn(bucket, r, f"{name}: {action}")
                self.assertIn("/reports/*", r, f"{name}: {action}")
            self.assertEqual({a for a, _ in grants} - self.DYNAMODB_ACTIONS - self.S3_ACTIONS, set(), name)
        # SAM attaches the stream read policy itself for a DynamoDB event: the template grants none.
        sam = function_statements(SAM, sam_functions())["report-pdf"]
        self.assertFalse({a for st in sam for a in as_list(st["Action"])} & (self.STREAM_READ | {"dynamodb:ListStreams"}))
        cdk = function_statements(CDK, cdk_functions())["report-pdf"]
        self.assertTrue(self.STREAM_READ <= {a for st in cdk for a in as_list(st["Action"])}, "CDK: stream reads")


class SampleEvents(unittest.TestCase):
    def test_every_route_schedule_and_task_has_a_sample_event(self):
        keys, tasks, jobs = set(), set(), set()
        events_dir = os.path.join(ROOT, "events")
        for function in os.listdir(events_dir):
            folder = os.path.join(events_dir, function)
            if not os.path.isdir(folder):
                continue
            for name in os.listdir(folder):
                event = json.load(open(os.path.join(folder, name)))
                if "routeKey" in event:
                    keys.add(tuple(event["routeKey"].split(" ", 1)))
                elif "job" in event:
                    jobs.add(event["job"])
                elif "task" in event:
                    tasks.add(event["task"])
        self.assertEqual({(m, p) for m, p, _, _ in sam_routes()} - keys, set(), "routes without a sample event")
        scheduled = {job["job"] for _, _, job in sam_schedules()}
        self.assertEqual(scheduled - jobs, set(), "scheduled jobs without a sample event")
        asl_tasks = set(re.findall(r'"task": "(\w+)"', ASL))
        self.assertEqual(asl_tasks - tasks, set(), "state machine tasks without a sample event")

    def test_every_stream_consumer_has_a_sample_event_its_filter_passes(self):
        """A function a DynamoDB stream invokes has sample stream events in events/<binary>/, and its
        filter passes at least one of their records (else no sample shows what reaches it in AWS)."""
        for binary, props in sam_stream_events():
            folder = os.path.join(ROOT, "events", binary)
            records = []
            for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
                event = json.load(open(os.path.join(folder, name)))
                records += [r for r in event.get("Records", []) if r.get("eventSource") == "aws:dynamodb"]
            self.assertTrue(records, f"events/{binary}/: no sample DynamoDB stream event")
            patterns = [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]]
            self.assertTrue(any(filter_matches(p, r) for p in patterns for r in records),
                            f"events/{binary}/: no sample record passes the stream filter")


class GitlabCi(unittest.TestCase):
    CI = yaml.safe_load(open(os.path.join(ROOT, ".gitlab-ci.yml")))

    def jobs(self):
        return {k: v for k, v in self.CI.items() if isinstance(v, dict) and "script" in v}

    def test_stages_cover_the_pipeline(self):
        self.assertEqual(self.CI["stages"], ["check", "test", "build", "synth", "deploy"])
        stages = {j["stage"] for j in self.jobs().values()}
        self.assertEqual(stages, set(self.CI["stages"]))

    def test_every_script_it_calls_exists(self):
        for name, job in self.jobs().items():
            for line in job.get("before_script", []) + job["script"]:
                for path in re.findall(r"(?:^|\s)((?:scripts|\.ci)/[\w./-]+)", line):
                    self.assertTrue(os.path.isfile(os.path.join(ROOT, path)), f"{name}: {path}")
                    self.assertTrue(os.access(os.path.join(ROOT, path), os.X_OK), f"{name}: {path} is executable")

    def test_every_script_parses_and_the_deploy_can_set_every_parameter(self):
        import subprocess
        for name in sorted(os.listdir(os.path.join(ROOT, "scripts"))):
            path = os.path.join(ROOT, "scripts", name)
            if open(path, "rb").read(32).startswith(b"#!/usr/bin/env bash"):
                check = subprocess.run(["bash", "-n", path], capture_output=True, text=True)
                self.assertEqual(check.returncode, 0, f"scripts/{name}: {check.stderr}")
        deploy = open(os.path.join(ROOT, "scripts", "deploy")).read()
        settable = set(re.findall(r"\b([A-Z][A-Za-z]+):[A-Z_]+\b", deploy)) | {"JwtIssuer", "JwtAudience"}
        self.assertEqual(set(CDK["Parameters"]) - {"BootstrapVersion"}, settable,
                         "scripts/deploy passes every stack parameter (optional ones from CI variables)")

    def test_deploys_use_oidc_and_prod_is_manual(self):
        deploys = {k: v for k, v in self.jobs().items() if v["stage"] == "deploy"}
        self.assertEqual(set(deploys), {"deploy-dev", "deploy-prod"})
        for name, job in deploys.items():
            self.assertIn("AWS_OIDC_TOKEN", job.get("id_tokens", {}), name)
            text = json.dumps(job)
            self.assertNotIn("AWS_SECRET_ACCESS_KEY", text, "no long-lived keys")
        self.assertEqual(deploys["deploy-prod"]["when"], "manual")

    def test_node_is_20_or_later(self):
        """aws-cdk-lib needs Node.js 20+; Debian bookworm's `nodejs` package is 18."""
        lines = "\n".join(self.CI["default"]["before_script"])
        self.assertNotRegex(lines, r"apt-get install[^;&|\n]*\s(nodejs|npm)(\s|$)", "Debian's Node.js is 18")
        versions = [int(v) for v in re.findall(r"node-v(\d+)\.", lines)]
        self.assertTrue(versions and min(versions) >= 20, lines)


class UiHosting(unittest.TestCase):
    """The web UI in AWS (cdk/lib/ui-hosting.ts): a private bucket behind CloudFront with Origin
    Access Control, /api/* routed by the same distribution to the HTTP API, client-side routes
    rewritten to /index.html by a viewer-request function, and /config.json for the UI.

    template.yaml does not host the UI: SAM cannot upload ui/dist or write config.json from the
    stack's parameters (no BucketDeployment), so a SAM deploy would leave an empty bucket behind a
    distribution. SAM deploys reach the API directly (README: Web UI in AWS); the CDK app is the
    one that serves the UI, and these checks say so explicitly."""

    def distribution(self, t):
        (d,) = resources(t, "AWS::CloudFront::Distribution").values()
        return d["Properties"]["DistributionConfig"]

    def test_sam_does_not_host_the_ui(self):
        for kind in ("AWS::CloudFront::Distribution", "AWS::CloudFront::Function"):
            self.assertEqual(resources(SAM, kind), {}, f"template.yaml has {kind}: add its agreement checks here")

    def test_bucket_is_private_and_reached_through_oac_not_oai(self):
        config = self.distribution(CDK)
        (s3_origin,) = [o for o in config["Origins"] if "S3OriginConfig" in o]
        self.assertEqual(s3_origin["S3OriginConfig"].get("OriginAccessIdentity", ""), "", "no legacy OAI")
        self.assertEqual(resources(CDK, "AWS::CloudFront::CloudFrontOriginAccessIdentity"), {})
        (oac,) = resources(CDK, "AWS::CloudFront::OriginAccessControl").values()
        self.assertEqual(cdk_ref(s3_origin["OriginAccessControlId"]), list(resources(CDK, "AWS::CloudFront::OriginAccessControl"))[0])
        self.assertEqual(oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"], "always")
        bucket_id = cdk_ref(s3_origin["DomainName"])
        bucket = CDK["Resources"][bucket_id]["Properties"]
        self.assertEqual(bucket["PublicAccessBlockConfiguration"], {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True})
        statements = [s for pol in resources(CDK, "AWS::S3::BucketPolicy").values()
                      if cdk_ref(pol["Properties"]["Bucket"]) == bucket_id
                      for s in pol["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
        self.assertTrue(statements)
        for st in statements:
            self.assertEqual(st["Principal"], {"Service": "cloudfront.amazonaws.com"}, "only CloudFront reads the bucket")
            self.assertIn("AWS:SourceArn", st["Condition"]["StringEquals"], "only this distribution")

    def test_api_behaviour_reaches_the_http_api_uncached_with_authorization(self):
        config = self.distribution(CDK)
        (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
        self.assertEqual(len(config["CacheBehaviors"]), 1)
        (origin,) = [o for o in config["Origins"] if o["Id"] == api["TargetOriginId"]]
        self.assertEqual(origin["CustomOriginConfig"]["OriginProtocolPolicy"], "https-only")
        (api_id,) = resources(CDK, "AWS::ApiGatewayV2::Api")
        self.assertEqual(cdk_ref(origin["DomainName"]), api_id, "the HTTP API's endpoint")
        self.assertEqual(set(api["AllowedMethods"]), {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"})
        # Managed policies: CachingDisabled; AllViewerExceptHostHeader (every header but Host, so
        # Authorization, and every query string and cookie).
        self.assertEqual(api["CachePolicyId"], "4135ea2d-6df8-44a3-9df3-4b5a84be39ad")
        self.assertEqual(api["OriginRequestPolicyId"], "b689b0a8-53d0-40ab-baf2-68738e2966ac")
        self.assertIn(api["ViewerProtocolPolicy"], ("https-only", "redirect-to-https"))
        self.assertNotIn("FunctionAssociations", api, "the API's answers pass through as they are")
        self.assertNotIn("CustomErrorResponses", config, "error mapping would swallow the API's 403/404")

    def test_default_behaviour_rewrites_client_routes_to_index_html(self):
        import subprocess
        config = self.distribution(CDK)
        default = config["DefaultCacheBehavior"]
        self.assertEqual(default["ViewerProtocolPolicy"], "redirect-to-https")
        self.assertEqual(config["DefaultRootObject"], "index.html")
        (assoc,) = default["FunctionAssociations"]
        self.assertEqual(assoc["EventType"], "viewer-request")
        fn = CDK["Resources"][cdk_ref(assoc["FunctionARN"])]["Properties"]
        code = fn["FunctionCode"]
        # Run the function as CloudFront would (node stands in for the cloudfront-js runtime).
        cases = {"/": "/index.html", "/customers": "/index.html", "/customers/acme-retail": "/index.html",
                 "/auth/callback": "/index.html", "/assets/index-abc.js": "/assets/index-abc.js",
                 "/config.json": "/config.json", "/favicon.ico": "/favicon.ico"}
        script = code + "\nconst cases = " + json.dumps(list(cases)) + ";\n" + \
            "console.log(JSON.stringify(cases.map(u => handler({request: {uri: u}}).uri)));"
        out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
        self.assertEqual(dict(zip(cases, json.loads(out))), cases)

    def test_security_headers_on_both_behaviours(self):
        config = self.distribution(CDK)
        policies = {cdk_ref(b["ResponseHeadersPolicyId"]) for b in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]}
        (policy_id,) = policies
        sec = CDK["Resources"][policy_id]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        self.assertIn("StrictTransportSecurity", sec)
        self.assertEqual(sec["FrameOptions"]["FrameOption"], "DENY")
        self.assertIn("frame-ancestors 'none'", sec["ContentSecurityPolicy"]["ContentSecurityPolicy"])
        self.assertIn("script-src 'self'", sec["ContentSecurityPolicy"]["ContentSecurityPolicy"])

    def test_offline_synth_deploys_no_assets(self):
        self.assertEqual(resources(CDK, "Custom::CDKBucketDeployment"), {}, "CC_SKIP_BUNDLING=1 uploads nothing")

    def test_outputs_the_ui_url_and_redirect_uri(self):
        self.assertIn("UiUrl", CDK["Outputs"])
        self.assertIn("UiRedirectUri", CDK["Outputs"])
        self.assertIn("/auth/callback", json.dumps(CDK["Outputs"]["UiRedirectUri"]["Value"]))

    @unittest.skipUnless(CDK_UI_OUT, "CDK_UI_OUT: the synth with CC_UI_DIST")
    def test_deployment_uploads_assets_and_writes_config_json(self):
        import glob
        t = json.load(open(os.path.join(CDK_UI_OUT, "CustomerCentral.template.json")))
        deployments = list(resources(t, "Custom::CDKBucketDeployment").values())
        self.assertEqual(len(deployments), 2)
        by_prefix = {d["Properties"].get("DestinationBucketKeyPrefix", ""): d["Properties"] for d in deployments}
        assets, root = by_prefix["assets/"], by_prefix[""]
        self.assertIn("immutable", assets["SystemMetadata"]["cache-control"])
        self.assertEqual(assets["Prune"], False)
        self.assertEqual(root["SystemMetadata"]["cache-control"], "no-cache")
        self.assertEqual(root["Exclude"], ["assets/*"], "the root upload must not prune the hashed assets")
        self.assertEqual(sorted(root["DistributionPaths"]), ["/config.json", "/index.html"])
        self.assertEqual(cdk_ref(root["DistributionId"]), list(resources(t, "AWS::CloudFront::Distribution"))[0])
        def staged(props):
            return [os.path.join(CDK_UI_OUT, "asset." + key[: -len(".zip")]) for key in props["SourceObjectKeys"]]
        (hashed,) = staged(assets)
        self.assertTrue(os.path.isfile(os.path.join(hashed, "index-fixture.js")), "assets/ uploads the hashed files")
        ui_root = [d for d in staged(root) if os.path.isfile(os.path.join(d, "index.html"))]
        self.assertEqual(len(ui_root), 1, "the root upload holds index.html")
        self.assertFalse(os.path.exists(os.path.join(ui_root[0], "assets")), "hashed assets go up once, with their long cache")
        (config_path,) = glob.glob(os.path.join(CDK_UI_OUT, "asset.*", "config.json"))
        config = json.load(open(config_path))
        self.assertEqual(config["api_base"], "/api/v1")
        self.assertEqual(set(config["oidc"]), {"issuer", "client_id", "scopes"})
        self.assertIn("openid", config["oidc"]["scopes"].split())
        markers = [m for p in root["SourceMarkers"] for m in [p] if m]
        (markers,) = markers
        self.assertEqual(markers[config["oidc"]["issuer"]], {"Ref": "JwtIssuer"})
        self.assertEqual(markers[config["oidc"]["client_id"]], {"Ref": "JwtAudience"})


if __name__ == "__main__":
    unittest.main()
