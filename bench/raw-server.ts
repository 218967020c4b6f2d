/**
 * The baseline: a bare node:http server answering RAW_BODY with the page read's headers. Its own
 * process, as the service is, so it never shares an event loop with the load generator.
 * Prints its port on stdout once listening.
 */
import { createServer } from 'node:http';

const payload = Buffer.from(process.env.RAW_BODY ?? '{}');
const server = createServer((_req, res) => {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': payload.length,
    'cache-control': 'public, max-age=0, s-maxage=300',
    etag: '"baseline"',
  });
  res.end(payload);
});
server.listen(0, process.env.HOST ?? '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
