/**
 * Each cloud's composition root registers the function role's own secret key and session token
 * with the log redactor, wherever its platform hands them: in the environment at cold start (the
 * SDK's variables), or in each invocation's context (FC, FunctionGraph). Issue 20, finding 6.
 */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../core/log.js';
import { alibabaRuntime } from '../alibaba/runtime.js';
import { awsRuntime } from '../aws/runtime.js';
import { huaweiRuntime } from '../huawei/runtime.js';
import { tencentRuntime } from '../tencent/runtime.js';

/** Log a line holding `secrets` through the runtime's logger; what was written. */
function logged(build: (write: (line: string) => void) => { log: Logger }, secrets: string[]): string {
  const lines: string[] = [];
  build((line) => lines.push(line)).log.info('x', { leaked: secrets.join(' ') });
  return lines.join('\n');
}

describe('the role keys of each cloud never reach a log line', () => {
  it('[F6] AWS: AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the environment', () => {
    const keys = ['aws-role-secret-key-F6-0001', 'aws-role-session-token-F6-0001'];
    const text = logged((write) => awsRuntime({ REGCRED_REGISTRIES: 'ecr:us-east-1', AWS_SECRET_ACCESS_KEY: keys[0], AWS_SESSION_TOKEN: keys[1] }, { write }), keys);
    expect(keys.filter((k) => text.includes(k))).toEqual([]);
  });

  it('[F6] Alibaba: ALIBABA_CLOUD_ACCESS_KEY_SECRET and ALIBABA_CLOUD_SECURITY_TOKEN from the environment', () => {
    const keys = ['ali-env-secret-F6-0002', 'ali-env-security-token-F6-0002'];
    const text = logged((write) => alibabaRuntime({ REGCRED_REGISTRIES: 'acr:cn-shanghai', ALIBABA_CLOUD_ACCESS_KEY_SECRET: keys[0], ALIBABA_CLOUD_SECURITY_TOKEN: keys[1] }, { write }), keys);
    expect(keys.filter((k) => text.includes(k))).toEqual([]);
  });

  it("[F6] Alibaba: the role's keys FC hands the invocation in context.credentials", () => {
    const keys = ['ali-context-secret-F6-0003', 'ali-context-security-token-F6-0003'];
    const text = logged((write) => {
      const runtime = alibabaRuntime({ REGCRED_REGISTRIES: 'acr:cn-shanghai' }, { write });
      runtime.invocation({ requestId: 'r', credentials: { accessKeyId: 'STS.ak', accessKeySecret: keys[0], securityToken: keys[1] } });
      return runtime;
    }, keys);
    expect(keys.filter((k) => text.includes(k))).toEqual([]);
  });

  it('[F6] Tencent: TENCENTCLOUD_SECRETKEY and TENCENTCLOUD_SESSIONTOKEN from the environment', () => {
    const keys = ['tc-role-secret-key-F6-0004', 'tc-role-session-token-F6-0004'];
    const env = { REGCRED_REGISTRIES: 'tcr:ap-guangzhou:tcr-acme', TENCENTCLOUD_SECRETID: 'AKIDrole', TENCENTCLOUD_SECRETKEY: keys[0], TENCENTCLOUD_SESSIONTOKEN: keys[1] };
    const text = logged((write) => tencentRuntime(env, { write }), keys);
    expect(keys.filter((k) => text.includes(k))).toEqual([]);
  });

  it("[F6] Huawei: the agency's keys FunctionGraph hands the invocation (context.getSecurity*())", () => {
    const keys = ['hw-agency-secret-key-F6-0005', 'hw-agency-security-token-F6-0005'];
    const text = logged((write) => {
      const runtime = huaweiRuntime({ REGCRED_REGISTRIES: 'swr:cn-north-4' }, { write });
      runtime.invocation({ getRequestID: () => 'r', getSecurityAccessKey: () => 'AGENCYAK', getSecuritySecretKey: () => keys[0]!, getSecurityToken: () => keys[1]! });
      return runtime;
    }, keys);
    expect(keys.filter((k) => text.includes(k))).toEqual([]);
  });
});
