/** A plain JSON object (not null, not an array): what a frame, a rule or a stored branch is. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
