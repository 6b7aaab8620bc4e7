/**
 * What the whole-process bench scripts (trainers, reward, ppo) share: the Markdown table they print (each row as
 * it is measured, then the whole table, ready for the README), the median they report, and the `kind: step`
 * records of a training run's metrics.jsonl.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export class MarkdownTable {
  private readonly rows: string[] = [];
  /** `align`: one Markdown alignment cell per column (`---` or `---:`). */
  constructor(private readonly header: string[], private readonly align: string[]) {}

  /** Prints the row at once (a long run shows progress) and keeps it for `print()`. */
  add(cells: (string | number)[]): void {
    const line = `| ${cells.join(' | ')} |`;
    console.log(line);
    this.rows.push(line);
  }

  print(): void {
    console.log(`\n| ${this.header.join(' | ')} |`);
    console.log(`|${this.align.join('|')}|`);
    for (const l of this.rows) console.log(l);
  }
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The per-step records of a training run (`apieval train sft|ppo` write them to RUN/metrics.jsonl). */
export function stepMetrics(runDir: string): Record<string, number>[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as Record<string, number> & { kind: string }).filter((m) => m.kind === 'step');
}
