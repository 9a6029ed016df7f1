/**
 * Schema names are interpolated into hand-written SQL, so they are checked once here and
 * quoted; nothing from a request ever reaches this function.
 */
export const quoteSchema = (schema: string): string => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  }
  return `"${schema}"`;
};
