import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port';

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

/**
 * Whether process `pid` itself holds a listening TCP socket on 127.0.0.1:`port` (Linux /proc).
 * A connection that succeeds proves only that something listens there: between a free port being
 * picked (or a killed FerretDB releasing its port) and a new FerretDB binding it, another process
 * can take it (a supertest server listening on an ephemeral port, another suite's FerretDB). The
 * new FerretDB then exits with EADDRINUSE while connections reach the other listener, and a test
 * that pauses "its" database pauses nothing: its reads still answer.
 */
export function listensOn(pid: number, port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set(
    readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      // local_address rem_address st ... inode: st 0A is LISTEN
      .filter((f) => f[1] === local && f[3] === '0A')
      .map((f) => `socket:[${f[9]}]`),
  );
  if (inodes.size === 0) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false; // closed meanwhile
      }
    });
  } catch {
    return false; // the process is gone
  }
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

  /**
   * Starts one on a free port (another one if that port is taken before FerretDB binds it), or on
   * `port` exactly, failing if it cannot have it.
   */
  static async start(port?: number): Promise<FerretDbProcess> {
    for (let attempt = 1; ; attempt += 1) {
      const db = new FerretDbProcess(port ?? (await freePort()));
      try {
        await db.start();
        return db;
      } catch (error) {
        await db.destroy();
        if (port !== undefined || attempt === 3 || !(error instanceof ExitedWhileStartingError))
          throw error;
      }
    }
  }

  /** The running FerretDB's process id. */
  get pid(): number | undefined {
    return this.child?.pid;
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
    const child = this.child;
    // Ready when this FerretDB holds the port, not when the port merely accepts (see listensOn).
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new ExitedWhileStartingError(this.port, child.exitCode);
        return listensOn(child.pid as number, this.port) && (await accepts(this.port));
      },
      15_000,
      `FerretDB on port ${this.port}`,
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }

  /** Removes its data folder, stopping it first if it runs. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The FerretDB process exited while starting (as it does when another process holds its port). */
class ExitedWhileStartingError extends Error {
  constructor(port: number, code: number) {
    super(
      `FerretDB exited with code ${code} while starting: is port ${port} taken by another process?`,
    );
  }
}
