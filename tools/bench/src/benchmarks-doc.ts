import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';

const BEGIN = '<!-- bench:results:begin (written by npm run bench; edit outside these markers) -->';
const END = '<!-- bench:results:end -->';

const fresh = (region: string): string => `# Event store benchmarks\n\n${region}\n`;

/**
 * Writes the figures between the markers and keeps everything else: the analysis around
 * them is written by hand and must survive the next run. The file is formatted with the
 * repository's Prettier settings so that `npm run format:check` stays green after a run.
 */
export const writeBenchmarksDoc = async (path: string, results: string): Promise<void> => {
  const region = `${BEGIN}\n\n${results}\n\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const begin = current?.indexOf(BEGIN) ?? -1;
  const end = current?.indexOf(END) ?? -1;
  const next =
    current === undefined
      ? fresh(region)
      : begin >= 0 && end > begin
        ? current.slice(0, begin) + region + current.slice(end + END.length)
        : `${current.trimEnd()}\n\n${region}\n`;
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(next, { ...options, filepath: path }));
};
