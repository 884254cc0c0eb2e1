"""The stack, described two ways (template.yaml for SAM, cdk/ for CDK), must agree, and both must
match the code: every route the functions serve, every schedule, the table's keys and indexes, the
reports bucket's settings, the state machine's task function. Also checks .gitlab-ci.yml.

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


HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


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


class Agreement(unittest.TestCase):
    def test_same_functions_on_arm64_al2023(self):
        self.assertEqual(set(sam_functions()), set(cdk_functions()))
        glob = SAM["Globals"]["Function"]
        self.assertEqual((glob["Runtime"], glob["Architectures"]), ("provided.al2023", ["arm64"]))
        for binary, (_, fn) in cdk_functions().items():
            self.assertEqual(fn["Properties"]["Runtime"], "provided.al2023", binary)
            self.assertEqual(fn["Properties"]["Architectures"], ["arm64"], binary)
            self.assertTrue(128 <= fn["Properties"]["MemorySize"] <= 256, binary)
        for binary, (_, fn) in sam_functions().items():
            self.assertTrue(128 <= fn["Properties"]["MemorySize"] <= 256, binary)
            self.assertEqual(fn["Metadata"]["BuildMethod"], "rust-cargolambda")
            self.assertEqual(fn["Metadata"]["BuildProperties"]["Binary"], binary)

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
            # SAM sets the optional webhook through a condition.
            self.assertEqual(sam - {"CC_WEBHOOK_URL"}, cdk, binary)

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


if __name__ == "__main__":
    unittest.main()
