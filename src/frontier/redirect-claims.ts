/**
 * Redirect targets claimed by requests that are not done yet (MemoryFrontier):
 * a request whose redirect lands on a new URL claims it, so a later link to
 * that URL is a duplicate, while the claimer itself (a retry, a lease handed
 * out again) may claim it again. A claim is forgotten once its claimer is
 * done, so this holds the redirects of requests in flight or waiting for a
 * retry, not every redirect ever followed.
 */
import type { RedirectClaim } from './frontier.js';

export class RedirectClaims {
  /** Target key → key of the request that claimed it. */
  readonly #claims = new Map<string, string>();
  /** The same claims by claimer: its key → the targets it claimed. */
  readonly #byClaimer = new Map<string, string[]>();
  /** Where seeds redirected to, in order (never forgotten: the scope follows them). */
  readonly seedRedirects: string[] = [];

  /** Records a claim (`live`: its claimer is not done, so it may claim the target again). */
  remember(claim: RedirectClaim, live = true): void {
    if (claim.source === 'seed') this.seedRedirects.push(claim.url);
    if (!live) return;
    this.#claims.set(claim.key, claim.redirectOf);
    const targets = this.#byClaimer.get(claim.redirectOf);
    if (targets) targets.push(claim.key);
    else this.#byClaimer.set(claim.redirectOf, [claim.key]);
  }

  /** True when `claim`'s claimer holds its target already (claiming it again is fine). */
  heldBy(claim: RedirectClaim): boolean {
    return this.#claims.get(claim.key) === claim.redirectOf;
  }

  /** Drops the claims of a request that is done. */
  forget(claimer: string): void {
    const targets = this.#byClaimer.get(claimer);
    if (!targets) return;
    this.#byClaimer.delete(claimer);
    for (const target of targets) this.#claims.delete(target);
  }
}
