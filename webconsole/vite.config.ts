import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  // the CSP forbids inline scripts: keep Vite's module preload polyfill out of index.html
  build: { modulePreload: { polyfill: false }, outDir: 'dist', assetsInlineLimit: 0, chunkSizeWarningLimit: 700 },
  test: { environment: 'node', include: ['src/**/*.test.ts'] },
});
