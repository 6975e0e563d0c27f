#!/usr/bin/env python3
"""Shares of a process's CPU samples by what they were doing, from `perf script -F comm,tid,ip,sym` output.

usage: python3 bench/tools/perf-shares.py A.txt [B.txt ...]   (one column per file)

Each sample counts once, under the first part below whose frame is anywhere in its stack (the order
matters: a socket send made during a relay's fan-out counts as a send). perf cannot unwind through libc
without frame pointers, so a send's callers are unknown; hence sends are their own part.
"""
import collections
import sys

PARTS = [
    ('socket sends (the send system call, loopback delivery included)', '__send'),
    ('waiting for socket events (epoll)', 'epoll_wait'),
    ('thread-pool workers spinning for work (sched_yield)', 'sched_yield'),
    ('threads sleeping and waking (futex)', 'futex'),
    ('relay fan-out: outbox, SignalR write, pipe, WebSocket framing', 'ConnectionOutbox::WriteFrom'),
    ("Kestrel's socket send loop (IOQueue)", 'IOQueue::System.Threading.IThreadPoolWorkItem.Execute'),
    ('the HTTP publish (endpoint, validation, append, hand-off)', 'PublishingApi'),
    ("Kestrel's HTTP request processing", 'HttpProtocol+<ProcessRequests>'),
    ('StackExchange.Redis', 'StackExchange.Redis'),
    ('socket receive engine', 'SocketAsyncEngine'),
    ('thread-pool dispatch', 'ThreadPoolWorkQueue::Dispatch'),
]


def samples(path):
    """Yields each sample's stack, leaf first, as a list of symbol strings."""
    stack = []
    with open(path, errors='replace') as lines:
        for line in lines:
            if not line.strip():
                if stack:
                    yield stack
                stack = []
            elif line[0] in ' \t':
                frame = line.strip().split(' ', 1)
                stack.append(frame[1] if len(frame) > 1 else frame[0])
    if stack:
        yield stack


def shares(path):
    counts, total = collections.Counter(), 0
    for stack in samples(path):
        total += 1
        joined = ' | '.join(stack)
        counts[next((name for name, frame in PARTS if frame in joined), 'other')] += 1
    return counts, total


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    columns = [shares(path) for path in sys.argv[1:]]
    for name in [name for name, _ in PARTS] + ['other']:
        print(f'{name:66s}' + ''.join(f'{100 * counts[name] / max(1, total):8.1f}%' for counts, total in columns))
    print(f'{"samples":66s}' + ''.join(f'{total:9d}' for _, total in columns))
