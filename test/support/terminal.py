"""Runs a command on a pseudo-terminal and answers its questions: what a person at a terminal does.

Usage: python3 terminal.py '<json>' where json is
  {"argv": [...], "env": {...}, "cwd": "...", "steps": [{"expect": "regex", "send": "y\\r"}, ...], "timeout": 60}
Prints one JSON line: {"code": N, "output": "...", "matched": K} (the output with ANSI escapes
removed). Used by the e2e tests of interactive confirmations; stdin, stdout and stderr are the
terminal, as for a person.
"""
import json, os, pty, re, select, sys, time

spec = json.loads(sys.argv[1])
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec.get("cwd") or ".")
    os.execve(spec["argv"][0], spec["argv"], spec["env"])
raw = b""
matched = 0
since = 0
deadline = time.time() + spec.get("timeout", 60)
steps = spec.get("steps", [])
code = None
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            # The terminal closed: the command ended (Linux answers EIO once the child is gone).
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            break
        raw += chunk
    text = ANSI.sub("", raw.decode("utf-8", "replace"))
    # Each question is looked for in what came after the previous answer.
    if matched < len(steps) and re.search(steps[matched]["expect"], text[since:]):
        time.sleep(0.2)
        os.write(fd, steps[matched]["send"].encode())
        matched += 1
        since = len(text)
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        # drain what is left
        try:
            while True:
                r, _, _ = select.select([fd], [], [], 0.2)
                if not r:
                    break
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                raw += chunk
        except OSError:
            pass
        code = os.waitstatus_to_exitcode(status)
        break
if code is None:
    os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    code = -9
print(json.dumps({"code": code, "output": ANSI.sub("", raw.decode("utf-8", "replace")), "matched": matched}))
