/**
 * metrics/tree-sitter/parser.ts keeps the last few trees: a repeated text (the AST match and CodeBLEU-api
 * parse the same api_call substring) is parsed once, and a cached tree equals a fresh parse.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../metrics/tree-sitter/parser.js';

const columns = (t: ReturnType<typeof parse>) => [t.symbol, t.flags, t.field, t.start, t.end, t.startRow, t.startCol, t.endRow, t.endCol, t.parent, t.childCount, t.firstChild, t.nextSibling].map((c) => Array.from(c));

describe('parse cache', () => {
  it('returns the same tree for a text parsed again soon after, and an equal fresh tree once it has left the window', () => {
    const text = "pipeline('fill-mask', model='bert-base-uncased')";
    const a = parse(text);
    expect(parse(text)).toBe(a);
    for (let i = 0; i < 40; i++) parse(`x${i} = f(${i})`);
    const b = parse(text);
    expect(b).not.toBe(a);
    expect(b.size).toBe(a.size);
    expect(columns(b)).toEqual(columns(a));
    expect(b.source).toBe(text);
  });

  it('does not confuse different texts', () => {
    const a = parse('f(1)');
    const b = parse('f(1, 2)');
    expect(b.size).toBeGreaterThan(a.size);
    expect(parse('f(1)')).toBe(a);
    expect(parse('é = 1').ascii).toBe(false);
  });
});
