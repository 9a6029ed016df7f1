import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '@casegrid/identity';

/** The request as the guard leaves it: the verified caller attached. */
export interface AuthenticatedRequest {
  principal?: Principal;
}

/** The verified caller of this request; only on routes behind the guard (all but `@Public`). */
export const Caller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    // The guard ran before any handler: a missing principal is a wiring fault, not a 401.
    if (!principal) throw new Error('@Caller() used on a public route');
    return principal;
  },
);
