#!/usr/bin/env python3
"""Sums, from a GNU ld map file, the sizes of the input sections that came
from the given object files: text (code and read-only data, as lwIP's figures
count them), data and bss. Prints one line per figure and, with --by-object,
the largest contributors. Usage: map_sizes.py MAP OBJECT... [--by-object N]"""
import collections
import os
import re
import sys


def kind_of(section):
    if section.startswith(('.text', '.rodata', '.ARM.extab', '.glue', '.vfp11', '.v4_bx')):
        return 'text'
    if section.startswith(('.data', '.tdata')):  # thread-locals: counted once
        return 'data'
    if section.startswith(('.bss', '.tbss', 'COMMON')):
        return 'bss'
    return None


def main():
    args = sys.argv[1:]
    top = 0
    if '--by-object' in args:
        i = args.index('--by-object')
        top = int(args[i + 1])
        del args[i:i + 2]
    map_path, objects = args[0], {os.path.basename(o) for o in args[1:]}
    totals = collections.Counter()
    by_object = collections.Counter()
    in_memory_map = False
    pending = None  # an input section name whose address/size is on the next line
    entry = re.compile(r'^\s+(\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)$')
    with open(map_path) as f:
        for line in f:
            if line.startswith('Linker script and memory map'):
                in_memory_map = True
                continue
            if not in_memory_map:
                continue
            stripped = line.rstrip('\n')
            if pending is None and re.match(r'^ (\.\S+|COMMON)$', stripped):
                pending = stripped.strip()
                continue
            m = entry.match(stripped)
            if m is None:
                pending = None
                continue
            section = m.group(1) or pending
            pending = None
            if section is None or not section.startswith(('.', 'COMMON')):
                continue
            size = int(m.group(3), 16)
            obj = os.path.basename(m.group(4))
            member = re.fullmatch(r'.+\.a\((.+)\)', obj)  # an archive's member: lib.a(file.o)
            if member is not None:
                obj = member.group(1)
            kind = kind_of(section)
            if kind is None or size == 0 or obj not in objects:
                continue
            totals[kind] += size
            by_object[(obj, kind)] += size
    for kind in ('text', 'data', 'bss'):
        print(f'{kind} {totals[kind]}')
    for (obj, kind), size in by_object.most_common(top):
        print(f'  {size:7d} {kind:4s} {obj}')


if __name__ == '__main__':
    main()
