import { getGlobalInfraState, setGlobalInfraState } from './state';

/** Stops what globalSetup started and restores the variables it published. */
export default async function globalTeardown(): Promise<void> {
  const state = getGlobalInfraState();
  if (!state) return;
  setGlobalInfraState(undefined);
  for (const [name, value] of Object.entries(state.previousEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await state.provisioned.stop();
}
