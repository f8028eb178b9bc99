/**
 * What the dialect alone cannot know about a frame, because it depends on the frames before it:
 * a re-delivery of an event already seen is a duplicate (retries, every socket of the user), and
 * an event without a thread takes its run's thread from an earlier event of the run.
 */
import type { WireDialect } from './dialect.ts';
import type { FrameRecord } from './frames.ts';

export class FrameStream {
  /** First frame seq of each event delivery, by the dialect's duplicate key. */
  private readonly deliveries = new Map<string, number>();
  /** The thread of each run, from the first of its events that named one. */
  private readonly runThreads = new Map<string, string>();

  constructor(private readonly dialect: WireDialect) {}

  /** `frame` (interpreted on its own) as it reads after the frames added before it. */
  add(frame: FrameRecord): FrameRecord {
    const { meaning } = frame;
    if (meaning.kind !== 'event' || frame.json === undefined) return frame;
    const key = this.dialect.duplicateKey(frame.json);
    const first = key === undefined ? undefined : this.deliveries.get(key);
    if (first !== undefined) return { ...frame, meaning: { kind: 'duplicate', of: first } };
    if (key !== undefined) this.deliveries.set(key, frame.seq);
    const { event } = meaning;
    if (event.runId === undefined) return frame;
    if (event.threadId !== undefined) {
      this.runThreads.set(event.runId, event.threadId);
      return frame;
    }
    const threadId = this.runThreads.get(event.runId);
    return threadId === undefined
      ? frame
      : { ...frame, meaning: { kind: 'event', event: { ...event, threadId } } };
  }
}
