//! The application context: configuration, the clock, the stores and the services built on them.
//!
//! The domain crate only says what an application is made of; which adapters fill the ports is
//! decided by the wiring in `cc-adapters` (one builder per function, so a Lambda builds only the
//! clients it uses; the local server composes them all). Services a function was not wired for
//! are absent, and asking for them is an internal error rather than a silently built client.

use std::sync::Arc;

use crate::access::ports::{AccessBroker, Notifier, RoleGuard, SsoAssigner, Workflow};
use crate::access::service::Access;
use crate::clock::Clock;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::hub::{AssumableRoles, Hub};
use crate::people::People;
use crate::profiles::service::Profiles;
use crate::store::{ItemStore, ObjectStore};

#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub clock: Clock,
    pub items: Arc<dyn ItemStore>,
    pub hub: Arc<Hub>,
    /// The people directory (identity provider subject -> e-mail).
    pub people: Arc<People>,
    pub profiles: Arc<Profiles>,
    access: Option<Arc<Access>>,
    objects: Option<Arc<dyn ObjectStore>>,
    /// The billing fetch (issue #13).
    billing: Option<Arc<crate::billing::Billing>>,
    /// Utilisation: contracts against timesheet hours (issue #14).
    utilisation: Option<Arc<crate::utilisation::service::Utilisation>>,
    /// Monthly reports (issue #15).
    reports: Option<Arc<crate::reports::Reports>>,
}

/// The outside systems breakglass needs (STS, IAM, IAM Identity Center, Step Functions, notifiers
/// in AWS; their local stand-ins on the embedded default).
pub struct AccessPorts {
    pub broker: Arc<dyn AccessBroker>,
    pub guard: Arc<dyn RoleGuard>,
    /// IAM Identity Center account assignments (SSO breakglass).
    pub sso: Arc<dyn SsoAssigner>,
    pub workflow: Arc<dyn Workflow>,
    /// Every notifier; the service fans out to all of them.
    pub notifiers: Vec<Arc<dyn Notifier>>,
}

impl App {
    /// The hub and profile services over `items` (they need no other outside system).
    pub fn new(config: Config, items: Arc<dyn ItemStore>, clock: Clock) -> Self {
        let hub = Arc::new(
            Hub::new(items.clone(), clock.clone()).with_assumable_roles(AssumableRoles {
                breakglass: config.breakglass_role_name.clone(),
                sso_admin: config.sso_admin_role_name.clone(),
            }),
        );
        App {
            config: Arc::new(config),
            profiles: Arc::new(Profiles::new(items.clone(), hub.clone(), clock.clone())),
            hub,
            people: Arc::new(People::new(items.clone(), clock.clone())),
            clock,
            items,
            access: None,
            objects: None,
            billing: None,
            utilisation: None,
            reports: None,
        }
    }

    /// Adds the breakglass service over `ports`.
    pub fn with_access(mut self, ports: AccessPorts) -> Self {
        self.access = Some(Arc::new(Access::new(
            self.items.clone(),
            self.hub.clone(),
            ports,
            self.clock.clone(),
        )));
        self
    }

    /// Adds the object store (reports, imports).
    pub fn with_objects(mut self, objects: Arc<dyn ObjectStore>) -> Self {
        self.objects = Some(objects);
        self
    }

    /// The breakglass service; an internal error in a function not wired for it.
    pub fn access(&self) -> Result<&Access> {
        self.access.as_deref().ok_or_else(|| not_wired("breakglass access"))
    }

    /// The object store; an internal error in a function not wired for it.
    pub fn objects(&self) -> Result<&Arc<dyn ObjectStore>> {
        self.objects.as_ref().ok_or_else(|| not_wired("the object store"))
    }
}

// ---- billing (issue #13) -----------------------------------------------------------------------

impl App {
    /// Adds the billing fetch over `ports` (Cost Explorer and Organizations, or their embedded
    /// stand-ins), with the configuration's `CC_BILLING_*` settings.
    pub fn with_billing(mut self, ports: crate::billing::BillingPorts) -> Self {
        self.billing = Some(Arc::new(crate::billing::Billing::new(
            self.items.clone(),
            self.hub.clone(),
            ports,
            self.clock.clone(),
            self.config.billing.clone(),
        )));
        self
    }

    /// The billing fetch; an internal error in a function not wired for it.
    pub fn billing(&self) -> Result<&crate::billing::Billing> {
        self.billing.as_deref().ok_or_else(|| not_wired("the billing fetch"))
    }
}

// ---- utilisation (issue #14) -------------------------------------------------------------------

impl App {
    /// Adds utilisation over `ports` (Salesforce and JIRA, or their embedded stand-ins).
    pub fn with_utilisation(mut self, ports: crate::utilisation::service::UtilisationPorts) -> Self {
        self.utilisation = Some(Arc::new(crate::utilisation::service::Utilisation::new(
            self.items.clone(),
            self.hub.clone(),
            ports,
            self.clock.clone(),
            crate::utilisation::service::UtilisationConfig::default(),
        )));
        self
    }

    /// Utilisation; an internal error in a function not wired for it.
    pub fn utilisation(&self) -> Result<&crate::utilisation::service::Utilisation> {
        self.utilisation.as_deref().ok_or_else(|| not_wired("utilisation"))
    }
}

// ---- monthly reports (issue #15) ---------------------------------------------------------------

impl App {
    /// Adds monthly reports over `ports` (their sources and extra renderers), writing to the object
    /// store, which must be added first ([`Self::with_objects`]).
    pub fn with_reports(mut self, ports: crate::reports::ReportPorts) -> Result<Self> {
        let objects = self.objects()?.clone();
        self.reports = Some(Arc::new(crate::reports::Reports::new(
            self.items.clone(),
            objects,
            self.hub.clone(),
            ports,
            self.clock.clone(),
            self.config.reports.clone(),
        )));
        Ok(self)
    }

    /// Monthly reports; an internal error in a function not wired for them.
    pub fn reports(&self) -> Result<&crate::reports::Reports> {
        self.reports.as_deref().ok_or_else(|| not_wired("monthly reports"))
    }
}

fn not_wired(what: &str) -> Error {
    Error::Internal(anyhow::anyhow!(
        "{what} is not wired into this function (see cc_adapters::wire)"
    ))
}
