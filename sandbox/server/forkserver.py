# apieval fork server: runs inside a sandbox container as its PID 1, as a non-root user.
#
# It is sent over the container's stdin by the harness (never baked into the image, so any image with a
# python3 works), imports the configured modules once, then runs each sample in a freshly forked process:
#
#   harness -> server (stdin):   b"R <len>\n" + JSON request   then   b"N <len>\n" + nonce
#   server -> harness (stdout):  b"READY <len>\n" + JSON        once, after the pre-imports
#                                b"V <nonce> <len>\n" + JSON    one verdict per request
#
# WHY the nonce is read only after the fork: the child closes every inherited descriptor before any
# sample code runs, so the nonce never exists in the sample's memory or on a descriptor it can read;
# and the server's stdout is unreachable from the sample (fds closed; the server is non-dumpable, so
# /proc/1/fd is closed to it). Whatever a sample prints goes to pipes the server reads and returns as
# data, never as a verdict. The one thing a sample does control is its own in-process report (which
# exception ended it): a program can always choose how it ends, and the server cross-checks the report
# against the exit status it observes itself.
#
# WHY PID 1: the kernel never delivers a signal without a handler to a namespace's init from inside the
# namespace, so a sample cannot kill the server; and kill(-1, SIGKILL) from PID 1 reaches every other
# process in the container (daemons that called setsid included), which is how nothing outlives a sample.
import builtins
import ctypes
import gc
import json
import os
import resource
import select
import shutil
import signal
import sys
import time
import traceback
import types
import warnings

STDIN, STDOUT = 0, 1
WORK_ROOT = '/work'
TMP_ROOT = '/tmp'
REPORT_MAX = 64 * 1024


def log(msg):
    try:
        os.write(2, ('apieval-forkserver: %s\n' % msg).encode('utf-8', 'replace'))
    except OSError:
        pass


def read_exact(n):
    chunks = []
    while n > 0:
        b = os.read(STDIN, n)
        if not b:
            raise EOFError
        chunks.append(b)
        n -= len(b)
    return b''.join(chunks)


def read_frame():
    # Headers are short; reading them a byte at a time keeps everything after them unread in the pipe
    # (the nonce frame must still be in the pipe when the server forks).
    header = b''
    while not header.endswith(b'\n'):
        b = os.read(STDIN, 1)
        if not b:
            raise EOFError
        header += b
        if len(header) > 64:
            raise ValueError('bad frame header')
    kind, length = header.split()
    return kind.decode(), read_exact(int(length))


def write_frame(header, body):
    data = ('%s %d\n' % (header, len(body))).encode() + body
    while data:
        n = os.write(STDOUT, data)
        data = data[n:]


LIBC = []


def libc():
    if not LIBC:
        LIBC.append(ctypes.CDLL(None, use_errno=True))
    return LIBC[0]


def set_non_dumpable():
    # PR_SET_DUMPABLE = 4. A non-dumpable process's /proc/<pid>/fd and memory are closed to same-uid
    # processes, and it cannot be ptrace-attached by them.
    try:
        libc().prctl(4, 0, 0, 0, 0)
    except Exception as e:  # pragma: no cover - reported, not fatal
        log('prctl(PR_SET_DUMPABLE) failed: %r' % (e,))


def vm_size_bytes():
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmSize:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def oom_kills():
    # cgroup v2 memory.events or v1 memory.oom_control both carry an oom_kill counter (kernel >= 4.13).
    for path in ('/sys/fs/cgroup/memory.events', '/sys/fs/cgroup/memory/memory.oom_control'):
        try:
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 2 and parts[0] == 'oom_kill':
                        return int(parts[1])
        except (OSError, ValueError):
            continue
    return None


def other_pids():
    me = os.getpid()
    out = []
    try:
        for name in os.listdir('/proc'):
            if name.isdigit():
                pid = int(name)
                if pid != me:
                    out.append(pid)
    except OSError:
        pass
    return out


def reap_all():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_everything():
    """Kills every process in the container except this one; True when none is left."""
    for attempt in range(200):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        except OSError as e:
            log('kill(-1) failed: %r' % (e,))
        reap_all()
        left = other_pids()
        if not left:
            return True
        # Zombies count until reaped; dying processes take a moment to go.
        time.sleep(0.002 if attempt < 50 else 0.02)
    return False


def wipe(path):
    try:
        names = os.listdir(path)
    except OSError:
        return
    for name in names:
        p = os.path.join(path, name)
        try:
            if os.path.isdir(p) and not os.path.islink(p):
                # A sample may have removed its own write permission on a directory; restore it first.
                for root, dirs, _files in os.walk(p):
                    for d in dirs:
                        try:
                            os.chmod(os.path.join(root, d), 0o700)
                        except OSError:
                            pass
                try:
                    os.chmod(p, 0o700)
                except OSError:
                    pass
                shutil.rmtree(p, ignore_errors=True)
            else:
                os.unlink(p)
        except OSError:
            pass


def remove_sysv_ipc():
    """
    Removes every System V shared memory segment, semaphore set and message queue in the container's IPC
    namespace: unlike files and processes they outlive the sample that made them (a segment's memory stays
    charged to the container), so the next sample would start with them.
    """
    c = libc()
    IPC_RMID = 0
    for table, remove in (
        ('shm', lambda i: c.shmctl(i, IPC_RMID, None)),
        ('sem', lambda i: c.semctl(i, 0, IPC_RMID)),
        ('msg', lambda i: c.msgctl(i, IPC_RMID, None)),
    ):
        try:
            with open('/proc/sysvipc/' + table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 1 and fields[1].lstrip('-').isdigit():
                if remove(int(fields[1])) != 0:
                    log('cannot remove SysV %s %s: errno %d' % (table, fields[1], ctypes.get_errno()))


# ---------------------------------------------------------------------------------------------- child

def child_main(req, out_w, err_w, rep_w, workdir, vm_base):
    """Runs in the forked process; never returns."""
    try:
        os.setsid()
        devnull = os.open('/dev/null', os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.dup2(rep_w, 3)
        os.closerange(4, 65536)  # the server's stdin (with the nonce) and stdout go here
        os.set_inheritable(3, False)
        rep = 3
        mem = int(req['memory_mb']) * 1024 * 1024
        if mem > 0:
            lim = vm_base + mem
            resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
        cpu = int(req['timeout_s']) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.chdir(workdir)
        os.environ['HOME'] = workdir
        os.environ['TMPDIR'] = TMP_ROOT
        os.environ['PWD'] = workdir
        sys.stdin = open(0, 'r', closefd=False)
        sys.stdout = open(1, 'w', buffering=1, encoding='utf-8', errors='backslashreplace', closefd=False)
        sys.stderr = open(2, 'w', buffering=1, encoding='utf-8', errors='backslashreplace', closefd=False)
        sys.__stdout__, sys.__stderr__, sys.__stdin__ = sys.stdout, sys.stderr, sys.stdin
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except BaseException:
        try:
            os.write(2, traceback.format_exc().encode())
        finally:
            os._exit(125)
    run_sample(req['code'], workdir, rep)


MEMORY_REPORT = b'{"phase":"run","type":"MemoryError","module":"builtins","message":"","exit":1}'


SAMPLE_PID = [None]


def report(rep, obj):
    # Only the sample's main process reports: a process it forked that runs on to the end of the
    # program must not add a second account of how "the sample" ended.
    if os.getpid() != SAMPLE_PID[0]:
        return
    try:
        os.write(rep, json.dumps(obj).encode()[:REPORT_MAX])
    except BaseException:
        pass


def flush_std():
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except BaseException:
            pass


def describe(exc):
    t = type(exc)
    info = {'type': t.__name__, 'module': t.__module__, 'message': ''}
    try:
        info['message'] = str(exc)[:2000]
    except BaseException:
        pass
    mro = []
    for k in t.__mro__:
        if k.__module__ == 'builtins':
            mro.append(k.__name__)
    info['builtin_bases'] = mro
    if isinstance(exc, ImportError):
        info['missing'] = getattr(exc, 'name', None)
    return info


def compile_report(exc):
    """The report of a program that does not compile (its process and compile_failure both send this)."""
    info = describe(exc)
    info.update(phase='compile', exit=1)
    return info


def write_main(path, code):
    with open(path, 'w', encoding='utf-8', errors='surrogatepass') as f:
        f.write(code)


def run_sample(code, workdir, rep):
    SAMPLE_PID[0] = os.getpid()
    path = os.path.join(workdir, 'main.py')
    try:
        write_main(path, code)
    except BaseException:
        pass
    sys.argv = [path]
    sys.path[0:1] = [workdir]
    try:
        compiled = compile(code, path, 'exec', dont_inherit=True)
    except Exception as e:  # SyntaxError; ValueError for NUL bytes (3.11); RecursionError when too nested
        traceback.print_exception(e, limit=0)
        flush_std()
        report(rep, compile_report(e))
        os._exit(1)
    # A real __main__ module, as `python main.py` has: pickling classes defined by the sample
    # (multiprocessing, torch.save) looks them up in sys.modules['__main__'].
    main_mod = types.ModuleType('__main__')
    main_mod.__file__ = path
    main_mod.__builtins__ = builtins
    sys.modules['__main__'] = main_mod
    g = main_mod.__dict__
    try:
        exec(compiled, g)
    except SystemExit as e:
        c = e.code
        if c is None:
            status = 0
        elif isinstance(c, int):
            status = c & 0xFF
        else:
            try:
                print(c, file=sys.stderr)
            except BaseException:
                pass
            status = 1
        flush_std()
        report(rep, {'phase': 'exit', 'exit': status})
        os._exit(status)
    except MemoryError:
        g.clear()
        gc.collect()
        if os.getpid() == SAMPLE_PID[0]:
            try:
                os.write(rep, MEMORY_REPORT)
            except BaseException:
                pass
        try:
            os.write(2, b'MemoryError\n')
        except BaseException:
            pass
        os._exit(1)
    except BaseException as e:
        try:
            # Skip this wrapper's own frame: the traceback starts in the sample, as `python main.py` shows it.
            traceback.print_exception(type(e), e, e.__traceback__.tb_next)
        except BaseException:
            pass
        flush_std()
        info = describe(e)
        info.update(phase='run', exit=1)
        report(rep, info)
        os._exit(1)
    flush_std()
    report(rep, {'phase': 'done', 'exit': 0})
    os._exit(0)


# --------------------------------------------------------------------------------------------- server

# Programs this long or longer are compiled only in their own process, under its memory limit.
PRECOMPILE_MAX_CHARS = 100_000


def compile_failure(code, path, out_cap):
    """
    The verdict of a program that does not compile, found without forking (a fifth of model outputs do not
    compile, and a fork of a server holding torch is most of a short program's cost). It is exactly what
    the program's own process would report (run_sample's compile branch: the same traceback on stderr, the
    same report, exit 1) — or None, and the program runs in its own process as any other: when it compiles,
    when compiling it warns (the warning would be on the program's stderr), when the error is not a plain
    syntax error (RecursionError and MemoryError depend on the limits the program's process has), when the
    source is long, or when the traceback would not fit the output cap.
    Compiling runs no code of the program.
    """
    if len(code) >= PRECOMPILE_MAX_CHARS:
        return None
    t0 = time.monotonic()
    # The file first, as run_sample writes it: CPython takes an error's source line from the named file
    # when it exists (a compiler error such as a repeated keyword argument shows no line otherwise).
    try:
        write_main(path, code)
    except BaseException:
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            compile(code, path, 'exec', dont_inherit=True)
            return None
        except (SyntaxError, ValueError) as e:
            error = e
        except Exception:
            return None
    if caught:
        return None
    stderr = ''.join(traceback.format_exception(error, limit=0)).encode('utf-8', 'backslashreplace')
    if len(stderr) > out_cap:
        return None
    # The report as the harness gets it from a process (well under REPORT_MAX: messages are cut at 2,000).
    return stderr, compile_report(error), (time.monotonic() - t0) * 1000.0


def run_request(req, counter):
    workdir = os.path.join(WORK_ROOT, 's%d' % counter)
    # The sample may add memory_mb to what the server maps now (its copy starts with all of it).
    vm_base = vm_size_bytes()
    os.mkdir(workdir, 0o700)
    failed = compile_failure(req['code'], os.path.join(workdir, 'main.py'), int(req['output_bytes']))
    if failed is not None:
        wipe(WORK_ROOT)
        kind, nonce = read_frame()
        if kind != 'N':
            raise ValueError('expected a nonce frame, got %r' % kind)
        stderr, info, ms = failed
        return nonce, make_verdict(ms, b'', stderr, 1 << 8, info)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    rep_r, rep_w = os.pipe()
    oom_before = oom_kills()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            child_main(req, out_w, err_w, rep_w, workdir, vm_base)
        finally:
            os._exit(126)
    for fd in (out_w, err_w, rep_w):
        os.close(fd)
    # Only now: the nonce has stayed in the pipe while the child existed with a copy of our fds.
    kind, nonce = read_frame()
    if kind != 'N':
        raise ValueError('expected a nonce frame, got %r' % kind)

    timeout = float(req['timeout_s'])
    out_cap = int(req['output_bytes'])
    bufs = {out_r: bytearray(), err_r: bytearray(), rep_r: bytearray()}
    caps = {out_r: out_cap, err_r: out_cap, rep_r: REPORT_MAX}
    flooded = False
    timed_out = False
    status = None
    open_fds = [out_r, err_r, rep_r]
    deadline = t0 + timeout
    # A pidfd becomes readable when the child exits, so select() wakes at once instead of polling.
    try:
        exit_watch = [os.pidfd_open(pid)]
    except (AttributeError, OSError):
        exit_watch = []

    def pump(wait):
        nonlocal flooded
        ready, _, _ = select.select(open_fds + exit_watch + [STDIN], [], [], wait)
        if STDIN in ready:
            # The harness sends nothing while a sample runs: readable stdin means EOF (the harness is
            # gone) or a broken protocol. Either way, end the container now rather than at the timeout.
            kill_everything()
            os._exit(0 if not os.read(STDIN, 1) else 71)
        for fd in ready:
            if fd in exit_watch:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b''
            if not chunk:
                open_fds.remove(fd)
                continue
            room = caps[fd] - len(bufs[fd])
            if room > 0:
                bufs[fd] += chunk[:room]
            if len(chunk) > room and fd != rep_r:
                flooded = True

    while status is None:
        now = time.monotonic()
        if now >= deadline:
            timed_out = True
            break
        if flooded:
            break
        if open_fds or exit_watch:
            pump(min(0.05, deadline - now))
        else:
            time.sleep(min(0.005, deadline - now))
        try:
            wpid, wst = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            wpid, wst = pid, 0
        if wpid == pid:
            status = wst
    t_end = time.monotonic()
    for fd in exit_watch:
        os.close(fd)
    exit_watch = []

    if status is None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        _, status = os.waitpid(pid, 0)
    else:
        # Collect what is already in the pipes without waiting for a daemon that still holds them.
        while open_fds:
            before = sum(len(b) for b in bufs.values())
            pump(0)
            if sum(len(b) for b in bufs.values()) == before:
                break
    clean = kill_everything()
    while open_fds:
        pump(0.05)
    for fd in (out_r, err_r, rep_r):
        os.close(fd)
    oom_after = oom_kills()
    # Everything a sample could write goes: its work dir and anything it left beside it, /tmp, /dev/shm,
    # its POSIX message queues (/dev/mqueue) and the System V IPC objects it made.
    for root in (WORK_ROOT, TMP_ROOT, '/dev/shm', '/dev/mqueue'):
        wipe(root)
    remove_sysv_ipc()

    raw = bytes(bufs[rep_r])
    try:
        rep = json.loads(raw.decode('utf-8')) if raw else None
        if not isinstance(rep, dict):
            rep = None
    except ValueError:
        rep = None
    oom = oom_before is not None and oom_after is not None and oom_after > oom_before
    return nonce, make_verdict((t_end - t0) * 1000.0, bytes(bufs[out_r]), bytes(bufs[err_r]), status, rep,
                               timed_out=timed_out, output_limit=flooded, oom_killed=oom, clean=clean)


def make_verdict(duration_ms, stdout, stderr, status, report, timed_out=False, output_limit=False, oom_killed=False, clean=True):
    """A sample's verdict: what it wrote, how it ended (`status` as waitpid gives it) and its own report."""
    signaled = os.WIFSIGNALED(status)
    return {
        'duration_ms': round(duration_ms, 3),
        'stdout': stdout.decode('utf-8', 'replace'),
        'stderr': stderr.decode('utf-8', 'replace'),
        'timed_out': timed_out,
        'output_limit': output_limit,
        'oom_killed': oom_killed,
        'clean': clean,
        'signal': os.WTERMSIG(status) if signaled else None,
        'exit_code': None if signaled else os.WEXITSTATUS(status),
        'report': report,
    }


def main():
    set_non_dumpable()
    # As PID 1 we must not install handlers: a signal with no handler never reaches init from inside.
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(s, signal.SIG_DFL)
    kind, body = read_frame()
    if kind != 'C':
        raise ValueError('expected a config frame')
    cfg = json.loads(body)
    preloaded, failed = [], {}
    t0 = time.monotonic()
    for mod in cfg.get('preload', []):
        try:
            __import__(mod)
            preloaded.append(mod)
        except BaseException as e:
            failed[mod] = '%s: %s' % (type(e).__name__, e)
    gc.collect()
    gc.freeze()  # keeps copy-on-write pages shared between the server and its forks
    vm_base = vm_size_bytes()
    ready = {
        'python': sys.version.split()[0],
        'pid': os.getpid(),
        'uid': os.getuid(),
        'preloaded': preloaded,
        'preload_failed': failed,
        'preload_ms': round((time.monotonic() - t0) * 1000.0, 1),
        'vm_base': vm_base,
    }
    write_frame('READY', json.dumps(ready).encode())
    counter = 0
    while True:
        try:
            kind, body = read_frame()
        except EOFError:
            return
        if kind == 'Q':
            return
        if kind != 'R':
            raise ValueError('unexpected frame %r' % kind)
        counter += 1
        req = json.loads(body)
        nonce, verdict = run_request(req, counter)
        write_frame('V %s' % nonce.decode('ascii'), json.dumps(verdict).encode())


try:
    main()
except EOFError:
    pass
except BaseException:
    log(traceback.format_exc())
    os._exit(70)
os._exit(0)
