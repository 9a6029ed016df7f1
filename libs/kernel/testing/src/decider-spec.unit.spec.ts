import { IllegalStateError, type Decider, type Message } from '@casegrid/kernel';
import { deciderSpec } from './decider-spec';

describe('deciderSpec', () => {
  const spec = deciderSpec(counter());

  describe('when the decider emits events', () => {
    it('passes on the same events', () => {
      spec
        .given([added(2)])
        .when(add(3))
        .then([added(3)]);
    });

    it('folds the history into the state decide sees', () => {
      spec
        .given([added(2), added(3)])
        .when(add(5))
        .then([added(5), capped(10)]);
    });

    it('starts from the initial state with when() alone', () => {
      spec.when(add(1)).then([added(1)]);
    });

    it('accepts asymmetric matchers', () => {
      spec.when(add(1)).then([{ ...added(1), metadata: expect.anything() }]);
    });

    it('fails on other events, on missing ones and on extra ones', () => {
      expect(() => spec.when(add(1)).then([added(2)])).toThrow();
      expect(() =>
        spec
          .given([added(2), added(3)])
          .when(add(5))
          .then([added(5)]),
      ).toThrow();
      expect(() => spec.when(add(1)).then([added(1), added(1)])).toThrow();
    });

    it('fails thenNothing and thenThrows', () => {
      expect(() => spec.when(add(1)).thenNothing()).toThrow();
      expect(() => spec.when(add(1)).thenThrows('illegal_state')).toThrow(/decided \["Added"\]/);
    });
  });

  describe('when the decider emits nothing', () => {
    it('passes thenNothing', () => {
      spec.when(add(0)).thenNothing();
    });

    it('fails then with events', () => {
      expect(() => spec.when(add(0)).then([added(0)])).toThrow();
    });
  });

  describe('when the decider throws', () => {
    const full = [added(10), capped(10)];

    it('passes thenThrows with the error code', () => {
      spec.given(full).when(add(1)).thenThrows('illegal_state');
    });

    it('matches the message by substring or pattern', () => {
      spec.given(full).when(add(1)).thenThrows('illegal_state', 'is capped');
      spec
        .given(full)
        .when(add(1))
        .thenThrows('illegal_state', /capped at \d+/);
    });

    it('fails thenThrows with another code or message', () => {
      expect(() => spec.given(full).when(add(1)).thenThrows('not_found')).toThrow();
      expect(() => spec.given(full).when(add(1)).thenThrows('illegal_state', 'open')).toThrow();
    });

    it('fails then and thenNothing, naming the error', () => {
      expect(() => spec.given(full).when(add(1)).then([])).toThrow(/decide threw.*capped/);
      expect(() => spec.given(full).when(add(1)).thenNothing()).toThrow(/decide threw/);
    });

    it('fails thenThrows when the error has no code', () => {
      expect(() => spec.when(add(-1)).thenThrows('validation_failed')).toThrow(/without a code/);
    });
  });
});

// A counter capped at 10: adding once capped is illegal; reaching the cap says so.
type Add = Message<'Add', { n: number }, Record<string, never>>;
type Added = Message<'Added', { n: number }, Record<string, never>>;
type Capped = Message<'Capped', { at: number }, Record<string, never>>;
type CounterEvent = Added | Capped;
interface Counter {
  readonly total: number;
  readonly capped: boolean;
}

// Function declarations: they are hoisted above the describe blocks that use them.
function add(n: number): Add {
  return { type: 'Add', data: { n }, metadata: {} };
}
function added(n: number): Added {
  return { type: 'Added', data: { n }, metadata: {} };
}
function capped(at: number): Capped {
  return { type: 'Capped', data: { at }, metadata: {} };
}

function counter(): Decider<Counter, Add, CounterEvent> {
  const cap = 10;
  return {
    initialState: () => ({ total: 0, capped: false }),
    decide: ({ data: { n } }, state) => {
      if (state.capped)
        throw new IllegalStateError(`the counter is capped at ${cap}`, 'deadline.extensions_used');
      // A plain Error, standing for a bug: it has no code.
      if (n < 0) throw new RangeError('negative');
      if (n === 0) return [];
      return state.total + n >= cap ? [added(n), capped(cap)] : [added(n)];
    },
    evolve: (state, event) => {
      switch (event.type) {
        case 'Added':
          return { ...state, total: state.total + event.data.n };
        case 'Capped':
          return { ...state, capped: true };
      }
    },
  };
}
