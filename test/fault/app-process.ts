import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/**
 * The built service. `npm run test:fault` builds it into a directory of its own, so that a
 * concurrent `nest build` (which empties dist/) cannot pull it from under a restarting process.
 */
const MAIN = resolve(ROOT, process.env.FAULT_APP_MAIN ?? 'dist/main.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const live = new Set<AppProcess>();

/**
 * One real service process (`node dist/main.js`, the `npm run build` output) on a loopback port
 * of its own. Every process started is tracked so a test can always clean up its children.
 */
export class AppProcess {
  private exited: Promise<number | null>;
  private readonly output: string[] = [];

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    live.add(this);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        live.delete(this);
        resolve(code);
      }),
    );
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) this.output.splice(0, 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(name: string, env: Record<string, string>): Promise<AppProcess> {
    if (!existsSync(MAIN))
      throw new Error(
        `${MAIN} is missing: run the tests with "npm run test:fault" (it builds first)`,
      );
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_PORT: '0',
        LOG_LEVEL: 'info',
        LOG_SHIPPER_ENABLED: 'false',
        SHUTDOWN_GRACE_MS: '5000',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new AppProcess(name, port, child);
    await app.waitReady();
    return app;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return live.has(this);
  }

  /** Log lines (JSON) written so far, parsed where possible. */
  logs(): Record<string, unknown>[] {
    return this.output
      .join('')
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (!this.running)
        throw new Error(
          `${this.name} exited during start-up:\n${this.output.join('').slice(-3000)}`,
        );
      try {
        const res = await fetch(`${this.url}/health/live`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.kill();
    throw new Error(`${this.name} did not become live:\n${this.output.join('').slice(-3000)}`);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.child.kill(signal);
    await this.exited;
  }

  /** SIGTERM (graceful: drains, releases leases), SIGKILL if it takes too long. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10000);
    await this.exited;
    clearTimeout(timer);
  }

  static async killAll(): Promise<void> {
    await Promise.all([...live].map((p) => p.kill()));
  }
}
