/**
 * The private-network guard (SSRF): the fetcher never connects to an address
 * in a blocked range (address-ranges.ts) unless the user allowed it. It is
 * checked on the address actually connected to:
 *
 * - a host name: in the DNS lookup every connection makes (`wrap`), after the
 *   answer, so a name that resolves, or later rebinds, to a private address is
 *   caught; blocked answers are dropped and the connection goes to an allowed
 *   one, or fails with `ERR_BLOCKED_ADDRESS` when none is left;
 * - an IP literal (Node connects to those without a lookup): before the request
 *   (`checkHost`). The WHATWG URL parser has already turned every IPv4 notation
 *   (decimal `2130706433`, octal `0177.0.0.1`, hex `0x7f.1`, short `127.1`) into
 *   dotted decimal, and IPv6 into its canonical form.
 *
 * Every request goes through both (pages, each redirect hop, robots.txt,
 * sitemaps), since they share the fetcher.
 *
 * What is allowed (`fetch.allowPrivateNetworks`):
 * - `"seeds"` (default): the blocked ranges the seeds themselves are in (their
 *   literal address, or what their host name resolves to: `localhost` allows
 *   127.0.0.0/8 and ::1), so a crawl of a local or intranet site works with no
 *   flag, while the others (e.g. the metadata service) stay blocked;
 * - a list of CIDR ranges: those, and the seeds' ranges;
 * - `false`: nothing, seeds included (a service crawling URLs strangers give it);
 * - `true`: the guard is off.
 */
import type { LookupAddress } from 'node:dns';
import { blockedRangeOf, inNetworks, parseAddress, parseCidrList, type BlockedRange } from './address-ranges.js';
import type { Lookup } from './keep-alive-agents.js';

export type AllowPrivateNetworks = boolean | 'seeds' | string[];

/** How long resolving the seeds' host names may take (their ranges are then not allowed). */
const SEED_LOOKUP_TIMEOUT_MS = 10_000;

/** A connection the guard refused; got keeps its `code` on the error it throws. */
export class BlockedAddressError extends Error {
  readonly code = 'ERR_BLOCKED_ADDRESS';
  readonly address: string;
  readonly range: BlockedRange;

  constructor(host: string, address: string, range: BlockedRange) {
    const what = host === address ? address : `${host} resolves to ${address}, which`;
    super(`${what} is a ${range.kind} address (${range.cidr}): not connected to; allow it with fetch.allowPrivateNetworks or --allow-private`);
    this.name = 'BlockedAddressError';
    this.address = address;
    this.range = range;
  }
}

export interface AddressGuardOptions {
  allow: AllowPrivateNetworks;
  /** The crawl's seed URLs: with `allow` "seeds" or a list, the blocked ranges they are in are allowed. */
  seeds?: readonly string[];
  /** Resolves the seeds' host names (the fetcher's own lookup, unguarded). */
  lookup: Lookup;
}

export class AddressGuard {
  readonly #off: boolean;
  readonly #allowList: ReturnType<typeof parseCidrList>;
  /** CIDRs of the blocked ranges the seeds are in. */
  readonly #seedRanges = new Set<string>();
  readonly #seedNames: string[] = [];
  readonly #lookup: Lookup;
  #seedNamesResolved: Promise<void> | undefined;

  constructor(options: AddressGuardOptions) {
    this.#off = options.allow === true;
    this.#allowList = Array.isArray(options.allow) ? parseCidrList(options.allow) : [];
    this.#lookup = options.lookup;
    if (options.allow === false) return;
    for (const seed of options.seeds ?? []) {
      const host = hostnameOf(seed);
      if (host === undefined) continue;
      if (parseAddress(host)) this.#allowSeedAddress(host);
      else if (!this.#seedNames.includes(host)) this.#seedNames.push(host);
    }
  }

  /** False when the guard is off (`allowPrivateNetworks: true`). */
  get enabled(): boolean {
    return !this.#off;
  }

  /**
   * The refusal for a URL's host when it is a blocked IP literal; undefined for an allowed
   * literal or a host name (names are checked when they are resolved: `wrap`).
   */
  async checkHost(hostname: string): Promise<BlockedAddressError | undefined> {
    if (this.#off || !parseAddress(hostname)) return undefined;
    const address = hostname.replace(/^\[|\]$/g, '');
    if (this.#verdict(address) === undefined) return undefined;
    await this.#resolveSeedNames();
    const range = this.#verdict(address);
    return range ? new BlockedAddressError(address, address, range) : undefined;
  }

  /**
   * For a request a proxy resolves itself (the connected address cannot be seen): the refusal
   * when any address `hostname` resolves to here is blocked; undefined for an IP literal (see
   * `checkHost`), an allowed name, or one that does not resolve here (the proxy may know it).
   */
  async checkName(hostname: string): Promise<BlockedAddressError | undefined> {
    if (this.#off || parseAddress(hostname)) return undefined;
    const addresses = await this.#resolve(hostname);
    if (addresses.every((address) => this.#verdict(address) === undefined)) return undefined;
    await this.#resolveSeedNames();
    const blocked = addresses.find((address) => this.#verdict(address) !== undefined);
    return blocked === undefined ? undefined : new BlockedAddressError(hostname, blocked, this.#verdict(blocked)!);
  }

  /**
   * `lookup` with the blocked answers removed: the connection goes to an allowed address, or
   * fails with a `BlockedAddressError` when every answer was blocked.
   */
  wrap(lookup: Lookup): Lookup {
    if (this.#off) return lookup;
    return (hostname, options, callback) => {
      lookup(hostname, { ...options, all: true }, (error, answer) => {
        if (error) return callback(error, options.all ? [] : '', undefined);
        const addresses = answer as LookupAddress[];
        const done = (): void => {
          const allowed = addresses.filter((entry) => this.#verdict(entry.address) === undefined);
          const first = allowed[0];
          if (!first) {
            const blocked = addresses[0];
            const refusal = blocked ? new BlockedAddressError(hostname, blocked.address, this.#verdict(blocked.address)!) : Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
            return callback(refusal as NodeJS.ErrnoException, options.all ? [] : '', undefined);
          }
          if (options.all) callback(null, allowed);
          else callback(null, first.address, first.family);
        };
        // The seeds' names are resolved (once) only when something blocked is met.
        if (addresses.every((entry) => this.#verdict(entry.address) === undefined)) done();
        else void this.#resolveSeedNames().then(done);
      });
    };
  }

  /** The blocked range `address` is in, unless allowed (seeds' ranges, the allow-list). */
  #verdict(address: string): BlockedRange | undefined {
    if (this.#off) return undefined;
    const range = blockedRangeOf(address);
    if (!range || this.#seedRanges.has(range.cidr)) return undefined;
    return inNetworks(address, this.#allowList) ? undefined : range;
  }

  #allowSeedAddress(address: string): void {
    const range = blockedRangeOf(address);
    if (range) this.#seedRanges.add(range.cidr);
  }

  /** Resolves the seeds' host names once, adding their ranges; a name that does not resolve adds none. */
  #resolveSeedNames(): Promise<void> {
    this.#seedNamesResolved ??= Promise.all(this.#seedNames.map((name) => this.#resolve(name))).then((lists) => {
      for (const address of lists.flat()) this.#allowSeedAddress(address);
    });
    return this.#seedNamesResolved;
  }

  #resolve(name: string): Promise<string[]> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve([]), SEED_LOOKUP_TIMEOUT_MS);
      timer.unref();
      this.#lookup(name, { all: true }, (error, answer) => {
        clearTimeout(timer);
        resolve(error ? [] : (answer as LookupAddress[]).map((entry) => entry.address));
      });
    });
  }
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
