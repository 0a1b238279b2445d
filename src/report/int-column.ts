/**
 * A growable column of 32-bit integers (a typed array that doubles when
 * full): 4 bytes an entry, where a JavaScript array of numbers costs 8 or
 * more, and no garbage per entry.
 */
export class IntColumn {
  #values: Int32Array;
  #length = 0;

  constructor(initialCapacity = 1024) {
    this.#values = new Int32Array(Math.max(16, initialCapacity));
  }

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    if (this.#length === this.#values.length) {
      const grown = new Int32Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = value;
  }

  get(index: number): number {
    return this.#values[index]!;
  }

  set(index: number, value: number): void {
    this.#values[index] = value;
  }

  /** Keeps the first `length` entries (the capacity stays). */
  truncate(length: number): void {
    this.#length = Math.min(this.#length, length);
  }

  /** Adds `by` at `index`, growing the column with zeros up to it when needed. */
  add(index: number, by = 1): void {
    while (this.#length <= index) this.push(0);
    this.#values[index]! += by;
  }

  /** The entries as a view (no copy); valid until the next `push`. */
  view(): Int32Array {
    return this.#values.subarray(0, this.#length);
  }
}

/** Interns strings: each distinct string gets the next id. */
export class StringTable {
  readonly #ids = new Map<string, number>();
  readonly values: string[] = [];

  /** The id of `value`, added when new. */
  intern(value: string): number {
    let id = this.#ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.#ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  /** The id of `value`, or undefined when it was never interned. */
  find(value: string): number | undefined {
    return this.#ids.get(value);
  }

  get size(): number {
    return this.values.length;
  }
}
