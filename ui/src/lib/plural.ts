/** A count with its noun, singular for one: `1 request`, `3 requests`, `1 anomaly raised` (`many` when not just + "s"). */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
