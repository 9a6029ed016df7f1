import type { ProvisionedInfra } from '../infra';

/**
 * Jest runs globalSetup and globalTeardown in its main process, so the handles to stop
 * pass between them through globalThis (the specs run in workers and never see it).
 */
export interface GlobalInfraState {
  readonly provisioned: ProvisionedInfra;
  /** Values of the published variables before setup, restored by teardown (watch mode). */
  readonly previousEnv: Record<string, string | undefined>;
}

const KEY = Symbol.for('casegrid.testing.infra');

type Holder = { [KEY]?: GlobalInfraState };

export const getGlobalInfraState = (): GlobalInfraState | undefined => (globalThis as Holder)[KEY];

export const setGlobalInfraState = (state: GlobalInfraState | undefined): void => {
  if (state) (globalThis as Holder)[KEY] = state;
  else delete (globalThis as Holder)[KEY];
};
