/**
 * The table of clouds for development: each cloud's handlers and loopback world (emulator/<cloud>/dev.ts).
 * The bundler, the local server (`regcred serve --cloud`), the benchmark and the HTTP-API contract
 * suite read it; the runtime side of the same table is core/clouds.ts. Tests register a throwaway
 * cloud with {@link registerDevCloud}.
 */
import { ALIBABA_DEV } from './alibaba/dev.js';
import { AWS_DEV } from './aws/dev.js';
import type { CloudDev } from './cloud-dev.js';
import { HUAWEI_DEV } from './huawei/dev.js';
import { TENCENT_DEV } from './tencent/dev.js';

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
