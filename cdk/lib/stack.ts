import * as path from 'node:path';
import { CfnCondition, CfnParameter, Duration, Fn, RemovalPolicy, Stack, StackProps, CfnOutput, Aws, Tags, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpNoneAuthorizer, CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RustFunction } from 'cargo-lambda-cdk';
import { Construct } from 'constructs';
import { UiHosting } from './ui-hosting';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Every API route, by the function that serves it (the same table as template.yaml's events). A test
 * checks each function's routes against its own OpenAPI document (`cc openapi --by-function`).
 */
export const ROUTES: Record<string, { binary: string; routes: [HttpMethod, string][] }> = {
  CustomersFunction: {
    binary: 'customers',
    routes: [
      [HttpMethod.GET, '/api/v1/me'],
      [HttpMethod.GET, '/api/v1/customers'],
      [HttpMethod.POST, '/api/v1/customers'],
      [HttpMethod.GET, '/api/v1/customers/{code}'],
      [HttpMethod.PATCH, '/api/v1/customers/{code}'],
      [HttpMethod.DELETE, '/api/v1/customers/{code}'],
      [HttpMethod.GET, '/api/v1/customers/{code}/contacts'],
      [HttpMethod.POST, '/api/v1/customers/{code}/contacts'],
      [HttpMethod.PATCH, '/api/v1/customers/{code}/contacts/{id}'],
      [HttpMethod.DELETE, '/api/v1/customers/{code}/contacts/{id}'],
      [HttpMethod.GET, '/api/v1/customers/{code}/overview'],
      [HttpMethod.GET, '/api/v1/customers/{code}/team'],
      [HttpMethod.PUT, '/api/v1/customers/{code}/team'],
      [HttpMethod.GET, '/api/v1/accounts'],
      [HttpMethod.POST, '/api/v1/accounts'],
      [HttpMethod.POST, '/api/v1/accounts/bulk'],
      [HttpMethod.GET, '/api/v1/accounts/{id}'],
      [HttpMethod.PATCH, '/api/v1/accounts/{id}'],
      [HttpMethod.DELETE, '/api/v1/accounts/{id}'],
      [HttpMethod.GET, '/api/v1/accounts/{id}/console-links'],
      [HttpMethod.GET, '/api/v1/search'],
      [HttpMethod.GET, '/api/v1/people'],
      [HttpMethod.GET, '/api/v1/people/{subject}'],
      [HttpMethod.PUT, '/api/v1/people/{subject}'],
      [HttpMethod.DELETE, '/api/v1/people/{subject}'],
    ],
  },
  AccessRequestFunction: {
    binary: 'access-request',
    routes: [
      [HttpMethod.GET, '/api/v1/approval-policies'],
      [HttpMethod.GET, '/api/v1/customers/{code}/approval-policy'],
      [HttpMethod.PUT, '/api/v1/customers/{code}/approval-policy'],
      [HttpMethod.PATCH, '/api/v1/customers/{code}/approval-policy'],
      [HttpMethod.POST, '/api/v1/accounts/{id}/end-access'],
      [HttpMethod.POST, '/api/v1/customers/{code}/end-access'],
      [HttpMethod.POST, '/api/v1/access-requests'],
      [HttpMethod.GET, '/api/v1/access-requests'],
      [HttpMethod.GET, '/api/v1/access-requests/{id}'],
      [HttpMethod.POST, '/api/v1/access-requests/{id}/cancel'],
      [HttpMethod.POST, '/api/v1/access-requests/{id}/revoke'],
      [HttpMethod.POST, '/api/v1/access-requests/{id}/credentials'],
      [HttpMethod.POST, '/api/v1/access-requests/{id}/console-link'],
      [HttpMethod.GET, '/api/v1/sessions'],
      [HttpMethod.GET, '/api/v1/audit'],
    ],
  },
  ApprovalFunction: {
    binary: 'approval',
    routes: [[HttpMethod.POST, '/api/v1/access-requests/{id}/decisions']],
  },
  ProfileGenFunction: {
    binary: 'profile-gen',
    routes: [
      [HttpMethod.GET, '/api/v1/profiles'],
      [HttpMethod.GET, '/api/v1/me/profile-preferences'],
      [HttpMethod.PUT, '/api/v1/me/profile-preferences'],
    ],
  },
  BillingFetchFunction: {
    binary: 'billing-fetch',
    routes: [
      [HttpMethod.GET, '/api/v1/billing/overview'],
      [HttpMethod.GET, '/api/v1/billing/costs'],
      [HttpMethod.GET, '/api/v1/billing/movers'],
      [HttpMethod.GET, '/api/v1/billing/anomalies'],
      [HttpMethod.POST, '/api/v1/billing/anomalies/{id}/acknowledge'],
      [HttpMethod.POST, '/api/v1/billing/anomalies/{id}/resolve'],
      [HttpMethod.GET, '/api/v1/billing/runs'],
      [HttpMethod.POST, '/api/v1/billing/runs'],
      [HttpMethod.POST, '/api/v1/billing/imports'],
      [HttpMethod.DELETE, '/api/v1/billing/imports'],
      [HttpMethod.GET, '/api/v1/billing/settings/{code}'],
      [HttpMethod.PUT, '/api/v1/billing/settings/{code}'],
      [HttpMethod.GET, '/api/v1/billing/organizations/{code}'],
      [HttpMethod.POST, '/api/v1/billing/organizations/{code}/discovered'],
    ],
  },
  UtilisationFunction: {
    binary: 'utilisation',
    routes: [
      [HttpMethod.GET, '/api/v1/utilisation'],
      [HttpMethod.GET, '/api/v1/utilisation/contracts/{customer}/{contract}'],
      [HttpMethod.GET, '/api/v1/utilisation/unmapped'],
      [HttpMethod.GET, '/api/v1/utilisation/portfolio'],
      [HttpMethod.GET, '/api/v1/utilisation/team'],
      [HttpMethod.POST, '/api/v1/utilisation/imports/contracts'],
      [HttpMethod.POST, '/api/v1/utilisation/imports/worklogs'],
      [HttpMethod.GET, '/api/v1/utilisation/runs'],
      [HttpMethod.POST, '/api/v1/utilisation/runs'],
      [HttpMethod.GET, '/api/v1/task-codes'],
      [HttpMethod.PUT, '/api/v1/task-codes'],
      [HttpMethod.GET, '/api/v1/task-codes/history'],
    ],
  },
  ReportBuildFunction: {
    binary: 'report-build',
    routes: [
      [HttpMethod.GET, '/api/v1/reports'],
      [HttpMethod.POST, '/api/v1/reports'],
      [HttpMethod.GET, '/api/v1/reports/runs'],
      [HttpMethod.POST, '/api/v1/reports/findings'],
      [HttpMethod.GET, '/api/v1/reports/{customer}/{month}/versions'],
      [HttpMethod.GET, '/api/v1/reports/{customer}/{month}/versions/{version}'],
      [HttpMethod.GET, '/api/v1/reports/{customer}/{month}/versions/{version}/download'],
      [HttpMethod.GET, '/api/v1/reports/{customer}/{month}/diff'],
    ],
  },
  DocsFunction: {
    binary: 'docs',
    routes: [[HttpMethod.GET, '/api/v1/openapi.json']],
  },
};

const PUBLIC_ROUTES = new Set(['/api/v1/openapi.json']);

/** Every schedule: an EventBridge rule that passes its job's name to the jobs function (`cc jobs list`). */
export const SCHEDULES: { id: string; job: string; schedule: events.Schedule; description: string }[] = [
  {
    id: 'BreakglassSweep',
    job: 'breakglass.sweep',
    schedule: events.Schedule.rate(Duration.minutes(2)),
    description: 'Ends grants past their end, grants due starts, times out stale requests.',
  },
  {
    id: 'BillingFetch',
    job: 'billing.fetch',
    // Cost Explorer's data for a day settles in the early hours (UTC).
    schedule: events.Schedule.expression('cron(0 6 * * ? *)'),
    description: "Fetches every customer's Cost Explorer costs and organisation facts.",
  },
  {
    id: 'UtilisationSync',
    job: 'utilisation.sync',
    // After the night's timesheet entries, before the working day.
    schedule: events.Schedule.expression('cron(0 5 * * ? *)'),
    description: 'Syncs contracts (Salesforce) and worklogs (JIRA) for utilisation.',
  },
  {
    id: 'ReportsMonthly',
    job: 'reports.monthly',
    // Daily, after the billing fetch; the job acts from day ReportsDay of a month and builds only
    // customers without a report of the month just closed.
    schedule: events.Schedule.expression('cron(0 7 * * ? *)'),
    description: "Builds the month just closed's report of every active customer that has none yet.",
  },
];

export interface CustomerCentralStackProps extends StackProps {
  /** The built web UI (ui/dist) to deploy; undefined: host it but upload nothing (offline synth). */
  uiDistDir?: string;
}

export class CustomerCentralStack extends Stack {
  constructor(scope: Construct, id: string, props?: CustomerCentralStackProps) {
    super(scope, id, props);

    // The identity provider (README: Identity provider set-up); the same parameters as template.yaml.
    const jwtIssuer = new CfnParameter(this, 'JwtIssuer', {
      type: 'String',
      description: 'OIDC issuer whose access tokens the HTTP API accepts, exactly as their iss claim (Cognito: https://cognito-idp.REGION.amazonaws.com/POOL_ID; Okta: https://ORG.okta.com/oauth2/default; Entra ID: https://login.microsoftonline.com/TENANT_ID/v2.0).',
    });
    const jwtAudience = new CfnParameter(this, 'JwtAudience', {
      type: 'String',
      description: 'The API identifier the access tokens are issued for, as their aud claim (Okta: the authorization server\'s audience, e.g. api://default; Entra ID v2 tokens: the API app\'s application (client) id). Cognito access tokens carry no aud: give the app client id, which is checked against client_id.',
    });
    const rolesClaim = new CfnParameter(this, 'RolesClaim', {
      type: 'String',
      default: 'groups',
      description: 'The token claims carrying the identity provider\'s groups or app roles, comma-separated and read together (groups; Cognito: cognito:groups; Entra ID: groups,roles).',
    });
    const emailSource = new CfnParameter(this, 'EmailSource', {
      type: 'String',
      default: 'claims',
      allowedValues: ['claims', 'people'],
      description: 'Where a caller\'s e-mail comes from: claims (EmailClaim) or people (the SubjectClaim looked up in the hub\'s people directory, /api/v1/people, kept by admins).',
    });
    const emailClaim = new CfnParameter(this, 'EmailClaim', {
      type: 'String',
      default: 'email',
      description: 'With EmailSource claims: the token claims tried in order for the person\'s e-mail, comma-separated; the first holding an e-mail address wins (email; Okta: email,sub; Entra ID: email,preferred_username,upn).',
    });
    const subjectClaim = new CfnParameter(this, 'SubjectClaim', {
      type: 'String',
      default: 'sub',
      description: 'With EmailSource people: the claim naming the person at the identity provider, the people directory\'s key (sub; Entra ID: oid; Okta: uid).',
    });
    const roleGroups = new CfnParameter(this, 'RoleGroups', {
      type: 'String',
      default: '',
      description: 'Optional group=role pairs for groups not named engineer, senior, lead or admin (e.g. sre=engineer,sre-leads=lead; Entra ID group object ids: 0f1e2d3c-...=admin).',
    });
    const breakglassRoleName = new CfnParameter(this, 'BreakglassRoleName', {
      type: 'String',
      default: 'CustomerCentralBreakglass',
      allowedPattern: '[\\w+=,.@-]{1,64}',
      description: 'Name of the breakglass role deployed into customer accounts at onboarding.',
    });
    const readRoleName = new CfnParameter(this, 'ReadRoleName', {
      type: 'String',
      default: 'CustomerCentralRead',
      allowedPattern: '[\\w+=,.@-]{1,64}',
      description:
        "Name of the read role deployed into customer accounts at onboarding (onboarding/customer-account.yaml's ReadRoleName); the billing fetch assumes it in each customer's management account for Cost Explorer and Organizations.",
    });
    const ssoAdminRoleName = new CfnParameter(this, 'SsoAdminRoleName', {
      type: 'String',
      default: 'CustomerCentralSsoAdmin',
      allowedPattern: '[\\w+=,.@-]{1,64}',
      description:
        "Name of the role in a customer's management (or Identity Center delegated administrator) account that SSO breakglass assumes to create and delete account assignments.",
    });
    const webhookSecretArn = new CfnParameter(this, 'WebhookSecretArn', {
      type: 'String',
      default: '',
      allowedPattern: '^$|^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$',
      description:
        'Optional ARN of a Secrets Manager secret whose SecretString is a Slack/Teams-compatible incoming webhook URL for approver notifications (read once when a function starts; the URL itself is a credential, so it is never a parameter or an environment variable).',
    });
    const hasWebhookSecret = new CfnCondition(this, 'HasWebhookSecret', {
      expression: Fn.conditionNot(Fn.conditionEquals(webhookSecretArn.valueAsString, '')),
    });
    // Utilisation's sources (CC_SALESFORCE, CC_JIRA): settings JSON with credentials, so in a secret.
    const sourceSecret = (id: string, what: string) => {
      const arn = new CfnParameter(this, `${id}SecretArn`, {
        type: 'String',
        default: '',
        allowedPattern: '^$|^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$',
        description: `Optional ARN of a Secrets Manager secret whose SecretString is utilisation's ${what}, read by the utilisation and jobs functions when they start.`,
      });
      const present = new CfnCondition(this, `Has${id}Secret`, {
        expression: Fn.conditionNot(Fn.conditionEquals(arn.valueAsString, '')),
      });
      return { id, arn, present, env: Fn.conditionIf(present.logicalId, arn.valueAsString, Aws.NO_VALUE).toString() };
    };
    const salesforceSecret = sourceSecret(
      'Salesforce',
      'Salesforce settings JSON (CC_SALESFORCE: login URL, OAuth client id and secret, field mapping). None: contracts come from CSV imports only and a sync records "not configured"',
    );
    const jiraSecret = sourceSecret(
      'Jira',
      'JIRA Cloud settings JSON (CC_JIRA: base URL, API token or bearer token, task code field). None: worklogs come from CSV imports only',
    );
    const reportsDay = new CfnParameter(this, 'ReportsDay', {
      type: 'String',
      default: '3',
      allowedPattern: '^([1-9]|1[0-9]|2[0-8])$',
      description:
        "Day of the month (1-28) from which the daily reports.monthly job builds the month just closed (Cost Explorer finalises a month's bill a few days into the next month).",
    });
    const ssoUserAttribute = new CfnParameter(this, 'SsoUserAttribute', {
      type: 'String',
      default: 'user_name',
      allowedValues: ['user_name', 'email'],
      description: "How SSO breakglass finds a person in a customer's identity store (userName or emails.value = their e-mail).",
    });

    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Keys only: the stream tells the PDF function which report version is new; it reads the item.
      stream: dynamodb.StreamViewType.KEYS_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of ['GSI1', 'GSI2']) {
      table.addGlobalSecondaryIndex({
        indexName: index,
        partitionKey: { name: `${index}PK`, type: dynamodb.AttributeType.STRING },
        sortKey: { name: `${index}SK`, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const reports = new s3.Bucket(this, 'ReportsBucket', {
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'reports/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const topic = new sns.Topic(this, 'NotificationTopic', {
      displayName: 'Customer Central breakglass',
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });

    const stateMachineName = `${this.stackName}-breakglass`;
    const stateMachineArn = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:stateMachine:${stateMachineName}`;
    const executionsArn = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${stateMachineName}:*`;

    const environment: Record<string, string> = {
      CC_STORE: 'aws',
      CC_TABLE: table.tableName,
      CC_BUCKET: reports.bucketName,
      CC_ROLES_CLAIM: rolesClaim.valueAsString,
      CC_EMAIL_CLAIM: emailClaim.valueAsString,
      CC_EMAIL_SOURCE: emailSource.valueAsString,
      CC_SUBJECT_CLAIM: subjectClaim.valueAsString,
      // Empty means none (the functions read an empty variable as unset).
      CC_ROLE_GROUPS: roleGroups.valueAsString,
      CC_WEBHOOK_SECRET_ARN: Fn.conditionIf(hasWebhookSecret.logicalId, webhookSecretArn.valueAsString, Aws.NO_VALUE).toString(),
      CC_SALESFORCE: salesforceSecret.env,
      CC_JIRA: jiraSecret.env,
      CC_JWT_ISSUER: jwtIssuer.valueAsString,
      CC_JWT_AUDIENCE: jwtAudience.valueAsString,
      CC_TOPIC_ARN: topic.topicArn,
      CC_SSO_USER_ATTRIBUTE: ssoUserAttribute.valueAsString,
      CC_BREAKGLASS_ROLE_NAME: breakglassRoleName.valueAsString,
      CC_SSO_ADMIN_ROLE_NAME: ssoAdminRoleName.valueAsString,
      CC_STATE_MACHINE_ARN: stateMachineArn,
      CC_REPORTS_DAY: reportsDay.valueAsString,
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      RUST_LOG: 'info',
    };

    const itemStore = new iam.PolicyStatement({
      sid: 'ItemStore',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
      resources: [table.tableArn, `${table.tableArn}/index/*`],
    });
    const assumeBreakglass = new iam.PolicyStatement({
      sid: 'AssumeBreakglassRoles',
      actions: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
      resources: [Fn.sub('arn:${AWS::Partition}:iam::*:role/${Name}', { Name: breakglassRoleName.valueAsString })],
    });
    // SSO breakglass: sso-admin and identitystore in the customer's Identity Center, through its admin role.
    const assumeSsoAdmin = new iam.PolicyStatement({
      sid: 'AssumeSsoAdminRoles',
      actions: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
      resources: [Fn.sub('arn:${AWS::Partition}:iam::*:role/${Name}', { Name: ssoAdminRoleName.valueAsString })],
    });
    // billing.fetch reads Cost Explorer and Organizations in each customer's management account
    // through its read role (ReadOnlyAccess includes ce:Get*, organizations:Describe*/List*); report
    // builds read Security Hub, Savings Plans, EC2/RDS reservations and CE recommendations likewise.
    const assumeRead = new iam.PolicyStatement({
      sid: 'AssumeReadRoles',
      actions: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
      resources: [Fn.sub('arn:${AWS::Partition}:iam::*:role/${Name}', { Name: readRoleName.valueAsString })],
    });
    // Report outputs: new object versions under reports/ (never a delete); reads of any version.
    const reportObjects = (...actions: string[]) =>
      new iam.PolicyStatement({ sid: 'ReportObjects', actions, resources: [reports.arnForObjects('reports/*')] });
    const startWorkflows = new iam.PolicyStatement({ sid: 'StartWorkflows', actions: ['states:StartExecution'], resources: [stateMachineArn] });
    // Task tokens are no resource: SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat take only "*"
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html).
    const signalWorkflows = (...actions: string[]) => new iam.PolicyStatement({ sid: 'SignalWorkflows', actions, resources: ['*'] });
    const stopWorkflows = new iam.PolicyStatement({ sid: 'StopWorkflows', actions: ['states:StopExecution'], resources: [executionsArn] });
    const notify = new iam.PolicyStatement({ sid: 'NotifyApprovers', actions: ['sns:Publish'], resources: [topic.topicArn] });

    // statements: the function's permissions (null: it touches no store and calls no AWS service);
    // `store`: its item store statement (default: the API functions' itemStore). Memory and timeout
    // default to the API functions' 256 MB and API Gateway's 29 s.
    const rust = (
      id: string,
      binary: string,
      description: string,
      statements: iam.PolicyStatement[] | null,
      opts: { store?: iam.PolicyStatement; memorySize?: number; timeout?: Duration } = {},
    ) => {
      // `--package`: cargo builds this function's crate alone, so its features are not unified with
      // the rest of the workspace (the `cc` runner turns on SQLite); SAM gets the same selection
      // from its CodeUri. The binary's crate is its name, but for the state machine's tasks.
      const cratePackage = binary === 'approval-workflow' ? 'approval' : binary;
      const fn = new RustFunction(this, id, {
        manifestPath: ROOT,
        binaryName: binary,
        bundling: { cargoLambdaFlags: ['--package', cratePackage] },
        description,
        architecture: lambda.Architecture.ARM_64,
        memorySize: opts.memorySize ?? 256,
        timeout: opts.timeout ?? Duration.seconds(29),
        tracing: lambda.Tracing.ACTIVE,
        environment: { ...environment, CC_FUNCTION: binary },
      });
      (fn.node.defaultChild as lambda.CfnFunction).addMetadata('CargoPackage', cratePackage);
      for (const s of statements === null ? [] : [opts.store ?? itemStore, ...statements]) {
        fn.addToRolePolicy(s);
      }
      return fn;
    };

    const functions: Record<string, lambda.Function> = {
      CustomersFunction: rust('CustomersFunction', 'customers', 'Customer hub routes: customers, contacts, teams, accounts, console links, quick find, people directory.', []),
      AccessRequestFunction: rust('AccessRequestFunction', 'access-request', 'Breakglass requests, sessions, credentials, revoke, approval policies, audit.', [
        assumeBreakglass,
        assumeSsoAdmin,
        startWorkflows,
        stopWorkflows,
        notify,
      ]),
      // The last approval signals the waiting execution; a rejection stops it (never task failure).
      ApprovalFunction: rust('ApprovalFunction', 'approval', 'Breakglass decisions.', [
        signalWorkflows('states:SendTaskSuccess'),
        stopWorkflows,
        notify,
      ]),
      ProfileGenFunction: rust('ProfileGenFunction', 'profile-gen', 'AWS CLI profiles for every account and role a person may use.', []),
      // An admin's run now reads Cost Explorer and Organizations through each customer's read role.
      BillingFetchFunction: rust(
        'BillingFetchFunction',
        'billing-fetch',
        'Billing routes: costs, overview, movers, anomalies, fetch runs, imports, settings, organisation facts.',
        [assumeRead],
      ),
      // The item store only: an admin's sync now reads Salesforce and JIRA, not AWS APIs.
      UtilisationFunction: rust(
        'UtilisationFunction',
        'utilisation',
        'Utilisation routes: contracts against hours logged, portfolio, team month, task code mappings, unmapped hours, CSV imports, sync runs.',
        [],
      ),
      // The item store, the reports bucket, and customers' read roles (the report's sources).
      ReportBuildFunction: rust(
        'ReportBuildFunction',
        'report-build',
        'Monthly report routes: build on demand, months and versions, HTML and JSON, download links, diffs, schedule runs.',
        [reportObjects('s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'), assumeRead],
      ),
      DocsFunction: rust('DocsFunction', 'docs', "The API's OpenAPI document (public).", null),
    };
    const workflowFn = rust(
      'ApprovalWorkflowFunction',
      'approval-workflow',
      'Breakglass state machine tasks: record token, grant, end, time out.',
      // record_token signals success or failure at once when the request was already decided; the
      // grant task withdraws (and so stops) a request whose account left the hub.
      [assumeBreakglass, assumeSsoAdmin, signalWorkflows('states:SendTaskSuccess', 'states:SendTaskFailure'), stopWorkflows, notify],
    );
    // breakglass.sweep ends grants: the role guard reads and rewrites the role's deny policy
    // (iam:GetRolePolicy, iam:PutRolePolicy, granted to the customer's breakglass role on itself at
    // onboarding) through a short session of the breakglass role itself; SSO grants are assigned
    // and removed through the customer's Identity Center admin role. It withdraws a due request
    // whose account left the hub, which stops its execution.
    // reports.monthly writes each report's outputs.
    const jobsFn = rust('JobsFunction', 'jobs', 'Scheduled jobs, run by the name each rule passes: breakglass.sweep, billing.fetch, utilisation.sync, reports.monthly.', [
      assumeBreakglass,
      assumeSsoAdmin,
      assumeRead,
      reportObjects('s3:PutObject', 's3:GetObject'),
      stopWorkflows,
      notify,
    ]);
    // billing.fetch backfills and backs off on Cost Explorer throttling: minutes, not seconds.
    (jobsFn.node.defaultChild as lambda.CfnFunction).timeout = 900;

    // Renders a report version's PDF (issue #16): Typst makes a binary far larger than the 4 MB
    // zipped budget of the others, so it lives here alone instead of in report-build and jobs (which
    // still write the JSON and HTML). It reads the version item and the version's report.json object
    // version, writes report.pdf and records it on the version item with a conditional write: no
    // index, no delete, no customer role (so no customer-central:stack tag). Typst is CPU-bound and
    // Lambda's CPU share grows with memory: 1024 MB, and minutes not seconds.
    const pdfFn = rust(
      'ReportPdfFunction',
      'report-pdf',
      'Renders report.pdf for each new report version (DynamoDB stream, new report versions only).',
      [reportObjects('s3:GetObject', 's3:GetObjectVersion', 's3:PutObject')],
      {
        store: new iam.PolicyStatement({
          sid: 'ReportVersions',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
          resources: [table.tableArn],
        }),
        memorySize: 1024,
        timeout: Duration.seconds(120),
      },
    );
    // Only new report version items reach it: INSERT, PK starting "REPORT#" (REPORT#{customer}#{yyyy-mm},
    // shared/src/keys.rs; the "#" keeps REPORTRUN, REPORTS#{customer} and REPORTMONTH#... out). Its
    // own write of the version item is a MODIFY, so it never triggers itself. A failure is narrowed
    // to its record (bisected batches, the record's own failure reported), retried three times at
    // most, and dropped after that or an hour: the version then stays without its PDF (no failure
    // destination configured). DynamoEventSource grants the stream reads (on this table's stream;
    // dynamodb:ListStreams takes no resource).
    pdfFn.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 5,
        retryAttempts: 3,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        maxRecordAge: Duration.hours(1),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { PK: { S: lambda.FilterRule.beginsWith('REPORT#') } } },
          }),
        ],
      }),
    );

    // The functions that notify approvers read the webhook URL from its secret at start-up.
    const readWebhookSecret = new iam.CfnPolicy(this, 'WebhookSecretReadPolicy', {
      policyName: 'ReadWebhookSecret',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'ReadWebhookSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: webhookSecretArn.valueAsString }],
      },
      roles: [functions.AccessRequestFunction, functions.ApprovalFunction, workflowFn, jobsFn].map((f) => f.role!.roleName),
    });
    readWebhookSecret.cfnOptions.condition = hasWebhookSecret;
    // Utilisation's sources: an admin's sync now (utilisation) and utilisation.sync (jobs).
    for (const secret of [salesforceSecret, jiraSecret]) {
      const read = new iam.CfnPolicy(this, `${secret.id}SecretReadPolicy`, {
        policyName: `Read${secret.id}Secret`,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Sid: `Read${secret.id}Secret`, Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret.arn.valueAsString }],
        },
        roles: [functions.UtilisationFunction, jobsFn].map((f) => f.role!.roleName),
      });
      read.cfnOptions.condition = secret.present;
    }

    // Customer roles trust the broker by this tag on its role (onboarding/customer-account.yaml).
    for (const f of [functions.AccessRequestFunction, workflowFn, jobsFn, functions.BillingFetchFunction, functions.ReportBuildFunction]) {
      Tags.of(f.role!).add('customer-central:stack', this.stackName);
    }

    const api = new HttpApi(this, 'HttpApi', {
      defaultAuthorizer: new HttpJwtAuthorizer('JwtAuthorizer', jwtIssuer.valueAsString, {
        jwtAudience: [jwtAudience.valueAsString],
        identitySource: ['$request.header.Authorization'],
      }),
    });
    const apiLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
    const stage = api.defaultStage?.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: apiLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        route: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
      }),
    };
    for (const [id, { routes }] of Object.entries(ROUTES)) {
      const integration = new HttpLambdaIntegration(`${id}Integration`, functions[id]);
      for (const [method, routePath] of routes) {
        api.addRoutes({
          path: routePath,
          methods: [method],
          integration,
          authorizer: PUBLIC_ROUTES.has(routePath) ? new HttpNoneAuthorizer() : undefined,
        });
      }
    }

    for (const { id, job, schedule, description } of SCHEDULES) {
      new events.Rule(this, id, {
        schedule,
        description,
        targets: [new targets.LambdaFunction(jobsFn, { event: events.RuleTargetInput.fromObject({ job }) })],
      });
    }

    const machine = new sfn.StateMachine(this, 'BreakglassStateMachine', {
      stateMachineName,
      definitionBody: sfn.DefinitionBody.fromFile(path.join(ROOT, 'statemachine', 'breakglass.asl.json')),
      definitionSubstitutions: { ApprovalWorkflowFunctionArn: workflowFn.functionArn },
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'StateMachineLogs', { retention: logs.RetentionDays.ONE_YEAR }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    workflowFn.grantInvoke(machine);

    // The web UI and /api/* on one CloudFront origin. The UI signs in with authorization code + PKCE
    // as a public client: its client id is the JWT audience unless the app registration differs
    // (Okta, Entra ID with a separate API app): context uiClientId; scopes: context uiScopes.
    const ui = new UiHosting(this, 'Ui', {
      apiEndpoint: api.apiEndpoint,
      distDir: props?.uiDistDir,
      accessLogs,
      oidc: {
        issuer: jwtIssuer.valueAsString,
        clientId: this.node.tryGetContext('uiClientId') ?? jwtAudience.valueAsString,
        scopes: this.node.tryGetContext('uiScopes') ?? 'openid profile email',
      },
    });

    new CfnOutput(this, 'UiUrl', { value: `https://${ui.distribution.distributionDomainName}`, description: 'The web UI (and /api/* behind it).' });
    new CfnOutput(this, 'UiRedirectUri', {
      value: `https://${ui.distribution.distributionDomainName}/auth/callback`,
      description: "Register as the UI app's sign-in redirect URI (and the UI URL as its sign-out redirect) at the identity provider.",
    });
    new CfnOutput(this, 'UiBucketName', { value: ui.bucket.bucketName });
    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'ReportsBucketName', { value: reports.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: machine.stateMachineArn });
    new CfnOutput(this, 'NotificationTopicArn', { value: topic.topicArn });

    acknowledgeNagFindings(this, [functions.ApprovalFunction, workflowFn]);
  }
}

/** cdk-nag findings that are deliberate, each with its reason. */
function acknowledgeNagFindings(stack: Stack, signallers: lambda.Function[]) {
  const v = Validations.of(stack);
  const ack = (id: string, reason: string) => v.acknowledge({ id: `AwsSolutions::AwsSolutions-${id}`, reason });
  v.acknowledge({
    id: 'CloudFormation-Validate::W2509',
    reason: 'WebhookSecretArn, SalesforceSecretArn and JiraSecretArn name secrets; the credentials themselves stay in Secrets Manager.',
  });
  for (const fn of signallers) {
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'states:SendTaskSuccess/SendTaskFailure have no resource type (task tokens are not resources), so only "*" works: ' +
        'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html; ' +
        'X-Ray trace segments take no resource-level permissions either.',
    });
  }
  ack('IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AWSLambdaBasicExecutionRole grants only log writing; it is the minimal managed policy for Lambda.');
  ack('IAM5[Resource::*]',
    'X-Ray trace segments, CloudWatch Logs delivery and dynamodb:ListStreams (granted by the PDF function\'s stream event source) take no resource-level permissions.');
  ack('IAM5[Resource::<TableCD117FA1.Arn>/index/*]', "Queries use the table's own two indexes (GSI1, GSI2).");
  // The state machine is named after the stack (`${stackName}-breakglass`), so the finding's
  // resource names it too: a fixed name here would fail synth for every other stack name.
  ack(`IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stack.stackName}-breakglass:*]`,
    "Stopping executions of this stack's one state machine; execution names are request ids.");
  ack('IAM5[Resource::["arn:${AWS::Partition}:iam::*:role/${Name}",{"Name":{"Ref":"BreakglassRoleName"}}]]',
    'The breakglass role name in any customer account: the set of customer accounts is open by design; the role trusts us with an external id.');
  ack('IAM5[Resource::["arn:${AWS::Partition}:iam::*:role/${Name}",{"Name":{"Ref":"ReadRoleName"}}]]',
    "The read role name in any customer's management account (billing): open by design like the breakglass role; it trusts us with an external id.");
  ack('IAM5[Resource::["arn:${AWS::Partition}:iam::*:role/${Name}",{"Name":{"Ref":"SsoAdminRoleName"}}]]',
    "The Identity Center admin role name in any customer's management account: open by design like the breakglass role; it trusts us with an external id.");
  ack('IAM5[Resource::<ReportsBucket4E7C5994.Arn>/reports/*]',
    "Report outputs are keyed per customer and month under reports/ (reports/{customer}/{yyyy-mm}/report.{format}); the functions that build or serve reports reach that prefix only.");
  ack('IAM5[Resource::<ApprovalWorkflowFunction92E68BC8.Arn>:*]', 'The state machine invokes any version of its one task function.');
  ack('APIG4', 'Every route has the JWT authorizer except the public OpenAPI document.');
}
