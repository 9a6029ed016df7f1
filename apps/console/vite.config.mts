import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('../..', import.meta.url));

// The console shares the pure domain code (the access policy, id-number and phone rules,
// the routing engine) with the services, so the browser decides exactly as the server does.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  resolve: {
    alias: {
      '@casegrid/kernel': `${root}libs/kernel/domain/src/index.ts`,
      '@casegrid/identity': `${root}libs/identity/domain/src/index.ts`,
      '@casegrid/intake-routing': `${root}libs/intake/domain/src/routing/index.ts`,
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
