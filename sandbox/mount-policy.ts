/**
 * What the sandbox may mount from the host. The only mount is the Hugging Face cache (`--hf-cache`),
 * read-only at /hf, but read-only is not enough: untrusted code reads whatever the folder holds. So a
 * folder is refused when mounting it would show the programs more than a model cache:
 *
 * - `/` itself, or a folder that holds the home folder or another user's (`/home`, `/root`);
 * - a system folder or one inside it (`/etc`, `/proc`, `/sys`, `/dev`, `/boot`, `/run`, `/var/run`,
 *   `/var/lib/docker`), or one of the top-level trees that hold the system (`/usr`, `/var`, `/bin`, …);
 * - the home folder itself (its dotfiles hold keys and tokens; `~/.cache/huggingface` is fine);
 * - any folder that holds the Docker socket (a program that reached it would control the host).
 *
 * Paths are compared after resolving symlinks, so a link to `/` is `/`.
 */
import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve, sep } from 'node:path';
import { UserError } from '../core/errors.js';

/** Folders whose contents are the system's: refused, and so is anything inside them. */
const SYSTEM_TREES = ['/etc', '/proc', '/sys', '/dev', '/boot', '/run', '/var/run', '/var/lib/docker', '/var/lib/containerd', '/var/log'];
/** Top-level folders that hold the system or many users' files: refused themselves (a folder below may be a cache). */
const SYSTEM_TOPS = ['/', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/usr', '/usr/local', '/var', '/var/lib', '/home', '/root', '/opt', '/srv', '/mnt', '/media', '/tmp', '/var/tmp'];

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

const within = (child: string, dir: string): boolean => child === dir || child.startsWith(dir === sep ? sep : dir + sep);

/** The Docker sockets this host may use (the default ones and a unix:// DOCKER_HOST). */
function dockerSockets(env: NodeJS.ProcessEnv): string[] {
  const out = ['/var/run/docker.sock', '/run/docker.sock'];
  const h = env.DOCKER_HOST;
  if (h?.startsWith('unix://')) out.push(h.slice('unix://'.length));
  return out.map(real);
}

/** Refuses a folder that must not be mounted into the sandbox (see the header), with why; returns its real path. */
export function checkHostMount(flag: string, dir: string, env: NodeJS.ProcessEnv = process.env): string {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UserError(`${flag} ${dir}: no such directory`);
  }
  if (!st.isDirectory()) throw new UserError(`${flag} ${dir}: not a directory`);
  const p = real(dir);
  const why = (reason: string) => new UserError(`${flag} ${dir}: refused, ${reason}; mount the Hugging Face cache folder itself (e.g. ~/.cache/huggingface)`);
  if (p === sep) throw why('it is the host\'s root folder: sandboxed programs could read every host file');
  for (const t of SYSTEM_TREES) if (within(p, real(t))) throw why(`it is ${p === real(t) ? 'the system folder' : 'inside the system folder'} ${t}`);
  for (const t of SYSTEM_TOPS) if (p === real(t)) throw why(`it is the system folder ${t}, which holds far more than a model cache`);
  const home = env.HOME ? real(env.HOME) : real(homedir());
  if (p === home) throw why('it is the home folder itself, whose dotfiles hold keys and tokens');
  if (within(home, p)) throw why(`it holds the home folder ${home}`);
  for (const s of dockerSockets(env)) if (within(s, p)) throw why(`it holds the Docker socket ${s}: a program that reached it would control the host`);
  return p;
}
