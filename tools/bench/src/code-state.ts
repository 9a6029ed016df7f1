import { execFileSync } from 'node:child_process';

/** The sources whose speed a section reports; local edits to them change the figures. */
export interface MeasuredSources {
  readonly label: string;
  readonly paths: readonly string[];
}

export const STORE_SOURCES: MeasuredSources = {
  label: 'event store',
  paths: ['libs/kernel/event-store', 'libs/kernel/domain'],
};
export const SUPERVISION_SOURCES: MeasuredSources = {
  label: 'event store and supervision',
  paths: [...STORE_SOURCES.paths, 'libs/supervision/domain', 'services/supervision'],
};
/** Registrations end to end cross every service and the runtime that composes them. */
export const HTTP_SOURCES: MeasuredSources = {
  label: 'services and libraries',
  paths: ['libs', 'services', 'tools/topology'],
};

/**
 * Which code the figures belong to: the commit, and whether the measured libraries had
 * uncommitted changes (someone trying a patch, for instance).
 */
export const describeCode = (root: string, sources: MeasuredSources = STORE_SOURCES): string => {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8' });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    // Porcelain lines are "XY path": two status letters, a space, the path.
    const changed = git('status', '--porcelain', '--', ...sources.paths)
      .split('\n')
      .filter((line) => line.length > 3)
      .map((line) => line.slice(3));
    return changed.length === 0
      ? `commit ${commit}, ${sources.label} unchanged from it`
      : `commit ${commit} with uncommitted changes to ${changed.join(', ')}`;
  } catch {
    return 'unknown (no git)';
  }
};
