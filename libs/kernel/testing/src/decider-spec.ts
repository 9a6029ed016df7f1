import { fold, type Decider, type Message } from '@casegrid/kernel';

/**
 * Domain specs that read like the rules (STYLE.md, Tests), after emmett's
 * `DeciderSpecification`:
 *
 *   const spec = deciderSpec(caseDecider);
 *   spec.given([registered]).when(dispatch).then([dispatched]);
 *   spec.given([closed]).when(dispatch).thenThrows('illegal_state');
 *
 * Assertions use Jest's global `expect`, read at call time so that importing this module
 * outside a test (e.g. from the global setup, through the barrel) stays harmless.
 */
export interface DeciderSpec<Cmd, Evt> {
  given(events: readonly Evt[]): DeciderSpecGiven<Cmd, Evt>;
  /** Shorthand for `given([])`: a stream with no history. */
  when(command: Cmd): DeciderSpecOutcome<Evt>;
}

export interface DeciderSpecGiven<Cmd, Evt> {
  when(command: Cmd): DeciderSpecOutcome<Evt>;
}

export interface DeciderSpecOutcome<Evt> {
  /**
   * Decide yields exactly these events, in order. Compared with `toEqual`, so asymmetric
   * matchers (`expect.any(String)`) fit fields the spec does not care about.
   */
  then(expected: readonly Evt[]): void;
  /** Decide fails with an error whose string `code` is this (and message matches). */
  thenThrows(code: string, message?: string | RegExp): void;
  /** Decide accepts the command and changes nothing (an idempotent repeat, say). */
  thenNothing(): void;
}

type Outcome<Evt> =
  | { readonly kind: 'events'; readonly events: readonly Evt[] }
  | { readonly kind: 'error'; readonly error: unknown };

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

const errorCode = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
};

export const deciderSpec = <State, Cmd extends Message, Evt extends Message>(
  decider: Decider<State, Cmd, Evt>,
): DeciderSpec<Cmd, Evt> => {
  const run = (history: readonly Evt[], command: Cmd): Outcome<Evt> => {
    // Folding the history is outside the try: evolve must never throw, and if it does
    // that is a bug to surface, not an outcome of the command.
    const state = fold(decider.evolve, decider.initialState(), history);
    try {
      return { kind: 'events', events: decider.decide(command, state) };
    } catch (error) {
      return { kind: 'error', error };
    }
  };

  const outcome = (history: readonly Evt[], command: Cmd): DeciderSpecOutcome<Evt> => {
    const events = (): readonly Evt[] => {
      const result = run(history, command);
      if (result.kind === 'error') {
        throw new Error(`expected events, but decide threw ${describeError(result.error)}`, {
          cause: result.error,
        });
      }
      return result.events;
    };
    return {
      then: (expected) => expect(events()).toEqual(expected),
      thenNothing: () => expect(events()).toEqual([]),
      thenThrows: (code, message) => {
        const result = run(history, command);
        if (result.kind === 'events') {
          throw new Error(
            `expected decide to fail with "${code}", but it decided ` +
              `${JSON.stringify(result.events.map((e) => e.type))}`,
          );
        }
        const actual = errorCode(result.error);
        if (actual === undefined) {
          throw new Error(
            `expected an error with code "${code}", but decide threw one without a code: ` +
              describeError(result.error),
            { cause: result.error },
          );
        }
        const text = result.error instanceof Error ? result.error.message : String(result.error);
        expect({ code: actual, message: text }).toEqual({
          code,
          message:
            message === undefined
              ? expect.anything()
              : typeof message === 'string'
                ? expect.stringContaining(message)
                : expect.stringMatching(message),
        });
      },
    };
  };

  return {
    given: (history) => ({ when: (command) => outcome(history, command) }),
    when: (command) => outcome([], command),
  };
};
