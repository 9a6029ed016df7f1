import { execFileSync } from 'node:child_process';

/** The libraries whose speed the bench reports; local edits to them change the figures. */
const MEASURED_SOURCES = ['libs/kernel/event-store', 'libs/kernel/domain'];

/**
 * Which code the figures belong to: the commit, and whether the measured libraries had
 * uncommitted changes (someone trying a patch, for instance).
 */
export const describeCode = (root: string): string => {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8' });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    // Porcelain lines are "XY path": two status letters, a space, the path.
    const changed = git('status', '--porcelain', '--', ...MEASURED_SOURCES)
      .split('\n')
      .filter((line) => line.length > 3)
      .map((line) => line.slice(3));
    return changed.length === 0
      ? `commit ${commit}, event store unchanged from it`
      : `commit ${commit} with uncommitted changes to ${changed.join(', ')}`;
  } catch {
    return 'unknown (no git)';
  }
};
