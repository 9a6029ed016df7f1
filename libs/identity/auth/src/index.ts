export * from './principal.claims';
export * from './key-ring';
export * from './token.service';
export * from './password.hasher';
export * from './caller.decorator';
export * from './auth.guard';
export * from './auth.module';
export * from './access';
