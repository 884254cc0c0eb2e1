//! The local runner: every function's routes in one axum server on the embedded default (or on
//! AWS / an emulator by configuration), plus the local-only routes (health, signed downloads), and
//! the scheduled jobs on timers through the same registry the `jobs` function runs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cc_adapters::local_objects::LocalObjectStore;
use cc_http::error::ApiError;
use cc_http::{Api, QueryParams};

pub mod accounts;
pub mod bench;
pub mod billing;
pub mod client;
pub mod doctor;
pub mod login;
pub mod profiles;
pub mod reports;
pub mod upload;
pub mod utilisation_import;

/// Who is at the terminal, for the record of a job they run (`cc jobs run`): `$USER`, `$LOGNAME`
/// or `$USERNAME`, else the name `/etc/passwd` gives the process's user id, else `uid N`. Never
/// fails: a run a person started is recorded as theirs even where the environment names nobody
/// (a container, a CI step).
pub fn os_user() -> String {
    if let Some(name) = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
    {
        return name;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) {
            let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
            let name = passwd.lines().find_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                (f.nth(1)? == uid.to_string()).then(|| name.to_string())
            });
            return name.unwrap_or_else(|| format!("uid {uid}"));
        }
    }
    "unknown user".to_string()
}

/// `n` and `what`, with an `s` unless `n` is 1 ("1 row", "3 rows"); for the CLI's English.
pub fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// What the local server serves besides the API.
#[derive(Clone, Debug, Default)]
pub struct Local {
    /// The built UI (`ui/dist`): served at `/`; a path that is neither the API nor a file name gets
    /// its `index.html` (the UI routes in the browser), a missing file a 404. `None`: `/` says how
    /// to build it.
    pub ui_dir: Option<PathBuf>,
    /// Demo sign-in (`GET /api/v1/dev/users`, `POST /api/v1/dev/token`): only on the embedded store
    /// with the demo data, where the UI's sign-in page picks a demo user.
    pub demo_sign_in: bool,
}

/// Where `cc serve` finds the built UI: `--ui-dir`/`CC_UI_DIR`, else this checkout's `ui/dist`
/// when it has been built.
pub fn default_ui_dir() -> Option<PathBuf> {
    let built = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/dist"));
    built.join("index.html").is_file().then_some(built)
}

/// All functions' routes plus the local-only ones, layered once.
pub fn local_router(api: Api, local: &Local) -> Router {
    let config = &api.app().config;
    let sign_in = match (&config.auth.jwt_secret, local.demo_sign_in) {
        (Some(secret), true) => Some(DemoSignIn {
            secret: secret.clone(),
            auth: config.auth.clone(),
        }),
        _ => None,
    };
    let objects = (config.store == cc_domain::config::StoreKind::Embedded)
        .then(|| Arc::new(cc_adapters::wire::local_objects(config)));
    let routes = customers::routes()
        .merge(access_request::routes())
        .merge(approval::routes())
        .merge(profile_gen::routes())
        .merge(billing_fetch::routes())
        .merge(utilisation::routes())
        .merge(report_build::routes())
        .merge(docs::routes())
        .route("/healthz", get(healthz))
        .route(
            "/local/objects/{*key}",
            get(move |path, query| download(objects.clone(), path, query)),
        )
        .route("/local/console", get(local_console));
    let routes = match sign_in {
        Some(sign_in) => {
            let users = sign_in.clone();
            routes
                .route("/api/v1/dev/users", get(move || demo_users(users.clone())))
                .route("/api/v1/dev/token", post(move |body| demo_token(sign_in.clone(), body)))
        }
        None => routes,
    };
    let ui = local.ui_dir.clone();
    // What each route takes: the functions' documents, and the local routes' own parameters.
    let queries = cc_http::QueryRules::from_openapi(&docs::merged())
        .allow(Method::GET, "/healthz", &[])
        .allow(
            Method::GET,
            "/local/objects/{*key}",
            &["version", "expires", "signature"],
        )
        .allow(Method::GET, "/local/console", &["session", "destination"])
        .allow(Method::GET, "/api/v1/dev/users", &[])
        .allow(Method::POST, "/api/v1/dev/token", &[]);
    cc_http::layers::finish(routes, api, queries)
        .fallback(move |req: axum::extract::Request| ui_or_not_found(ui.clone(), req))
}

/// Non-API paths: the UI's files, else its `index.html`; API paths keep the API's JSON 404.
async fn ui_or_not_found(ui: Option<PathBuf>, req: axum::extract::Request) -> Response {
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") || path.starts_with("/local/") {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "no_such_route",
            "there is no such route; see /api/v1/openapi.json",
        )
        .into_response();
    }
    let Some(dir) = ui else {
        return (
            StatusCode::NOT_FOUND,
            axum::response::Html(
                "<!doctype html><title>Customer Central</title><h1>Customer Central</h1>\
                 <p>The web UI is not built. Build it with <code>scripts/dev</code> (or \
                 <code>npm --prefix ui ci &amp;&amp; npm --prefix ui run build</code>) and restart, or point \
                 <code>cc serve --ui-dir</code> at a built UI. The API is at <a href=\"/api/v1/\">/api/v1/</a> \
                 (<a href=\"/api/v1/openapi.json\">OpenAPI</a>).</p>",
            ),
        )
            .into_response();
    };
    use tower::ServiceExt;
    // The rule of the CloudFront function in front of the deployed UI (cdk/lib/ui-hosting.ts): a
    // path whose last segment has a dot names a file, so a missing one is a 404 (a stale asset or
    // `/config.json` must not come back as the UI's page); any other path is a UI route.
    let names_a_file = path.rsplit('/').next().is_some_and(|last| last.contains('.'));
    if path == "/config.json" && !dir.join("config.json").is_file() {
        // What the deployed stack writes next to index.html (cdk/lib/ui-hosting.ts); here: the
        // API on this origin and no identity provider, so the UI offers the demo sign-in.
        return axum::Json(serde_json::json!({"api_base": "/api/v1", "oidc": null})).into_response();
    }
    let files = tower_http::services::ServeDir::new(&dir);
    let res = if names_a_file {
        files.oneshot(req).await
    } else {
        files
            .fallback(tower_http::services::ServeFile::new(dir.join("index.html")))
            .oneshot(req)
            .await
    };
    match res {
        Ok(res) => res.into_response(),
        Err(never) => match never {},
    }
}

#[derive(Clone)]
struct DemoSignIn {
    secret: String,
    auth: cc_domain::config::AuthConfig,
}

/// The demo users the sign-in page offers, with their roles.
async fn demo_users(_: DemoSignIn) -> axum::Json<serde_json::Value> {
    let users: Vec<serde_json::Value> = cc_domain::demo::DEMO_USERS
        .iter()
        .map(|(email, roles)| serde_json::json!({"email": email, "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>()}))
        .collect();
    axum::Json(serde_json::json!({ "items": users }))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoTokenRequest {
    email: String,
}

/// A 12-hour token for a demo user, with that user's roles (the caller can't choose roles).
async fn demo_token(
    sign_in: DemoSignIn,
    cc_http::JsonBody(req): cc_http::JsonBody<DemoTokenRequest>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let (email, roles) = cc_domain::demo::DEMO_USERS
        .iter()
        .find(|(email, _)| *email == req.email.trim().to_ascii_lowercase())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "no demo user has that e-mail address; GET /api/v1/dev/users lists them",
            )
        })?;
    let ttl = std::time::Duration::from_secs(12 * 3600);
    let roles = roles.iter().copied().collect();
    let token = cc_http::mint_dev_token(&sign_in.secret, &sign_in.auth, email, &roles, ttl).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("minting the token: {e}"),
        )
    })?;
    Ok(axum::Json(
        serde_json::json!({"token": token, "email": email, "expires_in": ttl.as_secs()}),
    ))
}

async fn healthz() -> &'static str {
    "ok"
}

#[derive(serde::Deserialize)]
struct ConsoleQuery {
    session: String,
    /// Where the console would open (the local broker's links carry it; the page ignores it).
    #[allow(dead_code)]
    destination: Option<String>,
}

/// Where local breakglass console links lead: there is no AWS console locally, so say so plainly.
async fn local_console(QueryParams(q): QueryParams<ConsoleQuery>) -> axum::response::Html<String> {
    let session: String = q
        .session
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(40)
        .collect();
    axum::response::Html(format!(
        "<!doctype html><title>Local breakglass session</title><h1>Local breakglass session {session}</h1>\
         <p>Customer Central is running on its embedded default, without AWS. In AWS this link signs you \
         into the customer's console as its breakglass role until the grant ends.</p>"
    ))
}

#[derive(serde::Deserialize)]
struct DownloadQuery {
    version: String,
    /// Unix seconds (query strings carry it as text).
    expires: String,
    signature: String,
}

/// Serves the local object store's signed download links (the counterpart of S3 presigned URLs).
async fn download(
    objects: Option<Arc<LocalObjectStore>>,
    Path(key): Path<String>,
    QueryParams(q): QueryParams<DownloadQuery>,
) -> Result<Response, ApiError> {
    let forbidden = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "bad_link",
            "this download link is invalid or has expired",
        )
    };
    let store = objects.ok_or_else(forbidden)?;
    let expires: i64 = q.expires.parse().map_err(|_| forbidden())?;
    if !store.verify_link(&key, &q.version, expires, &q.signature) {
        return Err(forbidden());
    }
    use cc_domain::store::ObjectStore;
    let object = store
        .get(&key, Some(&q.version))
        .await
        .map_err(cc_domain::Error::from)?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "that object version does not exist"))?;
    // Objects are reports (HTML among them) served from this origin: the page may use its inline
    // style and nothing else (no script, no request, no access to this origin's storage).
    Ok((
        [
            (header::CONTENT_TYPE, object.version.content_type.clone()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; sandbox".to_string(),
            ),
        ],
        object.body,
    )
        .into_response())
}

/// The local counterpart of an EventBridge schedule: runs a job of the jobs registry (the same
/// entry point as the `jobs` function in AWS) every `every`, the first time at once. A name the
/// registry does not know fails here, before anything is spawned. Failed runs are logged by the
/// registry and retried on the next tick.
pub fn spawn_job(
    app: cc_domain::App,
    name: &str,
    every: std::time::Duration,
) -> Result<tokio::task::JoinHandle<()>, jobs::JobError> {
    let job = jobs::find(name)?;
    Ok(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let _ = jobs::run(&app, job.name, &cc_domain::Trigger::Schedule).await;
        }
    }))
}

/// The local sweeper: the `breakglass.sweep` job (it times out requests past their window, grants
/// approved requests whose start has come, ends grants past their end). It sleeps until the next
/// request is due, at most `CC_SWEEP_SECONDS`, and wakes early when a request changes, so a
/// scheduled start is granted within moments of its time.
pub fn spawn_sweeper(app: cc_domain::App) -> Result<tokio::task::JoinHandle<()>, jobs::JobError> {
    let job = jobs::find(jobs::BREAKGLASS_SWEEP)?;
    let most = std::time::Duration::from_secs(app.config.sweep_seconds);
    Ok(tokio::spawn(async move {
        let Ok(access) = app.access() else { return };
        let changes = access.changes();
        loop {
            let _ = jobs::run(&app, job.name, &cc_domain::Trigger::Schedule).await;
            let wait = match access.next_due().await {
                Ok(Some(due)) => {
                    let left = (due - app.clock.now()).whole_milliseconds().max(0) as u64;
                    // A little after the due time, so the sweep finds it due.
                    std::time::Duration::from_millis(left + 20).min(most)
                }
                _ => most,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = changes.notified() => {}
            }
        }
    }))
}

/// How long a client may take to send a request's head (request line and headers), and to start
/// the next request on a kept-alive connection: slow senders (slowloris) are cut off.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request's body may go without sending anything: a client that declares a body and
/// stalls is cut off (its connection closed; a handler reading the body answers 400), whether or
/// not it sent a token (an early 401 still reads the body to keep the connection usable).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Header fields hyper accepts before answering 431 itself; the API's own limit is lower
/// (`cc_http::layers::MAX_HEADERS`), so a request past it gets the API's JSON 431.
const HYPER_MAX_HEADERS: usize = 2 * cc_http::layers::MAX_HEADERS;

/// Serves until ctrl-c (or until `shutdown` resolves): at most `CC_MAX_CONNECTIONS` connections at
/// once (more wait in the listen backlog), each allowed [`HEADER_READ_TIMEOUT`] per request head
/// and [`BODY_READ_TIMEOUT`] between pieces of a body.
pub async fn serve(
    listener: tokio::net::TcpListener,
    api: Api,
    local: Local,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let permits = Arc::new(tokio::sync::Semaphore::new(api.app().config.max_connections.max(1)));
    let router = local_router(api, &local);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_headers(HYPER_MAX_HEADERS);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            router.clone().oneshot(
                req.map(|body| axum::body::Body::new(tower_http::timeout::TimeoutBody::new(BODY_READ_TIMEOUT, body))),
            )
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    // Requests in flight finish; idle connections close.
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}

/// Writes to standard output. A closed pipe (`cc openapi | head`) ends the program quietly, as
/// Unix tools do, where `print!` would panic; any other write error ends it with a message.
pub fn write_stdout(args: std::fmt::Arguments) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("cc: writing to standard output: {e}");
        std::process::exit(1);
    }
}

/// `print!` through [`write_stdout`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::write_stdout(format_args!($($arg)*))
    };
}

/// `println!` through [`write_stdout`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}
