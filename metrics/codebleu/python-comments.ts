/**
 * Comment and docstring removal as CodeBLEU does it before its syntax and dataflow steps.
 *
 * Port of `remove_comments_and_docstrings(source, lang)` from k4black/codebleu **0.7.1**
 * `codebleu/parser/utils.py` (itself CodeXGLUE's `parser/utils.py`, reformatted), both branches:
 *   - `lang == 'python'` → {@link removeCommentsAndDocstringsPython} (used by k4black);
 *   - any other lang (CodeXGLUE calls it with 'java' even for Python) → {@link removeCommentsJavaStyle}.
 *
 * The callers in both packages wrap each call in `try: ... except Exception: pass` and keep the
 * original text when it raises (k4black 0.7.1 `syntax_match.py::corpus_syntax_match` and
 * `dataflow_match.py::corpus_dataflow_match`, once for the candidate and once for the reference, inside
 * the per-reference loop). That wrapper is the caller's job; these functions throw where Python raises.
 */
import { generateTokens, pyStrip } from './python-tokenize.js';

/** `'\n'.join(x for x in text.split('\n') if x.strip() != "")` — the blank-line filter of both branches. */
function dropBlankLines(text: string): string {
  return text
    .split('\n')
    .filter((x) => pyStrip(x) !== '')
    .join('\n');
}

/**
 * k4black's 'python' branch, line for line. It rebuilds the source from CPython 3.11 `tokenize` tokens:
 * the gap before a token on the same row is re-emitted as `start_col - last_col` SPACES (so a tab inside
 * or before a line's first token becomes one space: tab-indented code is corrupted exactly as in the
 * reference), `#` comments are dropped, and a STRING is dropped when the previous token was INDENT,
 * NEWLINE, or when it starts at column 0 (docstring heuristic). Blank lines are removed at the end.
 *
 * @throws {PyTokenizeError} where CPython 3.11 tokenize raises (unterminated triple-quoted string or
 *   bracket at EOF, inconsistent dedent). Message format: "TokenError: ('EOF in multi-line string', (1, 0))".
 */
export function removeCommentsAndDocstringsPython(source: string): string {
  const out: string[] = [];
  let prevToktype = 'INDENT';
  let lastLineno = -1;
  let lastCol = 0;
  for (const tok of generateTokens(source)) {
    const [startLine, startCol] = tok.start;
    const [endLine, endCol] = tok.end;
    if (startLine > lastLineno) lastCol = 0;
    if (startCol > lastCol) out.push(' '.repeat(startCol - lastCol));
    if (tok.type === 'COMMENT') {
      // Remove comments
    } else if (tok.type === 'STRING') {
      // This series of conditionals removes docstrings:
      if (prevToktype !== 'INDENT') {
        // This is likely a docstring; double-check we're not inside an operator:
        if (prevToktype !== 'NEWLINE') {
          if (startCol > 0) out.push(tok.string);
        }
      }
    } else {
      out.push(tok.string);
    }
    prevToktype = tok.type;
    lastCol = endCol;
    lastLineno = endLine;
  }
  return dropBlankLines(out.join(''));
}

/**
 * CodeXGLUE's regex branch: `//…` to end of line and `/*…*\/` become one space, quoted '…' and "…"
 * spans are kept (so `//` inside them survives), then blank lines are dropped. For Python this eats
 * floor division (`a // b` → `a  `) and keeps `#` comments and docstrings — the reference behaviour.
 *
 * Python: `re.sub(r'//.*?$|/\*.*?\*\/|\'(?:\\.|[^\\\'])*\'|"(?:\\.|[^\\"])*"', replacer, source,
 * flags=re.DOTALL | re.MULTILINE)`. JS spelling: DOTALL `.` → `[^]`; MULTILINE `$` in Python matches only
 * before '\n' or at the very end, while JS's `m`-mode `$` also matches before \r, U+2028 and U+2029, so
 * it is written as `(?=\n|(?![^]))`.
 */
const JAVA_STYLE_RE = /\/\/[^]*?(?=\n|(?![^]))|\/\*[^]*?\*\/|'(?:\\[^]|[^\\'])*'|"(?:\\[^]|[^\\"])*"/gu;

export function removeCommentsJavaStyle(source: string): string {
  const replaced = source.replace(JAVA_STYLE_RE, (s) => (s.startsWith('/') ? ' ' : s));
  return dropBlankLines(replaced);
}
