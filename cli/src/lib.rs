//! The local runner: every function's routes in one axum server on the embedded default (or on
//! AWS / an emulator by configuration), plus the local-only routes (health, signed downloads), and
//! the scheduled jobs on timers through the same registry the `jobs` function runs.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cc_adapters::local_objects::LocalObjectStore;
use cc_http::error::ApiError;
use cc_http::{Api, QueryParams};

pub mod bench;
pub mod client;
pub mod doctor;
pub mod login;
pub mod profiles;

/// All functions' routes plus the local-only ones, layered once.
pub fn local_router(api: Api) -> Router {
    let config = &api.app().config;
    let objects = (config.store == cc_domain::config::StoreKind::Embedded)
        .then(|| Arc::new(cc_adapters::wire::local_objects(config)));
    let routes = customers::routes()
        .merge(access_request::routes())
        .merge(approval::routes())
        .merge(profile_gen::routes())
        .merge(docs::routes())
        .route("/healthz", get(healthz))
        .route(
            "/local/objects/{*key}",
            get(move |path, query| download(objects.clone(), path, query)),
        )
        .route("/local/console", get(local_console));
    cc_http::layers::finish(routes, api)
}

async fn healthz() -> &'static str {
    "ok"
}

#[derive(serde::Deserialize)]
struct ConsoleQuery {
    session: String,
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
    Ok((
        [(header::CONTENT_TYPE, object.version.content_type.clone())],
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
            let _ = jobs::run(&app, job.name).await;
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
            let _ = jobs::run(&app, job.name).await;
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

/// Serves until ctrl-c (or until `shutdown` resolves).
pub async fn serve(
    listener: tokio::net::TcpListener,
    api: Api,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(
        listener,
        local_router(api).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}
