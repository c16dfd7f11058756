/**
 * The client as Docker and kubelet run it: one whole `docker-credential-regcred get` process,
 * from the shipped single-file bundle, against bare `node -e 0`.
 *
 *   warm: the credential is in the per-user cache (no SDK loaded, no network call), REGCRED_URL
 *   warm + config: the same, the function picked from a four-cloud config file instead (which every
 *                  run reads and checks)
 *   cold: an empty cache: load the AWS signer, sign, one call to the local server (dev/serve.ts, `--emulator`)
 *
 *   npx tsx bench/client.ts [runs]
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../dev/serve.js';
import { TEST_IDENTITY } from '../emulator/aws/server.js';
import { bundleCli } from '../scripts/bundle.js';
import { percentile } from './stats.js';

export interface ClientBench {
  runs: number;
  /** Median wall time of one process, ms. */
  nodeMs: number;
  warmMs: number;
  /** Warm, the function picked from a config file rather than REGCRED_URL. */
  warmConfigMs: number;
  coldMs: number;
  warmRatio: number;
  warmConfigRatio: number;
  coldRatio: number;
}

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

/**
 * The environment of a client process that signs with the emulator's test key and takes nothing
 * else from this machine's AWS setup (no profile files, no instance metadata).
 * @example execFile(helper, ['get'], { env: callerEnv(server.url, home) })
 */
export function callerEnv(url: string, home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    REGCRED_URL: url,
    AWS_ACCESS_KEY_ID: TEST_IDENTITY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_IDENTITY.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** A config file for every cloud's registries, the ECR ones served by `awsUrl`. */
function fourClouds(awsUrl: string) {
  return {
    registries: {
      '*.dkr.ecr.*.amazonaws.com': { url: awsUrl, cloud: 'aws' },
      'registry.*.aliyuncs.com': { url: 'https://regcred-abc.cn-hangzhou.fcapp.run' },
      '*.tencentcloudcr.com': { url: 'https://1250000000-abc.ap-guangzhou.tencentscf.com' },
      'swr.*.myhuaweicloud.com': { url: 'https://0123456789abcdef.apig.cn-north-4.huaweicloudapis.com' },
    },
  };
}

/**
 * @example const r = await benchClient(30); // r.warmRatio ≤ 1.5 is the target
 */
export async function benchClient(runs = 30): Promise<ClientBench> {
  const work = mkdtempSync(join(tmpdir(), 'regcred-bench-client-'));
  const server = await serve({ emulator: true, port: 0, quiet: true });
  try {
    const bundle = await bundleCli(join(work, 'dist'));
    const helper = join(work, 'docker-credential-regcred');
    symlinkSync(bundle, helper);
    const env = callerEnv(server.url, work);
    // Asynchronous: the local server answers from this process's event loop.
    const time = (args: string[], extra: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const child = execFile(process.execPath, args, { env: { ...env, ...extra } }, (err, _stdout, stderr) => {
          if (err) reject(new Error(`${args.join(' ')} failed: ${stderr}`));
          else resolve(performance.now() - started);
        });
        child.stdin!.end(`https://${REGISTRY}\n`);
      });
    const warmCache = join(work, 'warm');
    const config = join(work, 'config.json');
    writeFileSync(config, JSON.stringify(fourClouds(server.url)));
    const viaConfig = { XDG_CACHE_HOME: join(work, 'warm-config'), REGCRED_URL: '', REGCRED_CONFIG: config };
    await time([helper, 'get'], { XDG_CACHE_HOME: warmCache }); // fill them
    await time([helper, 'get'], viaConfig);
    const node: number[] = [];
    const warm: number[] = [];
    const warmConfig: number[] = [];
    const cold: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Interleaved, so drift in machine load hits all alike.
      node.push(await time(['-e', '0']));
      warm.push(await time([helper, 'get'], { XDG_CACHE_HOME: warmCache }));
      warmConfig.push(await time([helper, 'get'], viaConfig));
      const empty = join(work, `cold-${i}`);
      mkdirSync(empty);
      cold.push(await time([helper, 'get'], { XDG_CACHE_HOME: empty }));
    }
    const [nodeMs, warmMs, warmConfigMs, coldMs] = [node, warm, warmConfig, cold].map((s) => percentile(s, 50)) as [number, number, number, number];
    return { runs, nodeMs, warmMs, warmConfigMs, coldMs, warmRatio: warmMs / nodeMs, warmConfigRatio: warmConfigMs / nodeMs, coldRatio: coldMs / nodeMs };
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.LOG_LEVEL ??= 'warn'; // the local server's audit lines are not the benchmark's output
  const r = await benchClient(Number(process.argv[2] ?? 30));
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(`node -e 0            ${f(r.nodeMs)} (median of ${r.runs})`);
  console.log(`warm helper get      ${f(r.warmMs)}  ${r.warmRatio.toFixed(2)}× node (target ≤ 1.5×)`);
  console.log(`warm, config file    ${f(r.warmConfigMs)}  ${r.warmConfigRatio.toFixed(2)}× node (target ≤ 1.5×)`);
  console.log(`cold helper get      ${f(r.coldMs)}  ${r.coldRatio.toFixed(2)}× node`);
}
