/**
 * The cold-read baseline: a bare node:http server that answers each request with the same
 * `findOne({slug, status: 'published'})` the service makes, through the mongodb driver, against
 * the same database, and sends the stored public body. Its own process; prints its port.
 */
import { MongoClient } from 'mongodb';
import { createServer } from 'node:http';

const client = new MongoClient(process.env.MONGODB_URI ?? '');
const pages = client.db().collection('pages');
const server = createServer((req, res) => {
  const slug = (req.url ?? '').split('/').pop() ?? '';
  pages
    .findOne(
      { slug, status: 'published' },
      { projection: { 'live.body': 1, 'live.etag': 1, 'live.updatedAt': 1 } },
    )
    .then((page) => {
      const live = page?.live as { body: string; etag: string } | undefined;
      if (!live) {
        res.writeHead(404).end();
        return;
      }
      const payload = Buffer.from(live.body);
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': payload.length,
        'cache-control': 'public, max-age=0, s-maxage=300',
        etag: live.etag,
      });
      res.end(payload);
    })
    .catch(() => res.writeHead(503).end());
});
void client.connect().then(() =>
  server.listen(0, process.env.HOST ?? '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`${port}\n`);
  }),
);
process.on('SIGTERM', () => server.close(() => void client.close().then(() => process.exit(0))));
