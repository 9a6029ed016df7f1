export * from './routing.rules';
export {
  TIER_BY_SEVERITY,
  dispatcherRegionOf,
  startRegion,
  type DirectoryDepartment,
} from './routing.directory';
export * from './routing.engine';
