// The twin of the customers function's GET /api/v1/customers/{code} (functions/customers): one
// DynamoDB GetItem of the customer's item (shared/src/keys.rs: PK CUSTOMER#{code}, SK META; its
// fields are the JSON in `data`, as adapters/src/dynamo.rs writes them), answered in API Gateway's
// payload format 2.0.

import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";

const table = process.env.CC_TABLE;
if (!table) {
  throw new Error("configuration CC_TABLE: required");
}
// Created once at init, like the Rust functions' clients. Region, credentials and
// AWS_ENDPOINT_URL (an emulator such as moto) come from the environment, read by SDK v3 itself.
const client = new DynamoDBClient({});

const answer = (statusCode, body) => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
  isBase64Encoded: false,
});

export async function handler(event) {
  const code = event?.pathParameters?.code;
  if (typeof code !== "string" || code === "") {
    return answer(400, { error: { code: "validation_failed", message: "the path names no customer code" } });
  }
  const { Item } = await client.send(
    new GetItemCommand({ TableName: table, Key: { PK: { S: `CUSTOMER#${code}` }, SK: { S: "META" } } }),
  );
  if (!Item) {
    return answer(404, { error: { code: "not_found", message: `customer ${code} not found` } });
  }
  return answer(200, { ...JSON.parse(Item.data.S), version: Number(Item.version.N) });
}
