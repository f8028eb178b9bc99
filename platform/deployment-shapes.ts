/**
 * Deployment shapes: ordinary ways a real frontend or backend behaves that the contract allows
 * and the harness must pass, independent of faults and combinable with them.
 */

export const FRONTEND_SHAPES = ['strict-mode', 'client-reconnect', 'spa', 'callback-keeps-token'] as const;
export type FrontendShape = (typeof FRONTEND_SHAPES)[number];

export const BACKEND_SHAPES = ['server-close-after-run'] as const;
export type BackendShape = (typeof BACKEND_SHAPES)[number];

/** Frame volume: big tool outputs, many thinking frames, fast heartbeats. */
export interface VolumeShape {
  /** When > 0, each tool_completed `output` is padded to this many bytes. */
  bigFrameBytes: number;
  /** When > 0, each run streams this many agent_thinking frames (else 2–3). */
  thinkingFrames: number;
  /** Idle heartbeat period of each `/ws` socket. */
  heartbeatMs: number;
}
