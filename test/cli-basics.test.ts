import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

describe('apieval CLI', () => {
  it('prints its version', () => {
    const r = runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it('rejects an unknown command with exit code 2 and no stack trace', () => {
    const r = runCli(['no-such-command']);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});
