import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHostMount } from '../sandbox/mount-policy.js';
import { runCli } from './helpers/cli.js';

const base = mkdtempSync(join(tmpdir(), 'apieval-mounts-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const home = join(base, 'home', 'alice');
mkdirSync(join(home, '.cache', 'huggingface'), { recursive: true });
const env = { HOME: home };

describe('--hf-cache mounts', () => {
  it('refuses the root, system folders, the home folder, its parents and any folder holding the Docker socket', () => {
    const refused: [string, RegExp, NodeJS.ProcessEnv?][] = [
      ['/', /it is the host's root folder/],
      ['/etc', /it is the system folder \/etc/],
      ['/etc/ssl', /inside the system folder \/etc/],
      ['/proc/self', /inside the system folder \/proc/],
      ['/usr', /it is the system folder \/usr/],
      ['/var', /it is the system folder \/var/],
      ['/home', /system folder \/home/],
      [home, /it is the home folder itself/],
      [join(base, 'home'), /it holds the home folder/],
    ];
    const link = join(base, 'root-link');
    symlinkSync('/', link);
    refused.push([link, /it is the host's root folder/]);
    const sockDir = join(base, 'engine');
    mkdirSync(join(sockDir, 'run'), { recursive: true });
    writeFileSync(join(sockDir, 'run', 'docker.sock'), '');
    refused.push([sockDir, /it holds the Docker socket .*docker\.sock/, { DOCKER_HOST: `unix://${join(sockDir, 'run', 'docker.sock')}` }]);
    for (const [dir, why, extra] of refused) {
      expect(() => checkHostMount('--hf-cache', dir, { ...env, ...extra }), dir).toThrow(why);
      expect(() => checkHostMount('--hf-cache', dir, { ...env, ...extra }), dir).toThrow(/^--hf-cache .*: refused, .*; mount the Hugging Face cache folder itself/);
    }
  });

  it('accepts a cache folder under the home folder or elsewhere, returning its real path', () => {
    expect(checkHostMount('--hf-cache', join(home, '.cache', 'huggingface'), env)).toBe(join(home, '.cache', 'huggingface'));
    const other = join(base, 'data', 'hf');
    mkdirSync(other, { recursive: true });
    symlinkSync(other, join(base, 'hf-link'));
    expect(checkHostMount('--hf-cache', join(base, 'hf-link'), env)).toBe(other);
    expect(() => checkHostMount('--hf-cache', join(base, 'nope'), env)).toThrow('--hf-cache ' + join(base, 'nope') + ': no such directory');
  });

  it('exec --hf-cache / is refused before any container starts: one line, exit 2', () => {
    const input = join(base, 'p.jsonl');
    writeFileSync(input, JSON.stringify({ id: 'a', code: 'print(1)' }) + '\n');
    const r = runCli(['exec', '--input', input, '--output', join(base, 'o.jsonl'), '--hf-cache', '/']);
    expect(r.stderr).toBe("apieval: --hf-cache /: refused, it is the host's root folder: sandboxed programs could read every host file; mount the Hugging Face cache folder itself (e.g. ~/.cache/huggingface)\n");
    expect(r.status).toBe(2);
  });
});
