import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('../..', import.meta.url));
// tsconfig.base.json's aliases, the one table (tools/workspace/aliases.cjs).
const { aliases } = createRequire(import.meta.url)('../../tools/workspace/aliases.cjs') as {
  aliases: () => Record<string, string>;
};

// The console shares the pure domain code (the access policy, id-number and phone rules,
// the routing engine) with the services, so the browser decides exactly as the server does.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  resolve: {
    alias: {
      ...Object.fromEntries(
        Object.entries(aliases()).map(([alias, target]) => [alias, `${root}${target}`]),
      ),
    },
  },
  build: {
    outDir: `${root}dist/console`,
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        // One long-cached chunk per big library: a new console build re-downloads only ours.
        manualChunks: (id: string) =>
          id.includes('node_modules/echarts') || id.includes('node_modules/zrender')
            ? 'echarts'
            : id.includes('node_modules/')
              ? 'vendor'
              : undefined,
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
