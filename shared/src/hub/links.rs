//! One-click console links: the switch-role link for role accounts (read role only: write access
//! goes through breakglass), and the access portal deep link per standing permission set for SSO
//! accounts, plus each breakglass permission set the person holds an active grant for.

use url::form_urlencoded;
use utoipa::ToSchema;

use super::{AccessMethod, Account};
use crate::ids::{AccountId, HttpsUrl, PermissionSetName};

/// The access portal's deep link into `account` as `role` (a permission set):
/// `https://<start>/#/console?account_id=...&role_name=...`.
pub fn sso_portal_url(start_url: &HttpsUrl, account: &AccountId, role: &PermissionSetName) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("account_id", account.as_str())
        .append_pair("role_name", role.as_str())
        .finish();
    format!("{}/#/console?{query}", start_url.as_str().trim_end_matches('/'))
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, ToSchema)]
pub struct ConsoleLink {
    /// `switch_role`, `sso_portal`, or `sso_portal_breakglass` (a breakglass permission set
    /// during the person's active grant).
    pub kind: &'static str,
    pub role_name: String,
    pub label: String,
    pub url: String,
}

/// The account's links; `held` are the breakglass permission sets the person holds an active grant
/// for on this account (breakglass sets not in it never appear).
pub fn console_links(account: &Account, held: &[PermissionSetName]) -> Vec<ConsoleLink> {
    let display = display_name(account);
    match &account.access {
        AccessMethod::Role { read_role_arn, .. } => {
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("account", account.id.as_str())
                .append_pair("roleName", read_role_arn.role_name())
                .append_pair("displayName", &display)
                .finish();
            vec![ConsoleLink {
                kind: "switch_role",
                role_name: read_role_arn.role_name().to_string(),
                label: format!("{display} (read)"),
                url: format!("https://signin.aws.amazon.com/switchrole?{query}"),
            }]
        }
        AccessMethod::Sso {
            start_url,
            permission_sets,
            breakglass_permission_sets,
            ..
        } => {
            let standing = permission_sets
                .iter()
                .map(|ps| (ps, "sso_portal", format!("{display} ({ps})")));
            let granted = breakglass_permission_sets
                .iter()
                .filter(|ps| held.contains(ps))
                .map(|ps| (ps, "sso_portal_breakglass", format!("{display} ({ps}, breakglass)")));
            standing
                .chain(granted)
                .map(|(ps, kind, label)| ConsoleLink {
                    kind,
                    role_name: ps.to_string(),
                    label,
                    url: sso_portal_url(start_url, &account.id, ps),
                })
                .collect()
        }
    }
}

/// `customer/alias-or-name`, at most 64 characters (the console's display-name limit).
fn display_name(account: &Account) -> String {
    let name = account.alias.as_deref().unwrap_or(&account.name);
    format!("{}/{}", account.customer, name).chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn account(access: serde_json::Value) -> Account {
        serde_json::from_value(json!({
            "id": "012345678901", "customer": "acme", "name": "Payments & Billing", "alias": null,
            "environment": "prod", "region": "eu-west-1", "management_account": false,
            "delegated_admin_services": [], "access": access,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn role_account_gets_an_encoded_switch_role_link_for_the_read_role() {
        let a = account(json!({"method": "role",
            "read_role_arn": "arn:aws:iam::012345678901:role/ops/CCRead",
            "breakglass_role_arn": "arn:aws:iam::012345678901:role/CCBreakglass",
            "external_id": "cc-acme"}));
        let links = console_links(&a, &[]);
        assert_eq!(links.len(), 1);
        assert_eq!(
            links[0].url,
            "https://signin.aws.amazon.com/switchrole?account=012345678901&roleName=CCRead&displayName=acme%2FPayments+%26+Billing"
        );
    }

    #[test]
    fn sso_account_gets_one_portal_link_per_permission_set() {
        let a = account(json!({"method": "sso", "start_url": "https://acme.awsapps.com/start/",
            "sso_region": "eu-west-1", "permission_sets": ["ReadOnly", "Admin"]}));
        let links = console_links(&a, &[]);
        assert_eq!(links.len(), 2);
        assert_eq!(
            links[1].url,
            "https://acme.awsapps.com/start/#/console?account_id=012345678901&role_name=Admin"
        );
    }

    #[test]
    fn breakglass_permission_sets_are_linked_only_while_held() {
        let a = account(json!({"method": "sso", "start_url": "https://acme.awsapps.com/start",
            "sso_region": "eu-west-1", "permission_sets": ["ReadOnly"],
            "breakglass_permission_sets": ["SRE-Breakglass"],
            "identity_center": {"instance_arn": "arn:aws:sso:::instance/ssoins-0123456789abcdef",
                "identity_store_id": "d-0123456789", "admin_role_arn": "arn:aws:iam::999999999999:role/SsoAdmin"}}));
        let without = console_links(&a, &[]);
        assert_eq!(without.len(), 1);
        assert!(without.iter().all(|l| l.role_name != "SRE-Breakglass"));
        let held = [PermissionSetName::parse("SRE-Breakglass").unwrap()];
        let with = console_links(&a, &held);
        assert_eq!(with.len(), 2);
        assert_eq!(with[1].kind, "sso_portal_breakglass");
        assert_eq!(
            with[1].url,
            "https://acme.awsapps.com/start/#/console?account_id=012345678901&role_name=SRE-Breakglass"
        );
    }
}
