/**
 * The benchmark's table of clouds: each cloud's rig and invokers (bench/rigs/<cloud>.ts), one entry
 * per cloud. bench/run.ts measures every cloud in it; adding a cloud adds its rig file and one entry
 * here. Tests register a throwaway cloud with {@link registerBenchCloud}.
 */
import type { BenchCloud } from './rigs.js';
import { ALIBABA_BENCH } from './rigs/alibaba.js';
import { AWS_BENCH } from './rigs/aws.js';
import { HUAWEI_BENCH } from './rigs/huawei.js';
import { TENCENT_BENCH } from './rigs/tencent.js';

const BENCH_CLOUDS: BenchCloud[] = [AWS_BENCH, ALIBABA_BENCH, TENCENT_BENCH, HUAWEI_BENCH];

/**
 * The clouds a run measures: every cloud in the table, or only those named (in table order).
 * @example benchClouds(['alibaba']).map((c) => c.id) // ['alibaba']
 */
export function benchClouds(only?: readonly string[]): BenchCloud[] {
  const unknown = (only ?? []).filter((id) => !BENCH_CLOUDS.some((c) => c.id === id));
  if (unknown.length) throw new Error(`not in the benchmark's table of clouds (bench/clouds.ts): ${unknown.join(', ')}; it has ${BENCH_CLOUDS.map((c) => c.id).join(', ')}`);
  return BENCH_CLOUDS.filter((c) => !only || only.includes(c.id));
}

/** Add a cloud at run time (a test's throwaway cloud); returns the undo. */
export function registerBenchCloud(cloud: BenchCloud): () => void {
  if (BENCH_CLOUDS.some((c) => c.id === cloud.id)) throw new Error(`cloud '${cloud.id}' is already registered`);
  BENCH_CLOUDS.push(cloud);
  return () => void BENCH_CLOUDS.splice(BENCH_CLOUDS.indexOf(cloud), 1);
}
