import mongoose, { type Connection } from 'mongoose';
import { AppConfig } from '../src/core/config/app-config';
import { buildMongoOptions } from '../src/core/config/mongo-options';
import { ADMIN_TOKEN, isolatedMongoUri } from './support/app';
import { CommandRecorder } from './support/command-recorder';
import { REPLICA_SET } from './support/ferretdb-process';

/**
 * The local stack's FerretDB presents itself as DocumentDB does: a replica set (`rs0`) whose
 * one member is the primary. Only then does the driver send read preferences at all, so only
 * then can a test see a read that goes to a secondary in production.
 */
describe('the stack database as replica set rs0', () => {
  let client: mongoose.mongo.MongoClient;

  beforeAll(async () => {
    client = await new mongoose.mongo.MongoClient(isolatedMongoUri(), {
      serverSelectionTimeoutMS: 5000,
    }).connect();
  });
  afterAll(async () => client?.close());

  it('is reached through a MONGODB_URI that names the replica set (and keeps it per test file)', () => {
    expect(new URL(process.env.MONGODB_URI ?? '').searchParams.get('replicaSet')).toBe(REPLICA_SET);
    expect(new URL(isolatedMongoUri()).searchParams.get('replicaSet')).toBe(REPLICA_SET);
  });

  it('answers hello with setName rs0 and itself as the only, writable member', async () => {
    const { port } = new URL(process.env.MONGODB_URI ?? '');
    const hello = await client.db('admin').command({ hello: 1 });
    expect(hello).toMatchObject({
      setName: REPLICA_SET,
      hosts: [`127.0.0.1:${port}`],
      isWritablePrimary: true,
    });
  });

  describe("with the service's own connection options and secondaryPreferred", () => {
    let conn: Connection;
    const topologies: mongoose.mongo.TopologyDescription[] = [];

    beforeAll(async () => {
      const config = AppConfig.fromEnvironment({
        ...process.env,
        NODE_ENV: 'test',
        MONGODB_URI: isolatedMongoUri(),
        MONGODB_READ_PREFERENCE: 'secondaryPreferred',
        ADMIN_TOKEN,
      });
      const { uri, ...options } = buildMongoOptions(config.mongo);
      if (!uri) throw new Error('buildMongoOptions gave no uri');
      conn = mongoose.createConnection(uri, options);
      conn.getClient().on('topologyDescriptionChanged', (e) => topologies.push(e.newDescription));
      await conn.asPromise();
    });
    afterAll(async () => {
      await conn?.dropDatabase().catch(() => undefined);
      await conn?.close();
    });

    it('discovers a ReplicaSetWithPrimary topology (not Single, not a standalone)', () => {
      const last = topologies.at(-1);
      expect(last?.type).toBe('ReplicaSetWithPrimary');
      expect(last?.setName).toBe(REPLICA_SET);
    });

    it("sends the connection's secondaryPreferred on default reads and no read preference on primary reads and writes", async () => {
      const recorder = CommandRecorder.attach(conn);
      try {
        const things = conn.collection('replica_set_probe');
        await things.insertOne({ n: 1 });
        await things.find({ n: 1 }).sort({ _id: 1 }).limit(5).toArray();
        await things.find({ n: 1 }, { readPreference: 'primary' }).toArray();
        await things.findOneAndUpdate({ n: 1 }, { $set: { n: 2 } });

        expect(
          recorder.on('replica_set_probe').map(({ name, readPreference, filters }) => ({
            name,
            readPreference,
            filters,
          })),
        ).toEqual([
          { name: 'insert', readPreference: undefined, filters: [] },
          { name: 'find', readPreference: 'secondaryPreferred', filters: [{ n: 1 }] },
          { name: 'find', readPreference: undefined, filters: [{ n: 1 }] },
          { name: 'findAndModify', readPreference: undefined, filters: [{ n: 1 }] },
        ]);
        expect(recorder.on('replica_set_probe')[1]).toMatchObject({
          sort: { _id: 1 },
          limit: 5,
        });
      } finally {
        recorder.detach();
      }
    });
  });
});
