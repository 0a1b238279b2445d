/**
 * Per-host state with a bound: a `Map` kept in least-recently-used order
 * (every `get` or `set` moves the host last), and the first hosts dropped
 * once it holds `maxHosts`. A broad crawl meets more hosts than it can keep
 * state for; what is kept this way is what a host's next request needs, and
 * what is lost is relearned (see each user for what forgetting costs).
 */
export class HostLru<V> {
  readonly #max: number;
  readonly #map = new Map<string, V>();

  constructor(maxHosts: number) {
    this.#max = Math.max(1, maxHosts);
  }

  get size(): number {
    return this.#map.size;
  }

  get(host: string): V | undefined {
    const value = this.#map.get(host);
    if (value === undefined) return undefined;
    this.#map.delete(host);
    this.#map.set(host, value);
    return value;
  }

  has(host: string): boolean {
    return this.#map.has(host);
  }

  set(host: string, value: V): void {
    this.#map.delete(host);
    this.#map.set(host, value);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }

  delete(host: string): void {
    this.#map.delete(host);
  }
}
