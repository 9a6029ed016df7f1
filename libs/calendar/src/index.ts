export * from './civil-date';
export * from './working-calendar';
export * from './period';
export * from './default-years';
export * from './calendar-input';
