//! The application: configuration plus every port's adapter, built once at start-up (Lambda cold
//! start or `cc serve`) and shared by all requests.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

use crate::access::local::{LocalBroker, LocalRoleGuard, LocalWorkflow, LogNotifier};
use crate::access::ports::{AccessBroker, Clock, Fanout, Notifier, RoleGuard, Workflow};
use crate::access::service::Access;
use crate::access::webhook::WebhookNotifier;
use crate::aws::iam::IamRoleGuard;
use crate::aws::sfn::SfnWorkflow;
use crate::aws::sns::SnsNotifier;
use crate::aws::sts::StsBroker;
use crate::config::{Config, StoreKind};
use crate::hub::Hub;
use crate::profiles::service::Profiles;
use crate::store::dynamo::DynamoStore;
use crate::store::local_objects::LocalObjectStore;
use crate::store::s3::S3Store;
use crate::store::{ItemStore, ObjectStore};

#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub items: Arc<dyn ItemStore>,
    pub objects: Arc<dyn ObjectStore>,
    pub hub: Arc<Hub>,
    pub access: Arc<Access>,
    pub profiles: Arc<Profiles>,
    /// Set on the embedded default: the local server serves its signed download links.
    pub local_objects: Option<Arc<LocalObjectStore>>,
}

impl App {
    pub async fn from_env() -> anyhow::Result<Self> {
        Self::from_config(Config::from_env()?).await
    }

    pub async fn from_config(mut config: Config) -> anyhow::Result<Self> {
        match config.store {
            StoreKind::Embedded => {
                if config.auth.jwt_secret.is_none() && config.auth.jwks_url.is_none() {
                    config.auth.jwt_secret = Some(dev_secret(&config.data_dir)?);
                }
                let items = embedded_items(&config)?;
                let base_url = config
                    .public_url
                    .clone()
                    .unwrap_or_else(|| format!("http://127.0.0.1:{}", config.port));
                let key = config.auth.jwt_secret.clone().unwrap_or_default();
                let objects = Arc::new(LocalObjectStore::new(
                    config.data_dir.join("objects"),
                    key.as_bytes(),
                    &base_url,
                ));
                let adapters = Adapters::local(items.clone(), &base_url);
                Ok(Self::assemble(config, items, objects.clone(), Some(objects), adapters))
            }
            StoreKind::Aws => {
                let sdk = sdk_config(&config).await;
                let (items, objects) = aws_stores(&config, &sdk)?;
                let broker: Arc<dyn AccessBroker> = Arc::new(StsBroker::new(
                    aws_sdk_sts::Client::new(&sdk),
                    config.federation_url.clone(),
                ));
                let items: Arc<dyn ItemStore> = Arc::new(items);
                let workflow: Arc<dyn Workflow> = match &config.state_machine_arn {
                    Some(arn) => Arc::new(SfnWorkflow::new(aws_sdk_sfn::Client::new(&sdk), arn, items.clone())),
                    None => Arc::new(LocalWorkflow),
                };
                let adapters = Adapters {
                    guard: Arc::new(IamRoleGuard::new(sdk.clone(), broker.clone())),
                    broker,
                    workflow,
                    clock: Clock::system(),
                    notifiers: match &config.topic_arn {
                        Some(arn) => {
                            vec![Arc::new(SnsNotifier::new(aws_sdk_sns::Client::new(&sdk), arn)) as Arc<dyn Notifier>]
                        }
                        None => Vec::new(),
                    },
                };
                Ok(Self::assemble(config, items, Arc::new(objects), None, adapters))
            }
        }
    }

    /// Puts an application together from its stores and breakglass adapters (tests use this to
    /// run against emulators or with instrumented adapters).
    pub fn assemble(
        config: Config,
        items: Arc<dyn ItemStore>,
        objects: Arc<dyn ObjectStore>,
        local_objects: Option<Arc<LocalObjectStore>>,
        adapters: Adapters,
    ) -> Self {
        let mut notifiers: Vec<Arc<dyn Notifier>> = vec![Arc::new(LogNotifier)];
        if let Some(url) = &config.webhook_url {
            notifiers.push(Arc::new(WebhookNotifier::new(url.clone())));
        }
        notifiers.extend(adapters.notifiers);
        let notifier: Arc<dyn Notifier> = Arc::new(Fanout(notifiers));
        let hub = Arc::new(Hub::new(items.clone()));
        let access = Arc::new(Access::new(
            items.clone(),
            hub.clone(),
            adapters.broker,
            adapters.guard,
            adapters.workflow,
            notifier,
            adapters.clock,
        ));
        App {
            config: Arc::new(config),
            profiles: Arc::new(Profiles::new(items.clone(), hub.clone())),
            hub,
            access,
            items,
            objects,
            local_objects,
        }
    }
}

/// The embedded item store (one SQLite file in the data directory).
#[cfg(feature = "embedded")]
fn embedded_items(config: &Config) -> anyhow::Result<Arc<dyn ItemStore>> {
    let store = crate::store::embedded::SqliteStore::open(&config.data_dir.join("items.sqlite3"))?;
    Ok(Arc::new(store))
}

/// Lambda builds leave SQLite out (they run on DynamoDB); say so instead of failing obscurely.
#[cfg(not(feature = "embedded"))]
fn embedded_items(_: &Config) -> anyhow::Result<Arc<dyn ItemStore>> {
    anyhow::bail!("CC_STORE: this build has no embedded store; set CC_STORE=aws (Lambda builds run on DynamoDB)")
}

/// The breakglass adapters an application runs with.
pub struct Adapters {
    pub broker: Arc<dyn AccessBroker>,
    pub guard: Arc<dyn RoleGuard>,
    pub workflow: Arc<dyn Workflow>,
    pub clock: Clock,
    /// Notifiers beyond the log and the webhook (SNS in AWS).
    pub notifiers: Vec<Arc<dyn Notifier>>,
}

impl Adapters {
    /// The local adapters (no AWS): labelled local sessions, deny times kept in `items`.
    pub fn local(items: Arc<dyn ItemStore>, base_url: &str) -> Self {
        Adapters {
            broker: Arc::new(LocalBroker {
                base_url: base_url.to_string(),
            }),
            guard: Arc::new(LocalRoleGuard { store: items }),
            workflow: Arc::new(LocalWorkflow),
            clock: Clock::system(),
            notifiers: Vec::new(),
        }
    }
}

/// The local HS256 secret: generated once per data directory and kept there (0600), so
/// `cc token` and `cc serve` agree without any setup.
pub fn dev_secret(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("dev-jwt-secret");
    if let Ok(s) = std::fs::read_to_string(&path) {
        let s = s.trim().to_string();
        if s.len() >= 32 {
            return Ok(s);
        }
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let secret: String = (0..48)
        .map(|_| {
            const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            CHARS[rand::random_range(0..CHARS.len())] as char
        })
        .collect();
    write_private(&path, secret.as_bytes())?;
    Ok(secret)
}

/// Writes a file readable only by its owner (atomically: temp file + rename).
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// SDK configuration for an AWS emulator (moto) at `endpoint`: dummy static credentials and a fixed
/// region, so tests never reach for real credentials.
pub async fn emulator_sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
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
    match std::env::var("CC_TEST_MOTO_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("CC_REQUIRE_MOTO").as_deref() != Ok("1"),
                "CC_REQUIRE_MOTO=1 but CC_TEST_MOTO_URL is not set"
            );
            eprintln!("skipping emulator test: CC_TEST_MOTO_URL is not set (scripts/test sets it)");
            None
        }
    }
}

/// SDK configuration, pointed at `AWS_ENDPOINT_URL` when set.
async fn sdk_config(config: &Config) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = &config.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// The DynamoDB and S3 adapters for `config` (emulators serve buckets by path, not by host).
fn aws_stores(config: &Config, sdk: &aws_config::SdkConfig) -> anyhow::Result<(DynamoStore, S3Store)> {
    let table = config.table.clone().context("CC_TABLE")?;
    let bucket = config.bucket.clone().context("CC_BUCKET")?;
    let s3_config = aws_sdk_s3::config::Builder::from(sdk)
        .force_path_style(config.endpoint_url.is_some())
        .build();
    Ok((
        DynamoStore::new(aws_sdk_dynamodb::Client::new(sdk), table),
        S3Store::new(aws_sdk_s3::Client::from_conf(s3_config), bucket),
    ))
}

/// Creates the table and bucket when missing: for emulators and first local runs against AWS.
/// A deployed stack owns its resources; Lambda never calls this.
pub async fn ensure_aws_resources(config: &Config) -> anyhow::Result<()> {
    let (items, objects) = aws_stores(config, &sdk_config(config).await)?;
    items.ensure_table().await?;
    objects.ensure_bucket().await
}
