/**
 * Adapts store look-ups to Pothos loadable objects: with `sort` set, Pothos matches results to
 * keys itself, so a loader returns just the entities that exist; an unknown key then resolves
 * to null on a nullable field and to a NOT_FOUND error on a required one.
 */
export async function existing<T>(lookup: Promise<(T | undefined)[]>): Promise<T[]> {
  return (await lookup).filter((entity): entity is T => entity !== undefined);
}
