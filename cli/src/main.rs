//! `cc`: run Customer Central locally, mint dev tokens, benchmark.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use cc_domain::config::{Config, StoreKind};
use cc_domain::demo;
use cc_domain::identity::Role;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cc", version, about = "Customer Central: local runner and CLI")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Settings {
    /// Where the embedded store keeps its data.
    #[arg(long, env = "CC_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// `embedded` (default) or `aws` (DynamoDB + S3; set AWS_ENDPOINT_URL for an emulator).
    #[arg(long, env = "CC_STORE")]
    store: Option<String>,
    #[arg(long, env = "CC_TABLE")]
    table: Option<String>,
    #[arg(long, env = "CC_BUCKET")]
    bucket: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run every function's routes in one local server.
    Serve {
        #[command(flatten)]
        settings: Settings,
        #[arg(long, env = "CC_PORT", default_value_t = 8080)]
        port: u16,
        /// Connections served at once (default 512); more wait in the listen backlog.
        #[arg(long, env = "CC_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..=65535))]
        max_connections: Option<u32>,
        /// Seed the demo data set (idempotent) and print a token per demo user. Creates the data
        /// directory when it does not exist.
        #[arg(long)]
        demo: bool,
        /// Create the data directory when it does not exist, and start on an empty store (without
        /// `--demo` or this, a data directory that does not exist is refused: a mistyped path
        /// would otherwise start a new empty store).
        #[arg(long)]
        init: bool,
        /// With CC_STORE=aws against an emulator: create the table and bucket if missing.
        #[arg(long)]
        create_resources: bool,
        /// The built web UI to serve at / (default: this checkout's ui/dist once built).
        #[arg(long, env = "CC_UI_DIR")]
        ui_dir: Option<PathBuf>,
    },
    /// Mint a development token signed with the local secret.
    Token {
        #[command(flatten)]
        settings: Settings,
        #[arg(long)]
        email: String,
        /// Comma-separated: engineer, senior, lead, admin.
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
        #[arg(long, default_value_t = 12)]
        ttl_hours: u64,
    },
    /// Sign in: the OAuth device flow against the issuer, or a dev token with --dev.
    Login {
        /// The identity provider (OIDC issuer with a device authorization endpoint).
        #[arg(long, env = "CC_LOGIN_ISSUER")]
        issuer: Option<String>,
        #[arg(long, env = "CC_CLIENT_ID")]
        client_id: Option<String>,
        #[arg(long, default_value = "openid email profile offline_access")]
        scope: String,
        /// Sign in with the local server's dev secret instead (no identity provider).
        #[arg(long)]
        dev: bool,
        #[arg(long)]
        email: Option<String>,
        #[arg(long, value_delimiter = ',', default_value = "engineer")]
        roles: Vec<String>,
        #[arg(long, env = "CC_DATA_DIR")]
        data_dir: Option<PathBuf>,
        #[arg(long, env = "CC_API_URL")]
        api_url: Option<String>,
    },
    /// Your AWS CLI profiles: print them, or merge them into your AWS config.
    Profiles {
        #[command(subcommand)]
        action: ProfilesAction,
    },
    /// Print credential_process JSON for your active breakglass grant on an account.
    Credentials {
        #[arg(long)]
        account: String,
        #[arg(long, env = "CC_API_URL")]
        api_url: Option<String>,
    },
    /// Print the API's OpenAPI document (every function's routes, as served at /api/v1/openapi.json).
    Openapi {
        /// Only this function's own document (customers, access-request, approval, profile-gen, docs).
        #[arg(long, conflicts_with = "by_function")]
        function: Option<String>,
        /// Every function's own document, as {"<function>": <document>}.
        #[arg(long)]
        by_function: bool,
    },
    /// The scheduled jobs (EventBridge rules in AWS pass their names to the `jobs` function).
    Jobs {
        #[command(subcommand)]
        action: JobsAction,
    },
    /// Accounts in the hub, through the API.
    Accounts {
        #[command(subcommand)]
        action: AccountsAction,
    },
    /// Billing data on the configured store.
    Billing {
        #[command(subcommand)]
        action: BillingAction,
    },
    /// Utilisation data (contracts, timesheet hours), through the API.
    Utilisation {
        #[command(subcommand)]
        action: UtilisationAction,
    },
    /// Monthly reports, through the API.
    Reports {
        #[command(subcommand)]
        action: ReportsAction,
    },
    /// Benchmarks that print figures (build with --profile bench-local).
    Bench {
        #[command(subcommand)]
        which: cc_cli::bench::Which,
    },
}

#[derive(clap::Args, Clone, Default)]
struct ProfileFlags {
    /// Comma-separated customer codes.
    #[arg(long)]
    customer: Option<String>,
    /// prod or non-prod.
    #[arg(long)]
    environment: Option<String>,
    /// Comma-separated: read, breakglass, sso.
    #[arg(long)]
    kind: Option<String>,
    #[arg(long)]
    region: Option<String>,
    /// Naming template, e.g. '{customer}-{account}-{role}'.
    #[arg(long)]
    template: Option<String>,
    #[arg(long)]
    hub_profile: Option<String>,
    /// Every customer (leads and admins).
    #[arg(long)]
    all: bool,
    #[arg(long, env = "CC_API_URL")]
    api_url: Option<String>,
}

impl ProfileFlags {
    fn query(&self, format: &str) -> Vec<(&'static str, String)> {
        let mut q = vec![("format", format.to_string())];
        let mut add = |k: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                q.push((k, v.clone()));
            }
        };
        add("customer", &self.customer);
        add("environment", &self.environment);
        add("kind", &self.kind);
        add("region", &self.region);
        add("template", &self.template);
        add("hub_profile", &self.hub_profile);
        if self.all {
            q.push(("all", "true".into()));
        }
        if let Some(me) = cc_cli::profiles::own_command_line() {
            q.push(("cli_path", me));
        }
        q
    }
}

#[derive(Subcommand)]
enum JobsAction {
    /// Print every job's name and what it does.
    List {
        /// A JSON array of {"name", "description"} instead.
        #[arg(long)]
        json: bool,
    },
    /// Run one job once against the configured store and print its JSON summary. The run is
    /// recorded as a manual one by you (`{"kind":"manual","by":...}` in the billing fetch's and
    /// the utilisation sync's run lists), never as the schedule's.
    Run {
        /// The job's name (see `cc jobs list`).
        name: String,
        /// Who is running it, as the run records say (e.g. your e-mail); default: your operating
        /// system user name ($USER, $LOGNAME or $USERNAME, else your user id's name).
        #[arg(long, env = "CC_RUN_BY")]
        by: Option<String>,
        #[command(flatten)]
        settings: Settings,
    },
}

#[derive(Subcommand)]
enum AccountsAction {
    /// Add many accounts at once (admin) from a JSON (`{"accounts": [...]}`) or CSV file (a
    /// header row naming the fields), told by the extension or else the content. Prints what was
    /// created and skipped, or each problem by row and field (nothing is written then; exit 1).
    Import {
        /// The file; `-` reads the standard input.
        file: PathBuf,
        /// Leave out accounts the hub already has (re-running an import that stopped part-way);
        /// each is listed if it differs from the file. Without it they make the import fail.
        #[arg(long)]
        skip_existing: bool,
        /// Print the hub's answer as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long, env = "CC_API_URL")]
        api_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum UtilisationAction {
    /// Import contracts or timesheet hours from a CSV file (admin), checked as a whole: prints what
    /// was written, or each problem by row and column (nothing is written then; exit 1). The
    /// columns are in the README ("Utilisation").
    Import {
        /// contracts or worklogs.
        kind: cc_cli::utilisation_import::ImportKind,
        file: PathBuf,
        /// Print the server's answer as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long, env = "CC_API_URL")]
        api_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum ReportsAction {
    /// Build a new version of a customer's report of a month that has ended (the customer's team,
    /// leads and admins); prints the version. Older versions stay.
    Build {
        #[arg(long)]
        customer: String,
        /// YYYY-MM.
        #[arg(long)]
        month: String,
        /// The team's summary, markdown (at most 20,000 characters); `-` reads the standard input.
        /// Without it the newest version's summary is kept.
        #[arg(long)]
        summary_file: Option<PathBuf>,
        /// Why this version (one line).
        #[arg(long)]
        reason: Option<String>,
        /// Print the API's answer as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long, env = "CC_API_URL")]
        api_url: Option<String>,
    },
    /// Reports by month: a customer's months (newest first), or a month's customers.
    List {
        #[arg(long)]
        customer: Option<String>,
        /// YYYY-MM.
        #[arg(long)]
        month: Option<String>,
        #[arg(long)]
        json: bool,
        #[arg(long, env = "CC_API_URL")]
        api_url: Option<String>,
    },
    /// Import a Security Hub ASFF export (`aws securityhub get-findings` output, or an array of
    /// findings) as a customer's findings, for the reports of a customer without a read role
    /// (leads and admins). Checked whole: a malformed finding is named and nothing is stored.
    ImportFindings {
        /// The JSON file; `-` reads the standard input.
        file: PathBuf,
        #[arg(long)]
        customer: String,
        /// Print the API's answer as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long, env = "CC_API_URL")]
        api_url: Option<String>,
    },
    /// Print one version of a report (the newest unless --version), as the page or the snapshot.
    Get {
        #[arg(long)]
        customer: String,
        /// YYYY-MM.
        #[arg(long)]
        month: String,
        #[arg(long)]
        version: Option<u32>,
        /// html (default), json or pdf.
        #[arg(long, default_value = "html", value_parser = ["html", "json", "pdf"])]
        format: String,
        /// Write it to this file instead of the standard output (a PDF goes to the standard output
        /// only when that is not a terminal).
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[arg(long, env = "CC_API_URL")]
        api_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum BillingAction {
    /// Import a FOCUS (1.0+) or legacy CUR export (CSV, plain or gzip) into a customer's daily
    /// costs, in this process, on the configured store; prints what it did. The parts of one
    /// export (`…-00001.csv.gz`, `…-00002.csv.gz`, ...) must be imported together, in one command:
    /// their amounts are summed before storing.
    Import {
        /// The export's files (`.csv` or `.csv.gz`; the format is told by the header); `-` reads
        /// the standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The customer the costs belong to.
        #[arg(long)]
        customer: String,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        settings: Settings,
    },
    /// Remove a customer's imported costs (from `cc billing import` or the API's imports) of a
    /// range of months, in this process, on the configured store; costs fetched from Cost
    /// Explorer (and the demo's) stay. Recorded in the customer's audit log; detection runs again.
    RemoveImported {
        /// The customer whose imported costs are removed.
        #[arg(long)]
        customer: String,
        /// The first month, YYYY-MM.
        #[arg(long)]
        from: String,
        /// The last month, YYYY-MM (default: `--from`: one month).
        #[arg(long)]
        to: Option<String>,
        /// Print what was removed as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        settings: Settings,
    },
}

#[derive(Subcommand)]
enum ProfilesAction {
    /// Print the profiles without writing anything.
    Show {
        #[command(flatten)]
        flags: ProfileFlags,
        /// ini (default) or json.
        #[arg(long, default_value = "ini")]
        format: String,
    },
    /// Merge the profiles into AWS_CONFIG_FILE or ~/.aws/config (inside the managed block).
    Sync {
        #[command(flatten)]
        flags: ProfileFlags,
        /// Print the change as a unified diff; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The config file (default: AWS_CONFIG_FILE, else ~/.aws/config).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Check your AWS config the way the AWS CLI will use it (unparseable lines, names defined
    /// twice, missing source profiles and SSO sessions, expired SSO sign-ins, credential_process
    /// commands not on PATH) and say what to do. Exits 1 when something will fail.
    Doctor {
        /// The config file (default: AWS_CONFIG_FILE, else ~/.aws/config).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

fn config(settings: &Settings, port: Option<u16>) -> anyhow::Result<Config> {
    let mut flags = BTreeMap::new();
    let mut set = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            flags.insert(k.to_string(), v);
        }
    };
    set(
        "CC_DATA_DIR",
        settings.data_dir.as_ref().map(|p| p.display().to_string()),
    );
    set("CC_STORE", settings.store.clone());
    set("CC_TABLE", settings.table.clone());
    set("CC_BUCKET", settings.bucket.clone());
    set("CC_PORT", port.map(|p| p.to_string()));
    Ok(Config::from_lookup(|k| {
        flags.get(k).cloned().or_else(|| std::env::var(k).ok())
    })?)
}

/// Refuses an embedded store's data directory that does not exist: every command but `cc serve
/// --demo` / `cc serve --init` works on a store that is already there, and opening a mistyped path
/// would silently start a new, empty one.
fn existing_data_dir(config: &Config) -> anyhow::Result<()> {
    if config.store == StoreKind::Embedded && !config.data_dir.is_dir() {
        let shown = std::path::absolute(&config.data_dir).unwrap_or_else(|_| config.data_dir.clone());
        anyhow::bail!(
            "the data directory {} does not exist (--data-dir or CC_DATA_DIR): check the path; `cc serve --demo` \
             creates one with the demo data, `cc serve --init` an empty one",
            shown.display()
        );
    }
    Ok(())
}

fn parse_roles(roles: &[String]) -> anyhow::Result<std::collections::BTreeSet<Role>> {
    roles
        .iter()
        .map(|r| {
            r.trim()
                .parse::<Role>()
                .map_err(|_| anyhow::anyhow!("unknown role '{r}' (engineer, senior, lead, admin)"))
        })
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            settings,
            port,
            max_connections,
            demo,
            init,
            create_resources,
            ui_dir,
        } => {
            cc_http::telemetry::init();
            let config = config(&settings, Some(port))?;
            if !(demo || init) {
                existing_data_dir(&config)?;
            }
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .with_context(|| format!("binding 127.0.0.1:{port} (CC_PORT)"))?;
            let port = listener.local_addr()?.port();
            let mut config = config;
            config.port = port;
            if let Some(n) = max_connections {
                config.max_connections = n as usize;
            }
            if create_resources && config.store == StoreKind::Aws {
                cc_adapters::wire::ensure_aws_resources(&config).await?;
            }
            let app = cc_adapters::wire::local_server(config).await?;
            if demo {
                let seeded = demo::seed(&app, &demo::DemoSize::default()).await?;
                tracing::info!(?seeded, "demo data ready");
                // Billing: a cost history ending yesterday, with open anomalies. Written in the
                // background (seconds on a debug build), so start-up does not wait for it.
                let codes = demo::customer_codes(&demo::DemoSize::default())
                    .iter()
                    .map(cc_domain::ids::CustomerCode::parse)
                    .collect::<Result<Vec<_>, _>>()?;
                // Utilisation: contracts and a year of timesheets showing each case.
                match cc_domain::utilisation::demo::seed(app.items.as_ref(), &codes, app.clock.now()).await {
                    Ok(seeded) => tracing::info!(?seeded, "demo contracts and timesheets ready"),
                    Err(e) => tracing::error!(error = %e, "demo contracts and timesheets failed"),
                }
                let billing_app = app.clone();
                tokio::spawn(async move {
                    let started = std::time::Instant::now();
                    match cc_domain::billing::demo::seed(&billing_app, &codes).await {
                        Ok(costs) => tracing::info!(
                            ?costs,
                            elapsed_ms = started.elapsed().as_millis() as u64,
                            "demo cost history ready"
                        ),
                        Err(e) => tracing::error!(error = %e, "demo cost history failed"),
                    }
                    // Reports: the first customer's month just closed, built from those costs.
                    if let Some(first) = codes.first() {
                        match cc_domain::reports::demo::seed(&billing_app, first).await {
                            Ok(versions) => tracing::info!(versions, customer = %first, "demo reports ready"),
                            Err(e) => tracing::error!(error = %e, "demo reports failed"),
                        }
                    }
                });
            }
            let api = cc_http::Api::from_app(app.clone()).await?;
            cc_cli::outln!("Customer Central is running at http://127.0.0.1:{port}/");
            cc_cli::outln!("  API: http://127.0.0.1:{port}/api/v1/  (OpenAPI: /api/v1/openapi.json)");
            if let (true, Some(secret)) = (demo, &app.config.auth.jwt_secret) {
                cc_cli::outln!("\nDemo users (tokens valid 12 h; send as 'Authorization: Bearer <token>'):");
                for (email, roles) in demo::DEMO_USERS {
                    let roles = roles.iter().copied().collect();
                    let ttl = Duration::from_secs(12 * 3600);
                    let token = cc_http::mint_dev_token(secret, &app.config.auth, email, &roles, ttl)?;
                    let names: Vec<&str> = roles.iter().map(|r: &Role| r.as_str()).collect();
                    cc_cli::outln!("  {email} [{}]\n    {token}", names.join(","));
                }
            }
            cc_cli::spawn_sweeper(app.clone())?;
            let local = cc_cli::Local {
                ui_dir: ui_dir.or_else(cc_cli::default_ui_dir),
                demo_sign_in: demo && app.config.store == StoreKind::Embedded,
            };
            if let Some(dir) = &local.ui_dir {
                tracing::info!(ui = %dir.display(), "serving the web UI");
            }
            cc_cli::serve(listener, api, local, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
        Command::Token {
            settings,
            email,
            roles,
            ttl_hours,
        } => {
            let config = config(&settings, None)?;
            let secret = match &config.auth.jwt_secret {
                Some(s) => s.clone(),
                None if config.store == StoreKind::Embedded => {
                    // The secret of a server's data directory: a missing one is a mistyped path.
                    existing_data_dir(&config)?;
                    cc_adapters::files::dev_secret(&config.data_dir)?
                }
                None => anyhow::bail!("CC_JWT_SECRET is not set: dev tokens need the local secret"),
            };
            let email = cc_domain::ids::Email::parse(&email)?;
            let roles = parse_roles(&roles)?;
            let token = cc_http::mint_dev_token(
                &secret,
                &config.auth,
                email.as_str(),
                &roles,
                Duration::from_secs(ttl_hours * 3600),
            )?;
            cc_cli::outln!("{token}");
            Ok(())
        }
        Command::Login {
            issuer,
            client_id,
            scope,
            dev,
            email,
            roles,
            data_dir,
            api_url,
        } => {
            if dev {
                let email = email.context("--dev needs --email")?;
                let settings = Settings {
                    data_dir,
                    store: None,
                    table: None,
                    bucket: None,
                };
                let config = config(&settings, None)?;
                let email = cc_domain::ids::Email::parse(&email)?;
                let login = cc_cli::login::dev(&config, email.as_str(), &parse_roles(&roles)?, api_url)?;
                if let Some(cc_cli::client::DevSecret::DataDir(dir)) = &login.dev {
                    eprintln!("Dev token signed with the secret in {}", dir.display());
                }
            } else {
                let issuer = issuer.context("set --issuer or CC_LOGIN_ISSUER (or use --dev locally)")?;
                let client_id = client_id.context("set --client-id or CC_CLIENT_ID")?;
                cc_cli::login::device_flow(&issuer, &client_id, &scope, api_url, |m| eprintln!("{m}")).await?;
            }
            eprintln!(
                "Signed in; the token is cached in {}",
                cc_cli::client::Login::path()?.display()
            );
            Ok(())
        }
        Command::Profiles { action } => match action {
            ProfilesAction::Show { flags, format } => {
                let client = cc_cli::client::Client::from_env(flags.api_url.clone()).await?;
                cc_cli::out!("{}", client.get_text("/api/v1/profiles", &flags.query(&format)).await?);
                Ok(())
            }
            ProfilesAction::Sync { flags, dry_run, config } => {
                let client = cc_cli::client::Client::from_env(flags.api_url.clone()).await?;
                let set: cc_domain::profiles::ProfileSet =
                    client.get_json("/api/v1/profiles", &flags.query("json")).await?;
                let path = match config {
                    Some(p) => p,
                    None => cc_cli::profiles::aws_config_path()?,
                };
                let outcome = cc_cli::profiles::apply(&path, &set, dry_run)?;
                for f in &outcome.faults {
                    eprintln!(
                        "warning: {}: {f}; `cc profiles doctor` says what the AWS CLI will trip over",
                        path.display()
                    );
                }
                for s in &outcome.skipped {
                    eprintln!("skipped [{s}]: your own config already defines it");
                }
                for (s, session) in &outcome.skipped_for_session {
                    eprintln!(
                        "skipped [{s}]: it signs in through [sso-session {session}], a name your own config uses"
                    );
                }
                for m in &outcome.moved {
                    eprintln!("warning: {m} (the account it led to was renamed or removed in the hub)");
                }
                for r in &set.refused {
                    eprintln!("left out {r}");
                }
                if let Some(diff) = &outcome.diff {
                    cc_cli::out!("{diff}");
                } else if outcome.changed {
                    let kept = match outcome.kept {
                        0 => String::new(),
                        n => format!(
                            "; {n} other generated profiles kept as they were (a sync without --customer, --environment or --kind replaces them all)"
                        ),
                    };
                    eprintln!(
                        "{} profiles and {} SSO sessions written to {}{}{kept}",
                        outcome.profiles,
                        outcome.sso_sessions,
                        path.display(),
                        outcome
                            .backup
                            .map(|b| format!(" (backup: {})", b.display()))
                            .unwrap_or_default()
                    );
                } else {
                    eprintln!("{} is up to date", path.display());
                }
                let credentials = cc_cli::doctor::Files::from_env(path.clone()).credentials;
                let in_credentials = cc_cli::doctor::credential_profiles(credentials.as_deref());
                for source in outcome.missing_sources.iter().filter(|s| !in_credentials.contains(*s)) {
                    eprintln!("{}", cc_cli::profiles::missing_source_hint(source, &path));
                }
                Ok(())
            }
            ProfilesAction::Doctor { config } => {
                let path = match config {
                    Some(p) => p,
                    None => cc_cli::profiles::aws_config_path()?,
                };
                let files = cc_cli::doctor::Files::from_env(path.clone());
                let findings = cc_cli::doctor::check(
                    &files,
                    time::OffsetDateTime::now_utc(),
                    &cc_cli::doctor::resolve,
                    std::env::current_exe().ok().as_deref(),
                )?;
                let errors = findings
                    .iter()
                    .filter(|f| f.level == cc_cli::doctor::Level::Error)
                    .count();
                for f in &findings {
                    let level = match f.level {
                        cc_cli::doctor::Level::Error => "error",
                        cc_cli::doctor::Level::Warning => "warning",
                    };
                    cc_cli::outln!("{level}: {}", f.message);
                }
                cc_cli::outln!(
                    "{}: {}, {}",
                    path.display(),
                    cc_cli::plural(errors, "error"),
                    cc_cli::plural(findings.len() - errors, "warning")
                );
                if errors > 0 {
                    std::process::exit(1);
                }
                Ok(())
            }
        },
        Command::Credentials { account, api_url } => {
            let account = cc_domain::ids::AccountId::parse(&account).map_err(|e| anyhow::anyhow!("--account: {e}"))?;
            let client = cc_cli::client::Client::from_env(api_url).await?;
            // Every page: a person may hold more active grants than one page lists.
            let sessions = client.get_all("/api/v1/sessions", &[("scope", "mine".into())]).await?;
            let grant = sessions
                .iter()
                .find(|s| s["account_id"] == account.as_str())
                .and_then(|s| s["request_id"].as_str());
            let Some(grant) = grant else {
                // Say why there is nothing to print, from what the hub knows of the account.
                anyhow::bail!(match client
                    .get_json::<serde_json::Value>(&format!("/api/v1/accounts/{account}"), &[])
                    .await
                {
                    Ok(a) if a["access"]["method"] == "sso" => format!(
                        "account {account} is reached through IAM Identity Center: an approved breakglass request \
                             assigns you its permission set, so sign in with that SSO profile (cc profiles sync) \
                             instead of credentials"
                    ),
                    Ok(_) => format!(
                        "no active breakglass grant for account {account}; request one \
                             (POST /api/v1/access-requests) and wait for its approvals"
                    ),
                    Err(e) => format!("account {account}: {e:#}"),
                })
            };
            cc_cli::out!(
                "{}",
                client
                    .post_text(&format!("/api/v1/access-requests/{grant}/credentials"))
                    .await?
            );
            Ok(())
        }
        Command::Openapi { function, by_function } => {
            let text = match (function, by_function) {
                (Some(name), _) => {
                    let functions = docs::by_function();
                    let known: Vec<&str> = functions.iter().map(|(n, _)| *n).collect();
                    let (_, doc) = functions
                        .into_iter()
                        .find(|(n, _)| *n == name)
                        .with_context(|| format!("no function '{name}'; functions: {}", known.join(", ")))?;
                    serde_json::to_string_pretty(&doc)?
                }
                (None, true) => {
                    serde_json::to_string_pretty(&docs::by_function().into_iter().collect::<BTreeMap<_, _>>())?
                }
                (None, false) => serde_json::to_string_pretty(&docs::merged())?,
            };
            cc_cli::outln!("{text}");
            Ok(())
        }
        Command::Jobs { action } => match action {
            JobsAction::List { json } => {
                if json {
                    let list: Vec<_> = jobs::JOBS
                        .iter()
                        .map(|j| serde_json::json!({"name": j.name, "description": j.description}))
                        .collect();
                    cc_cli::outln!("{}", serde_json::to_string_pretty(&list)?);
                } else {
                    for j in jobs::JOBS {
                        cc_cli::outln!("{:<20} {}", j.name, j.description);
                    }
                }
                Ok(())
            }
            JobsAction::Run { name, by, settings } => {
                jobs::find(&name)?;
                let by = by.unwrap_or_else(cc_cli::os_user);
                let trigger = cc_domain::Trigger::manual(&by).map_err(|e| anyhow::anyhow!("--by: {e}"))?;
                // No log subscriber: logs go to stdout, which carries the summary; a failure
                // comes back as the error.
                let app = in_process(&settings).await?;
                let summary = jobs::run(&app, &name, &trigger).await?;
                cc_cli::outln!("{}", serde_json::to_string_pretty(&summary)?);
                Ok(())
            }
        },
        Command::Accounts { action } => match action {
            AccountsAction::Import {
                file,
                skip_existing,
                json,
                api_url,
            } => {
                let client = cc_cli::client::Client::from_env(api_url).await?;
                let answer = cc_cli::accounts::import(&client, &file, skip_existing, !json).await?;
                print_import(&file, answer, json, cc_cli::accounts::describe)
            }
        },
        Command::Utilisation { action } => match action {
            UtilisationAction::Import {
                kind,
                file,
                json,
                api_url,
            } => {
                let client = cc_cli::client::Client::from_env(api_url).await?;
                let answer = cc_cli::utilisation_import::import(&client, kind, &file, !json).await?;
                print_import(&file, answer, json, cc_cli::utilisation_import::describe)
            }
        },
        Command::Billing { action } => match action {
            BillingAction::Import {
                files,
                customer,
                json,
                settings,
            } => {
                let app = in_process(&settings).await?;
                let summary = cc_cli::billing::import_files(&app, &files, &customer, !json).await?;
                print_answer(&summary, json, cc_cli::billing::describe)
            }
            BillingAction::RemoveImported {
                customer,
                from,
                to,
                json,
                settings,
            } => {
                let app = in_process(&settings).await?;
                let removed = cc_cli::billing::remove_imported(&app, &customer, &from, to.as_deref()).await?;
                print_answer(&removed, json, cc_cli::billing::describe_removed)
            }
        },
        Command::Reports { action } => match action {
            ReportsAction::Build {
                customer,
                month,
                summary_file,
                reason,
                json,
                api_url,
            } => {
                let summary = summary_file.as_deref().map(cc_cli::reports::read_summary).transpose()?;
                let client = cc_cli::client::Client::from_env(api_url).await?;
                let v = cc_cli::reports::build(&client, &customer, &month, summary, reason).await?;
                if json {
                    cc_cli::outln!("{}", serde_json::to_string_pretty(&v)?);
                } else {
                    cc_cli::outln!("{}", cc_cli::reports::describe(&v));
                }
                Ok(())
            }
            ReportsAction::List {
                customer,
                month,
                json,
                api_url,
            } => {
                let client = cc_cli::client::Client::from_env(api_url).await?;
                let items = cc_cli::reports::list(&client, customer.as_deref(), month.as_deref()).await?;
                if json {
                    cc_cli::outln!("{}", serde_json::to_string_pretty(&items)?);
                } else {
                    cc_cli::out!("{}", cc_cli::reports::describe_list(&items));
                }
                Ok(())
            }
            ReportsAction::ImportFindings {
                file,
                customer,
                json,
                api_url,
            } => {
                let client = cc_cli::client::Client::from_env(api_url).await?;
                let v = cc_cli::reports::import_findings(&client, &customer, &file).await?;
                if json {
                    cc_cli::outln!("{}", serde_json::to_string_pretty(&v)?);
                } else {
                    cc_cli::out!("{}", cc_cli::reports::describe_import(&v));
                }
                Ok(())
            }
            ReportsAction::Get {
                customer,
                month,
                version,
                format,
                output,
                api_url,
            } => {
                let client = cc_cli::client::Client::from_env(api_url).await?;
                let bytes = cc_cli::reports::get(&client, &customer, &month, version, &format).await?;
                match output {
                    Some(path) => {
                        std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
                        eprintln!("{} bytes written to {}", bytes.len(), path.display());
                    }
                    None if format == "pdf" => {
                        use std::io::{IsTerminal as _, Write as _};
                        let mut stdout = std::io::stdout();
                        anyhow::ensure!(
                            !stdout.is_terminal(),
                            "a PDF is not for the terminal: add -o report.pdf, or redirect the output"
                        );
                        stdout.write_all(&bytes)?;
                        stdout.flush()?;
                    }
                    None => cc_cli::out!("{}", String::from_utf8_lossy(&bytes)),
                }
                Ok(())
            }
        },
        Command::Bench { which } => cc_cli::bench::run(which).await,
    }
}

/// The app of a command that works in this process on the configured store (`--data-dir`, or
/// `--store aws`): the data directory must exist.
async fn in_process(settings: &Settings) -> anyhow::Result<cc_domain::App> {
    let config = config(settings, None)?;
    existing_data_dir(&config)?;
    cc_adapters::wire::local_server(config).await
}

/// Prints `answer` as JSON with `--json`, else `describe`'s words.
fn print_answer<T: serde::Serialize>(answer: &T, json: bool, describe: impl Fn(&T) -> String) -> anyhow::Result<()> {
    if json {
        cc_cli::outln!("{}", serde_json::to_string_pretty(answer)?);
    } else {
        cc_cli::outln!("{}", describe(answer).trim_end());
    }
    Ok(())
}

/// Prints an import's answer (JSON with `--json`, else `describe`'s words), or its refusal (the
/// error body as JSON with `--json`, and a table on stderr) and exits 1.
fn print_import<T: serde::Serialize>(
    file: &std::path::Path,
    answer: cc_cli::upload::Answer<T>,
    json: bool,
    describe: impl Fn(&std::path::Path, &T) -> String,
) -> anyhow::Result<()> {
    match answer {
        cc_cli::upload::Answer::Done(outcome) => {
            if json {
                cc_cli::outln!("{}", serde_json::to_string_pretty(&outcome)?);
            } else {
                cc_cli::outln!("{}", describe(file, &outcome).trim_end());
            }
            Ok(())
        }
        cc_cli::upload::Answer::Refused { message, errors } => {
            if json {
                let body = serde_json::json!({"error": {"message": message, "errors": errors}});
                cc_cli::outln!("{}", serde_json::to_string_pretty(&body)?);
            }
            eprintln!(
                "{}",
                cc_cli::upload::describe_refusal(file, &message, &errors).trim_end()
            );
            std::process::exit(1);
        }
    }
}
