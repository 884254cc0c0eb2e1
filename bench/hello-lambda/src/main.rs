//! The floor for this stack's cold start (issue #16): `lambda_http` answering a fixed JSON body,
//! with nothing else to build at init (no configuration, no SDK clients, no router), built with the
//! functions' release profile. `scripts/bench coldstart` measures it next to every function, so a
//! function's init time reads as a multiple of what the runtime itself costs on the same machine.

use lambda_http::{Body, Error, Request, Response, run, service_fn};

/// Answers every event with `200 {"message":"hello"}`.
async fn hello(_: Request) -> Result<Response<Body>, Error> {
    Ok(Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"message":"hello"}"#))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(hello)).await
}
