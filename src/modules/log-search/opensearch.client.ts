import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client, type ClientOptions } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import type { AppConfig } from '../../core/config/app-config';

export type OpenSearchSettings = Pick<
  AppConfig['openSearch'],
  'url' | 'awsSigV4' | 'awsService' | 'region' | 'requestTimeoutMs'
> & { url: string };

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Client options for the configured node. Amazon OpenSearch Service (es) and Serverless (aoss)
 * take SigV4-signed requests; credentials come from the default AWS chain (IRSA in EKS).
 */
export function openSearchClientOptions(
  settings: OpenSearchSettings,
  getCredentials: () => Promise<AwsCredentials> = defaultProvider(),
): ClientOptions {
  const base: ClientOptions = {
    node: settings.url,
    requestTimeout: settings.requestTimeoutMs,
    // One retry on another connection; the shipper and the 503 path handle the rest.
    maxRetries: 1,
  };
  if (!settings.awsSigV4) return base;
  return {
    ...base,
    ...AwsSigv4Signer({ region: settings.region, service: settings.awsService, getCredentials }),
  };
}

export function createOpenSearchClient(
  settings: OpenSearchSettings,
  getCredentials?: () => Promise<AwsCredentials>,
): Client {
  return new Client(openSearchClientOptions(settings, getCredentials));
}
