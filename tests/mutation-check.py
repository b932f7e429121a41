#!/usr/bin/env python3
"""Mutation check: break each listed guard on purpose and make sure a test notices.

Reads tests/mutations.txt (format in its header), copies the source tree to
a scratch directory once, configures and builds it once, checks that every
guarding test passes on the unmutated tree, then for each mutation: replaces
the listed line(s), rebuilds, runs the guarding tests with make check,
restores the file.  A mutation whose tests still pass SURVIVED; one whose
original line is not found exactly once is STALE (the list must follow the
code); one that does not build is BROKEN.  Exit status 1 if any mutation is
not caught.

  tests/mutation-check.py [--srcdir DIR] [--list FILE] [--scratch DIR]
                          [--keep] [--jobs N] [--budget SECONDS] [NAME...]

With --budget (or $CB_MUTATION_BUDGET), mutations run newest first (by the
last commit touching their file, then their list order) and those not
started when the budget is spent are reported "not run" without failing:
CI's whole run must stay inside its time limit, and the guards a change
touches are the ones its landing must check.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

FIELDS = ("mutation", "file", "from", "to", "tests", "guard", "note")
TEST_TIMEOUT = 900  # seconds for one mutation's tests; a hang counts as caught


class Mutation:
    def __init__(self, name, where):
        self.name = name
        self.where = where
        self.file = None
        self.edits = []  # [(from, to)], matched on trimmed lines
        self.tests = []
        self.guard = ""
        self.note = ""


def parse_list(path):
    """Blocks of 'key: value' lines, one block per mutation."""
    muts = []
    cur = None
    pending_from = None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            where = "%s:%d" % (path, n)
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, value = line.partition(":")
            key = key.strip()
            value = value.strip()
            if not sep or key not in FIELDS:
                sys.exit("%s: expected one of %s, got: %s"
                         % (where, ", ".join(FIELDS), line))
            if key == "mutation":
                if pending_from is not None:
                    sys.exit("%s: 'from' without 'to'" % where)
                cur = Mutation(value, where)
                muts.append(cur)
                continue
            if cur is None:
                sys.exit("%s: '%s' before the first 'mutation:'" % (where, key))
            if key == "file":
                cur.file = value
            elif key == "from":
                if pending_from is not None:
                    sys.exit("%s: two 'from' lines without a 'to'" % where)
                pending_from = value
            elif key == "to":
                if pending_from is None:
                    sys.exit("%s: 'to' without 'from'" % where)
                cur.edits.append((pending_from, value))
                pending_from = None
            elif key == "tests":
                cur.tests += value.split()
            elif key == "guard":
                cur.guard = value
            elif key == "note":
                cur.note = value
    names = set()
    for m in muts:
        if not m.file or not m.edits or not m.tests:
            sys.exit("%s: mutation '%s' needs file, from/to and tests"
                     % (m.where, m.name))
        if m.name in names:
            sys.exit("%s: mutation '%s' listed twice" % (m.where, m.name))
        names.add(m.name)
    return muts


def print_table(muts):
    """The markdown table of docs/hacking.md, one row per mutation."""
    print("| mutation | file | guard | tests |")
    print("| --- | --- | --- | --- |")
    for m in muts:
        print("| `%s` | `%s` | %s | %s |" % (
            m.name, m.file, m.guard.replace("|", "\\|"),
            " ".join("`%s`" % t for t in m.tests)))


def apply_edits(text, edits):
    """The mutated text, or (None, why) when a 'from' is not exactly once."""
    lines = text.split("\n")
    for old, new in edits:
        hits = [i for i, l in enumerate(lines) if l.strip() == old]
        if len(hits) != 1:
            return None, "'%s' found %d times" % (old, len(hits))
        l = lines[hits[0]]
        indent = l[: len(l) - len(l.lstrip())]
        lines[hits[0]] = indent + new
    return "\n".join(lines), None


def run(cmd, cwd, log, timeout=None):
    """Run cmd (a list) with output appended to log; its status, or None
    on timeout."""
    with open(log, "a") as out:
        out.write("\n$ %s\n" % " ".join(cmd))
        out.flush()
        try:
            return subprocess.run(cmd, cwd=cwd, stdout=out,
                                  stderr=subprocess.STDOUT,
                                  timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return None


def newest_first(srcdir, muts):
    """muts ordered by the time of the last commit touching each one's file
    (newest first), list order among equals."""
    when = {}
    for m in muts:
        if m.file in when:
            continue
        r = subprocess.run(["git", "-C", srcdir, "log", "-1", "--format=%ct",
                            "--", m.file], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, check=False)
        try:
            when[m.file] = int(r.stdout.decode().strip() or 0)
        except ValueError:
            when[m.file] = 0
    order = {id(m): i for i, m in enumerate(muts)}
    return sorted(muts, key=lambda m: (-when[m.file], order[id(m)]))


def copy_tree(src, dst):
    """The project's files known to git (new ones once git-added) into dst:
    never build products of an in-tree build."""
    files = None
    if os.path.isdir(os.path.join(src, ".git")) or os.path.isfile(
            os.path.join(src, ".git")):
        r = subprocess.run(["git", "-C", src, "ls-files", "-z", "--cached"],
                           stdout=subprocess.PIPE, check=False)
        if r.returncode == 0:
            files = [f for f in r.stdout.decode().split("\0") if f]
    if files is None:
        sys.exit("mutation-check: %s is not a git checkout" % src)
    for f in files:
        s = os.path.join(src, f)
        if not os.path.isfile(s):
            continue  # deleted in the work tree
        d = os.path.join(dst, f)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(s, d)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--srcdir", default=os.path.dirname(here))
    ap.add_argument("--list", default=None)
    ap.add_argument("--scratch", default=None,
                    help="work directory (default: a new one under $TMPDIR)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the scratch directory")
    ap.add_argument("--jobs", default=os.environ.get("JOBS", "2"))
    ap.add_argument("--budget", type=float,
                    default=float(os.environ.get("CB_MUTATION_BUDGET", "0")),
                    help="seconds for the mutations after the baseline "
                    "(0: no limit); newest guards first")
    ap.add_argument("--table", action="store_true",
                    help="print docs/hacking.md's table of the list and exit")
    ap.add_argument("names", nargs="*", help="only these mutations")
    a = ap.parse_args()
    srcdir = os.path.abspath(a.srcdir)
    muts = parse_list(a.list or os.path.join(srcdir, "tests/mutations.txt"))
    if a.table:
        print_table(muts)
        return 0
    if a.names:
        unknown = set(a.names) - {m.name for m in muts}
        if unknown:
            sys.exit("mutation-check: no such mutation: %s"
                     % ", ".join(sorted(unknown)))
        muts = [m for m in muts if m.name in a.names]

    scratch = a.scratch or tempfile.mkdtemp(prefix="cb-mutation.")
    src = os.path.join(scratch, "src")
    build = os.path.join(scratch, "build")
    log = os.path.join(scratch, "mutation-check.log")
    os.makedirs(build, exist_ok=True)
    t0 = time.time()
    print("mutation-check: %d mutations; scratch %s (log %s)"
          % (len(muts), scratch, log))
    sys.stdout.flush()
    if not os.path.exists(os.path.join(build, "Makefile")):
        shutil.rmtree(src, ignore_errors=True)
        os.makedirs(src)
        copy_tree(srcdir, src)
        if (run(["autoreconf", "-fi"], src, log) != 0 or
                run([os.path.join(src, "configure")], build, log) != 0):
            sys.exit("mutation-check: configure failed (see %s)" % log)
    make = ["make", "--no-print-directory", "-j" + a.jobs]
    # Build everything the tests need (TESTS empty: build, run nothing).
    if run(make + ["check", "TESTS="], build, log) != 0:
        sys.exit("mutation-check: the unmutated tree does not build (see %s)"
                 % log)
    tests = sorted({t for m in muts for t in m.tests})
    if run(make + ["check", "TESTS=" + " ".join(tests)], build, log,
           TEST_TIMEOUT) != 0:
        sys.exit("mutation-check: the guarding tests fail on the unmutated "
                 "tree (see %s)" % log)
    print("mutation-check: baseline built and green in %.0f s"
          % (time.time() - t0))

    if a.budget > 0:
        muts = newest_first(srcdir, muts)
    t_muts = time.time()
    results = []
    not_run = []
    for m in muts:
        t1 = time.time()
        if a.budget > 0 and t1 - t_muts > a.budget:
            not_run.append(m)
            continue
        path = os.path.join(src, m.file)
        try:
            with open(path, encoding="utf-8") as f:
                orig = f.read()
        except OSError as e:
            results.append((m, "STALE", str(e), 0))
            continue
        mutated, why = apply_edits(orig, m.edits)
        if mutated is None:
            results.append((m, "STALE", why, 0))
            print("  %-34s STALE (%s)" % (m.name, why))
            continue
        with open(log, "a") as out:
            out.write("\n=== mutation %s (%s)\n" % (m.name, m.file))
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(mutated)
            if run(make + ["check", "TESTS="], build, log) != 0:
                verdict, why = "BROKEN", "does not build"
            else:
                rc = run(make + ["check", "TESTS=" + " ".join(m.tests)],
                         build, log, TEST_TIMEOUT)
                if rc is None:
                    verdict, why = "caught", "tests timed out"
                elif rc != 0:
                    verdict, why = "caught", ""
                else:
                    verdict, why = "SURVIVED", "tests passed"
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(orig)
        dt = time.time() - t1
        results.append((m, verdict, why, dt))
        print("  %-34s %-8s %4.0f s  %s" % (m.name, verdict, dt,
                                            " ".join(m.tests)))
        sys.stdout.flush()
    # Leave the scratch build unmutated (a later --scratch run reuses it).
    run(make + ["check", "TESTS="], build, log)

    bad = [r for r in results if r[1] != "caught"]
    caught = len(results) - len(bad)
    print("mutation_check_seconds: %.0f s" % (time.time() - t0))
    for m, verdict, why, _ in bad:
        print("mutation-check: %s: %s (%s; %s in %s)"
              % (verdict, m.name, why, m.where, m.file))
    print("mutations: %d caught, %d not caught" % (caught, len(bad)))
    if not_run:
        print("mutations: %d not run (budget of %.0f s spent): %s"
              % (len(not_run), a.budget, " ".join(m.name for m in not_run)))
    if not bad and not a.keep and not a.scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    elif bad:
        print("mutation-check: logs kept in %s" % log)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
