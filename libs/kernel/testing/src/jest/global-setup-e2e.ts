import { ensureConsoleBuilt } from '../console-build';
import globalSetup from './global-setup';

/**
 * The e2e project's global setup: the run's infrastructure, and the console built once
 * (when missing or stale) before any worker starts — the console suites in two workers
 * would otherwise build `dist/console` at the same time, each over the other.
 */
export default async function globalSetupE2e(
  globalConfig?: Parameters<typeof globalSetup>[0],
): Promise<void> {
  await globalSetup(globalConfig);
  ensureConsoleBuilt();
}
