import { describe, expect, it } from 'vitest';
import { registerFunctions, shippedHandlers } from './functions.js';

describe('the table of what ships (handlers/functions.ts)', () => {
  it.each(shippedHandlers().map((h) => [`${h.cloud}/${h.name}`, h] as const))('%s is a handler module of its own cloud that exports handler', async (_name, h) => {
    // Act
    const module = (await import(`../${h.entry.replace(/\.ts$/, '.js')}`)) as { handler?: unknown };
    // Assess
    expect([h.entry.startsWith(`handlers/${h.cloud}/`), typeof module.handler]).toEqual([true, 'function']);
  });

  it('refuses to register a function that already ships', () => {
    expect(() => registerFunctions({ http: { cloud: 'aws', name: 'http', entry: 'handlers/aws/http.ts' } })).toThrow("function 'aws/http' is already registered");
  });

  it('takes a registered cloud\'s functions in, and out again with the undo', () => {
    // Prepare
    const undo = registerFunctions({ http: { cloud: 'throwaway', name: 'http', entry: 'handlers/alibaba/http.ts' } });
    // Act
    const registered = shippedHandlers().filter((h) => h.cloud === 'throwaway');
    undo();
    // Assess
    expect([registered.length, shippedHandlers().some((h) => h.cloud === 'throwaway')]).toEqual([1, false]);
  });
});
