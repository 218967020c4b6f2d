/**
 * Runs a benchmarked process the way a pod runs it: in a memory cgroup with the chart's default
 * container limit (`resources.limits.memory`, 512Mi). Node sizes the V8 heap, and with it the young
 * generation, from that limit (`process.constrainedMemory()`); on an unconstrained 24 GB host V8
 * lets the young generation alone grow to 64 MB, which says nothing about the service in a pod.
 *
 * Needs a writable cgroup (v1 `memory` hierarchy or v2 with the memory controller), i.e. root on
 * a machine without a container runtime in the way. Where that is missing, processes run
 * unconstrained and `describe()` says so, so a figure is never reported under the wrong condition.
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryLimit {
  /** Wraps `command args` so the process enters the cgroup before Node starts (same pid). */
  wrap(command: string, args: string[]): [string, string[]];
  describe(): string;
  /** Removes the cgroups made (call once every wrapped process has exited). */
  remove(): void;
}

function ownCgroup(): { dir: string; limitFile: string } | undefined {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes('memory'));
  if (v1) {
    return {
      dir: join('/sys/fs/cgroup/memory', v1.split(':')[2]),
      limitFile: 'memory.limit_in_bytes',
    };
  }
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2) return { dir: join('/sys/fs/cgroup', v2.slice(3)), limitFile: 'memory.max' };
  return undefined;
}

export function memoryLimit(megabytes: number): MemoryLimit {
  const made: string[] = [];
  let reason = megabytes > 0 ? '' : 'BENCH_MEMORY_LIMIT_MB=0';
  let parent: { dir: string; limitFile: string } | undefined;
  if (!reason) {
    try {
      parent = ownCgroup();
      if (!parent) reason = 'no memory cgroup found in /proc/self/cgroup';
    } catch (error) {
      reason = (error as Error).message;
    }
  }
  let count = 0;
  return {
    wrap(command, args) {
      if (!parent || reason) return [command, args];
      const dir = join(parent.dir, `bench-${process.pid}-${(count += 1)}`);
      try {
        mkdirSync(dir);
        made.push(dir);
        writeFileSync(join(dir, parent.limitFile), String(megabytes * 2 ** 20));
      } catch (error) {
        // All or none: a run whose processes ran under different conditions compares nothing.
        if (made.length > 0) throw error;
        reason = `cannot make a memory cgroup (${(error as Error).message})`;
        return [command, args];
      }
      // The shell moves itself into the cgroup, then becomes the process (exec keeps the pid).
      const script = 'echo $$ > "$0/cgroup.procs" && exec "$@"';
      return ['/bin/sh', ['-c', script, dir, command, ...args]];
    },
    describe() {
      return reason
        ? `unconstrained memory (${reason})`
        : `each process in its own memory cgroup limited to ${megabytes} MiB (the chart's default limit)`;
    },
    remove() {
      for (const dir of made.splice(0)) {
        try {
          rmdirSync(dir);
        } catch {
          // Still busy or already gone: the kernel frees it with its last process.
        }
      }
    },
  };
}
