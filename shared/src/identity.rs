//! Who is calling: the verified identity and the roles its groups map to. How the identity was
//! verified (API Gateway's JWT authorizer, or the local server) is the HTTP layer's business.

use std::collections::BTreeSet;

use crate::config::AuthConfig;
use crate::error::Error;
use crate::ids::Email;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Engineer,
    Senior,
    Lead,
    Admin,
}

impl std::str::FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "engineer" => Ok(Role::Engineer),
            "senior" => Ok(Role::Senior),
            "lead" => Ok(Role::Lead),
            "admin" => Ok(Role::Admin),
            _ => Err(()),
        }
    }
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Engineer, Role::Senior, Role::Lead, Role::Admin];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Engineer => "engineer",
            Role::Senior => "senior",
            Role::Lead => "lead",
            Role::Admin => "admin",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Principal {
    pub email: Email,
    pub subject: String,
    pub roles: BTreeSet<Role>,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Reads are open to anyone holding at least one role.
    pub fn require_any_role(&self) -> Result<(), Error> {
        if self.roles.is_empty() {
            Err(Error::Forbidden(format!(
                "{} holds none of the roles engineer, senior, lead, admin",
                self.email
            )))
        } else {
            Ok(())
        }
    }

    pub fn require(&self, role: Role, action: &str) -> Result<(), Error> {
        if self.has(role) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("{action} needs the {} role", role.as_str())))
        }
    }
}

/// A caller whose token was verified, with their e-mail when it is known. Routes take a
/// [`Principal`] (the e-mail is known); only the people directory's routes take this, so that an
/// admin whose subject is not in the directory yet can add it (how the first admin gets in when
/// e-mails come from the directory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub subject: String,
    pub email: Option<Email>,
    pub roles: BTreeSet<Role>,
}

impl Verified {
    /// Who acts, for the audit log: the e-mail, else `subject:<subject>`.
    pub fn actor(&self) -> String {
        match &self.email {
            Some(e) => e.to_string(),
            None => format!("subject:{}", self.subject),
        }
    }

    pub fn require(&self, role: Role, action: &str) -> Result<(), Error> {
        if self.roles.contains(&role) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("{action} needs the {} role", role.as_str())))
        }
    }
}

impl From<Principal> for Verified {
    fn from(p: Principal) -> Self {
        Verified {
            subject: p.subject,
            email: Some(p.email),
            roles: p.roles,
        }
    }
}

/// Maps the identity provider's group names onto roles.
pub fn roles_from_groups<'a>(groups: impl IntoIterator<Item = &'a str>, auth: &AuthConfig) -> BTreeSet<Role> {
    groups
        .into_iter()
        .filter_map(|g| auth.role_groups.get(g).copied().or_else(|| g.parse().ok()))
        .collect()
}

/// Splits a groups claim as it reaches us: a JSON array (local verification), or the string API
/// Gateway's JWT authorizer makes of an array (`[a b c]`), or a comma/space separated list.
pub fn split_groups_claim(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
        serde_json::Value::String(s) => {
            let trimmed = s.trim();
            if let Ok(serde_json::Value::Array(items)) = serde_json::from_str(trimmed) {
                return items.iter().filter_map(|v| v.as_str().map(String::from)).collect();
            }
            trimmed
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split([',', ' '])
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(String::from)
                .collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_claim_shapes() {
        assert_eq!(split_groups_claim(&json!(["admin", "lead"])), vec!["admin", "lead"]);
        assert_eq!(split_groups_claim(&json!("[admin lead]")), vec!["admin", "lead"]);
        assert_eq!(split_groups_claim(&json!("admin,lead")), vec!["admin", "lead"]);
        assert_eq!(
            split_groups_claim(&json!("[\"admin\",\"lead\"]")),
            vec!["admin", "lead"]
        );
        assert!(split_groups_claim(&json!(42)).is_empty());
    }

    #[test]
    fn groups_map_to_roles_by_name_or_configuration() {
        let mut auth = AuthConfig::default();
        auth.role_groups.insert("sre-leads".into(), Role::Lead);
        let roles = roles_from_groups(["sre-leads", "engineer", "unrelated"], &auth);
        assert_eq!(roles, BTreeSet::from([Role::Lead, Role::Engineer]));
    }
}
