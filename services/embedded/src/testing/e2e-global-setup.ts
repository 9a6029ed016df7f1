import globalSetup from '../../../../libs/kernel/testing/src/jest/global-setup';
import { ensureConsoleBuilt } from './console-browser';

/**
 * The e2e project's global setup: the run's infrastructure, and the console built once
 * (when missing or stale) before any worker starts — the console suites in two workers
 * would otherwise build `dist/console` at the same time, each over the other.
 */
export default async function e2eGlobalSetup(): Promise<void> {
  await globalSetup();
  ensureConsoleBuilt();
}
