/**
 * Comment and docstring removal as CodeBLEU does it before its syntax and dataflow steps.
 *
 * Port of `remove_comments_and_docstrings(source, lang)` from k4black/codebleu **0.7.1**
 * `codebleu/parser/utils.py` (itself CodeXGLUE's `parser/utils.py`, reformatted), both branches:
 *   - `lang == 'python'` → {@link removeCommentsAndDocstringsPython} (used by k4black);
 *   - any other lang (CodeXGLUE calls it with 'java' even for Python) → {@link removeCommentsJavaStyle}.
 *
 * The callers wrap each call and keep the original text when it raises: k4black 0.7.1
 * `syntax_match.py::corpus_syntax_match` and `dataflow_match.py::corpus_dataflow_match` use
 * `try: x = remove_comments_and_docstrings(x, lang) except Exception: pass`, once for the candidate and
 * once for the reference, inside the `for reference in references_sample` loop (so with several
 * references the candidate is re-stripped cumulatively); CodeXGLUE has the same shape with a bare
 * `except:` (its 'java' branch never raises). That wrapper is the caller's job; these functions throw
 * where Python raises.
 */
import { tokenizePython, pyStrip, type PyTokenType, type TokenSink } from './python-tokenize.js';

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
  const rebuild = new Rebuild();
  tokenizePython(source, rebuild);
  return dropBlankLines(rebuild.out.join(''));
}

/** The token loop of `remove_comments_and_docstrings` ('python' branch), fed by the tokenizer. */
class Rebuild implements TokenSink {
  readonly out: string[] = [];
  private prevToktype: PyTokenType = 'INDENT';
  private lastLineno = -1;
  private lastCol = 0;

  token(type: PyTokenType, string: string, startLine: number, startCol: number, endLine: number, endCol: number): void {
    if (startLine > this.lastLineno) this.lastCol = 0;
    if (startCol > this.lastCol) this.out.push(' '.repeat(startCol - this.lastCol));
    if (type === 'COMMENT') {
      // Remove comments
    } else if (type === 'STRING') {
      // This series of conditionals removes docstrings:
      if (this.prevToktype !== 'INDENT') {
        // This is likely a docstring; double-check we're not inside an operator:
        if (this.prevToktype !== 'NEWLINE') {
          if (startCol > 0) this.out.push(string);
        }
      }
    } else {
      this.out.push(string);
    }
    this.prevToktype = type;
    this.lastCol = endCol;
    this.lastLineno = endLine;
  }
}

/**
 * CodeXGLUE's regex branch: `//…` to end of line and `/*…*\/` become one space, quoted '…' and "…"
 * spans are kept (so `//` inside them survives), then blank lines are dropped. For Python this eats
 * floor division (`a // b` → `a  `) and keeps `#` comments and docstrings — the reference behaviour.
 *
 * Python: `re.sub(r'//.*?$|/\*.*?\*\/|\'(?:\\.|[^\\\'])*\'|"(?:\\.|[^\\"])*"', replacer, source,
 * flags=re.DOTALL | re.MULTILINE)`. {@link JAVA_STYLE_SPEC} is that regex spelled for JS (DOTALL `.` →
 * `[^]`; Python's MULTILINE `$` matches only before '\n' or at the very end, while JS's `m`-mode `$`
 * also matches before \r, U+2028 and U+2029, so it is written `(?=\n|(?![^]))`). The function itself
 * scans by hand: V8 throws "Maximum call stack size exceeded" on a quoted span of ~8 million characters
 * (one backtrack entry per character), where Python's `re` does not. The scan is the same leftmost-first
 * search: at each position try `//`, then `/*`, then a quote; on no match move one character on.
 */
export const JAVA_STYLE_SPEC = /\/\/[^]*?(?=\n|(?![^]))|\/\*[^]*?\*\/|'(?:\\[^]|[^\\'])*'|"(?:\\[^]|[^\\"])*"/gu;

const SLASH = 0x2f;
const STAR = 0x2a;
const BACKSLASH = 0x5c;
const SQUOTE = 0x27;
const DQUOTE = 0x22;

/** `q(?:\\.|[^\\q])*q` from just after the opening quote (DOTALL: an escape may take a newline); -1 if none. */
function javaQuotedEnd(s: string, from: number, q: number): number {
  const n = s.length;
  for (let j = from; j < n; ) {
    const c = s.charCodeAt(j);
    if (c === q) return j + 1;
    if (c === BACKSLASH) {
      if (j + 1 < n) j += 2;
      else return -1;
    } else j += 1;
  }
  return -1;
}

export function removeCommentsJavaStyle(source: string): string {
  const n = source.length;
  const out: string[] = [];
  let kept = 0; // source[kept:i] is copied unchanged
  // Memos that keep unterminated constructs linear (Python rescans them; the result is the same):
  // no '*/' at or after noCloseFrom; once a quote of one kind fails to close, every later one of that
  // kind fails too (its scan joins the failed scan's character boundaries right after the quote).
  let noCloseFrom = Infinity;
  let singleFails = false;
  let doubleFails = false;
  let i = 0;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === SLASH) {
      const d = source.charCodeAt(i + 1);
      let end = -1;
      if (d === SLASH) {
        end = source.indexOf('\n', i + 2);
        if (end === -1) end = n;
      } else if (d === STAR && i + 2 < noCloseFrom) {
        const close = source.indexOf('*/', i + 2);
        if (close === -1) noCloseFrom = i + 2;
        else end = close + 2;
      }
      if (end !== -1) {
        out.push(source.slice(kept, i), ' '); // note: a space and not an empty string
        kept = i = end;
        continue;
      }
    } else if ((c === SQUOTE && !singleFails) || (c === DQUOTE && !doubleFails)) {
      const end = javaQuotedEnd(source, i + 1, c);
      if (end !== -1) {
        i = end; // strings are kept as they are
        continue;
      }
      if (c === SQUOTE) singleFails = true;
      else doubleFails = true;
    }
    i += 1;
  }
  out.push(source.slice(kept));
  return dropBlankLines(out.join(''));
}
