import { describe, expect, it } from 'vitest';
import { serveOptions } from './serve.js';

describe('the local server\'s command line (npm start -- …)', () => {
  it('serves the AWS handler on port 8787 with the developer\'s own identity when given nothing', () => {
    expect(serveOptions([])).toEqual({ emulator: false, port: 8787 });
  });

  it('takes --emulator, --cloud and --port, as npm start -- --cloud tencent --port 9000', () => {
    expect(serveOptions(['--emulator', '--cloud', 'tencent', '--port', '9000'])).toEqual({ emulator: true, cloud: 'tencent', port: 9000 });
  });

  it.each(['abc', '-1', '65536', '80.5', ''])('refuses --port %j naming the flag', (port) => {
    expect(() => serveOptions([`--port=${port}`])).toThrow(`--port must be a port number (0 to 65535), not '${port}'`);
  });

  it('refuses a flag it does not know', () => {
    expect(() => serveOptions(['--url', 'http://x'])).toThrow("Unknown option '--url'");
  });
});
