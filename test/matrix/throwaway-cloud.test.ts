/**
 * Issue 9's proof that a cloud is an addition, not an edit: a throwaway cloud, written only in
 * test/support/throwaway-cloud.ts, registered through the two tables of clouds, gets the whole
 * HTTP-API contract suite and the local server's `--cloud` (dev/serve.ts) with no other file edited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCloud } from '../../core/clouds.js';
import { loadConfig } from '../../core/config.js';
import { registerDevCloud } from '../../dev/clouds.js';
import { serve, type LocalServer } from '../../dev/serve.js';
import { callerAuthorization, THROWAWAY, THROWAWAY_DEV } from '../support/throwaway-cloud.js';
import { httpMatrix } from './http.js';

// At collection time, as a cloud in the tables would be.
registerCloud(THROWAWAY);
registerDevCloud(THROWAWAY_DEV);

httpMatrix('throwaway');

describe('matrix: throwaway/http', () => {
  it.skip('[S3] n/a: a cloud that lives only in tests is never packaged, so it has no policy to check', () => {});
});

describe('a throwaway cloud registered through the tables', () => {
  it('is a cloud REGCRED_REGISTRIES accepts, with its endpoint variable, and only on its own cloud', () => {
    const config = loadConfig({ REGCRED_REGISTRIES: 'toy:north-1', THROWAWAY_ENDPOINT_URL: 'http://127.0.0.1:1' }, THROWAWAY);
    expect(config.registries).toEqual([{ provider: 'toy', region: 'north-1' }]);
    expect(config.endpoints).toEqual({ THROWAWAY_ENDPOINT_URL: 'http://127.0.0.1:1' });
    expect(() => loadConfig({ REGCRED_REGISTRIES: 'ecr:us-east-1' }, THROWAWAY)).toThrow("'ecr:us-east-1' is not served by this function's cloud (throwaway)");
  });

  describe('the local server (dev/serve.ts) --emulator --cloud throwaway', () => {
    let server: LocalServer;
    beforeAll(async () => {
      server = await serve({ emulator: true, cloud: 'throwaway', port: 0, quiet: true });
    });
    afterAll(() => server.close());

    it('answers a request its trigger accepts with the credentials', async () => {
      const res = await fetch(`${server.url}/credentials`, { headers: { authorization: callerAuthorization('GET', '/credentials') } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { credentials: Array<{ registry: string }> }).credentials.map((c) => c.registry)).toEqual(server.local!.hosts);
    });

    it('refuses a request its trigger does not accept with 403', async () => {
      const res = await fetch(`${server.url}/credentials`, { headers: { authorization: callerAuthorization('GET', '/other') } });
      expect(res.status).toBe(403);
    });
  });
});
