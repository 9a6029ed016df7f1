export interface ConfigProblem {
  /** The environment variable at fault, e.g. `PORT`. */
  readonly variable: string;
  readonly message: string;
}

/**
 * Thrown at boot when the environment does not describe a runnable system. It lists every
 * bad variable at once, so that an operator fixes the deployment in one round, not one
 * restart per typo.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `invalid configuration: ${problems.length} problem(s)\n` +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
  }

  get variables(): readonly string[] {
    return this.problems.map((p) => p.variable);
  }
}
