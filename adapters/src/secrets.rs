//! Secrets the functions read once at start-up from AWS Secrets Manager (`GetSecretValue`), so
//! credentials such as the approvers' webhook URL are neither stack parameters nor Lambda
//! environment variables. Errors name the secret, never its value.

use anyhow::Context;

/// The webhook URL kept in the secret `arn`: its `SecretString` is the URL itself, or a JSON object
/// with a `url` field (what the console's key/value editor stores). Fails when the secret can't be
/// read, has no string value, or the value is not an http(s) URL.
pub async fn webhook_url(client: &aws_sdk_secretsmanager::Client, arn: &str) -> anyhow::Result<String> {
    let out = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(aws_sdk_secretsmanager::Error::from)
        .with_context(|| format!("CC_WEBHOOK_SECRET_ARN: reading {arn}"))?;
    let text = out
        .secret_string()
        .with_context(|| format!("CC_WEBHOOK_SECRET_ARN: {arn} has no SecretString"))?
        .trim();
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
