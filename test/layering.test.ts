/**
 * The import graph of the runtime code (core, harness, metrics, sandbox, reports, trainers), read from the
 * sources: every relative `import … from`, `export … from`, `import type` and `import('…')` counts, since a
 * type or lazy import is still a dependency between modules. The layering rules (issue 16):
 *
 * - no cycles;
 * - metrics/ is pure: it imports nothing outside metrics/;
 * - core/ imports nothing of the project; sandbox/ and reports/ import core/ and metrics/, never harness/;
 * - harness/cli/ is the top: nothing else under harness/ imports it;
 * - a command module never imports another command module;
 * - runtime code never imports test/ or fixtures/ (the npm package ships neither as code); a metric's own
 *   tests (metrics/<name>/*.test.ts) are not runtime code.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO } from './helpers/cli.js';

const LAYERS = ['core', 'harness', 'metrics', 'sandbox', 'reports', 'trainers'];

function sources(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) {
        if (f !== 'node_modules' && f !== 'python') walk(p);
      } else if (p.endsWith('.ts') && !p.endsWith('.d.ts') && !p.endsWith('.test.ts')) out.push(p);
    }
  };
  for (const l of LAYERS) walk(join(REPO, l));
  return out;
}

/** Module → the project modules it imports (paths relative to the repository). */
function importGraph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  const SPEC = /(?:^|[\s;])(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)|^import\s+'(\.{1,2}\/[^']+)'/gms;
  for (const file of sources()) {
    const deps = new Set<string>();
    for (const m of readFileSync(file, 'utf8').matchAll(SPEC)) {
      const spec = (m[1] ?? m[2] ?? m[3]).replace(/\.js$/, '.ts');
      const target = resolve(dirname(file), spec);
      const rel = relative(REPO, target);
      if (existsSync(target) || rel.startsWith('test/') || rel.startsWith('fixtures/')) deps.add(rel);
    }
    g.set(relative(REPO, file), [...deps]);
  }
  return g;
}

function cycles(g: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 1);
    stack.push(n);
    for (const m of g.get(n) ?? []) {
      if (state.get(m) === 1) found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of g.keys()) if (!state.has(n)) visit(n);
  return found;
}

describe('layering of the runtime code', () => {
  const g = importGraph();

  it('reads the whole tree', () => {
    expect(g.size).toBeGreaterThan(140);
    expect(g.get('harness/cli/program.ts')).toContain('harness/cli/commands/eval.ts');
  });

  it('has no import cycles (type and lazy imports included)', () => {
    expect(cycles(g).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('imports only downwards', () => {
    const bad: string[] = [];
    for (const [f, deps] of g) {
      for (const d of deps) {
        const why =
          (f.startsWith('metrics/') && !d.startsWith('metrics/') && 'metrics/ is pure') ||
          (f.startsWith('core/') && !d.startsWith('core/') && 'core/ imports nothing of the project') ||
          ((f.startsWith('sandbox/') || f.startsWith('reports/')) && d.startsWith('harness/') && 'sandbox/ and reports/ never import harness/') ||
          (f.startsWith('harness/') && !f.startsWith('harness/cli/') && d.startsWith('harness/cli/') && 'only the CLI imports the CLI') ||
          (f.startsWith('harness/cli/commands/') && d.startsWith('harness/cli/commands/') && 'a command never imports another command') ||
          ((d.startsWith('test/') || d.startsWith('fixtures/')) && 'runtime code never imports test/ or fixtures/');
        if (why) bad.push(`${f} -> ${d}: ${why}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
