export * from './reference.events';
export * from './reference.migrations';
export * from './reference.publisher';
export * from './reference.reader';
export * from './reference.replica';
export * from './reference-bodies.dto';
