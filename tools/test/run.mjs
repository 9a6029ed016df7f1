#!/usr/bin/env node
// `npm test`: the static checks (type check, ESLint, Prettier) and Jest's three tiers at
// the same time. Jest's workers spend much of a suite waiting on PostgreSQL, the broker or
// a browser, and the checks use those idle cores: the run ends about when Jest does,
// instead of a minute later. The checks' output is held and printed whole at the end; if
// they fail, Jest is stopped at once and the run fails, as fast as checking first would.
import { spawn } from 'node:child_process';

const checks = spawn('npm', ['run', '-s', 'check'], { stdio: ['ignore', 'pipe', 'pipe'] });
const held = [];
checks.stdout.on('data', (chunk) => held.push(chunk));
checks.stderr.on('data', (chunk) => held.push(chunk));
const checked = new Promise((resolve) => checks.on('close', (code) => resolve(code ?? 1)));

const jest = spawn(
  'npx',
  ['jest', '--selectProjects', 'unit', 'int', 'e2e', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    detached: true, // its own process group, so that stopping it stops its workers too
  },
);
const tested = new Promise((resolve) => jest.on('close', (code) => resolve(code ?? 1)));

const stopJest = () => {
  try {
    process.kill(-jest.pid, 'SIGTERM');
  } catch {
    // already gone
  }
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopJest();
    checks.kill(signal);
    process.exit(130);
  });
}

const checkCode = await checked;
process.stdout.write(Buffer.concat(held));
if (checkCode !== 0) {
  process.stderr.write(`\nnpm test: the checks failed (exit ${checkCode}); Jest stopped.\n`);
  stopJest();
  await tested;
  process.exit(checkCode);
}
process.stderr.write('\nnpm test: type check, ESLint and Prettier passed.\n');
process.exit(await tested);
