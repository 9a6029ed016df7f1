import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `@casegrid/*` aliases live in three places, read by three tools: tsconfig.base.json
 * (tsc, eslint), .swcrc (the build `npm start` runs) and jest.config.js (the tests). A lib
 * added to one and not the others builds and tests fine but fails at start: they must agree.
 */
const root = join(__dirname, '../../..');
const json = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')) as unknown;
const tsconfig = json('tsconfig.base.json') as {
  compilerOptions: { paths: Record<string, string[]> };
};
const swc = json('.swcrc') as { jsc: { paths: Record<string, string[]> } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jestConfig = require(join(root, 'jest.config.js')) as {
  projects: { moduleNameMapper: Record<string, string> }[];
};

describe('the @casegrid path aliases', () => {
  const aliases = Object.entries(tsconfig.compilerOptions.paths);

  it('are the same for the build (.swcrc) as for the type check', () => {
    expect(swc.jsc.paths).toEqual(tsconfig.compilerOptions.paths);
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
