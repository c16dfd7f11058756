/**
 * SigV4 headers (service `lambda`) for the load test against the `npm start` server, which checks
 * them as a function URL with AuthType AWS_IAM does. SigV4 has no nonce, so one signature serves
 * every request of a run shorter than the 15-minute clock-skew window.
 */
import { sigv4Headers } from '../cli/client.js';
import { TEST_IDENTITY } from '../emulator/aws/server.js';

/** @example const headers = await signedHeaders('http://127.0.0.1:8787/credentials') */
export function signedHeaders(target: string): Promise<Record<string, string>> {
  return sigv4Headers(new URL(target), 'us-east-1', TEST_IDENTITY);
}
