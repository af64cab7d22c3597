import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// What the kernel knows about a process (Linux /proc): peak resident memory and CPU time used.

let ticksPerSecond: number | null = null;

/** Peak resident set size (VmHWM) in bytes, or null when /proc is not there. */
export function peakRssBytes(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/** User plus system CPU seconds the process has used so far, or null without /proc. */
export function cpuSeconds(pid: number): number | null {
  try {
    const fields = statFields(pid);
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return null;
  }
}

/**
 * The fields of /proc/<pid>/stat after the command name: state (0), ppid (1), … utime (11),
 * stime (12), cutime (13), cstime (14). The command name (field 2) may hold spaces; the fields
 * after its closing parenthesis do not. Throws when the process is gone or /proc is not there.
 */
function statFields(pid: number | string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * Seconds the process's main thread (for Node, the event loop) has spent ready to run but waiting
 * for a core, from /proc/<pid>/schedstat (its second field, in ns); null where the kernel does not
 * keep it. On a busy machine this is what a process loses to the others, whatever it does itself.
 */
export function runQueueWaitSeconds(pid: number): number | null {
  try {
    const waitNs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/)[1]);
    return Number.isFinite(waitNs) ? waitNs / 1e9 : null;
  } catch {
    return null;
  }
}

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** CPU seconds the whole machine has been busy (every core, everything but idle and I/O wait), or null without /proc. */
export function machineBusySeconds(): number | null {
  try {
    // cpu  user nice system idle iowait irq softirq steal …
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / clockTicks();
  } catch {
    return null;
  }
}

/**
 * CPU seconds so far that the hypervisor gave to other guests while this machine's cores wanted to
 * run (steal), or null without /proc. Every process here stalls for them, unseen by its own CPU
 * time and by the scheduler's run-queue wait.
 */
export function machineStealSeconds(): number | null {
  try {
    const steal = Number(readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/)[8]);
    return Number.isFinite(steal) ? steal / clockTicks() : null;
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by a server and every process it has started, those that ended included
 * (a PostgreSQL postmaster: its backends, autovacuum workers, checkpointer…): the live children's
 * own time plus what the server has collected from the children it reaped. Null without /proc.
 */
export function processTreeCpuSeconds(serverPid: number): number | null {
  try {
    const server = statFields(serverPid);
    let total = Number(server[11]) + Number(server[12]) + Number(server[13]) + Number(server[14]);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const fields = statFields(entry);
        if (Number(fields[1]) === serverPid) total += Number(fields[11]) + Number(fields[12]);
      } catch {
        // Ended between the listing and the read: the server has collected its time.
      }
    }
    return total / clockTicks();
  } catch {
    return null;
  }
}
