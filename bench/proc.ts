/**
 * Samples a process tree from /proc: the sum of resident memory (RSS, and PSS, which splits
 * shared pages fairly between Chromium's processes) and CPU time, at a fixed interval.
 * Linux only; elsewhere every figure is reported as unavailable (NaN).
 */
import { readdirSync, readFileSync } from 'node:fs';

const PAGE_BYTES = 4096;
const CLOCK_TICKS = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  name: string;
  /** CPU seconds, user + system. */
  cpuS: number;
  rssBytes: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const name = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // After the name: state(0) ppid(1) ... utime(11) stime(12) ... rss(21) in pages.
    return {
      pid,
      ppid: Number(fields[1]),
      name,
      cpuS: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
      rssBytes: Number(fields[21]) * PAGE_BYTES,
    };
  } catch {
    return undefined;
  }
}

function readPss(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = /^Pss:\s+(\d+)\s+kB/m.exec(text)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}

/** Every live process whose ancestry reaches `root` (root included). */
export function processTree(root: number): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const all = new Map<number, ProcStat>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) all.set(stat.pid, stat);
  }
  const children = new Map<number, number[]>();
  for (const stat of all.values()) {
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const out: ProcStat[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    const stat = all.get(pid);
    if (!stat) continue;
    out.push(stat);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export interface TreeUsage {
  samples: number;
  peakRssMiB: number;
  peakPssMiB: number;
  peakProcesses: number;
  /** CPU seconds of every process seen in the tree (last sample of each; misses < 1 interval). */
  cpuS: number;
  /** CPU seconds by process name (node, chromium, ...). */
  cpuByName: Record<string, number>;
}

/** Start sampling the tree under `root`; `stop()` returns the peaks and totals. */
export function sampleTree(root: number, intervalMs = 200): { stop: () => TreeUsage } {
  let peakRss = Number.NaN;
  let peakPss = Number.NaN;
  let peakProcesses = 0;
  let samples = 0;
  const cpu = new Map<number, { name: string; cpuS: number }>();
  const sample = () => {
    const tree = processTree(root);
    if (tree.length === 0) return;
    samples += 1;
    const rss = tree.reduce((sum, stat) => sum + stat.rssBytes, 0);
    // PSS costs more to read: every fifth sample (and the first).
    if (samples % 5 === 1) {
      const pss = tree.reduce((sum, stat) => sum + readPss(stat.pid), 0);
      peakPss = Number.isNaN(peakPss) ? pss : Math.max(peakPss, pss);
    }
    peakRss = Number.isNaN(peakRss) ? rss : Math.max(peakRss, rss);
    peakProcesses = Math.max(peakProcesses, tree.length);
    for (const stat of tree) cpu.set(stat.pid, { name: stat.name, cpuS: stat.cpuS });
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const cpuByName: Record<string, number> = {};
      let total = 0;
      for (const { name, cpuS } of cpu.values()) {
        total += cpuS;
        cpuByName[name] = Number(((cpuByName[name] ?? 0) + cpuS).toFixed(2));
      }
      const mib = (bytes: number) => Number((bytes / 1024 ** 2).toFixed(0));
      return {
        samples,
        peakRssMiB: mib(peakRss),
        peakPssMiB: mib(peakPss),
        peakProcesses,
        cpuS: Number(total.toFixed(2)),
        cpuByName,
      };
    },
  };
}
