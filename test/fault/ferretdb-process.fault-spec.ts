import { createServer, type Server } from 'node:net';
import { FerretDbProcess, listensOn } from '../support/ferretdb-process';

/**
 * The fault suites pause and kill a private FerretDB and expect its clients to notice. That holds
 * only if the FerretDB they were handed is the process listening on its port: a port picked as
 * free, or released by a killed FerretDB, can be taken by another listener before FerretDB binds
 * it, and a connection alone cannot tell the two apart.
 */
describe('a private FerretDB for fault tests', () => {
  let other: Server;
  let port: number;

  beforeAll(async () => {
    other = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    port = (other.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => other.close(resolve)));

  it('knows whether a process itself holds a listening port', () => {
    expect(listensOn(process.pid, port)).toBe(true);
    expect(listensOn(process.pid, port + 1 === 65536 ? port - 1 : port + 1)).toBe(false);
  });

  it('refuses to start on a port another process listens on, instead of passing for it', async () => {
    await expect(FerretDbProcess.start(port)).rejects.toThrow(`is port ${port} taken`);
  });

  it('fails a restart whose port was taken meanwhile, and is itself once the port is free', async () => {
    const db = await FerretDbProcess.start();
    try {
      await db.kill();
      const squatter = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => squatter.listen(db.port, '127.0.0.1', resolve));
      await expect(db.start()).rejects.toThrow(`is port ${db.port} taken`);
      await new Promise((resolve) => squatter.close(resolve));
      await db.start();
      expect(db.pid && listensOn(db.pid, db.port)).toBe(true);
    } finally {
      await db.destroy();
    }
  });
});
