/**
 * The Python keyword lists of the two CodeBLEU variants, copied as data (weighted n-gram match gives
 * a keyword unigram weight 1 and any other token 0.2).
 *
 * - k4black/codebleu 0.7.1 `codebleu/keywords/python.txt`: the 35 keywords plus `match`, `case`, `type`.
 * - CodeXGLUE `Code-Code/code-to-code-trans/evaluator/CodeBLEU/keywords/python.txt` (ac74a62): the 35
 *   keywords. The file has CRLF line endings, which the reader's `.strip()` removes, so the CR is not
 *   part of any keyword.
 */
const CODEXGLUE = [
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def',
  'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda',
  'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
];

const K4BLACK = [...CODEXGLUE, 'match', 'case', 'type'];

export const PYTHON_KEYWORDS_K4BLACK: ReadonlySet<string> = new Set(K4BLACK);
export const PYTHON_KEYWORDS_CODEXGLUE: ReadonlySet<string> = new Set(CODEXGLUE);
