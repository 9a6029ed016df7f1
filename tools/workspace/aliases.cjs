// @ts-check
/**
 * The one table of `@casegrid/*` path aliases is tsconfig.base.json's `paths` (what tsc and
 * ESLint read). Everything else that resolves an alias derives it from there, here: the
 * build's swc config (`node tools/workspace/aliases.cjs swcrc` writes it and prints its
 * path), Jest's module mapper (jest.config.js) and the console's Vite aliases.
 */
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '../..');
/**
 * Where the build's swc config is written: .swcrc with the aliases, a build product beside
 * the build's output (per checkout: its aliases resolve from its own root).
 */
const SWC_CONFIG_FILE = join(ROOT, 'dist/.swcrc.json');

/** @param {string} file */
const readJson = (file) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

/** @returns {Record<string, string>} each alias and its entry file, relative to the root */
const aliases = () =>
  Object.fromEntries(
    Object.entries(
      /** @type {Record<string, string[]>} */ (
        readJson('tsconfig.base.json').compilerOptions.paths
      ),
    ).map(([alias, [target]]) => [alias, /** @type {string} */ (target)]),
  );

/** .swcrc (how TypeScript is compiled) with the aliases, resolved from the root. */
const swcConfig = () => {
  const swc = readJson('.swcrc');
  const paths = Object.fromEntries(
    Object.entries(aliases()).map(([alias, target]) => [alias, [target]]),
  );
  return { ...swc, jsc: { ...swc.jsc, baseUrl: ROOT, paths } };
};

/** Writes the build's swc config and returns its path. */
const writeSwcConfig = () => {
  mkdirSync(join(SWC_CONFIG_FILE, '..'), { recursive: true });
  writeFileSync(SWC_CONFIG_FILE, `${JSON.stringify(swcConfig(), null, 2)}\n`);
  return SWC_CONFIG_FILE;
};

/** Jest's `moduleNameMapper` entries for the aliases. */
const jestModuleNameMapper = () =>
  Object.fromEntries(
    Object.entries(aliases()).map(([alias, target]) => [
      `^${alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`,
      `<rootDir>/${target}`,
    ]),
  );

module.exports = {
  ROOT,
  SWC_CONFIG_FILE,
  aliases,
  swcConfig,
  writeSwcConfig,
  jestModuleNameMapper,
};

if (require.main === module && process.argv[2] === 'swcrc') {
  process.stdout.write(`${writeSwcConfig()}\n`);
}
