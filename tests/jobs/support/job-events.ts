/** Reading a job's progress events in the tests. */
import type { JobProgressEvent } from "../../../src/services/learning-events.js";

/** Every event of the stream until it ends (after COMPLETED or FAILED). */
export async function eventsUntilFinished(stream: AsyncIterableIterator<JobProgressEvent>): Promise<JobProgressEvent[]> {
  const events: JobProgressEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** The first event `accept` takes; the stream stays open. */
export async function firstEvent(
  stream: AsyncIterableIterator<JobProgressEvent>,
  accept: (event: JobProgressEvent) => boolean,
): Promise<JobProgressEvent> {
  for (;;) {
    const next = await stream.next();
    if (next.done) throw new Error("the job's events ended first");
    if (accept(next.value)) return next.value;
  }
}

/** States in order, repeats collapsed (a BullMQ retry is QUEUED twice in a row: waiting for its backoff, then back in the queue). */
export function stateSequence(events: readonly JobProgressEvent[]): string[] {
  return events.map((e) => e.state).filter((state, i, all) => i === 0 || all[i - 1] !== state);
}
