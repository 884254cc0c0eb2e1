//! `cc`: run Customer Central locally, mint dev tokens, benchmark.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use cc_domain::config::{Config, StoreKind};
use cc_domain::identity::Role;
use cc_domain::{App, demo};
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
        /// Seed the demo data set (idempotent) and print a token per demo user.
        #[arg(long)]
        demo: bool,
        /// With CC_STORE=aws against an emulator: create the table and bucket if missing.
        #[arg(long)]
        create_resources: bool,
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
    /// Benchmarks that print figures (build with --profile bench-local).
    Bench {
        #[command(subcommand)]
        which: cc_cli::bench::Which,
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
            demo,
            create_resources,
        } => {
            cc_http::telemetry::init();
            let config = config(&settings, Some(port))?;
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .with_context(|| format!("binding 127.0.0.1:{port} (CC_PORT)"))?;
            let port = listener.local_addr()?.port();
            let mut config = config;
            config.port = port;
            if create_resources && config.store == StoreKind::Aws {
                cc_domain::app::ensure_aws_resources(&config).await?;
            }
            let app = App::from_config(config).await?;
            if demo {
                let seeded = demo::seed(&app, &demo::DemoSize::default()).await?;
                tracing::info!(?seeded, "demo data ready");
            }
            let api = cc_http::Api::from_app(app.clone()).await?;
            println!("Customer Central is running at http://127.0.0.1:{port}/");
            println!("  API: http://127.0.0.1:{port}/api/v1/  (OpenAPI: /api/v1/openapi.json)");
            if let (true, Some(secret)) = (demo, &app.config.auth.jwt_secret) {
                println!("\nDemo users (tokens valid 12 h; send as 'Authorization: Bearer <token>'):");
                for (email, roles) in demo::DEMO_USERS {
                    let roles = roles.iter().copied().collect();
                    let ttl = Duration::from_secs(12 * 3600);
                    let token = cc_http::mint_dev_token(secret, &app.config.auth, email, &roles, ttl)?;
                    let names: Vec<&str> = roles.iter().map(|r: &Role| r.as_str()).collect();
                    println!("  {email} [{}]\n    {token}", names.join(","));
                }
            }
            cc_cli::spawn_sweeper(app.clone());
            cc_cli::serve(listener, api, async {
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
                None if config.store == StoreKind::Embedded => cc_domain::app::dev_secret(&config.data_dir)?,
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
            println!("{token}");
            Ok(())
        }
        Command::Bench { which } => cc_cli::bench::run(which).await,
    }
}
