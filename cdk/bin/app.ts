// The CDK app: the same stack as ../template.yaml (a test keeps the two in agreement), checked by
// cdk-nag's AWS Solutions rules. Synthesised offline in tests with bundling skipped
// (`CC_SKIP_BUNDLING=1` sets `aws:cdk:bundling-stacks` to []); a real deploy bundles the Rust functions with cargo-lambda.
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CustomerCentralStack } from '../lib/stack';

// CC_SKIP_BUNDLING=1: synthesise without building the Rust functions (offline checks, tests).
const skipBundling = process.env.CC_SKIP_BUNDLING === '1';
const app = new App(skipBundling ? { postCliContext: { 'aws:cdk:bundling-stacks': [] } } : {});
new CustomerCentralStack(app, 'CustomerCentral', {
  stackName: app.node.tryGetContext('stackName') ?? 'customer-central',
  description: 'Customer Central: customer hub, breakglass access, AWS profile generator.',
  // The built UI is uploaded on a real deploy; CC_UI_DIST points elsewhere (the stack tests use a
  // fixture so the offline synth shows the deployment and config.json).
  uiDistDir: process.env.CC_UI_DIST || (skipBundling ? undefined : path.join(__dirname, '..', '..', 'ui', 'dist')),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
