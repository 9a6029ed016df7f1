export * from './topics';
export * from './cloud-event';
export * from './case-event';
export * from './watermark';
