import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from './free-port';

const ROOT = join(__dirname, '..', '..');
/**
 * The built service. `npm run test:fault` builds it into a directory of its own, so that a
 * concurrent `nest build` (which empties dist/) cannot pull it from under a restarting process.
 */
const MAIN = resolve(ROOT, process.env.FAULT_APP_MAIN ?? 'dist/main.js');

export interface AppProcessOptions {
  /** Node flags before the entry point, e.g. `['--import', preload]`. */
  nodeArgs?: string[];
  /** The probe that says the process is up: liveness (default) or readiness. */
  readyPath?: '/health/live' | '/health/ready';
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const live = new Set<AppProcess>();

/**
 * One real service process (`node dist/main.js`, as the image starts it) on a loopback port of
 * its own, stdout and stderr on pipes as in a container. Every process started is tracked so a
 * test can always clean up its children.
 */
export class AppProcess {
  /** Settles when the process has exited, with its exit code or signal. */
  readonly exited: Promise<Exit>;
  private stdoutText = '';
  private stderrText = '';

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    live.add(this);
    this.exited = new Promise((done) =>
      child.once('exit', (code, signal) => {
        live.delete(this);
        done({ code, signal });
      }),
    );
    child.stdout?.on('data', (chunk: Buffer) => (this.stdoutText += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderrText += chunk.toString()));
  }

  /**
   * Starts one with `env` over the defaults below (the test runner's environment, and so the
   * stack's settings, is not inherited: pass what the process needs).
   */
  static async start(
    name: string,
    env: Record<string, string> = {},
    options: AppProcessOptions = {},
  ): Promise<AppProcess> {
    if (!existsSync(MAIN))
      throw new Error(
        `${MAIN} is missing: run the tests with "npm run test:fault" (it builds first)`,
      );
    const port = await freePort();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN], {
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
    await app.waitReady(options.readyPath ?? '/health/live');
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

  /** Everything written to stdout so far. */
  stdout(): string {
    return this.stdoutText;
  }

  /** The JSON log lines written to stdout so far, parsed. */
  logs(): Record<string, unknown>[] {
    return this.stdoutText.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** Sends a signal and returns at once (`exited` says when it is gone). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.signal(signal);
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

  private output(): string {
    return `${this.stderrText}\n${this.stdoutText}`.slice(-3000);
  }

  private async waitReady(path: string): Promise<void> {
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited during start-up:\n${this.output()}`);
      try {
        const res = await fetch(`${this.url}${path}`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.kill();
    throw new Error(`${this.name} did not answer ${path}:\n${this.output()}`);
  }
}
