/** Per-engine accounting of a run over several Docker engines: pure, for the manifest and merge. */
/** What each engine did in a run (the manifest's `engines`). */
export interface EngineStats {
  engine: string;
  concurrency: number;
  /** Programs this engine returned a verdict for. */
  programs: number;
  /** Infrastructure failures on this engine (retried elsewhere). */
  failures: number;
  /** Taken out of the run (stopped answering). */
  lost: boolean;
}

/** Per-engine totals over several runs of `executePrograms` (the gold gate, then the samples). */
export function addEngineStats(into: EngineStats[], more: readonly EngineStats[] | undefined): EngineStats[] {
  for (const s of more ?? []) {
    const t = into.find((x) => x.engine === s.engine);
    if (!t) into.push({ ...s });
    else {
      t.programs += s.programs;
      t.failures += s.failures;
      t.lost ||= s.lost;
    }
  }
  return into;
}
