//! Secrets the functions read once, on first use ([`crate::deferred`]), from AWS Secrets Manager
//! (`GetSecretValue`), so
//! credentials such as the approvers' webhook URL are neither stack parameters nor Lambda
//! environment variables. Errors name the secret, never its value.

use anyhow::Context;

/// The webhook URL kept in the secret `arn`: its `SecretString` is the URL itself, or a JSON object
/// with a `url` field (what the console's key/value editor stores). Fails when the secret can't be
/// read, has no string value, or the value is not an http(s) URL.
pub async fn webhook_url(client: &aws_sdk_secretsmanager::Client, arn: &str) -> anyhow::Result<String> {
    let text = secret_string(client, "CC_WEBHOOK_SECRET_ARN", arn).await?;
    crate::wire::webhook_url_in(&text, arn)
}

/// The `SecretString` of the secret `arn`, for the setting `name` (named in errors; the value never is).
pub async fn secret_string(client: &aws_sdk_secretsmanager::Client, name: &str, arn: &str) -> anyhow::Result<String> {
    let out = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(aws_sdk_secretsmanager::Error::from)
        .with_context(|| format!("{name}: reading {arn}"))?;
    Ok(out
        .secret_string()
        .with_context(|| format!("{name}: {arn} has no SecretString"))?
        .to_string())
}
