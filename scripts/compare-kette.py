#!/usr/bin/env python3
"""Times everyday commands of two (or more) `kette` binaries on one store, run alternately so
every binary sees the same load: wall time and CPU time (user + system from wait4), medians.
The long list (the category nearest 3,400 offers) is also run by the sqlite3 shell with the same
query and shown columns, as `kette-bench local` does. BENCHMARKS.md ("Instant commands") uses it.

    scripts/compare-kette.py --home STORE_DIR [--runs 25] BINARY [BINARY ...]

STORE_DIR: a store made by `kette-bench local --keep STORE_DIR`. Each binary runs on its own copy
(a newer binary may migrate the store past what an older one opens); `offer add` writes to it.
"""
import argparse, os, shutil, sqlite3, statistics, tempfile, time

parser = argparse.ArgumentParser()
parser.add_argument("--home", required=True)
parser.add_argument("--runs", type=int, default=25)
parser.add_argument("binaries", nargs="+")
options = parser.parse_args()
database = os.path.join(options.home, "kette.db")
with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
    district = connection.execute("SELECT id FROM districts WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()[0]
    category = min(connection.execute("SELECT category, count(*) FROM offers WHERE deleted = 0 GROUP BY category"),
                   key=lambda row: abs(row[1] - 3400))[0]
query = f"""SELECT substr(o.id, 1, 8) AS id, o.title, coalesce(d.name, o.district, '–') AS district, o.category, o.status
FROM offers o LEFT JOIN districts d ON d.id = o.district LEFT JOIN organizations p ON p.id = o.provider
WHERE o.deleted = 0 AND o.category = '{category}' ORDER BY o.title COLLATE NOCASE, o.id"""
copies = tempfile.mkdtemp(prefix="kette-compare-")
homes = {}
for index, binary in enumerate(options.binaries):
    homes[binary] = os.path.join(copies, str(index))
    shutil.copytree(options.home, homes[binary])
commands = {  # name -> function(home, run) -> arguments
    "--help": lambda home, run: ["--help"],
    "status": lambda home, run: ["--home", home, "status"],
    "offer list --district": lambda home, run: ["--home", home, "offer", "list", "--district", district],
    "search": lambda home, run: ["--home", home, "search", ["Sprachförderung", "Hebamme", "Jugendtreff", "Bewerbung"][run % 4]],
    "offer add": lambda home, run: ["--home", home, "offer", "add", "--title", f"Vergleich {run}", "--district", district,
                                    "--phase", "preschool", "--category", "counselling"],
    f"offer list --category {category}": lambda home, run: ["--home", home, "offer", "list", "--category", category],
}
null = os.open(os.devnull, os.O_WRONLY)


def once(argv):
    started = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return (time.perf_counter() - started) * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def compare(name, argvs):
    """argvs: label -> function(run) -> argv; one warm-up run each, then alternating runs."""
    times = {label: ([], []) for label in argvs}
    for label, argv in argvs.items():
        once(argv(0))
    for run in range(1, options.runs + 1):
        for label, argv in argvs.items():
            wall, cpu = once(argv(run))
            times[label][0].append(wall)
            times[label][1].append(cpu)
    cells = [f"{label}: wall {statistics.median(w):6.1f} cpu {statistics.median(c):5.1f}" for label, (w, c) in times.items()]
    print(f"{name:34s} | " + " | ".join(cells), flush=True)


print(f"load average {os.getloadavg()[0]:.1f}; {options.runs} runs each, medians in ms")
for name, arguments in commands.items():
    compare(name, {binary: (lambda run, b=binary, a=arguments: [b] + a(homes[b], run)) for binary in options.binaries})
shell = shutil.which("sqlite3")
if shell:
    list_argvs = {binary: (lambda run, b=binary: [b] + commands[f"offer list --category {category}"](homes[b], run)) for binary in options.binaries}
    list_argvs["sqlite3"] = lambda run: [shell, "-readonly", "-column", "-header", database, query]
    compare("long list against the sqlite3 shell", list_argvs)
print(f"load average {os.getloadavg()[0]:.1f}")
shutil.rmtree(copies)
