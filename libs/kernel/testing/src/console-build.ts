import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');
const CONSOLE_SOURCES = join(ROOT, 'apps/console');
const BUILT = join(ROOT, 'dist/console/index.html');

const newestSource = (dir: string): number =>
  Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    }),
  );

/** `npm test` runs without `npm run build`: build the console when it is missing or stale. */
export function ensureConsoleBuilt(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestSource(CONSOLE_SOURCES)) return;
  execFileSync(
    join(ROOT, 'node_modules/.bin/vite'),
    ['build', '--config', 'apps/console/vite.config.mts', '--logLevel', 'error'],
    { cwd: ROOT, stdio: 'inherit' },
  );
}
