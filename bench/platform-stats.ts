/** The reference platform's own counters (reference-only routes), typed. */
import { request } from 'undici';
import type { RunningPlatform } from '../test/support/platform.ts';

export interface ApiStats {
  connections_total: number;
  runs_started: number;
  runs_completed: number;
  flood_frames_sent: number;
}

export interface AuthStats {
  test_auth: number;
  login: number;
  refresh: number;
  test_auth_by_email: Record<string, number>;
  tokens_issued: { test_auth: number; login: number; refresh: number };
}

export interface ServerRun {
  run_id: string;
  thread_id: string;
  user_id: string;
  status: string;
  events: { type: string; sent_at_ms: number }[];
}

const num = (value: unknown) => (typeof value === 'number' ? value : 0);

export const proc = {
  async api(platform: RunningPlatform): Promise<ApiStats> {
    const stats = await platform.stats('api');
    return {
      connections_total: num(stats.connections_total),
      runs_started: num(stats.runs_started),
      runs_completed: num(stats.runs_completed),
      flood_frames_sent: num(stats.flood_frames_sent),
    };
  },
  async auth(platform: RunningPlatform): Promise<AuthStats> {
    const stats = await platform.stats('auth');
    const issued = (stats.tokens_issued ?? {}) as Record<string, unknown>;
    return {
      test_auth: num(stats.test_auth),
      login: num(stats.login),
      refresh: num(stats.refresh),
      test_auth_by_email: (stats.test_auth_by_email ?? {}) as Record<string, number>,
      tokens_issued: {
        test_auth: num(issued.test_auth),
        login: num(issued.login),
        refresh: num(issued.refresh),
      },
    };
  },
  /** Server-side send times of each agent event, per run (the platform keeps the last 200 runs). */
  async runs(platform: RunningPlatform): Promise<ServerRun[]> {
    const response = await request(`${platform.urls.api}/__platform/runs`);
    return (await response.body.json()) as ServerRun[];
  },
};
