#!/usr/bin/python3
# measure.py - runs one command and reports its wall time, CPU time and peak memory, per process.
"""Runs CMD and prints one line on standard output:

  MEASURE label=LABEL rc=RC wall_s=.. cpu_s=.. maxrss_kb=.. parent_kb=.. child_kb=.. procs=N
          load1=..

- maxrss_kb: the kernel's peak resident set of CMD and of every descendant it waited for, the
  largest of them (wait4's ru_maxrss: exact, but one figure for the whole tree; when it is no
  more than this script's own peak, which it always includes, the largest sampled peak below);
- parent_kb: CMD's own peak (VmHWM), child_kb: the largest peak of any of its descendants,
  procs: how many processes the tree had in all. These three are read from /proc every 50 ms,
  so a process that lives less than that may be missed, and a peak reached in CMD's last 50 ms
  too: they are lower bounds, maxrss_kb is the exact maximum.
- cpu_s: user + system time of CMD and its descendants;
- load1: the machine's load average over the last minute as CMD ended (on a shared machine,
  how much else ran beside it).

The command's own output goes to standard error, so that standard output has only that line.
Usage: /usr/bin/python3 bench/measure.py LABEL CMD [ARG]...
"""
import os
import subprocess
import sys
import time


def children(pid):
    """The direct children of pid, from every thread's children list (Linux 3.5 and later)."""
    out = []
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: measure.py LABEL CMD [ARG]...")
    label, cmd = sys.argv[1], sys.argv[2:]
    # The kernel's figure starts at the spawner's own peak (exec keeps the forked copy's high
    # water mark), so it says nothing about a command smaller than this Python.
    own_kb = hwm_kb(os.getpid())
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(cmd, stdout=sys.stderr)
    except OSError as e:
        sys.exit("measure: cannot run %s: %s" % (cmd[0], e.strerror))
    peaks = {}
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            break
        todo = [p.pid]
        while todo:
            q = todo.pop()
            peaks[q] = max(peaks.get(q, 0), hwm_kb(q))
            todo.extend(children(q))
        time.sleep(0.05)
    wall = time.monotonic() - t0
    rc = os.waitstatus_to_exitcode(status)
    child = max([v for k, v in peaks.items() if k != p.pid], default=0)
    maxrss = ru.ru_maxrss if ru.ru_maxrss > own_kb else max(peaks.values(), default=0)
    print("MEASURE label=%s rc=%d wall_s=%.3f cpu_s=%.3f maxrss_kb=%d parent_kb=%d child_kb=%d "
          "procs=%d load1=%.2f" % (label, rc, wall, ru.ru_utime + ru.ru_stime, maxrss,
                                   peaks.get(p.pid, 0), child, len(peaks), os.getloadavg()[0]))
    sys.exit(rc if rc >= 0 else 1)


if __name__ == "__main__":
    main()
