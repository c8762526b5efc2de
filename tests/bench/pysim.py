#!/usr/bin/env python3
"""The straightforward simulator that make bench measures shadow-sim against.

Reads a Valgrind lackey trace and, for every access line, looks its page up
in one dictionary (the page table of the process, filled on demand as the
guest kernel does): one dictionary lookup a line, nothing of TLBs, walks or
a hypervisor. It prints the accesses and the pages faulted in, which must
equal shadow-sim's accesses (counting a modify once) and guest page faults
for an access that stays within its page.

Usage: python3 tests/bench/pysim.py TRACE
"""
import sys


def main(path):
    pages = {}
    accesses = 0
    with open(path, "rb") as trace:
        for line in trace:
            if line[:2] in (b"==", b"--", b"**"):
                continue
            fields = line.split()
            if len(fields) != 2:
                continue
            page = int(fields[1].split(b",")[0], 16) >> 12
            accesses += 1
            if page not in pages:
                pages[page] = len(pages)
    print(f"accesses={accesses} pages={len(pages)}")


if __name__ == "__main__":
    main(sys.argv[1])
