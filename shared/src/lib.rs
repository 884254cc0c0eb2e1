//! Customer Central's domain crate.
//!
//! Rules sit in the middle (`hub`), ports at the edge (`store`: the item and object store traits),
//! adapters outside (`store::embedded`, `store::dynamo`, `store::local_objects`, `store::s3`).
//! Nothing here knows about HTTP or Lambda: the function crates translate requests into calls on
//! [`App`] and map [`Error`] to responses.

pub mod access;
pub mod app;
pub mod aws;
pub mod config;
pub mod demo;
pub mod error;
pub mod hub;
pub mod identity;
pub mod ids;
pub mod profiles;
pub mod store;

pub use app::App;
pub use config::Config;
pub use error::{Error, Result};
