//! Validated identifiers. Parse at the boundary (serde `try_from`), then trust the type.

use std::fmt;

/// Defines a string newtype whose only constructor validates (and may normalise) the input.
/// `schema(pattern, min, max)` before the check documents the accepted form in the OpenAPI schema
/// (a pattern no stricter than the check, so every stored value conforms).
macro_rules! validated_string {
    ($(#[$meta:meta])* $name:ident, $what:literal, $check:expr) => {
        validated_string!($(#[$meta])* $name, $what, schema(None, None, None), $check);
    };
    ($(#[$meta:meta])* $name:ident, $what:literal, schema($pattern:expr, $min:expr, $max:expr), $check:expr) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        validated_string!(@impls $name, $what, schema($pattern, $min, $max), $check);
    };
    // Everything but the struct and its comparisons (for a type that compares its own way).
    (@impls $name:ident, $what:literal, schema($pattern:expr, $min:expr, $max:expr), $check:expr) => {
        impl $name {
            pub fn parse(value: impl Into<String>) -> Result<Self, IdError> {
                let check: fn(String) -> Result<String, String> = $check;
                check(value.into()).map($name).map_err(|reason| IdError { what: $what, reason })
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                Self::parse(value)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let pattern: Option<&str> = $pattern;
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($what))
                    .pattern(pattern)
                    .min_length($min)
                    .max_length($max)
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

/// Why a value is not a valid identifier; the message names the kind of value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {what}: {reason}")]
pub struct IdError {
    pub what: &'static str,
    pub reason: String,
}

pub(crate) fn is_iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

validated_string!(
    /// An AWS account id: exactly 12 digits, kept as a string so leading zeros survive.
    AccountId,
    "AWS account id (12 digits)",
    schema(Some("^[0-9]{12}$"), Some(12), Some(12)),
    |s| {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(s)
        } else {
            Err(format!("'{}' must be exactly 12 digits", truncate(&s)))
        }
    }
);

impl AccountId {
    /// An account id as a **file** holds it (a cost export, a bulk account import, in CSV or
    /// JSON): surrounding spaces ignored, and an id of 10 or 11 digits taken as one whose leading
    /// zeros were dropped (spreadsheets store ids as numbers: `051738928782` is saved as
    /// `51738928782`) and padded back to 12. Anything else is refused: fewer than 10 digits is far
    /// more likely a wrong cell (a row number, a count) than an id with three or more leading
    /// zeros (one id in a thousand; write such an id as text). The one rule every file import
    /// uses; ids typed into the API (paths, single creates) must be the exact 12 digits
    /// ([`AccountId::parse`]).
    pub fn from_file(raw: &str) -> Result<AccountId, IdError> {
        let s = raw.trim();
        if !(FILE_ACCOUNT_ID_MIN_DIGITS..=12).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError {
                what: "AWS account id (12 digits)",
                reason: format!(
                    "'{}' is not an AWS account id (12 digits; 10 or 11 are read as an id whose leading zeros a spreadsheet dropped)",
                    truncate(s)
                ),
            });
        }
        AccountId::parse(format!("{s:0>12}"))
    }
}

/// The fewest digits [`AccountId::from_file`] pads back to 12.
pub const FILE_ACCOUNT_ID_MIN_DIGITS: usize = 10;

/// The inputs [`AccountId::from_file`] is tested on, by each file import too (cost exports, bulk
/// accounts): the raw cell and the id it reads as (`None`: refused).
#[doc(hidden)]
pub const FILE_ACCOUNT_IDS: &[(&str, Option<&str>)] = &[
    ("123456789012", Some("123456789012")),
    ("012345678901", Some("012345678901")),
    ("51738928782", Some("051738928782")),
    (" 51738928782 ", Some("051738928782")),
    ("1234567890", Some("001234567890")),
    ("123456789", None),
    ("12", None),
    ("", None),
    ("1234567890123", None),
    ("12345678901x", None),
    ("5.1738928782E+10", None),
    ("-12345678901", None),
    ("/subscriptions/x", None),
];

validated_string!(
    /// A customer's short code: a slug, 2-32 characters, unique across the hub. Case-insensitive
    /// wherever it enters (`ACME-Retail` is `acme-retail`): normalised to lower case, as
    /// [`Email`] is, so it is stored, keyed and answered in lower case.
    CustomerCode,
    "customer code (slug; any case, kept in lower case)",
    schema(Some("^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$"), Some(2), Some(32)),
    |s| {
        let s = s.to_ascii_lowercase();
        let ok = (2..=32).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(s)
        } else {
            Err(format!(
                "'{}' must be 2-32 characters of a-z, 0-9 and '-', not starting or ending with '-'",
                truncate(&s)
            ))
        }
    }
);

validated_string!(
    /// An e-mail address, normalised to lower case.
    Email,
    "e-mail address",
    schema(Some(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), Some(3), Some(254)),
    |s| {
        let s = s.trim().to_ascii_lowercase();
        let valid = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && match s.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid { Ok(s) } else { Err(format!("'{}' is not an e-mail address", truncate(&s))) }
    }
);

validated_string!(
    /// A person's subject at the identity provider: the value of the token claim that identifies
    /// them for good (`sub`, Entra ID's `oid`, Okta's `uid`, ...), as the people directory keys it.
    /// 1-256 characters, none of them whitespace, control characters or `/`; kept as sent (case
    /// matters: providers compare subjects exactly).
    Subject,
    "subject (1-256 characters without spaces or '/')",
    schema(Some(r"^[^\s/]+$"), Some(1), Some(256)),
    |s| {
        if !s.is_empty() && s.len() <= 256 && !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/') {
            Ok(s)
        } else if s.is_empty() {
            Err("a subject may not be empty".to_string())
        } else {
            Err(format!(
                "'{}' must be 1-256 characters without spaces, control characters or '/'",
                truncate(&s)
            ))
        }
    }
);

validated_string!(
    /// An IAM role ARN (`arn:aws:iam::123456789012:role/path/Name`).
    RoleArn,
    "IAM role ARN",
    |s| {
        let err = || format!("'{}' is not an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)", truncate(&s));
        let parts: Vec<&str> = s.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[3].is_empty() {
            return Err(err());
        }
        if !matches!(parts[1], "aws" | "aws-cn" | "aws-us-gov") || AccountId::parse(parts[4]).is_err() {
            return Err(err());
        }
        let Some(rest) = parts[5].strip_prefix("role/") else { return Err(err()) };
        let name = rest.rsplit('/').next().unwrap_or_default();
        let path_ok = rest.chars().all(|c| is_iam_name_char(c) || c == '/');
        if name.is_empty() || name.len() > 64 || !path_ok || rest.len() > 512 {
            return Err(err());
        }
        Ok(s)
    }
);

impl RoleArn {
    /// The role's path and name after `role/` (`Name`, or `path/to/Name` for a role with a path).
    pub fn path_and_name(&self) -> &str {
        self.0.split_once(":role/").map(|(_, rest)| rest).unwrap_or_default()
    }

    /// The account the role lives in.
    pub fn account_id(&self) -> &str {
        self.0.split(':').nth(4).unwrap_or_default()
    }
    /// The role's name without its path (what the switch-role link needs).
    pub fn role_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or_default()
    }
}

validated_string!(
    /// The external id an onboarding role trusts (2-1224 characters of `[\w+=,.@:/-]`).
    ExternalId,
    "external id",
    |s| {
        if (2..=1224).contains(&s.len()) && s.chars().all(|c| is_iam_name_char(c) || c == ':' || c == '/') {
            Ok(s)
        } else {
            Err("must be 2-1224 characters of letters, digits and +=,.@:/-".to_string())
        }
    }
);

validated_string!(
    /// An AWS region code such as `eu-west-1`.
    Region,
    "AWS region",
    |s| {
        let parts: Vec<&str> = s.split('-').collect();
        let ok = parts.len() >= 3
            && s.len() <= 25
            && parts[0].len() == 2
            && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
            && parts[parts.len() - 1].parse::<u8>().is_ok();
        if ok { Ok(s) } else { Err(format!("'{}' is not a region code like eu-west-1", truncate(&s))) }
    }
);

validated_string!(
    /// A permission set (SSO role) name: 1-32 characters of `[\w+=,.@-]`.
    PermissionSetName,
    "permission set name",
    |s| {
        if (1..=32).contains(&s.len()) && s.chars().all(is_iam_name_char) {
            Ok(s)
        } else {
            Err(format!("'{}' must be 1-32 characters of letters, digits and +=,.@-", truncate(&s)))
        }
    }
);

validated_string!(
    /// An IAM Identity Center instance ARN (`arn:aws:sso:::instance/ssoins-0123456789abcdef`).
    SsoInstanceArn,
    "IAM Identity Center instance ARN",
    |s| {
        let id = s
            .strip_prefix("arn:")
            .and_then(|r| r.split_once(":sso:::instance/"))
            .filter(|(partition, _)| matches!(*partition, "aws" | "aws-cn" | "aws-us-gov"))
            .map(|(_, id)| id);
        let ok = id.is_some_and(|id| {
            let tail = id.strip_prefix("ssoins-").or_else(|| id.strip_prefix("ins-")).unwrap_or("");
            (1..=32).contains(&tail.len()) && tail.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
        });
        if ok {
            Ok(s)
        } else {
            Err(format!("'{}' is not an instance ARN like arn:aws:sso:::instance/ssoins-0123456789abcdef", truncate(&s)))
        }
    }
);

validated_string!(
    /// An IAM Identity Center identity store id (`d-0123456789`, or a UUID).
    IdentityStoreId,
    "identity store id",
    |s| {
        let short = s
            .strip_prefix("d-")
            .is_some_and(|t| t.len() == 10 && t.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
        let groups: Vec<&str> = s.split('-').collect();
        let uuid = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
            && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit()));
        if short || uuid {
            Ok(s)
        } else {
            Err(format!("'{}' is not an identity store id like d-0123456789", truncate(&s)))
        }
    }
);

validated_string!(
    /// An `https://` URL (SSO start URLs, portals).
    HttpsUrl,
    "https URL",
    |s| match url::Url::parse(&s) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()) => Ok(s),
        _ => Err(format!("'{}' is not an https:// URL", truncate(&s))),
    }
);

/// A contract's number as the contract source keeps it: Salesforce's `ContractNumber`
/// (`00000100`) or the CSV import's `contract` column. 1-64 characters of letters, digits and
/// `._-`.
///
/// **Case**: kept as the source spells it (shown that way), but compared without regard to case
/// (ASCII): `c-100` and `C-100` are one contract. Salesforce's `ContractNumber` is an auto-number
/// whose display format is fixed, so two numbers of one org never differ only in case; people
/// type numbers into CSV files, task code mappings and URLs, and a different case there is a
/// typing difference, not another contract. Equality, order and hashing follow [`ContractId::key`]
/// (the number in upper case, as stored keys hold it), so every map, set and comparison of
/// contract numbers agrees with the store.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContractId(String);

validated_string!(
    @impls ContractId,
    "contract number (1-64 letters, digits, '.', '_', '-')",
    schema(Some("^[A-Za-z0-9._-]{1,64}$"), Some(1), Some(64)),
    |s| {
        let s = s.trim().to_string();
        if (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
            Ok(s)
        } else {
            Err(format!("'{}' must be 1-64 characters of letters, digits, '.', '_' and '-'", truncate(&s)))
        }
    }
);

impl ContractId {
    /// The number as stored keys and comparisons use it: in upper case (`c-100` → `C-100`).
    pub fn key(&self) -> String {
        self.0.to_ascii_uppercase()
    }

    /// Whether `other` is spelt exactly as this (same contract, same case).
    pub fn same_spelling(&self, other: &ContractId) -> bool {
        self.0 == other.0
    }

    fn folded(&self) -> impl Iterator<Item = u8> + '_ {
        self.0.bytes().map(|b| b.to_ascii_uppercase())
    }
}

impl PartialEq for ContractId {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}
impl Eq for ContractId {}
impl PartialOrd for ContractId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ContractId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.folded().cmp(other.folded())
    }
}
impl std::hash::Hash for ContractId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.folded() {
            state.write_u8(b);
        }
        state.write_u8(0xff);
    }
}

validated_string!(
    /// A timesheet task code: a JIRA issue key (`OPS-1234`), a project key (`OPS`) or a code of
    /// the team's own. 1-64 characters of letters, digits and `._-`; normalised to upper case (JIRA
    /// keys are case-insensitive and shown in upper case), so `ops-1` and `OPS-1` are one code.
    TaskCode,
    "task code (1-64 letters, digits, '.', '_', '-'; kept in upper case)",
    schema(Some("^[A-Za-z0-9._-]{1,64}$"), Some(1), Some(64)),
    |s| {
        let s = s.trim().to_ascii_uppercase();
        if (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
            Ok(s)
        } else {
            Err(format!("'{}' must be 1-64 characters of letters, digits, '.', '_' and '-'", truncate(&s)))
        }
    }
);

fn truncate(s: &str) -> String {
    if s.chars().count() > 64 {
        format!("{}...", s.chars().take(64).collect::<String>())
    } else {
        s.to_string()
    }
}

/// FNV-1a, 64 bits, of `bytes`: a short stable fingerprint (ids derived from content, list
/// scopes), with no cryptographic claim.
pub fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A new ULID, strictly increasing within this process (so versions sort newest-first by id).
pub fn new_ulid() -> ulid::Ulid {
    static GENERATOR: std::sync::Mutex<ulid::Generator> = std::sync::Mutex::new(ulid::Generator::new());
    match GENERATOR.lock() {
        Ok(mut g) => g.generate().unwrap_or_else(|_| ulid::Ulid::generate()),
        Err(_) => ulid::Ulid::generate(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_numbers_compare_without_case_and_keep_their_spelling() {
        use std::collections::{BTreeSet, HashSet};
        let (lower, upper) = (ContractId::parse("c-100").unwrap(), ContractId::parse("C-100").unwrap());
        assert_eq!(lower, upper);
        assert_eq!(lower.cmp(&upper), std::cmp::Ordering::Equal);
        assert_eq!(lower.key(), "C-100");
        assert_eq!(lower.as_str(), "c-100", "the spelling is kept");
        assert!(!lower.same_spelling(&upper));
        assert_eq!(BTreeSet::from([lower.clone(), upper.clone()]).len(), 1);
        assert_eq!(HashSet::from([lower.clone(), upper.clone()]).len(), 1);
        assert_ne!(lower, ContractId::parse("C-101").unwrap());
        // Order is the upper-case key's, as the store's: "a" before "B" (by bytes "B" < "a").
        assert!(ContractId::parse("a").unwrap() < ContractId::parse("B").unwrap());
        assert_eq!(serde_json::to_string(&lower).unwrap(), "\"c-100\"");
    }

    #[test]
    fn account_id_keeps_leading_zeros_and_rejects_other_shapes() {
        assert_eq!(AccountId::parse("012345678901").unwrap().as_str(), "012345678901");
        for bad in ["12345678901", "1234567890123", "12345678901a", "", " 12345678901"] {
            assert!(AccountId::parse(bad).is_err(), "{bad}");
        }
        let json: Result<AccountId, _> = serde_json::from_str("\"00000000000x\"");
        assert!(json.unwrap_err().to_string().contains("12 digits"));
    }

    #[test]
    fn file_account_ids_get_their_leading_zeros_back_and_nothing_else() {
        for (raw, want) in FILE_ACCOUNT_IDS {
            let got = AccountId::from_file(raw).ok();
            assert_eq!(got.as_ref().map(|a| a.as_str()), *want, "{raw:?}");
        }
        assert!(
            AccountId::from_file("12x")
                .unwrap_err()
                .to_string()
                .contains("spreadsheet")
        );
    }

    #[test]
    fn role_arn_exposes_account_and_name() {
        let arn = RoleArn::parse("arn:aws:iam::012345678901:role/ops/CustomerCentralRead").unwrap();
        assert_eq!(arn.account_id(), "012345678901");
        assert_eq!(arn.role_name(), "CustomerCentralRead");
        for bad in [
            "arn:aws:iam::12345:role/x",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::012345678901:user/x",
            "arn:aws:iam::012345678901:role/",
            "arn:aws:iam::012345678901:role/bad name",
        ] {
            assert!(RoleArn::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn customer_codes_are_case_insensitive_and_kept_in_lower_case() {
        for given in ["ACME-Retail", "acme-retail", "Acme-RETAIL"] {
            assert_eq!(CustomerCode::parse(given).unwrap().as_str(), "acme-retail", "{given}");
        }
        let json: CustomerCode = serde_json::from_str("\"ACME-RETAIL\"").unwrap();
        assert_eq!(json.as_str(), "acme-retail");
        assert_eq!(serde_json::to_string(&json).unwrap(), "\"acme-retail\"");
        // Only ASCII letters fold: look-alikes (the Kelvin sign, dotted capital I) stay refused.
        for bad in ["\u{212a}elvin", "\u{130}stanbul", "ACME_RETAIL", "-ACME", "A"] {
            assert!(CustomerCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_emails_regions_urls() {
        assert!(CustomerCode::parse("acme-corp").is_ok());
        assert!(CustomerCode::parse("-acme").is_err());
        assert_eq!(
            Email::parse("Jane.Doe@Example.com").unwrap().as_str(),
            "jane.doe@example.com"
        );
        assert!(Email::parse("jane@localhost").is_err());
        assert!(Email::parse("a b@example.com").is_err());
        assert!(Region::parse("eu-west-1").is_ok());
        assert!(Region::parse("us-gov-west-1").is_ok());
        assert!(Region::parse("europe").is_err());
        assert!(HttpsUrl::parse("https://acme.awsapps.com/start").is_ok());
        assert!(HttpsUrl::parse("http://acme.awsapps.com/start").is_err());
        assert!(ExternalId::parse("cc-acme-7f3a").is_ok());
        assert!(ExternalId::parse("x").is_err());
        assert!(PermissionSetName::parse("AdministratorAccess").is_ok());
        assert!(PermissionSetName::parse("has space").is_err());
        assert!(SsoInstanceArn::parse("arn:aws:sso:::instance/ssoins-0123456789abcdef").is_ok());
        assert!(SsoInstanceArn::parse("arn:aws:iam:::instance/ssoins-0123456789abcdef").is_err());
        assert!(SsoInstanceArn::parse("arn:aws:sso:::instance/").is_err());
        assert!(IdentityStoreId::parse("d-9067a1b2c3").is_ok());
        assert!(IdentityStoreId::parse("0123abcd-0123-4567-89ab-0123456789ab").is_ok());
        assert!(IdentityStoreId::parse("d-123").is_err());
        for ok in [
            "a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            "00u1a2b3c4D5e6F7g8h9",
            "auth0|123",
            "lee@example.com",
        ] {
            assert_eq!(Subject::parse(ok).unwrap().as_str(), ok, "kept as sent");
        }
        for bad in ["", "has space", "a/b", "tab\t", &"x".repeat(257)] {
            assert!(Subject::parse(bad).is_err(), "{bad:?}");
        }
    }
}
