// Reference for the cold-start table: the same SDK in the file but loaded on first use (a dynamic
// import, which esbuild keeps lazy in a CJS bundle): what deferring the SDK would buy the load.
export const handler = () => import('@aws-sdk/client-ecr');
