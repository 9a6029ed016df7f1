import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = Symbol('casegrid:public');

/**
 * Every route needs a verified token (the global guard of `@casegrid/auth`) unless it is
 * marked public: operations endpoints, login, and the issuer's JWKS. Secure by default: a
 * new controller that forgets this is closed, not open.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
