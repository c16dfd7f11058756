/**
 * The table of clouds: every cloud regcred runs on, one entry each. Config validation (providers,
 * instance ids, stores, endpoint variables) reads it, so adding a cloud is its folders plus one
 * entry here. Tests register a throwaway cloud with {@link registerCloud}.
 */
import { ALIBABA } from './alibaba/cloud.js';
import { AWS } from './aws/cloud.js';
import type { CloudModule, ProviderSpec } from './cloud-module.js';
import { HUAWEI } from './huawei/cloud.js';
import { TENCENT } from './tencent/cloud.js';

const CLOUDS: CloudModule[] = [AWS, ALIBABA, TENCENT, HUAWEI];

/** Every cloud in the table. */
export function clouds(): readonly CloudModule[] {
  return CLOUDS;
}

/** Add a cloud at run time (tests: a throwaway cloud); its ids must not clash with another's. */
export function registerCloud(cloud: CloudModule): () => void {
  const taken = new Set(CLOUDS.flatMap((c) => [...c.providers.map((p) => p.id), ...c.stores]));
  const clash = [...cloud.providers.map((p) => p.id), ...cloud.stores].find((id) => taken.has(id));
  if (CLOUDS.some((c) => c.id === cloud.id) || clash) throw new Error(`cloud '${cloud.id}' clashes with a registered cloud (${clash ?? cloud.id})`);
  CLOUDS.push(cloud);
  return () => void CLOUDS.splice(CLOUDS.indexOf(cloud), 1);
}

export function providerSpec(id: string): ProviderSpec | undefined {
  return CLOUDS.flatMap((c) => c.providers).find((p) => p.id === id);
}

export const providerIds = (): string[] => CLOUDS.flatMap((c) => c.providers.map((p) => p.id));
export const storeIds = (): string[] => CLOUDS.flatMap((c) => c.stores);
export const endpointVariables = (): string[] => CLOUDS.flatMap((c) => c.endpointVariables);
