/**
 * The table of clouds for development: each cloud's loopback world (dev/<cloud>.ts), one entry per
 * cloud. The local server (`npm start -- --cloud`, dev/serve.ts) and the HTTP-API contract suite
 * read it; what ships is handlers/functions.ts, what the deployed functions know core/clouds.ts,
 * what the benchmark runs bench/clouds.ts. Tests register a throwaway cloud with
 * {@link registerDevCloud}.
 */
import { ALIBABA_DEV } from './alibaba.js';
import { AWS_DEV } from './aws.js';
import { HUAWEI_DEV } from './huawei.js';
import type { CloudDev } from './local-cloud.js';
import { TENCENT_DEV } from './tencent.js';

const DEV_CLOUDS: CloudDev[] = [AWS_DEV, ALIBABA_DEV, TENCENT_DEV, HUAWEI_DEV];

export function devClouds(): readonly CloudDev[] {
  return DEV_CLOUDS;
}

export function devCloud(id: string): CloudDev | undefined {
  return DEV_CLOUDS.find((c) => c.id === id);
}

/** Add a cloud at run time (a test's throwaway cloud); returns the undo. */
export function registerDevCloud(cloud: CloudDev): () => void {
  if (devCloud(cloud.id)) throw new Error(`cloud '${cloud.id}' is already registered`);
  DEV_CLOUDS.push(cloud);
  return () => void DEV_CLOUDS.splice(DEV_CLOUDS.indexOf(cloud), 1);
}
