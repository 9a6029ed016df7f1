import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const json = (file: string): { compilerOptions?: unknown; jsc?: unknown } =>
  JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { compilerOptions?: unknown };

describe('the build', () => {
  it('maps every workspace import the type checker knows, or a built service cannot start', () => {
    const typecheck = (json('tsconfig.base.json').compilerOptions as { paths: object }).paths;
    const build = (json('.swcrc').jsc as { paths: object }).paths;
    expect(build).toEqual(typecheck);
  });
});
