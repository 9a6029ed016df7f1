import type { ServiceName } from '@casegrid/contracts';

export const INFRASTRUCTURE = Symbol('INFRASTRUCTURE');
export const TRANSPORT = Symbol('TRANSPORT');

const runtimeTokens = new Map<ServiceName, symbol>();
/** Injection token of a service's `ServiceRuntime` (store, relay, database). */
export const serviceRuntime = (service: ServiceName): symbol => {
  let token = runtimeTokens.get(service);
  if (!token) runtimeTokens.set(service, (token = Symbol(`SERVICE_RUNTIME:${service}`)));
  return token;
};
