import { networkInterfaces, hostname as osHostname } from 'node:os';
import { CrossOriginError } from './errors/cross-origin-error';
import { HostNotAllowedError } from './errors/host-not-allowed-error';

/** A Host header's (or an allowed-host entry's) name and port, normalised: lower case, IPv6 in brackets. */
export interface HostAndPort {
  name: string;
  port?: number;
}

const NAME_PATTERN = /^[a-z0-9_](?:[a-z0-9_.-]{0,251}[a-z0-9_])?$/;
const IPV6_PATTERN = /^\[[0-9a-f:.]{2,45}\]$/;

/** Parses `name`, `name:port`, `[v6]` or `[v6]:port`; undefined when it is none of these. */
export function parseHost(value: string): HostAndPort | undefined {
  const text = value.trim().toLowerCase();
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(text);
  if (!match) return undefined;
  const [, name, portText] = match;
  if (!(IPV6_PATTERN.test(name) || NAME_PATTERN.test(name))) return undefined;
  if (portText === undefined) return { name };
  const port = Number(portText);
  return port >= 1 && port <= 65535 ? { name, port } : undefined;
}

/** The names this machine answers to when listening on every interface (0.0.0.0 or ::). */
function machineNames(): string[] {
  const names = [osHostname().toLowerCase()];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4') names.push(address.address);
      else if (!address.address.includes('%') && !address.address.toLowerCase().startsWith('fe80')) {
        names.push(`[${address.address.toLowerCase()}]`);
      }
    }
  }
  return names;
}

export interface AllowedHostsOptions {
  /** More names to serve (`--allowed-host`): `NAME` on any port, or `NAME:PORT` on that port only. */
  extra?: readonly string[];
  /**
   * The address the server listens on (HOST). A specific one is served too; a wildcard (0.0.0.0, ::) adds the
   * machine's host name and interface addresses (IP literals and the machine's own name cannot be rebound).
   */
  listenHost?: string;
}

/**
 * The Host names the demo serves, against DNS rebinding: by default `localhost`, `127.0.0.1` and `[::1]`, on
 * the port it listens on; plus the listen address, and the names given with `--allowed-host`. Any other Host
 * is refused (421) before routing, and a request whose `Origin` is not one of these (another site's page) is
 * refused too (403).
 */
export class AllowedHosts {
  private readonly local = new Set(['localhost', '127.0.0.1', '[::1]']);
  private readonly extra: HostAndPort[] = [];

  constructor(options: AllowedHostsOptions = {}) {
    for (const entry of options.extra ?? []) {
      const parsed = parseHost(entry);
      if (!parsed) throw new RangeError(`allowed host ${JSON.stringify(entry)}: expected NAME or NAME:PORT`);
      this.extra.push(parsed);
    }
    const listen = options.listenHost?.trim().toLowerCase();
    if (listen === '0.0.0.0' || listen === '::' || listen === '[::]') {
      for (const name of machineNames()) this.local.add(name);
    } else if (listen) {
      const parsed = parseHost(listen.includes(':') && !listen.startsWith('[') ? `[${listen}]` : listen);
      if (parsed) this.local.add(parsed.name);
    }
  }

  /**
   * Whether `name` on `port` is served. `servingPort` undefined (not listening, e.g. `inject` in tests): the
   * local names match on any port.
   */
  allows(name: string, port: number, servingPort: number | undefined): boolean {
    if (this.local.has(name) && (servingPort === undefined || port === servingPort)) return true;
    return this.extra.some(
      (entry) => entry.name === name && (entry.port === undefined || entry.port === port),
    );
  }

  /** Throws HostNotAllowedError unless the Host header names this server. */
  checkHost(host: string | undefined, servingPort: number | undefined): void {
    const parsed = host === undefined ? undefined : parseHost(host);
    if (!parsed || !this.allows(parsed.name, parsed.port ?? 80, servingPort)) {
      throw new HostNotAllowedError(host, this.describe(servingPort));
    }
  }

  /** Throws CrossOriginError unless `origin` (the Origin header) is a page this server serves. */
  checkOrigin(origin: string, servingPort: number | undefined): void {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    const parsed = url && (url.protocol === 'http:' || url.protocol === 'https:') && parseHost(url.host);
    const port = url?.port ? Number(url.port) : url?.protocol === 'https:' ? 443 : 80;
    if (!parsed || !this.allows(parsed.name, port, servingPort)) throw new CrossOriginError(origin);
  }

  /** The served names, for messages: `127.0.0.1:8787, localhost:8787, [::1]:8787, demo.example`. */
  describe(servingPort: number | undefined): string[] {
    const suffix = servingPort === undefined ? '' : `:${servingPort}`;
    return [
      ...[...this.local].slice(0, 6).map((name) => `${name}${suffix}`),
      ...this.extra.map((entry) => `${entry.name}${entry.port === undefined ? '' : `:${entry.port}`}`),
    ];
  }
}
