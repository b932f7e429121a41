#!/usr/bin/env python3
"""tcp-nodelay.py PID PORT TOKEN: opens a keep-alive connection to the hub
at 127.0.0.1:PORT, asks GET /healthz on it, finds the hub's end of that
connection among PID's descriptors (/proc/PID/fd and /proc/net/tcp),
copies it with pidfd_getfd(2) and prints its TCP_NODELAY ("nodelay 1")."""
import ctypes, os, socket, sys
pid, port = int(sys.argv[1]), int(sys.argv[2])
c = socket.create_connection(("127.0.0.1", port), timeout=30)
c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
got = b""
while b"\r\n\r\n" not in got:
    d = c.recv(4096)
    if not d:
        sys.exit("closed by the hub")
    got += d
me = c.getsockname()[1]
inode = None
for line in open("/proc/net/tcp").read().splitlines()[1:]:
    f = line.split()
    lport = int(f[1].split(":")[1], 16)
    rport = int(f[2].split(":")[1], 16)
    if lport == port and rport == me:
        inode = f[9]
if inode is None:
    sys.exit("the hub's end of the connection is not in /proc/net/tcp")
fd = None
for n in os.listdir("/proc/%d/fd" % pid):
    try:
        if os.readlink("/proc/%d/fd/%s" % (pid, n)) == "socket:[%s]" % inode:
            fd = int(n)
    except OSError:
        pass
if fd is None:
    sys.exit("no descriptor of pid %d is socket %s" % (pid, inode))
libc = ctypes.CDLL(None, use_errno=True)
pidfd = os.pidfd_open(pid)
SYS_pidfd_getfd = 438
dup = libc.syscall(SYS_pidfd_getfd, pidfd, fd, 0)
if dup < 0:
    sys.exit("pidfd_getfd: %s" % os.strerror(ctypes.get_errno()))
s = socket.socket(fileno=dup)
print("nodelay %d" % s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
s.detach()
os.close(dup)
c.close()
