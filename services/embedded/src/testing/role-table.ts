/**
 * What a row of a role table sends its request to, per side (inside or outside the callers'
 * jurisdiction): made once and reused from role to role until a request changes it (a
 * write that succeeded). A refused request changes nothing, so the next role meets the same
 * state: a few subjects per row, not two for every role.
 */
export const heldUntilWritten = <Side, Subject>(
  endpoint: string,
  make: (side: Side) => Subject | Promise<Subject>,
) => {
  const held = new Map<Side, Subject>();
  return {
    subject: async (side: Side): Promise<Subject> => {
      const subject = held.get(side) ?? (await make(side));
      held.set(side, subject);
      return subject;
    },
    answered: (side: Side, status: number): void => {
      if (status < 300 && !endpoint.startsWith('GET ')) held.delete(side);
    },
  };
};
