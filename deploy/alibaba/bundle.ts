/**
 * Build one FC code package: the handler bundled as it ships (scripts/bundle.ts: one minified
 * CommonJS `index.js` for Node 20, which FC's built-in nodejs20 runtime loads as `index.handler`), zipped.
 */
export { buildPackage, ROOT, type CodePackage } from '../../scripts/bundle.js';
