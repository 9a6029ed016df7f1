// The npm registry reachable from our machines serves only the platform packages of
// linux-x64, so `npm install` cannot record the other platforms' optional binaries
// (@swc/core-darwin-arm64 …) and `npm ci` then refuses the lockfile ("Missing: … from lock
// file"). This adds those entries with the os/cpu/libc their names declare, so npm ci
// skips them as incompatible optional packages, as it would with a full lockfile.
// Run after changing dependencies: node tools/lockfile/add-foreign-platform-entries.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const OS = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony'];
const CPU = {
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  arm: 'arm',
  ppc64: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

const platformOf = (name) => {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.map((p) => CPU[p]).find(Boolean);
  if (!os || !cpu) return undefined;
  const libc = parts.some((p) => p.startsWith('musl'))
    ? 'musl'
    : parts.includes('gnu') || parts.some((p) => p.startsWith('gnueabi'))
      ? 'glibc'
      : undefined;
  return { os, cpu, libc };
};

let added = 0;
for (const [where, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const platform = platformOf(name);
    if (!platform) continue;
    // Where npm would place it: at the top unless another version holds that place.
    const top = lock.packages[`node_modules/${name}`];
    const exact = /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version);
    if (top && !exact) continue;
    if (!exact)
      throw new Error(`${name}: cannot place a range (${version}) without a resolved version`);
    const at =
      !top || top.version === version ? `node_modules/${name}` : `${where}/node_modules/${name}`;
    if (lock.packages[at]) continue;
    lock.packages[at] = {
      version,
      cpu: [platform.cpu],
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [platform.os],
    };
    added += 1;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} foreign-platform entries`);
