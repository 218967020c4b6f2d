// Preloaded into the service (NODE_OPTIONS=--import) by page-actions.fault-spec.ts: wraps the
// page write of a scheduled action so that, with probability FAULT_HANG_RATE, the process
// freezes just before or just after that write (FAULT_HANG_WHERE: before | after | either) and
// says so on stdout, so the test can SIGKILL it exactly there, mid-action.
const target = process.env.FAULT_PAGES_SERVICE;
if (target) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
  const { PagesService } = require(target) as {
    PagesService: { prototype: Record<string, (...args: unknown[]) => Promise<unknown>> };
  };
  const original = PagesService.prototype.applyScheduledAction;
  const rate = Number(process.env.FAULT_HANG_RATE ?? '1');
  const where = process.env.FAULT_HANG_WHERE ?? 'either';
  const hang = (when: string, args: unknown[]): Promise<never> => {
    const action = args[2] as { id: string };
    process.stdout.write(
      `${JSON.stringify({ msg: 'fault: frozen mid-action', when, actionId: action.id })}\n`,
    );
    return new Promise<never>(() => undefined);
  };
  PagesService.prototype.applyScheduledAction = async function (...args: unknown[]) {
    const freeze = Math.random() < rate;
    const when = where === 'either' ? (Math.random() < 0.5 ? 'before' : 'after') : where;
    if (freeze && when === 'before') await hang(when, args);
    const result = await original.apply(this, args);
    if (freeze && when === 'after') await hang(when, args);
    return result;
  };
}
