//! Demo data: a realistic hub (customers, contacts, accounts mixing SSO and role access) seeded
//! idempotently, so `cc serve --demo` can be run again and again on the same data directory.
//! The generator is deterministic (a fixed-seed PRNG), and scales for benchmarks.

use crate::App;
use crate::error::{Conflict, Error, Result};
use crate::hub::{
    AccessMethod, ContractSummary, CustomerStatus, Environment, IdentityCenter, NewAccount, NewContact, NewCustomer,
    ReportSettings,
};
use crate::identity::{Principal, Role};
use crate::ids::{
    AccountId, CustomerCode, Email, ExternalId, HttpsUrl, IdentityStoreId, PermissionSetName, Region, RoleArn,
    SsoInstanceArn,
};

/// The demo team: one person per role (and a second senior so two-approver policies work).
pub const DEMO_USERS: &[(&str, &[Role])] = &[
    ("erin.engineer@demo.customer-central.dev", &[Role::Engineer]),
    ("sam.senior@demo.customer-central.dev", &[Role::Engineer, Role::Senior]),
    (
        "sasha.senior@demo.customer-central.dev",
        &[Role::Engineer, Role::Senior],
    ),
    (
        "lee.lead@demo.customer-central.dev",
        &[Role::Engineer, Role::Senior, Role::Lead],
    ),
    ("ada.admin@demo.customer-central.dev", &[Role::Admin]),
];

const NAMES: &[&str] = &[
    "Acme Retail",
    "Borealis Energy",
    "Cobalt Health",
    "Driftwood Media",
    "Evergreen Logistics",
    "Fjord Banking",
    "Granite Insurance",
    "Harbor Travel",
    "Ion Robotics",
    "Juniper Foods",
    "Kestrel Aviation",
    "Lumen Education",
];
const WORKLOADS: &[&str] = &[
    "payments",
    "data-platform",
    "web",
    "identity",
    "analytics",
    "integration",
    "ml",
    "shared-services",
    "logging",
    "network",
    "security",
    "backoffice",
    "mobile-api",
    "search",
];
const REGIONS: &[&str] = &["eu-west-1", "eu-central-1", "us-east-1", "eu-north-1", "ap-southeast-2"];

/// A small deterministic PRNG (splitmix64): same seed, same demo hub.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub struct DemoSize {
    pub customers: usize,
    pub accounts: usize,
}

impl Default for DemoSize {
    fn default() -> Self {
        DemoSize {
            customers: 12,
            accounts: 160,
        }
    }
}

#[derive(Debug, Default, PartialEq)]
pub struct Seeded {
    pub customers_created: usize,
    pub accounts_created: usize,
    pub contacts_created: usize,
}

fn demo_admin() -> Principal {
    Principal {
        email: Email::parse("seed@demo.customer-central.dev").expect("valid"),
        subject: "demo-seed".into(),
        roles: [Role::Admin].into(),
    }
}

fn ok_or_exists<T>(r: Result<T>) -> Result<bool> {
    match r {
        Ok(_) => Ok(true),
        Err(Error::Conflict {
            kind: Conflict::DuplicateCustomer | Conflict::DuplicateAccount,
            ..
        }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Seeds the demo hub; items that already exist are left as they are.
pub async fn seed(app: &App, size: &DemoSize) -> Result<Seeded> {
    let admin = demo_admin();
    let mut rng = Rng(0xC0FFEE);
    let mut out = Seeded::default();
    for i in 0..size.customers {
        let base = NAMES[i % NAMES.len()];
        let code = customer_code(i);
        let name = if i < NAMES.len() {
            base.to_string()
        } else {
            format!("{base} {}", i / NAMES.len() + 1)
        };
        let customer = NewCustomer {
            code: v(CustomerCode::parse(&code))?,
            name: name.clone(),
            status: if i % 11 == 5 {
                CustomerStatus::Onboarding
            } else {
                CustomerStatus::Active
            },
            notes: format!("{name}: managed since {}. Escalate P1s by phone.", 2019 + i % 6),
            contract: Some(ContractSummary {
                reference: Some(format!("MSA-{:04}", 1000 + i)),
                starts_on: time::Date::from_calendar_date(2025, time::Month::January, 1).ok(),
                ends_on: time::Date::from_calendar_date(2027, time::Month::December, 31).ok(),
                hours_per_month: Some(20 + (i as u32 % 5) * 10),
                notes: String::new(),
            }),
            report: ReportSettings {
                enabled: true,
                recipients: vec![v(Email::parse(format!("cto@{code}.example.com")))?],
            },
        };
        let created = ok_or_exists(app.hub.create_customer(&admin, customer).await)?;
        if created {
            out.customers_created += 1;
            for (j, (who, role)) in [
                ("Morgan Hale", "CTO"),
                ("Priya Natarajan", "Head of Platform"),
                ("Jonas Berg", "Service Desk"),
            ]
            .iter()
            .enumerate()
            {
                let contact = NewContact {
                    name: who.to_string(),
                    role: role.to_string(),
                    email: v(Email::parse(format!(
                        "{}@{code}.example.com",
                        slug(who).replace('-', ".")
                    )))?,
                    phone: Some(format!("+44 20 7946 {:04}", (i * 10 + j) % 10000)),
                    escalation_order: j as u8 + 1,
                };
                app.hub.create_contact(&admin, &code, contact).await?;
                out.contacts_created += 1;
            }
        }
    }
    // Each customer's management (payer) account: its Identity Center admin role lives there.
    let mut management_ids: Vec<String> = Vec::with_capacity(size.customers);
    for n in 0..size.accounts {
        let ci = n % size.customers;
        let code = customer_code(ci);
        let id = format!("{:012}", 100_000_000_000u64 + (n as u64) * 7_919 + (rng.next() % 7_000));
        let workload = WORKLOADS[rng.below(WORKLOADS.len())];
        let env = if rng.below(3) == 0 {
            Environment::Prod
        } else {
            Environment::NonProd
        };
        let region = REGIONS[rng.below(REGIONS.len())];
        if n < size.customers {
            management_ids.push(id.clone());
        }
        // Every third customer reaches its accounts through its own Identity Center: read access
        // standing, SRE-Breakglass only during a breakglass grant.
        let access = if ci.is_multiple_of(3) {
            let tag = format!("{:016x}", 0x5eed_0000_0000_0000u64 + ci as u64);
            AccessMethod::Sso {
                start_url: v(HttpsUrl::parse(format!("https://{code}.awsapps.com/start")))?,
                // One Identity Center per customer, in one home region.
                sso_region: v(Region::parse(REGIONS[ci % REGIONS.len()]))?,
                permission_sets: vec![
                    v(PermissionSetName::parse("ReadOnlyAccess"))?,
                    v(PermissionSetName::parse("SecurityAudit"))?,
                ],
                breakglass_permission_sets: vec![v(PermissionSetName::parse("SRE-Breakglass"))?],
                identity_center: Some(IdentityCenter {
                    instance_arn: v(SsoInstanceArn::parse(format!("arn:aws:sso:::instance/ssoins-{tag}")))?,
                    identity_store_id: v(IdentityStoreId::parse(format!("d-{}", &tag[6..])))?,
                    admin_role_arn: v(RoleArn::parse(format!(
                        "arn:aws:iam::{}:role/CustomerCentralSsoAdmin",
                        management_ids.get(ci).unwrap_or(&id)
                    )))?,
                    external_id: Some(v(ExternalId::parse(format!("cc-{code}-sso")))?),
                }),
            }
        } else {
            AccessMethod::Role {
                read_role_arn: v(RoleArn::parse(format!("arn:aws:iam::{id}:role/CustomerCentralRead")))?,
                breakglass_role_arn: v(RoleArn::parse(format!(
                    "arn:aws:iam::{id}:role/CustomerCentralBreakglass"
                )))?,
                external_id: v(ExternalId::parse(format!("cc-{code}-{:04x}", rng.next() % 0xffff)))?,
                max_session_seconds: 3600,
            }
        };
        let management = n < size.customers;
        // The alias names the account's own environment (a management account is prod).
        let environment = if management { Environment::Prod } else { env };
        let account = NewAccount {
            id: v(AccountId::parse(&id))?,
            customer: v(CustomerCode::parse(&code))?,
            name: if management {
                format!("{code} management")
            } else {
                format!("{workload} {}", env.as_str())
            },
            alias: Some(if management {
                format!("{code}-management")
            } else {
                format!("{code}-{workload}-{}-{n}", env.as_str())
            }),
            environment,
            region: v(Region::parse(region))?,
            management_account: management,
            delegated_admin_services: if n % size.customers.max(1) == 1 && n < 2 * size.customers {
                vec!["securityhub.amazonaws.com".into(), "guardduty.amazonaws.com".into()]
            } else {
                vec![]
            },
            access,
        };
        if ok_or_exists(app.hub.create_account(&admin, account).await)? {
            out.accounts_created += 1;
        }
    }
    // Teams: who works on which customer (their profiles cover those accounts).
    let codes: Vec<String> = (0..size.customers).map(customer_code).collect();
    for (ci, code) in codes.iter().enumerate() {
        let members: Vec<Email> = DEMO_USERS
            .iter()
            .enumerate()
            // Each person is on three customers in four, SSO and role ones alike; erin (engineer)
            // and sam (senior) share borealis-energy (role access), so the README's breakglass
            // walk-through works as written.
            .filter(|(ui, (_, roles))| !roles.contains(&Role::Admin) && (ci + ui) % 4 != 3)
            .map(|(_, (email, _))| v(Email::parse(*email)))
            .collect::<Result<_>>()?;
        let update = crate::hub::TeamUpdate { members, version: 0 };
        match app.hub.put_team(&admin, code, update).await {
            Ok(_) | Err(Error::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The codes of the demo customers of `size` (billing's demo history is seeded for them).
pub fn customer_codes(size: &DemoSize) -> Vec<String> {
    (0..size.customers).map(customer_code).collect()
}

fn customer_code(ci: usize) -> String {
    if ci < NAMES.len() {
        slug(NAMES[ci])
    } else {
        format!("{}-{}", slug(NAMES[ci % NAMES.len()]), ci / NAMES.len() + 1)
    }
}

/// Demo values are generated valid; a failure here is a bug in the generator.
fn v<T>(r: std::result::Result<T, crate::ids::IdError>) -> Result<T> {
    r.map_err(|e| Error::Internal(e.into()))
}

fn slug(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
