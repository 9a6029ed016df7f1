import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `@casegrid/*` aliases have one table, tsconfig.base.json's `paths` (tsc, ESLint); the
 * build's swc config, Jest's module mapper and the console's Vite aliases derive from it
 * (tools/workspace/aliases.cjs). A lib added there resolves everywhere; no other file may
 * keep a table of its own that could fall behind.
 */
const root = join(__dirname, '../../..');
const json = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')) as unknown;
const tsconfig = json('tsconfig.base.json') as {
  compilerOptions: { paths: Record<string, string[]> };
};
/* eslint-disable @typescript-eslint/no-require-imports */
const derived = require(join(root, 'tools/workspace/aliases.cjs')) as {
  swcConfig(): { jsc: { baseUrl: string; paths: Record<string, string[]> } };
};
const jestConfig = require(join(root, 'jest.config.js')) as {
  projects: { moduleNameMapper: Record<string, string> }[];
};
/* eslint-enable @typescript-eslint/no-require-imports */

describe('the @casegrid path aliases', () => {
  const aliases = Object.entries(tsconfig.compilerOptions.paths);

  it.each(aliases)('%s names a file that exists', (_alias, [target]) => {
    expect(existsSync(join(root, target!))).toBe(true);
  });

  it('are the build’s (swc) as they are the type check’s, and kept nowhere else', () => {
    expect(derived.swcConfig().jsc).toMatchObject({
      baseUrl: root,
      paths: tsconfig.compilerOptions.paths,
    });
    expect(json('.swcrc')).not.toHaveProperty('jsc.paths');
    expect(json('apps/console/tsconfig.json')).not.toHaveProperty('compilerOptions.paths');
    expect(readFileSync(join(root, 'apps/console/vite.config.mts'), 'utf8')).not.toMatch(
      /'@casegrid\//,
    );
  });

  it.each(aliases)('%s resolves to the same file in every Jest project', (alias, [target]) => {
    for (const project of jestConfig.projects) {
      const entry = Object.entries(project.moduleNameMapper).find(([pattern]) =>
        new RegExp(pattern).test(alias),
      );
      expect([alias, entry && alias.replace(new RegExp(entry[0]), entry[1])]).toEqual([
        alias,
        `<rootDir>/${target}`,
      ]);
    }
  });
});
