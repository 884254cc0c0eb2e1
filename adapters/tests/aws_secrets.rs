//! The webhook URL read from Secrets Manager (moto): plain or JSON secret strings, and the
//! failures a function must refuse to start with, none of which may echo the secret's value.

use cc_adapters::secrets::webhook_url;
use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};

async fn secret(client: &aws_sdk_secretsmanager::Client, name: &str, value: Option<&str>) -> String {
    let mut create = client.create_secret().name(format!(
        "{name}-{}",
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    ));
    create = match value {
        Some(v) => create.secret_string(v),
        None => create.secret_binary(aws_sdk_secretsmanager::primitives::Blob::new(b"\x00\x01".to_vec())),
    };
    create.send().await.unwrap().arn().unwrap().to_string()
}

#[tokio::test]
async fn webhook_url_comes_from_the_secret_and_bad_secrets_fail_without_echoing_them() {
    let Some(url) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&url).await;
    let client = aws_sdk_secretsmanager::Client::new(&sdk);

    let hook = "https://hooks.slack.com/services/T0000/B0000/abcdefghijklmnop";
    let plain = secret(&client, "cc/webhook-plain", Some(&format!("{hook}\n"))).await;
    assert_eq!(webhook_url(&client, &plain).await.unwrap(), hook);
    let json = secret(&client, "cc/webhook-json", Some(&format!(r#"{{"url":"{hook}"}}"#))).await;
    assert_eq!(webhook_url(&client, &json).await.unwrap(), hook);

    let missing = plain.replace("cc/webhook-plain", "cc/nothing-here");
    let e = format!("{:#}", webhook_url(&client, &missing).await.unwrap_err());
    assert!(e.contains("CC_WEBHOOK_SECRET_ARN") && e.contains(&missing), "{e}");

    let not_a_url = secret(&client, "cc/webhook-bad", Some("xoxb-a-bot-token-not-a-url")).await;
    let e = format!("{:#}", webhook_url(&client, &not_a_url).await.unwrap_err());
    assert!(e.contains("not an http(s) URL") && !e.contains("xoxb"), "{e}");

    let no_url_field = secret(&client, "cc/webhook-nofield", Some(r#"{"token":"xoxb-secret"}"#)).await;
    let e = format!("{:#}", webhook_url(&client, &no_url_field).await.unwrap_err());
    assert!(e.contains("without a \"url\"") && !e.contains("xoxb"), "{e}");

    let binary = secret(&client, "cc/webhook-binary", None).await;
    let e = format!("{:#}", webhook_url(&client, &binary).await.unwrap_err());
    assert!(e.contains("no SecretString"), "{e}");
}

/// Secrets are read when a port first needs them (`cc_adapters::deferred`), not at start-up: a
/// cold start makes no Secrets Manager call, and a secret that cannot be read fails the use that
/// needs it (a sync's run, a notification), not every invocation's start-up.
#[tokio::test]
async fn secret_settings_are_not_read_at_start_up() {
    let Some(url) = test_emulator_url() else { return };
    let missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cc/never-created-AbCdEf";
    let config = cc_domain::config::Config::from_lookup(|k| match k {
        "CC_STORE" => Some("aws".into()),
        "CC_TABLE" => Some("never-created".into()),
        "CC_BUCKET" => Some("never-created".into()),
        "AWS_ENDPOINT_URL" => Some(url.clone()),
        "CC_SALESFORCE" | "CC_JIRA" | "CC_WEBHOOK_SECRET_ARN" => Some(missing.into()),
        _ => None,
    })
    .unwrap();
    // The jobs function wires all three (the webhook for breakglass, both utilisation sources).
    let app = cc_adapters::wire::jobs(config).await.unwrap();
    assert!(app.utilisation().is_ok());
}
