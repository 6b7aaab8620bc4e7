import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Debian mirror apt on this machine already uses (debootstrap must reach nothing else). Reads
 * one-line `deb URI SUITE ...` entries and deb822 `.sources` stanzas; prefers an entry that carries
 * `suite` itself (not -security / -updates).
 */
export function debianMirror(suite: string, root = '/etc/apt'): string | null {
  const entries: { uri: string; suites: string[] }[] = [];
  const files: string[] = [];
  if (existsSync(join(root, 'sources.list'))) files.push(join(root, 'sources.list'));
  const d = join(root, 'sources.list.d');
  if (existsSync(d)) for (const f of readdirSync(d).sort()) files.push(join(d, f));
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    if (f.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim().split(/\s+/) ?? [];
        if (!field('Types').includes('deb')) continue;
        for (const uri of field('URIs')) entries.push({ uri, suites: field('Suites') });
      }
    } else if (f.endsWith('.list')) {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m) entries.push({ uri: m[1], suites: [m[2]] });
      }
    }
  }
  const hit = entries.find((e) => e.suites.includes(suite) && /debian\/?$/.test(e.uri)) ?? entries.find((e) => e.suites.includes(suite));
  return hit ? hit.uri.replace(/\/$/, '') : null;
}
