/** The FC code package: the one recipe every deploy script shares (deploy/shared/package.ts). */
export { ROOT } from '../../scripts/bundle.js';
export { buildPackage, type CodePackage } from '../shared/package.js';
