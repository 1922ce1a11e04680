"""Run one command and write its figures to a JSON file: python -I -S child.py REPORT COMMAND...

timing.py starts every timed step through this small process instead of forking the benchmark itself.
Linux keeps a process's peak RSS across exec (ru_maxrss starts at the high-water mark of the memory it
was forked or vforked from), so a child started straight from the benchmark, which holds the corpus and
numpy, would report at least the benchmark's own size. Forked from here, the floor is this script's ~10 MB.
Figures: wall from fork to exit; CPU = user + system of the command and the children it waited for;
ru_maxrss = the largest single process among them.
"""

import json
import os
import sys
import time


def main() -> None:
    report, command = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    with open(report, "w", encoding="utf-8") as handle:
        json.dump({"wall": wall, "user": usage.ru_utime, "system": usage.ru_stime, "maxrss_kib": usage.ru_maxrss,
                   "code": code}, handle)  # fmt: skip
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
