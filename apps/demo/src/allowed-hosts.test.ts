import { TasamError } from '@tasam/errors';
import { AllowedHosts, parseHost } from './allowed-hosts';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return TasamError.isInstance(error) ? error.code : 'untyped';
  }
  return undefined;
}

describe('parseHost', () => {
  it('reads names, IPv4 and bracketed IPv6, with or without a port, in lower case', () => {
    expect(parseHost('LocalHost:8787')).toEqual({ name: 'localhost', port: 8787 });
    expect(parseHost('127.0.0.1')).toEqual({ name: '127.0.0.1' });
    expect(parseHost('[::1]:80')).toEqual({ name: '[::1]', port: 80 });
    expect(parseHost('demo.example.com')).toEqual({ name: 'demo.example.com' });
  });

  it('refuses what is not a host', () => {
    for (const bad of [
      '',
      ':80',
      '::1',
      'a:b',
      'x:0',
      'x:65536',
      'x:123456',
      'a b',
      'a/b',
      '[zz]',
      'evil.example.',
      'a:80:80',
    ]) {
      expect({ bad, parsed: parseHost(bad) }).toEqual({ bad, parsed: undefined });
    }
  });
});

describe('AllowedHosts', () => {
  it('serves localhost, 127.0.0.1 and [::1] on its own port only, by default', () => {
    const hosts = new AllowedHosts({ listenHost: '127.0.0.1' });
    for (const host of ['localhost:8787', '127.0.0.1:8787', '[::1]:8787', 'LOCALHOST:8787']) {
      expect(codeOf(() => hosts.checkHost(host, 8787))).toBeUndefined();
    }
    for (const host of [
      'evil.example',
      'evil.example:8787',
      'localhost:9999',
      'localhost',
      '127.0.0.2:8787',
      '',
    ]) {
      expect({ host, code: codeOf(() => hosts.checkHost(host, 8787)) }).toEqual({
        host,
        code: 'DEMO_HOST_NOT_ALLOWED',
      });
    }
    expect(codeOf(() => hosts.checkHost(undefined, 8787))).toBe('DEMO_HOST_NOT_ALLOWED');
    // Port 80: browsers leave the port out.
    expect(codeOf(() => hosts.checkHost('localhost', 80))).toBeUndefined();
    expect(() => hosts.checkHost('evil.example', 8787)).toThrow(
      'Host "evil.example": this demo serves only localhost:8787, 127.0.0.1:8787, [::1]:8787; to serve ' +
        'another name, start it with --allowed-host NAME',
    );
  });

  it('adds --allowed-host names (any port, or the one given) and a specific listen address', () => {
    const hosts = new AllowedHosts({ extra: ['demo.example', 'lab.example:443'], listenHost: '192.168.1.5' });
    expect(codeOf(() => hosts.checkHost('demo.example', 8787))).toBeUndefined();
    expect(codeOf(() => hosts.checkHost('demo.example:3000', 8787))).toBeUndefined();
    expect(codeOf(() => hosts.checkHost('lab.example:443', 8787))).toBeUndefined();
    expect(codeOf(() => hosts.checkHost('lab.example:80', 8787))).toBe('DEMO_HOST_NOT_ALLOWED');
    expect(codeOf(() => hosts.checkHost('192.168.1.5:8787', 8787))).toBeUndefined();
    expect(() => new AllowedHosts({ extra: ['not a host'] })).toThrow(/expected NAME or NAME:PORT/);
  });

  it('refuses pages of other origins, and accepts its own', () => {
    const hosts = new AllowedHosts();
    expect(codeOf(() => hosts.checkOrigin('http://127.0.0.1:8787', 8787))).toBeUndefined();
    expect(codeOf(() => hosts.checkOrigin('http://localhost:8787', 8787))).toBeUndefined();
    for (const origin of [
      'https://evil.example',
      'http://127.0.0.1:9999',
      'null',
      'file://',
      'garbage',
      '',
    ]) {
      expect({ origin, code: codeOf(() => hosts.checkOrigin(origin, 8787)) }).toEqual({
        origin,
        code: 'DEMO_CROSS_ORIGIN',
      });
    }
  });

  it('accepts the local names on any port before it listens (inject)', () => {
    const hosts = new AllowedHosts();
    expect(codeOf(() => hosts.checkHost('localhost:80', undefined))).toBeUndefined();
    expect(codeOf(() => hosts.checkHost('evil.example:80', undefined))).toBe('DEMO_HOST_NOT_ALLOWED');
  });
});
