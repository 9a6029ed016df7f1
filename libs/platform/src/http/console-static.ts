import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { isConsolePath, pathOf } from '../security/security-headers';

/**
 * Where the built console is: `dist/console` of the workspace this file runs in (the
 * nearest folder with a package.json, from `dist/libs/…` in a build and from `libs/…`
 * under Jest), when its `index.html` is there. A process without it serves the API only.
 */
export function findConsoleDir(from: string = __dirname): string | undefined {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (!existsSync(join(dir, 'package.json'))) continue;
    const consoleDir = join(dir, 'dist', 'console');
    return existsSync(join(consoleDir, 'index.html')) ? consoleDir : undefined;
  }
  return undefined;
}

/**
 * Serves the console's static files at `/` next to the API on the same port. Vite names
 * its assets by content hash, so they may be cached for a year; `index.html` must be
 * revalidated so a new build is picked up at once. Any other GET outside the API that
 * asks for HTML gets `index.html` (the console routes in the browser).
 */
export function serveConsole(app: NestExpressApplication, dir: string): void {
  const index = readFileSync(join(dir, 'index.html'));
  app.useStaticAssets(dir, {
    index: false,
    setHeaders: (response: ServerResponse, path: string) => {
      const immutable = path.includes(`${join(dir, 'assets')}`);
      response.setHeader(
        'Cache-Control',
        immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  app.use((request: IncomingMessage, response: ServerResponse, next: () => void) => {
    const path = pathOf(request);
    const wantsPage = request.method === 'GET' || request.method === 'HEAD';
    if (!wantsPage || !isConsolePath(path) || !/html|\*\/\*/.test(request.headers.accept ?? '')) {
      next();
      return;
    }
    response.statusCode = 200;
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache');
    response.end(request.method === 'HEAD' ? undefined : index);
  });
}
