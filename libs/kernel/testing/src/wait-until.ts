/**
 * Polls until `condition` holds (STYLE.md, Tests: never sleep to wait for an event; poll
 * a checkpoint or await the projection). Rejects with `what` after `timeoutMs`.
 */
export const waitUntil = async (
  condition: () => boolean | Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> => {
  const { timeoutMs = 20_000, intervalMs = 20, what = 'condition' } = opts;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};
