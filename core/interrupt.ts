/**
 * The one Ctrl-C rule of every long-running command: the first SIGINT (or SIGTERM) says what happens and
 * aborts the returned signal — requests in flight are cancelled, the sandbox removes the run's containers,
 * and the command saves what is finished and exits — a second one exits at once (130).
 */
export interface Interrupt {
  signal: AbortSignal;
  /** Removes the handlers (the default Ctrl-C applies again). */
  dispose(): void;
}

export function interruptOnSignal(message: string, write: (line: string) => void = (l) => void process.stderr.write(l + '\n')): Interrupt {
  const ctl = new AbortController();
  const handler = (): void => {
    if (ctl.signal.aborted) process.exit(130);
    write(message);
    ctl.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ctl.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
