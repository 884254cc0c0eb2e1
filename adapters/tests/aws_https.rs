//! The HTTP client the functions use in Lambda (`cc_adapters::https`) carries real SDK calls:
//! signing, bodies both ways, error answers, against DynamoDB in moto.

use aws_sdk_dynamodb::types::{AttributeDefinition, AttributeValue, KeySchemaElement, KeyType, ScalarAttributeType};

#[tokio::test]
async fn the_lambda_http_client_carries_dynamodb_calls() {
    let Some(url) = cc_adapters::wire::test_emulator_url() else {
        return;
    };
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&url)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing", "testing", None, None, "emulator",
        ))
        .http_client(cc_adapters::https::webpki_client())
        .load()
        .await;
    let db = aws_sdk_dynamodb::Client::new(&sdk);
    let table = format!("https-{}", cc_domain::ids::new_ulid()).to_lowercase();
    db.create_table()
        .table_name(&table)
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let big = "x".repeat(200_000);
    db.put_item()
        .table_name(&table)
        .item("pk", AttributeValue::S("a".into()))
        .item("body", AttributeValue::S(big.clone()))
        .send()
        .await
        .unwrap();
    let got = db
        .get_item()
        .table_name(&table)
        .key("pk", AttributeValue::S("a".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.item().and_then(|i| i.get("body")).and_then(|v| v.as_s().ok()),
        Some(&big)
    );
    // A service error comes back as the service's error, not a connector failure.
    let missing = db
        .get_item()
        .table_name("no-such-table")
        .key("pk", AttributeValue::S("a".into()))
        .send()
        .await
        .unwrap_err();
    assert!(
        missing
            .as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{missing:?}"
    );
}
