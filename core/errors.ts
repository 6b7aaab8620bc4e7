/**
 * An error caused by the user's input or environment (a malformed line, a missing file, an engine that
 * is not running). The CLI prints its message as one line and exits with `exitCode`; it never shows a
 * stack trace for these. Anything else that escapes is a bug and is reported as such.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}

/** `file:line: message` — the one format every input error uses, so editors can jump to it. */
export function inputError(file: string, line: number | undefined, message: string): UserError {
  return new UserError(line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`);
}
