import type { Message } from './messages';

/**
 * A decider (emmett, Chassaing): the whole behaviour of an aggregate as three pure
 * functions. `evolve` must never throw: history is history, and an inspector's replay
 * must not fail on an old event.
 */
export interface Decider<State, Cmd extends Message, Evt extends Message> {
  readonly initialState: () => State;
  readonly decide: (command: Cmd, state: State) => readonly Evt[];
  readonly evolve: (state: State, event: Evt) => State;
}

export const fold = <State, Evt>(
  evolve: (state: State, event: Evt) => State,
  initial: State,
  events: Iterable<Evt>,
): State => {
  let state = initial;
  for (const event of events) state = evolve(state, event);
  return state;
};
