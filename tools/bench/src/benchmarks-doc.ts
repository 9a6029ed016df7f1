import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';

/** `results`: the event store's section; `supervision`: the deadline clocks'. */
const beginMarker = (region: string): string =>
  `<!-- bench:${region}:begin (written by npm run bench; edit outside these markers) -->`;
const endMarker = (region: string): string => `<!-- bench:${region}:end -->`;

const fresh = (region: string): string => `# Event store benchmarks\n\n${region}\n`;

/**
 * Writes the figures between the markers and keeps everything else: the analysis around
 * them is written by hand and must survive the next run. The file is formatted with the
 * repository's Prettier settings so that `npm run format:check` stays green after a run.
 */
export const writeBenchmarksDoc = async (
  path: string,
  results: string,
  name = 'results',
): Promise<void> => {
  const [BEGIN, END] = [beginMarker(name), endMarker(name)];
  const region = `${BEGIN}\n\n${results}\n\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const from = current?.indexOf(BEGIN) ?? -1;
  const to = current?.indexOf(END) ?? -1;
  const next =
    current === undefined
      ? fresh(region)
      : from >= 0 && to > from
        ? current.slice(0, from) + region + current.slice(to + END.length)
        : `${current.trimEnd()}\n\n${region}\n`;
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(next, { ...options, filepath: path }));
};
