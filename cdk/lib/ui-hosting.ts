// The web UI in AWS: ui/dist on a private S3 bucket behind CloudFront (Origin Access Control), with
// /api/* routed by the same distribution to the HTTP API, so the UI and the API share one origin (no
// CORS). The UI reads /config.json, written here from the stack's identity provider settings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

/**
 * Client-side routes (/customers/acme, /auth/callback) have no object in the bucket: a viewer-request
 * function serves /index.html for every path whose last segment has no file extension. It runs on the
 * default behaviour only, so the API's own 403/404 answers under /api/* pass through untouched (an
 * error-response mapping would swallow them).
 */
export const SPA_REWRITE = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}`;

/** Content-Security-Policy: kept with the UI (ui/csp.json), whose end-to-end run serves the UI with it. */
export const CSP = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'ui', 'csp.json'), 'utf8')).directives as string[]).join('; ');

export interface UiHostingProps {
  /** https://ID.execute-api.REGION.amazonaws.com: the HTTP API's default endpoint. */
  apiEndpoint: string;
  /** ui/dist to upload, or undefined to create the hosting without deploying assets (offline synth). */
  distDir?: string;
  /** What /config.json tells the UI about the identity provider. */
  oidc: { issuer: string; clientId: string; scopes: string };
  accessLogs: s3.IBucket;
}

export class UiHosting extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: UiHostingProps) {
    super(scope, id);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'ui/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const spaRewrite = new cloudfront.Function(this, 'SpaRewrite', {
      code: cloudfront.FunctionCode.fromInline(SPA_REWRITE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Serves /index.html for client-side routes (paths without a file extension).',
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Customer Central UI: HSTS, CSP, no framing, no sniffing, no referrer leaks.',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: false, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: CSP, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    // The HTTP API's host name (https://HOST).
    const apiHost = Fn.select(2, Fn.split('/', props.apiEndpoint));

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${Stack.of(this).stackName}: web UI and /api/*`,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // Honours each object's Cache-Control: a year for hashed assets, no-cache for the rest.
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [{ function: spaRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new origins.HttpOrigin(apiHost, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          // Never cached; every viewer header but Host (so Authorization) and every query string
          // reach the API (API Gateway needs its own Host).
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
          compress: true,
        },
      },
    });

    const v = Validations.of(this.distribution);
    const ack = (id: string, reason: string) => v.acknowledge({ id: `AwsSolutions::AwsSolutions-${id}`, reason });
    ack('CFR1', 'The team works from anywhere; every API call needs a JWT from the identity provider.');
    ack('CFR2', 'No WAF: the UI is static files and every /api/* call needs a JWT (the HTTP API authorizer); add a web ACL if the organisation mandates one.');
    ack('CFR3', "Standard CloudFront logs need an ACL-enabled bucket; every /api/* call is in the HTTP API's access log, and the UI bucket has server access logs.");
    ack('CFR4', 'The default *.cloudfront.net certificate fixes the TLS policy; with a custom domain and certificate, set minimumProtocolVersion TLSv1.2_2021.');

    if (props.distDir !== undefined) {
      if (!fs.existsSync(`${props.distDir}/index.html`)) {
        throw new Error(`${props.distDir}/index.html is missing: build the UI first (scripts/ui build), or set CC_SKIP_BUNDLING=1`);
      }
      // Hashed assets: cached for a year; a new build has new names.
      const assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
        sources: [s3deploy.Source.asset(`${props.distDir}/assets`)],
        destinationBucket: this.bucket,
        destinationKeyPrefix: 'assets/',
        cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
        prune: false,
        memoryLimit: 512,
      });
      // index.html, config.json and anything else at the root: revalidated on every load.
      const root = new s3deploy.BucketDeployment(this, 'DeployRoot', {
        sources: [
          s3deploy.Source.asset(props.distDir, { exclude: ['assets', 'assets/*'] }),
          s3deploy.Source.jsonData('config.json', {
            api_base: '/api/v1',
            oidc: { issuer: props.oidc.issuer, client_id: props.oidc.clientId, scopes: props.oidc.scopes },
          }),
        ],
        destinationBucket: this.bucket,
        exclude: ['assets/*'],
        cacheControl: [s3deploy.CacheControl.noCache()],
        distribution: this.distribution,
        distributionPaths: ['/index.html', '/config.json'],
        memoryLimit: 512,
      });
      // index.html names the new assets: upload them first.
      root.node.addDependency(assets);

      // CDK's own upload function (one per stack, shared by both deployments).
      for (const handler of Stack.of(this).node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
        const h = Validations.of(handler);
        const hack = (id: string, reason: string) => h.acknowledge({ id: `AwsSolutions::AwsSolutions-${id}`, reason });
        for (const finding of ['Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:GetObject*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*']) {
          hack(`IAM5[${finding}]`, "BucketDeployment's own grants (read the CDK asset, sync into the UI bucket); CDK writes them.");
        }
        hack('IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]', 'Reads the UI build from the CDK bootstrap asset bucket.');
        hack(`IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`, 'Writes every object of the UI bucket.');
        hack('L1', "BucketDeployment's upload function; CDK chooses its runtime.");
      }
    }
  }
}
