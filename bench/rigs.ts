/**
 * The benchmark's view of the table of clouds (emulator/clouds.ts): the clouds a run measures, each
 * cloud's rig (`rig()` of its emulator/<cloud>/dev.ts), and its HTTP handler in this process
 * (`preparedInvoker`). Registering a cloud adds its rows; nothing here names a cloud.
 */
import type { CloudDev, Rig } from '../emulator/cloud-dev.js';
import { devClouds } from '../emulator/clouds.js';

/** Registry-credential calls the rig's emulator has answered so far (cumulative). */
export function upstreamCalls(rig: Rig): number {
  return rig.emulator.count(rig.mint.service, rig.mint.operation);
}

/** A started rig, labelled with its cloud's id in the table. */
export interface CloudRig extends Rig {
  cloud: string;
}

/** One HTTP request as the benchmark issues it (always a GET). */
export interface BenchRequest {
  path: string;
  query: string;
}

export interface BenchResponse {
  statusCode: number;
  body: string;
}

/** Prepare a request once (the platform's event and context); the thunk runs only the handler. */
export type WarmRequests = (req: BenchRequest) => () => Promise<BenchResponse>;

/** The caller the benchmark's requests carry, where the platform's event has one. */
const BENCH_CALLER = 'bench';

/**
 * The clouds a run measures: every cloud in the table, or only those named (in table order).
 * @example benchClouds(['alibaba']).map((c) => c.id) // ['alibaba']
 */
export function benchClouds(only?: readonly string[]): CloudDev[] {
  const all = devClouds();
  const unknown = (only ?? []).filter((id) => !all.some((c) => c.id === id));
  if (unknown.length) throw new Error(`not in the table of clouds (emulator/clouds.ts): ${unknown.join(', ')}; it has ${all.map((c) => c.id).join(', ')}`);
  return all.filter((c) => !only || only.includes(c.id));
}

/** @example const rig = await startRig(devCloud('aws')!); await rig.stop(); */
export async function startRig(cloud: CloudDev): Promise<CloudRig> {
  if (!cloud.rig) throw new Error(`emulator/${cloud.id}/dev.ts has no rig()`);
  return { ...(await cloud.rig()), cloud: cloud.id };
}

/**
 * Run one measurement on a rig of its own (a fresh emulator), stopped after it: a call that
 * outlives its measurement cannot be counted in another's row.
 * @example const row = await onFreshRig(cloud, (rig) => refreshCost(rig));
 */
export async function onFreshRig<T>(cloud: CloudDev, measure: (rig: CloudRig) => Promise<T>): Promise<T> {
  const rig = await startRig(cloud);
  try {
    return await measure(rig);
  } finally {
    await rig.stop();
  }
}

/**
 * A fresh warm instance of the cloud's HTTP handler in this process, configured for the rig's
 * first registry (undefined: the cloud's dev entry has no `preparedInvoker`).
 * @example const request = warmRequests(cloud, rig)!; await request({ path: '/credentials', query: '' })();
 */
export function warmRequests(cloud: CloudDev, rig: Rig): WarmRequests | undefined {
  if (!cloud.preparedInvoker) return undefined;
  const env = rig.handlerEnv(rig.registries.slice(0, 1));
  // A function's environment is its process's on every platform (the AWS SDK reads its endpoints and keys there).
  Object.assign(process.env, env);
  const prepare = cloud.preparedInvoker(env);
  return (req) => prepare({ method: 'GET', ...req, caller: BENCH_CALLER });
}
