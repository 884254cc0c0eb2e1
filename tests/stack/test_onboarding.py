"""The customer-side onboarding template (onboarding/customer-account.yaml) against what the product
does in a customer account and what the stacks allow. moto does not evaluate IAM policies, so the
policies' content is checked here; adapters/tests/onboarding.rs deploys the template on moto and
runs the broker and role guard against the roles it creates.

Run by scripts/check-stack (CDK_TEMPLATE: the synthesized CDK template)."""
import json
import os
import re
import unittest

from cfnlint.decode import cfn_yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ONBOARDING = cfn_yaml.load(os.path.join(ROOT, "onboarding", "customer-account.yaml"))
SAM = cfn_yaml.load(os.path.join(ROOT, "template.yaml"))
CDK = json.load(open(os.environ["CDK_TEMPLATE"]))
TAG = "customer-central:stack"
BROKER_ACTIONS = {"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"}


def plain(value):
    """cfn-lint's YAML nodes as plain dicts/lists/strings."""
    return json.loads(json.dumps(value))


def role(name):
    return plain(ONBOARDING["Resources"][name])


def statements(doc):
    st = doc["Statement"]
    return st if isinstance(st, list) else [st]


def actions(statement):
    a = statement["Action"]
    return {a} if isinstance(a, str) else set(a)


class Onboarding(unittest.TestCase):
    def test_role_names_default_to_what_the_stacks_allow(self):
        for parameter in ("BreakglassRoleName", "SsoAdminRoleName"):
            default = ONBOARDING["Parameters"][parameter]["Default"]
            self.assertEqual(default, SAM["Parameters"][parameter]["Default"], parameter)
            self.assertEqual(default, CDK["Parameters"][parameter]["Default"], parameter)

    def test_broker_roles_trust_only_the_broker_with_the_external_id(self):
        for name in ("BreakglassRole", "SsoAdminRole"):
            r = role(name)["Properties"]
            (st,) = statements(r["AssumeRolePolicyDocument"])
            self.assertEqual(actions(st), BROKER_ACTIONS, name)
            self.assertEqual(st["Principal"]["AWS"],
                             {"Fn::Sub": "arn:${AWS::Partition}:iam::${CustomerCentralAccountId}:root"}, name)
            equals = st["Condition"]["StringEquals"]
            self.assertEqual(equals["sts:ExternalId"], {"Ref": "ExternalId"}, name)
            self.assertEqual(equals[f"aws:PrincipalTag/{TAG}"], {"Ref": "CustomerCentralStackName"}, name)
            self.assertEqual(r["MaxSessionDuration"], 3600, f"{name}: role chaining caps sessions at 1 hour")
        trust = role("BreakglassRole")["Properties"]["AssumeRolePolicyDocument"]
        (st,) = statements(trust)
        self.assertEqual(st["Condition"]["Null"], {"sts:SourceIdentity": "false"},
                         "every breakglass session names the engineer")

    def test_read_role_needs_the_external_id(self):
        st, console = statements(role("ReadRole")["Properties"]["AssumeRolePolicyDocument"])
        self.assertEqual(st["Condition"]["StringEquals"]["sts:ExternalId"], {"Ref": "ExternalId"})
        # The console's Switch Role cannot send an external id: only the named team principals may
        # switch without one, and only when some are named.
        self.assertEqual(console["Fn::If"][0], "ConsoleSwitchRole")
        self.assertEqual(console["Fn::If"][2], {"Ref": "AWS::NoValue"})
        switch = console["Fn::If"][1]
        self.assertEqual(actions(switch), {"sts:AssumeRole"})
        self.assertEqual(switch["Principal"]["AWS"],
                         {"Fn::Sub": "arn:${AWS::Partition}:iam::${CustomerCentralAccountId}:root"})
        self.assertEqual(switch["Condition"], {"ArnLike": {"aws:PrincipalArn": {"Ref": "ConsolePrincipalArns"}}})
        self.assertEqual(ONBOARDING["Parameters"]["ConsolePrincipalArns"]["Default"], "")
        self.assertEqual(plain(ONBOARDING["Conditions"]["ConsoleSwitchRole"]),
                         {"Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", {"Ref": "ConsolePrincipalArns"}]}, ""]}]})
        self.assertEqual(role("ReadRole")["Properties"]["ManagedPolicyArns"], {"Ref": "ReadPolicyArns"})
        self.assertEqual(ONBOARDING["Parameters"]["ReadPolicyArns"]["Default"], "arn:aws:iam::aws:policy/ReadOnlyAccess")

    def test_only_the_role_guard_may_change_the_breakglass_role(self):
        """The role guard's session (source identity ROLE_GUARD_SOURCE_IDENTITY) writes the deny policy;
        an engineer's session (source identity: their e-mail) may change nothing about the role."""
        guard = re.search(r'pub const ROLE_GUARD_SOURCE_IDENTITY: &str = "([^"]+)"',
                          open(os.path.join(ROOT, "shared", "src", "access", "ports.rs")).read()).group(1)
        r = role("BreakglassRole")["Properties"]
        (policy,) = r["Policies"]
        allow, deny = statements(policy["PolicyDocument"])
        own = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${BreakglassRoleName}"}
        self.assertEqual((allow["Effect"], actions(allow), allow["Resource"]),
                         ("Allow", {"iam:GetRolePolicy", "iam:PutRolePolicy"}, own))
        self.assertEqual(allow["Condition"], {"StringEquals": {"aws:SourceIdentity": guard}})
        self.assertEqual((deny["Effect"], deny["Resource"]), ("Deny", own))
        self.assertEqual(deny["Condition"], {"StringNotEquals": {"aws:SourceIdentity": guard}})
        self.assertTrue({"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy",
                         "iam:UpdateAssumeRolePolicy", "iam:DeleteRole"} <= actions(deny))
        self.assertEqual(r["RoleName"], {"Ref": "BreakglassRoleName"})

    def test_sso_admin_role_only_manages_assignments(self):
        r = role("SsoAdminRole")
        self.assertEqual(r["Condition"], "SsoAdmin")
        (policy,) = r["Properties"]["Policies"]
        sts = statements(policy["PolicyDocument"])
        granted = set().union(*(actions(s) for s in sts))
        (assign,) = [s for s in sts if "sso:CreateAccountAssignment" in actions(s)]
        self.assertEqual(actions(assign), {"sso:CreateAccountAssignment", "sso:DeleteAccountAssignment"})
        self.assertIn("BreakglassPermissionSetArns", json.dumps(assign["Resource"]),
                      "assignments of the breakglass permission sets only")
        self.assertNotEqual(assign["Resource"], "*")
        self.assertIn("SsoAdminNeedsPermissionSets", ONBOARDING["Rules"])
        # What adapters/src/sso.rs calls, and nothing else.
        self.assertEqual(granted, {
            "sso:CreateAccountAssignment", "sso:DeleteAccountAssignment",
            "sso:DescribeAccountAssignmentCreationStatus", "sso:DescribeAccountAssignmentDeletionStatus",
            "sso:ListAccountAssignments", "sso:ListPermissionSets", "sso:DescribePermissionSet",
            "identitystore:GetUserId"})
        self.assertFalse({a for a in granted if "Permission" in a and not a.split(":")[1].startswith(("List", "Describe"))},
                         "never creates or changes permission sets")

    def test_stacks_tag_exactly_the_roles_that_assume_customer_roles(self):
        """The trust condition matches a tag on the broker's roles: both stacks must put it on every
        function role allowed sts:AssumeRole on customer roles, and on no other."""
        def assumes(doc):
            return any("sts:AssumeRole" in actions(s) for s in statements(doc))

        sam_tagged, sam_assumers = set(), set()
        for k, fn in SAM["Resources"].items():
            if fn["Type"] != "AWS::Serverless::Function":
                continue
            tags = plain(fn["Properties"].get("Tags", {}))
            if TAG in tags:
                self.assertEqual(tags[TAG], {"Ref": "AWS::StackName"}, k)
                sam_tagged.add(k)
            for p in plain(fn["Properties"].get("Policies", [])):
                if isinstance(p, dict) and "Statement" in p and assumes(p):
                    sam_assumers.add(k)
        self.assertEqual(sam_tagged, sam_assumers)
        self.assertTrue(sam_tagged)

        cdk_tagged = {k for k, r in CDK["Resources"].items()
                      if r["Type"] == "AWS::IAM::Role" and any(t["Key"] == TAG for t in r["Properties"].get("Tags", []))}
        cdk_assumers = {ref["Ref"] for r in CDK["Resources"].values()
                        if r["Type"] == "AWS::IAM::Policy" and assumes(r["Properties"]["PolicyDocument"])
                        for ref in r["Properties"]["Roles"]}
        self.assertEqual(cdk_tagged, cdk_assumers)
        self.assertEqual(len(cdk_tagged), len(sam_tagged))


if __name__ == "__main__":
    unittest.main()
