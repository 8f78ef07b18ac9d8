/** A short, safe description of a value for error messages: its type and a clipped preview. */
export function describeValue(value: unknown, maxLength = 40): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as { length?: number }).length ?? value.byteLength})`;
  if (typeof value === 'string') {
    const clipped = value.length > maxLength ? `${value.slice(0, maxLength)}…` : value;
    return JSON.stringify(clipped);
  }
  if (typeof value === 'object') return `object{${Object.keys(value).slice(0, 5).join(',')}}`;
  return `${typeof value} ${String(value)}`;
}
