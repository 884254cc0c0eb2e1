//! Per-function wiring: each builder sets up only the clients its function uses, once, at start-up
//! (Lambda cold start or `cc serve`): the item store's is made there, the others (STS, Step
//! Functions, SNS, S3) on their first call ([`crate::sdk_client`]), and clients of a customer's
//! role per call. A Lambda crate turns on only the cargo features of the adapters its builder
//! needs, so `customers` and `profile-gen` link no STS, IAM, Step Functions or SNS code.
//!
//! | builder | used by | outside systems |
//! |---|---|---|
//! | [`hub`] | customers, profile-gen | item store |
//! | [`access`] | access-request, approval, approval-workflow, jobs | item store, STS, IAM, IAM Identity Center, Step Functions, SNS, webhook |
//! | [`billing`] | (the billing functions) | item store, STS, Cost Explorer, Organizations |
//! | [`reports`] | report-build | item store, object store (S3), STS, Security Hub, Savings Plans, EC2, RDS, Cost Explorer |
//! | [`report_pdf`] | report-pdf | item store, object store (S3); Typst in process |
//! | [`jobs`] | jobs | what [`access`], [`billing`] and [`reports`] use |
//! | [`local_server`] | `cc serve` | all of them |
//!
//! `CC_STORE=embedded` swaps every AWS client for its embedded counterpart (SQLite, local files,
//! local breakglass adapters); `CC_STORE=aws` builds the SDK clients, pointed at
//! `AWS_ENDPOINT_URL` when set (moto, LocalStack).

use std::sync::Arc;

#[cfg(feature = "embedded")]
use anyhow::Context;
use cc_domain::config::{Config, StoreKind};
use cc_domain::store::ItemStore;
use cc_domain::{AccessPorts, App, Clock};

/// What every builder starts from: the configuration, the item store, and the SDK configuration
/// when running on AWS.
#[derive(Clone)]
struct Base {
    config: Config,
    items: Arc<dyn ItemStore>,
    /// Read only by the builders whose adapters are compiled in.
    #[cfg(feature = "aws")]
    #[cfg_attr(not(any(feature = "access", feature = "s3", feature = "billing")), allow(dead_code))]
    sdk: Option<aws_config::SdkConfig>,
}

impl Base {
    async fn new(mut config: Config) -> anyhow::Result<Self> {
        match config.store {
            StoreKind::Embedded => {
                local_defaults(&mut config)?;
                let items = embedded_items(&config)?;
                Ok(Base {
                    config,
                    items,
                    #[cfg(feature = "aws")]
                    sdk: None,
                })
            }
            StoreKind::Aws => aws_base(config).await,
        }
    }

    #[cfg(feature = "aws")]
    #[cfg_attr(not(any(feature = "access", feature = "s3", feature = "billing")), allow(dead_code))]
    fn sdk(&self) -> anyhow::Result<&aws_config::SdkConfig> {
        self.sdk
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("CC_STORE=aws without an AWS SDK configuration"))
    }

    fn app(self) -> App {
        App::new(self.config, self.items, Clock::system())
    }
}

/// The hub and profiles over the item store (the `customers` and `profile-gen` functions).
pub async fn hub(config: Config) -> anyhow::Result<App> {
    Ok(Base::new(config).await?.app())
}

/// The hub plus breakglass access (the `access-request`, `approval` and `approval-workflow`
/// functions; `jobs` through [`JobsWiring`]).
pub async fn access(config: Config) -> anyhow::Result<App> {
    access_app(Base::new(config).await?).await
}

async fn access_app(base: Base) -> anyhow::Result<App> {
    let ports = access_ports(&base).await?;
    Ok(base.app().with_access(ports))
}

/// Everything (the local server): hub, breakglass, billing and the object store.
#[cfg(feature = "embedded")]
pub async fn local_server(config: Config) -> anyhow::Result<App> {
    let base = Base::new(config).await?;
    let ports = access_ports(&base).await?;
    let objects = objects(&base)?;
    let billing = BillingSources::new(&base)?;
    let utilisation = UtilisationSources::new(&base).await?;
    let reports = report_ports(&base, PdfIn::Process)?;
    let app = base.app().with_access(ports).with_objects(objects);
    let ports = billing.ports(&app);
    let app = app.with_billing(ports);
    let ports = utilisation.ports(&app);
    app.with_utilisation(ports).with_reports(reports).map_err(Into::into)
}

/// The hub plus monthly reports (the `report-build` function): the item store and the object store
/// (S3 in AWS, the data directory's objects on the embedded default). In AWS the PDF is left to the
/// `report-pdf` function ([`report_pdf`]).
pub async fn reports(config: Config) -> anyhow::Result<App> {
    reports_app(Base::new(config).await?)
}

fn reports_app(base: Base) -> anyhow::Result<App> {
    let objects = objects(&base)?;
    let reports = report_ports(&base, PdfIn::Function)?;
    Ok(base.app().with_objects(objects).with_reports(reports)?)
}

/// The `report-pdf` function: renders the outputs new report versions wait for
/// ([`cc_domain::reports::Reports::render_pending`]) with [`report_renderers`]; reads the item store
/// and the object store, and no report source.
pub async fn report_pdf(config: Config) -> anyhow::Result<App> {
    let base = Base::new(config).await?;
    let objects = objects(&base)?;
    let mut ports = cc_domain::reports::ReportPorts::unconfigured();
    ports.renderers = report_renderers();
    Ok(base.app().with_objects(objects).with_reports(ports)?)
}

/// Where a process's report builds get their PDF.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PdfIn {
    /// Rendered by the build itself ([`report_renderers`]): the local server, on either store.
    #[cfg_attr(not(feature = "embedded"), allow(dead_code))]
    Process,
    /// In AWS, by the `report-pdf` function after the build (the new version's item reaches it
    /// through the table's stream), so that Typst's size stays out of `report-build` and `jobs`;
    /// on the embedded store (no stream), like [`PdfIn::Process`].
    Function,
}

/// The report outputs besides the built-in HTML and JSON: the PDF (feature `pdf`: Typst in
/// process), on the embedded default and in AWS alike.
pub fn report_renderers() -> Vec<Arc<dyn cc_domain::reports::ports::Renderer>> {
    #[cfg(feature = "pdf")]
    return vec![Arc::new(cc_report_pdf::PdfRenderer)];
    #[cfg(not(feature = "pdf"))]
    Vec::new()
}

/// The embedded default's report ports: the generated local sources ([`crate::local_reports`]) and
/// [`report_renderers`], as `cc serve` wires them.
pub fn embedded_report_ports() -> cc_domain::reports::ReportPorts {
    let mut ports = crate::local_reports::ports();
    ports.renderers = report_renderers();
    ports
}

/// What reports read besides the item store: in AWS, Security Hub, Savings Plans and EC2/RDS
/// reservations, and Cost Explorer's recommendations through each customer's read role (STS); on
/// the embedded default the generated local sources ([`crate::local_reports`]). A build without an
/// adapter's cargo feature answers "not configured" for that section. The PDF as `pdf` says.
fn report_ports(base: &Base, pdf: PdfIn) -> anyhow::Result<cc_domain::reports::ReportPorts> {
    match base.config.store {
        StoreKind::Embedded => Ok(embedded_report_ports()),
        StoreKind::Aws => {
            let mut ports = cc_domain::reports::ReportPorts::unconfigured();
            aws_report_sources(base, &mut ports)?;
            match pdf {
                PdfIn::Process => ports.renderers = report_renderers(),
                PdfIn::Function => ports.deferred = vec!["pdf"],
            }
            Ok(ports)
        }
    }
}

/// The AWS report sources this build has (cargo features `securityhub`, `renewals`,
/// `costexplorer`); the others stay "not configured".
#[cfg(feature = "aws")]
#[cfg_attr(
    not(any(feature = "securityhub", feature = "renewals", feature = "costexplorer")),
    allow(unused_variables)
)]
fn aws_report_sources(base: &Base, ports: &mut cc_domain::reports::ReportPorts) -> anyhow::Result<()> {
    #[cfg(any(feature = "securityhub", feature = "renewals", feature = "costexplorer"))]
    {
        let sdk = base.sdk()?;
        let broker: Arc<dyn cc_domain::access::ports::AccessBroker> = Arc::new(crate::sts::StsBroker::new(
            on_first_use(sdk, aws_sdk_sts::Client::new),
            base.config.federation_url.clone(),
        ));
        #[cfg(feature = "securityhub")]
        {
            ports.compliance = Arc::new(crate::securityhub::SecurityHubSource::new(sdk.clone(), broker.clone()));
        }
        #[cfg(feature = "renewals")]
        {
            ports.renewals = Arc::new(crate::renewals::AwsRenewals::new(sdk.clone(), broker.clone()));
        }
        #[cfg(feature = "costexplorer")]
        {
            ports.optimisation = Arc::new(crate::recommendations::CostExplorerRecommendations::new(
                sdk.clone(),
                broker,
            ));
        }
    }
    Ok(())
}

#[cfg(not(feature = "aws"))]
fn aws_report_sources(_: &Base, _: &mut cc_domain::reports::ReportPorts) -> anyhow::Result<()> {
    Ok(())
}

/// The object store: S3 in AWS, the data directory's `objects/` on the embedded default.
fn objects(base: &Base) -> anyhow::Result<Arc<dyn cc_domain::store::ObjectStore>> {
    match base.config.store {
        StoreKind::Embedded => embedded_objects(&base.config),
        StoreKind::Aws => aws_objects(base),
    }
}

#[cfg(feature = "embedded")]
fn embedded_objects(config: &Config) -> anyhow::Result<Arc<dyn cc_domain::store::ObjectStore>> {
    Ok(Arc::new(local_objects(config)))
}

#[cfg(not(feature = "embedded"))]
fn embedded_objects(_: &Config) -> anyhow::Result<Arc<dyn cc_domain::store::ObjectStore>> {
    anyhow::bail!("CC_STORE: this build has no embedded object store; set CC_STORE=aws (Lambda builds use S3)")
}

/// The hub plus the billing fetch: Cost Explorer and Organizations through each customer's read
/// role (STS) in AWS; the generated local sources on the embedded default.
pub async fn billing(config: Config) -> anyhow::Result<App> {
    billing_app(Base::new(config).await?)
}

fn billing_app(base: Base) -> anyhow::Result<App> {
    let billing = BillingSources::new(&base)?;
    let app = base.app();
    let ports = billing.ports(&app);
    Ok(app.with_billing(ports))
}

/// Every scheduled job's ports in one app, made at once: breakglass (the sweeper), billing
/// (`billing.fetch`), utilisation (`utilisation.sync`) and monthly reports (`reports.monthly`).
/// The `jobs` function makes them per job instead ([`JobsWiring`]).
pub async fn jobs(config: Config) -> anyhow::Result<App> {
    let base = Base::new(config).await?;
    let access = access_ports(&base).await?;
    let billing = BillingSources::new(&base)?;
    let utilisation = UtilisationSources::new(&base).await?;
    let objects = objects(&base)?;
    let reports = report_ports(&base, PdfIn::Function)?;
    let app = base.app().with_access(access).with_objects(objects);
    let ports = billing.ports(&app);
    let app = app.with_billing(ports);
    let ports = utilisation.ports(&app);
    Ok(app.with_utilisation(ports).with_reports(reports)?)
}

/// Which capability's ports a scheduled job needs besides the item store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobPorts {
    /// Breakglass ([`access`]).
    Access,
    /// Billing's sources ([`billing`]).
    Billing,
    /// Utilisation's sources ([`utilisation`]).
    Utilisation,
    /// The object store and the report sources ([`reports`]).
    Reports,
}

/// The `jobs` function's start-up: the item store and the SDK configuration only. An invocation
/// runs one job, so each capability's ports (its SDK clients, its secrets) are made when a job
/// first needs them ([`JobsWiring::app`]) rather than all at start-up, which made `jobs` start in
/// 2.3x the bare hello-world's time (issue #16).
pub struct JobsWiring {
    base: Base,
}

impl JobsWiring {
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        Ok(JobsWiring {
            base: Base::new(config).await?,
        })
    }

    /// An app with the hub and `ports`' capability, as that capability's function builds it.
    ///
    /// Errors: the capability's set-up (a secret that cannot be read, bad settings), as at the
    /// start-up of its own function.
    pub async fn app(&self, ports: JobPorts) -> anyhow::Result<App> {
        let base = self.base.clone();
        match ports {
            JobPorts::Access => access_app(base).await,
            JobPorts::Billing => billing_app(base),
            JobPorts::Utilisation => utilisation_app(base).await,
            JobPorts::Reports => reports_app(base),
        }
    }
}

/// The hub plus utilisation (the `utilisation` function).
pub async fn utilisation(config: Config) -> anyhow::Result<App> {
    utilisation_app(Base::new(config).await?).await
}

async fn utilisation_app(base: Base) -> anyhow::Result<App> {
    let sources = UtilisationSources::new(&base).await?;
    let app = base.app();
    let ports = sources.ports(&app);
    Ok(app.with_utilisation(ports))
}

/// Utilisation's sources: Salesforce and JIRA when configured (`CC_SALESFORCE`, `CC_JIRA`: JSON or
/// a Secrets Manager secret's ARN, read once here); otherwise the demo generators on the embedded
/// default (they read the app's hub, so they are made once the app exists), and in AWS sources
/// that say they are not configured (a sync records that; CSV imports work).
struct UtilisationSources {
    contracts: Option<Arc<dyn cc_domain::utilisation::ports::ContractSource>>,
    timesheets: Option<Arc<dyn cc_domain::utilisation::ports::TimesheetSource>>,
    local: bool,
}

impl UtilisationSources {
    async fn new(base: &Base) -> anyhow::Result<Self> {
        let contracts: Option<Arc<dyn cc_domain::utilisation::ports::ContractSource>> = match &base.config.salesforce {
            Some(arn) if arn.starts_with("arn:") => Some(Arc::new(secret_port(
                base,
                "CC_SALESFORCE",
                arn,
                "give the JSON itself",
                |json, _| salesforce(json),
            )?)),
            Some(json) => Some(salesforce(json)?),
            None => None,
        };
        let timesheets: Option<Arc<dyn cc_domain::utilisation::ports::TimesheetSource>> = match &base.config.jira {
            Some(arn) if arn.starts_with("arn:") => Some(Arc::new(secret_port(
                base,
                "CC_JIRA",
                arn,
                "give the JSON itself",
                |json, _| jira(json),
            )?)),
            Some(json) => Some(jira(json)?),
            None => None,
        };
        Ok(UtilisationSources {
            contracts,
            timesheets,
            local: base.config.store == StoreKind::Embedded,
        })
    }

    fn ports(self, app: &App) -> cc_domain::utilisation::service::UtilisationPorts {
        use crate::local_utilisation::{LocalContracts, LocalTimesheets, Unconfigured};
        let local = self.local;
        cc_domain::utilisation::service::UtilisationPorts {
            contracts: self.contracts.unwrap_or_else(|| {
                if local {
                    Arc::new(LocalContracts::new(app.hub.clone(), app.clock.clone()))
                } else {
                    Arc::new(Unconfigured {
                        what: "Salesforce (CC_SALESFORCE)",
                    })
                }
            }),
            timesheets: self.timesheets.unwrap_or_else(|| {
                if local {
                    Arc::new(LocalTimesheets::new(app.hub.clone(), app.clock.clone()))
                } else {
                    Arc::new(Unconfigured { what: "JIRA (CC_JIRA)" })
                }
            }),
        }
    }
}

/// A port whose setting is the Secrets Manager secret `arn` (for the setting `name`), made by
/// `build` from the secret's string on the port's first use ([`crate::deferred`]), not at
/// start-up. `hint`: what to do instead on the embedded store.
#[cfg(feature = "secrets")]
fn secret_port<T, F>(
    base: &Base,
    name: &'static str,
    arn: &str,
    hint: &str,
    build: F,
) -> anyhow::Result<crate::deferred::Deferred<T>>
where
    T: ?Sized + Send + Sync + 'static,
    F: Fn(&str, &str) -> anyhow::Result<Arc<T>> + Send + Sync + Copy + 'static,
{
    let Some(sdk) = base.sdk.clone() else {
        anyhow::bail!(
            "{name}: reading a secret needs CC_STORE=aws (AWS credentials, or AWS_ENDPOINT_URL for an emulator); \
             on the embedded store {hint}"
        )
    };
    let arn = arn.to_string();
    Ok(crate::deferred::Deferred::new(move || {
        let (client, arn) = (aws_sdk_secretsmanager::Client::new(&sdk), arn.clone());
        async move { build(&crate::secrets::secret_string(&client, name, &arn).await?, &arn) }
    }))
}

#[cfg(not(feature = "secrets"))]
fn secret_port<T: ?Sized, F>(
    _: &Base,
    name: &str,
    _: &str,
    _: &str,
    _: F,
) -> anyhow::Result<crate::deferred::Deferred<T>>
where
    F: Fn(&str, &str) -> anyhow::Result<Arc<T>>,
{
    anyhow::bail!("{name}: this build has no Secrets Manager adapter (cargo feature `secrets`)")
}

/// The webhook URL in the `SecretString` `text` of the secret `arn`: the URL itself, or a JSON
/// object with a `url` field (what the console's key/value editor stores).
///
/// Errors: a JSON object without a `url` string; a value that is not an http(s) URL (naming the
/// secret, never its value).
pub fn webhook_url_in(text: &str, arn: &str) -> anyhow::Result<String> {
    use anyhow::Context;
    let text = text.trim();
    let value = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(fields)) => fields
            .get("url")
            .and_then(|u| u.as_str())
            .with_context(|| format!("CC_WEBHOOK_SECRET_ARN: {arn} is a JSON object without a \"url\" string"))?
            .to_string(),
        _ => text.to_string(),
    };
    match url::Url::parse(&value) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host().is_some() => Ok(value),
        _ => anyhow::bail!("CC_WEBHOOK_SECRET_ARN: the value of {arn} is not an http(s) URL"),
    }
}

/// Why settings JSON was refused: a missing or unknown field by name, else where; never a value
/// (serde's message for a wrong type quotes the value, which may be a credential).
#[cfg(any(feature = "salesforce", feature = "jira"))]
fn json_error(name: &str, what: &str, e: &serde_json::Error) -> anyhow::Error {
    let text = e.to_string();
    let detail = if text.starts_with("missing field") || text.starts_with("unknown field") {
        text
    } else {
        format!("{:?} error at line {}, column {}", e.classify(), e.line(), e.column())
    };
    anyhow::anyhow!("{name}: not valid {what} settings: {detail}")
}

#[cfg(feature = "salesforce")]
fn salesforce(json: &str) -> anyhow::Result<Arc<dyn cc_domain::utilisation::ports::ContractSource>> {
    let cfg: crate::salesforce::SalesforceConfig =
        serde_json::from_str(json).map_err(|e| json_error("CC_SALESFORCE", "Salesforce", &e))?;
    Ok(Arc::new(crate::salesforce::SalesforceContracts::new(cfg)?))
}

#[cfg(not(feature = "salesforce"))]
fn salesforce(_: &str) -> anyhow::Result<Arc<dyn cc_domain::utilisation::ports::ContractSource>> {
    anyhow::bail!("CC_SALESFORCE: this build has no Salesforce adapter (cargo feature `salesforce`)")
}

#[cfg(feature = "jira")]
fn jira(json: &str) -> anyhow::Result<Arc<dyn cc_domain::utilisation::ports::TimesheetSource>> {
    let cfg: crate::jira::JiraConfig = serde_json::from_str(json).map_err(|e| json_error("CC_JIRA", "JIRA", &e))?;
    Ok(Arc::new(crate::jira::JiraWorklogs::new(cfg)?))
}

#[cfg(not(feature = "jira"))]
fn jira(_: &str) -> anyhow::Result<Arc<dyn cc_domain::utilisation::ports::TimesheetSource>> {
    anyhow::bail!("CC_JIRA: this build has no JIRA adapter (cargo feature `jira`)")
}

/// Where billing's sources come from: the local ones read the hub of the app they serve, so they
/// are made once the app exists.
enum BillingSources {
    Local,
    Aws(cc_domain::billing::BillingPorts),
}

impl BillingSources {
    fn new(base: &Base) -> anyhow::Result<Self> {
        Ok(match base.config.store {
            StoreKind::Embedded => BillingSources::Local,
            StoreKind::Aws => BillingSources::Aws(aws_billing_ports(base)?),
        })
    }

    fn ports(self, app: &App) -> cc_domain::billing::BillingPorts {
        match self {
            BillingSources::Local => cc_domain::billing::BillingPorts {
                costs: Arc::new(crate::local_billing::LocalCostSource::new(app.hub.clone())),
                organizations: Arc::new(crate::local_billing::LocalOrganizationSource::new(app.hub.clone())),
            },
            BillingSources::Aws(ports) => ports,
        }
    }
}

#[cfg(all(feature = "costexplorer", feature = "organizations"))]
fn aws_billing_ports(base: &Base) -> anyhow::Result<cc_domain::billing::BillingPorts> {
    let sdk = base.sdk()?;
    let broker: Arc<dyn cc_domain::access::ports::AccessBroker> = Arc::new(crate::sts::StsBroker::new(
        on_first_use(sdk, aws_sdk_sts::Client::new),
        base.config.federation_url.clone(),
    ));
    Ok(cc_domain::billing::BillingPorts {
        costs: Arc::new(crate::costexplorer::CostExplorerSource::new(
            sdk.clone(),
            broker.clone(),
        )),
        organizations: Arc::new(crate::organizations::OrganizationsSource::new(sdk.clone(), broker)),
    })
}

#[cfg(not(all(feature = "costexplorer", feature = "organizations")))]
fn aws_billing_ports(_: &Base) -> anyhow::Result<cc_domain::billing::BillingPorts> {
    anyhow::bail!("this build has no AWS billing adapters (cargo feature `billing`)")
}

/// Where the local server says it is reachable (local console and download links point there).
pub fn local_base_url(config: &Config) -> String {
    config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://127.0.0.1:{}", config.port))
}

/// The local object store in the data directory; links are signed with the local secret. It is a
/// view of the directory, so the local server's download route opens its own.
#[cfg(feature = "embedded")]
pub fn local_objects(config: &Config) -> crate::local_objects::LocalObjectStore {
    let key = config.auth.jwt_secret.clone().unwrap_or_default();
    crate::local_objects::LocalObjectStore::new(config.data_dir.join("objects"), key.as_bytes(), local_base_url(config))
}

/// The embedded default verifies tokens with a per-data-directory secret unless told otherwise.
fn local_defaults(config: &mut Config) -> anyhow::Result<()> {
    if config.auth.jwt_secret.is_none() && config.auth.jwks_url.is_none() {
        config.auth.jwt_secret = Some(crate::files::dev_secret(&config.data_dir)?);
    }
    Ok(())
}

/// The embedded item store (one SQLite file in the data directory).
#[cfg(feature = "embedded")]
fn embedded_items(config: &Config) -> anyhow::Result<Arc<dyn ItemStore>> {
    let path = config.data_dir.join("items.sqlite3");
    let store = crate::sqlite::SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?;
    Ok(Arc::new(store))
}

/// Lambda builds leave SQLite out (they run on DynamoDB); say so instead of failing obscurely.
#[cfg(not(feature = "embedded"))]
fn embedded_items(_: &Config) -> anyhow::Result<Arc<dyn ItemStore>> {
    anyhow::bail!("CC_STORE: this build has no embedded store; set CC_STORE=aws (Lambda builds run on DynamoDB)")
}

#[cfg(feature = "dynamodb")]
async fn aws_base(config: Config) -> anyhow::Result<Base> {
    let sdk = sdk_config(&config).await;
    let items: Arc<dyn ItemStore> = Arc::new(dynamo_store(&config, &sdk)?);
    Ok(Base {
        config,
        items,
        sdk: Some(sdk),
    })
}

#[cfg(not(feature = "dynamodb"))]
async fn aws_base(_: Config) -> anyhow::Result<Base> {
    anyhow::bail!("CC_STORE: this build has no DynamoDB adapter; set CC_STORE=embedded")
}

/// The breakglass ports: STS, IAM, IAM Identity Center (sso-admin and identitystore through each
/// customer's admin role), Step Functions (when a state machine is configured) and SNS (when a
/// topic is configured) in AWS; the local adapters on the embedded default. The log and,
/// when configured, the webhook are always notified.
async fn access_ports(base: &Base) -> anyhow::Result<AccessPorts> {
    let mut ports = match base.config.store {
        StoreKind::Embedded => crate::local_access::ports(base.items.clone(), &local_base_url(&base.config)),
        StoreKind::Aws => aws_access_ports(base)?,
    };
    match (&base.config.webhook_url, &base.config.webhook_secret_arn) {
        (Some(url), _) => ports.notifiers.push(webhook(url)?),
        (None, Some(arn)) => ports.notifiers.push(Arc::new(secret_port(
            base,
            "CC_WEBHOOK_SECRET_ARN",
            arn,
            "set CC_WEBHOOK_URL instead",
            |text, arn| webhook(&webhook_url_in(text, arn)?),
        )?)),
        (None, None) => {}
    }
    Ok(ports)
}

#[cfg(feature = "webhook")]
fn webhook(url: &str) -> anyhow::Result<Arc<dyn cc_domain::access::ports::Notifier>> {
    Ok(Arc::new(crate::webhook::WebhookNotifier::new(url.to_string())))
}

#[cfg(not(feature = "webhook"))]
fn webhook(_: &str) -> anyhow::Result<Arc<dyn cc_domain::access::ports::Notifier>> {
    anyhow::bail!("CC_WEBHOOK_URL: this build has no webhook notifier")
}

#[cfg(all(feature = "sts", feature = "iam", feature = "sfn", feature = "sns", feature = "sso"))]
fn aws_access_ports(base: &Base) -> anyhow::Result<AccessPorts> {
    use cc_domain::access::ports::{AccessBroker, Notifier, Workflow};
    let sdk = base.sdk()?;
    let broker: Arc<dyn AccessBroker> = Arc::new(crate::sts::StsBroker::new(
        on_first_use(sdk, aws_sdk_sts::Client::new),
        base.config.federation_url.clone(),
    ));
    let workflow: Arc<dyn Workflow> = match &base.config.state_machine_arn {
        Some(arn) => Arc::new(crate::sfn::SfnWorkflow::new(
            on_first_use(sdk, aws_sdk_sfn::Client::new),
            arn,
            base.items.clone(),
        )),
        None => Arc::new(crate::local_access::LocalWorkflow),
    };
    let mut notifiers: Vec<Arc<dyn Notifier>> = vec![Arc::new(crate::local_access::LogNotifier)];
    if let Some(arn) = &base.config.topic_arn {
        notifiers.push(Arc::new(crate::sns::SnsNotifier::new(
            on_first_use(sdk, aws_sdk_sns::Client::new),
            arn,
        )));
    }
    Ok(AccessPorts {
        guard: Arc::new(crate::iam::IamRoleGuard::new(sdk.clone(), broker.clone())),
        sso: Arc::new(crate::sso::SsoAdminAssigner::new(
            sdk.clone(),
            broker.clone(),
            base.config.sso_user_attribute,
        )),
        broker,
        workflow,
        notifiers,
    })
}

#[cfg(not(all(feature = "sts", feature = "iam", feature = "sfn", feature = "sns", feature = "sso")))]
fn aws_access_ports(_: &Base) -> anyhow::Result<AccessPorts> {
    anyhow::bail!("this build has no AWS breakglass adapters (cargo feature `access`)")
}

#[cfg(feature = "s3")]
fn aws_objects(base: &Base) -> anyhow::Result<Arc<dyn cc_domain::store::ObjectStore>> {
    Ok(Arc::new(s3_store(&base.config, base.sdk()?)?))
}

#[cfg(not(feature = "s3"))]
fn aws_objects(_: &Base) -> anyhow::Result<Arc<dyn cc_domain::store::ObjectStore>> {
    anyhow::bail!("CC_STORE=aws: this build has no S3 adapter (cargo feature `s3`)")
}

/// The SDK's configuration from the environment, pointed at `AWS_ENDPOINT_URL` when set, with
/// [`sdk_http_client`]'s client.
#[cfg(feature = "aws")]
async fn sdk_config(config: &Config) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = &config.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(client) = sdk_http_client() {
        loader = loader.http_client(client);
    }
    if env_credentials() {
        loader = loader.credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new());
    }
    loader.load().await
}

/// Whether the credentials are in the environment (`AWS_ACCESS_KEY_ID` and
/// `AWS_SECRET_ACCESS_KEY`, as Lambda sets them for the function's role): then the SDK's default
/// chain would take them from there, since the environment comes first in it, and only the
/// environment's provider is made. Making the whole chain also makes its web-identity provider's
/// STS client, about 0.87 million instructions of start-up work (callgrind, x86_64) that no
/// Lambda invocation used (issue #16).
#[cfg(feature = "aws")]
fn env_credentials() -> bool {
    let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY")
}

/// The SDK's HTTP client: in Lambda, and in any build without the `default-https-client` feature
/// (the Lambda functions'), the one trusting the webpki roots ([`crate::https`]: no system
/// certificate bundle read at start-up); `None` elsewhere, for the SDK's default client (the
/// system's roots and proxy settings, for people's machines).
#[cfg(feature = "aws")]
fn sdk_http_client() -> Option<aws_smithy_runtime_api::client::http::SharedHttpClient> {
    let in_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    (in_lambda || !cfg!(feature = "default-https-client")).then(crate::https::webpki_client)
}

#[cfg(feature = "dynamodb")]
fn dynamo_store(config: &Config, sdk: &aws_config::SdkConfig) -> anyhow::Result<crate::dynamo::DynamoStore> {
    let table = config
        .table
        .clone()
        .ok_or_else(|| anyhow::anyhow!("CC_TABLE is not set"))?;
    Ok(crate::dynamo::DynamoStore::new(
        aws_sdk_dynamodb::Client::new(sdk),
        table,
    ))
}

/// The S3 adapter for `config` (emulators serve buckets by path, not by host).
#[cfg(feature = "s3")]
fn s3_store(config: &Config, sdk: &aws_config::SdkConfig) -> anyhow::Result<crate::s3::S3Store> {
    let bucket = config
        .bucket
        .clone()
        .ok_or_else(|| anyhow::anyhow!("CC_BUCKET is not set"))?;
    let path_style = config.endpoint_url.is_some();
    let s3 = on_first_use(sdk, move |sdk| {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(sdk)
                .force_path_style(path_style)
                .build(),
        )
    });
    Ok(crate::s3::S3Store::new(s3, bucket))
}

/// A client of `sdk` made by `make` on its first call ([`crate::sdk_client`]: making the first
/// client of an SDK crate costs start-up time most invocations would not use).
#[cfg(any(feature = "sts", feature = "sfn", feature = "sns", feature = "s3"))]
fn on_first_use<C: 'static>(
    sdk: &aws_config::SdkConfig,
    make: impl FnOnce(&aws_config::SdkConfig) -> C + Send + 'static,
) -> crate::sdk_client::OnFirstUse<C> {
    let sdk = sdk.clone();
    crate::sdk_client::OnFirstUse::new(move || make(&sdk))
}

/// Creates the table and bucket when missing: for emulators and first local runs against AWS.
/// A deployed stack owns its resources; Lambda never calls this.
#[cfg(all(feature = "dynamodb", feature = "s3"))]
pub async fn ensure_aws_resources(config: &Config) -> anyhow::Result<()> {
    let sdk = sdk_config(config).await;
    dynamo_store(config, &sdk)?.ensure_table().await?;
    s3_store(config, &sdk)?.ensure_bucket().await
}

/// SDK configuration for an AWS emulator (moto) at `endpoint`: dummy static credentials and a fixed
/// region, so tests never reach for real credentials.
#[cfg(feature = "dynamodb")]
pub async fn emulator_sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(client) = sdk_http_client() {
        loader = loader.http_client(client);
    }
    loader
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing", "testing", None, None, "emulator",
        ))
        .load()
        .await
}

/// The emulator endpoint the test command started (`CC_TEST_MOTO_URL`). When the test command asks
/// for it (`CC_REQUIRE_MOTO=1`), its absence is a failure rather than a skip.
pub fn test_emulator_url() -> Option<String> {
    cc_domain::test_env::required("CC_TEST_MOTO_URL")
}
