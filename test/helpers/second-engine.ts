/**
 * A second Docker engine for tests, made by the test on this machine only: a network namespace with a veth
 * pair (private addresses on this host), and a dockerd inside it with its own data root, exec root and
 * containerd namespace, listening on tcp inside the namespace. Root is needed (CI runs as root). `kill()`
 * SIGKILLs it (and its containerd) as a crash would; `stop()` removes everything it made.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync } from 'node:fs';
import Docker from 'dockerode';

export interface SecondEngine {
  url: string;
  client: Docker;
  kill(): void;
  stop(): void;
}

const sh = (script: string) => execFileSync('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

export async function startSecondEngine(): Promise<SecondEngine> {
  if (process.getuid?.() !== 0) throw new Error('the two-engine tests need root (to make a network namespace and a second dockerd)');
  const tag = randomBytes(3).toString('hex');
  const ns = `apieval-e${tag}`;
  const host = `aeh${tag}`;
  const peer = `aec${tag}`;
  const net = 1 + (parseInt(tag, 16) % 250);
  const ip = `10.231.${net}.2`;
  const dir = `/tmp/apieval-engine-${tag}`;
  sh(`set -e
ip netns add ${ns}
ip link add ${host} type veth peer name ${peer}
ip link set ${peer} netns ${ns}
ip addr add 10.231.${net}.1/30 dev ${host}; ip link set ${host} up
ip netns exec ${ns} ip addr add ${ip}/30 dev ${peer}
ip netns exec ${ns} ip link set ${peer} up
ip netns exec ${ns} ip link set lo up`);
  mkdirSync(dir, { recursive: true });
  const log = openSync(`${dir}/dockerd.log`, 'a');
  // nsenter --net only (not `ip netns exec`, which remounts /sys and hides the cgroup hierarchy from dockerd).
  const child = spawn('nsenter', [`--net=/var/run/netns/${ns}`, 'dockerd', '--host', `tcp://${ip}:2375`, '--tls=false', '--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`,
    '--pidfile', `${dir}/dockerd.pid`, '--bridge=none', '--iptables=false', '--ip6tables=false', '--containerd-namespace', `apieval-${tag}`, '--containerd-plugins-namespace', `apieval-${tag}-p`],
    { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const client = new Docker({ protocol: 'http', host: ip, port: 2375 });
  const killAll = () => {
    try {
      // `[/]tmp…`: the pattern does not match this shell's own command line.
      sh(`pkill -9 -f -- '[/]tmp/apieval-engine-${tag}' || true`);
    } catch {
      /* nothing left */
    }
  };
  const stop = () => {
    killAll();
    try {
      sh(`for m in $(awk '{print $2}' /proc/mounts | grep -F '${dir}' | sort -r); do umount -l "$m" || true; done
ip netns del ${ns} 2>/dev/null || true
ip link del ${host} 2>/dev/null || true
rm -rf '${dir}'`);
    } catch {
      /* best effort */
    }
  };
  for (let i = 0; i < 120; i++) {
    try {
      await client.ping();
      return { url: `tcp://${ip}:2375`, client, kill: killAll, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  stop();
  throw new Error(`the second dockerd did not answer within 60 s (log: ${dir}/dockerd.log)`);
}
