/** Inputs nested `n` levels deep in four ways (CodeBLEU's recursion-limit tests). */
export function deepPattern(kind: 'parens' | 'lists' | 'calls' | 'binop', n: number): string {
  if (kind === 'parens') return 'x = ' + '('.repeat(n) + 'y' + ')'.repeat(n) + '\nz = x';
  if (kind === 'lists') return 'x = ' + '['.repeat(n) + 'y' + ']'.repeat(n) + '\nz = x';
  if (kind === 'calls') return 'x = ' + 'f('.repeat(n) + 'y' + ')'.repeat(n) + '\nz = x';
  return 'x = ' + Array.from({ length: n }, (_, i) => 'a' + i).join(' + ') + '\nz = x';
}
