import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenSearchClient, type OpenSearchSettings } from './opensearch.client';

/** A loopback HTTP server that answers like an OpenSearch root and keeps the request headers. */
async function startRecorder(): Promise<{
  server: Server;
  url: string;
  seen: IncomingHttpHeaders[];
}> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ version: { number: '2.19.0', distribution: 'opensearch' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, seen };
}

const credentials = () =>
  Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'tok' });

describe('createOpenSearchClient', () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  const settings = (overrides: Partial<OpenSearchSettings>): OpenSearchSettings => ({
    url: recorder.url,
    awsSigV4: false,
    awsService: 'es',
    region: 'eu-west-1',
    requestTimeoutMs: 2000,
    ...overrides,
  });

  beforeEach(async () => {
    recorder = await startRecorder();
  });
  afterEach(async () => {
    await new Promise((resolve) => recorder.server.close(resolve));
  });

  it('signs requests with SigV4 for the configured region and service when enabled', async () => {
    const client = createOpenSearchClient(
      settings({ awsSigV4: true, awsService: 'aoss' }),
      credentials,
    );
    await client.info();
    await client.close();
    const headers = recorder.seen[0];
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/aoss\/aws4_request, /,
    );
    expect(headers['x-amz-security-token']).toBe('tok');
    expect(headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sends unsigned requests when SigV4 is off', async () => {
    const client = createOpenSearchClient(settings({ awsSigV4: false }), credentials);
    await client.info();
    await client.close();
    expect(recorder.seen[0].authorization).toBeUndefined();
    expect(recorder.seen[0]['x-amz-date']).toBeUndefined();
  });
});
