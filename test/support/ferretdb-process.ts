import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => socket.end(() => ok(true)));
    socket.once('error', () => ok(false));
  });
}

export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The replica-set name the stack's FerretDB answers `hello` with (scripts/stack.sh). */
export const REPLICA_SET = 'rs0';

/**
 * A private FerretDB (the stack's binary) that a test may stop and restart without disturbing
 * the shared one other test files use. Data survives restarts; the folder is removed at the end.
 * It runs with the stack's flags (`ferretdb_args` in scripts/stack.sh), so it is a one-member
 * replica set too.
 */
export class FerretDbProcess {
  private child?: ChildProcess;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'ferretdb-test-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<FerretDbProcess> {
    const db = new FerretDbProcess(await freePort());
    await db.start();
    return db;
  }

  get uri(): string {
    return this.uriFor('health_probe');
  }

  uriFor(database: string): string {
    return `mongodb://127.0.0.1:${this.port}/${database}?replicaSet=${REPLICA_SET}`;
  }

  /** SIGSTOP: the process holds its sockets open and answers nothing (a hung database). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGKILL, as a crashed or killed database host; `start()` brings it back on the same port. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async start(): Promise<void> {
    if (this.child && this.child.exitCode === null) return; // already running
    const stackDir = process.env.STACK_DIR ?? resolve(__dirname, '../../.local/stack');
    const binary = join(stackDir, 'bin', 'ferretdb');
    if (!existsSync(binary))
      throw new Error(`${binary} is missing: run \`npm run stack:up\` first`);
    this.child = spawn(
      binary,
      [
        `--listen-addr=127.0.0.1:${this.port}`,
        `--repl-set-name=${REPLICA_SET}`,
        '--handler=sqlite',
        `--sqlite-url=file:${this.dataDir}/`,
        // no state file, no debug listener on the fixed 127.0.0.1:8088, no telemetry
        '--state-dir=-',
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=warn',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => accepts(this.port), 15_000, `FerretDB on port ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
