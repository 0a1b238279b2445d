/**
 * The frontier seam: the queue of URLs to crawl. It owns dedup (by normalised
 * URL), depth order (BFS), the `maxPages` budget, per-host ready queues and
 * the per-host schedule (parallelism, delay, backoff), so that a lease is only
 * ever handed out for a host that may be fetched now. `MemoryFrontier` and
 * `RedisFrontier` pass one contract suite (test/frontier/frontier-contract.ts).
 */
import type { CrawlRequest, Lease, PageOutcome } from '../core/types.js';

export type AddResult = { ok: true } | { ok: false; reason: 'duplicate' };

/** A redirect target to mark seen (see `Frontier.claimRedirect`). */
export type RedirectClaim = CrawlRequest & { redirectOf: string };

export interface CompleteOptions {
  /** False when the request never went out (robots.txt, host given up): it does not count toward `maxPages`. @default true */
  fetched?: boolean;
  /** When the request ended: a host with a delay waits the delay from then. @default now */
  nowMs?: number;
}

export interface ReleaseOptions {
  /** When the request's response ended. @default now */
  nowMs?: number;
  /** The response was a success (ends the host's run of failures). @default true */
  ok?: boolean;
}

/** Per-host politeness inputs (see politeness/host-slot.ts). */
export interface HostPolicy {
  /** Minimum spacing between request starts to this host, ms. */
  delayMs: number;
  /** Requests in flight to this host at most. */
  parallelism: number;
}

export interface FrontierStats {
  /** Requests waiting (including ones waiting for a retry time). */
  queued: number;
  /** Requests handed out and not yet completed. */
  leased: number;
  /** Requests completed (ok, failed or skipped). */
  done: number;
  /** Of those, requests that were fetched: what `maxPages` counts (see `Frontier.complete`). */
  fetched: number;
  /** Distinct URLs ever accepted (redirect targets claimed included). */
  seen: number;
  /** Hosts the frontier holds state for (the memory frontier forgets idle ones; Redis keeps every host). */
  hosts: number;
  hostsInBackoff: number;
}

export interface FrontierOptions {
  /**
   * Pages fetched in the whole crawl never exceed this: requests completed as
   * fetched plus requests in flight. A request completed with `fetched: false`
   * (robots.txt disallowed it, its host was given up) gives its place back.
   */
  maxPages: number;
  /** Default per-host policy. */
  hostPolicy: HostPolicy;
  /** A lease not completed within this is handed out again. @default 120000 */
  leaseMs?: number;
  /** Random extra delay as a fraction of the host delay. @default 0 */
  jitter?: number;
}

export interface Frontier {
  /** Adds requests never seen before; one result per request, in order. */
  add(requests: CrawlRequest[]): Promise<AddResult[]>;
  /**
   * Hands out up to `max` requests whose host may start one now (parallelism,
   * delay and backoff respected; BFS by depth within a host; hosts round-robin
   * so a slow host never blocks others). Never exceeds the maxPages budget.
   */
  lease(max: number, nowMs?: number): Promise<Lease[]>;
  /**
   * The request is finished; it is never handed out again. It counts toward
   * `maxPages` unless `options.fetched` is false (it never went out).
   */
  complete(lease: Lease, outcome: PageOutcome, options?: CompleteOptions): Promise<void>;
  /**
   * Optional: the request's use of its host ended at `options.nowMs` (its response arrived), while
   * its lease stays live until `complete` or `retry` (its page is still parsed and stored, and an
   * expired lease still comes back). The host's in-flight place is free and its delay counts from
   * then, so a slow parser never holds a host. `MemoryFrontier` implements it; a frontier without
   * it frees the host on `complete`/`retry`.
   */
  releaseHost?(lease: Lease, options?: ReleaseOptions): Promise<void>;
  /** Put the request back, not to be handed out before `notBeforeMs`; it finished at `nowMs` (default now). */
  retry(lease: Lease, notBeforeMs: number, nowMs?: number): Promise<void>;
  /** Changes a host's policy (e.g. robots Crawl-delay). */
  setHostPolicy(host: string, policy: Partial<HostPolicy>): Promise<void>;
  /** No request to `host` starts before `untilMs` (429/503/errors). */
  backoffHost(host: string, untilMs: number): Promise<void>;
  /** Removes every queued request of `host` and returns them (host given up). */
  drainHost(host: string): Promise<CrawlRequest[]>;
  /**
   * Marks the target of a redirect hop seen without queueing it: `claim.key` is the target's
   * normalised URL, `claim.redirectOf` the key of the request whose redirect reached it.
   * `ok` when the key was new (it is now seen: a later link to it is a duplicate) or was
   * claimed before by the same request (a retry of it, or its lease handed out again);
   * `duplicate` when it is seen otherwise (queued, in flight, stored, or reached by another
   * request's redirect): the caller does not fetch it again. A claim from a seed (`source:
   * 'seed'`) also records the target as a place the seeds land on (`seedRedirects`).
   * Claims count as seen in `stats()`, are durable like added requests, and are never leased.
   */
  claimRedirect(claim: RedirectClaim): Promise<AddResult>;
  /** URLs that seeds redirected to (claims with `source: 'seed'`), in claim order, each once. */
  seedRedirects(): Promise<string[]>;
  /**
   * Books a request to `host` that no lease stands for (a redirect hop, a sitemap): returns
   * when it may start (`nowMs`, or later for the host's spacing and backoff) and moves the
   * host's next start to that time plus its delay. With `sentNow` it books a leased request
   * being sent at `nowMs`: it starts at once, and the host's next start becomes at least
   * `nowMs` + its delay, so spacing counts from when requests leave, not from their leases.
   * Parallelism is not counted: such a request holds no place.
   */
  bookHost(host: string, nowMs: number, sentNow?: boolean): Promise<number>;
  /** Earliest time something queued may be leased; undefined when nothing is queued. */
  nextReadyAt(nowMs?: number): Promise<number | undefined>;
  stats(): Promise<FrontierStats>;
  /** Nothing queued and nothing leased, or `maxPages` pages were fetched and nothing is leased. */
  isDone(): Promise<boolean>;
  /** Makes everything added so far durable (before the pages that found it are stored). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
