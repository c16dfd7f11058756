import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // Installs the local registry tools and makes the run's CA before any worker forks, so every
    // worker's fetch trusts it through NODE_EXTRA_CA_CERTS (read only at process start). Keep pool: forks.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // The default report, then the fault/abuse matrix (case × cloud) of the contract suite.
    reporters: ['default', './test/matrix/reporter.ts'],
    exclude: ['node_modules/**', '.serverless/**', '.esbuild/**', 'dist/**'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
