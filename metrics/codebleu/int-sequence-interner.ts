/**
 * Interns integer sequences — a head and a run of integers — to small dense ids, exactly: keys live in
 * one pool, found through an open-addressing hash table and compared in full, so two keys get one id
 * exactly when they are equal. Used for subtree keys (sexp.ts) and data-flow item keys (analysis.ts).
 */
export class IntSequenceInterner {
  /** Every key once: [length, head, ...sequence], at offsetOf[id]. */
  private pool = new Int32Array(1 << 16);
  private poolUsed = 0;
  private offsetOf = new Int32Array(1 << 12);
  /** Open addressing: slot -> id + 1 (0: empty); kept at most half full. */
  private slots = new Int32Array(1 << 13);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The id of (head, seq[from..to)). */
  intern(head: number, seq: Int32Array, from: number, to: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hashKey(head, seq, from, to) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot];
      if (entry === 0) return this.add(slot, head, seq, from, to);
      if (this.equals(entry - 1, head, seq, from, to)) return entry - 1;
    }
  }

  private equals(id: number, head: number, seq: Int32Array, from: number, to: number): boolean {
    const at = this.offsetOf[id];
    const pool = this.pool;
    if (pool[at] !== to - from || pool[at + 1] !== head) return false;
    for (let k = 0; k < to - from; k++) if (pool[at + 2 + k] !== seq[from + k]) return false;
    return true;
  }

  private add(slot: number, head: number, seq: Int32Array, from: number, to: number): number {
    const id = this.count++;
    const need = this.poolUsed + 2 + (to - from);
    if (need > this.pool.length) this.pool = growInt32(this.pool, need);
    if (id >= this.offsetOf.length) this.offsetOf = growInt32(this.offsetOf, id + 1);
    const at = this.poolUsed;
    this.offsetOf[id] = at;
    this.pool[at] = to - from;
    this.pool[at + 1] = head;
    this.pool.set(seq.subarray(from, to), at + 2);
    this.poolUsed = need;
    this.slots[slot] = id + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      const at = this.offsetOf[id];
      let slot = hashKey(this.pool[at + 1], this.pool, at + 2, at + 2 + this.pool[at]) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

/** A 32-bit hash of (head, seq[from..to)) (only spreads keys over slots: equality is checked in full). */
function hashKey(head: number, seq: Int32Array, from: number, to: number): number {
  let h = Math.imul(head ^ 0x9e3779b9, 0x85ebca6b) ^ (to - from);
  for (let k = from; k < to; k++) h = Math.imul(h ^ seq[k], 0xcc9e2d51) + 0x1b873593;
  return h ^ (h >>> 15);
}

/** A copy of `a` with room for at least `need` values (at least doubled). */
export function growInt32(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
