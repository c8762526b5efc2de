#!/bin/sh
# Outputs that reproduce and compare: --stats=json and --stats=csv carry
# the version, the trace and the whole configuration beside the counters;
# --exits and the debugger's info exits report the VM exits by reason, and
# the report sums to the exits.
. "$(dirname "$0")/lib.sh"
S=$SHADOW_SIM
TRACES=$TESTS_DIR/../traces
FW=$TRACES/forkwait.txt
OPTS="--mode shadow-oos --tlb-ways 8 --tlb-sets 32 --pwc off --pcid --levels 5 --cost exit=1000,walk_ref=30"

# check NAME PYTHON-FILE ARGS... : a python3 check of files, ok when it exits 0.
check() {
        name=$1
        shift
        if python3 "$@" >"$TMP/py.err" 2>&1; then ok "$name"; else not_ok "$name" "$(tail -n 3 "$TMP/py.err")"; fi
}

# ---- JSON -------------------------------------------------------------------
"$S" --quiet $OPTS --stats=json "$FW" >"$TMP/run.json"
"$S" --quiet $OPTS "$FW" >"$TMP/run.txt"
"$S" --version >"$TMP/version"
cat >"$TMP/check_json.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read().split()
version = open(sys.argv[3]).read().split()[1]
assert d["version"] == version, d["version"]
t = d["trace"]
assert t["name"].endswith("traces/forkwait.txt") and t["format"] == "v1" and t["compression"] == "text", t
assert t["lines"] == int(sys.argv[4]), t["lines"]
c = d["config"]
want = {"mode": "shadow-oos", "tlb_ways": 8, "tlb_sets": 32, "pwc": False, "pcid": True, "levels": 5,
        "ept_levels": 4, "ad_emulation": True, "host_pages": "4K", "keep_going": False}
for k, v in want.items():
    assert c[k] == v, (k, c[k], v)
assert c["cost"]["exit"] == 1000 and c["cost"]["walk_ref"] == 30 and c["cost"]["pt_write"] == 4500, c["cost"]
# The counters are those of the [STATS] line, which leaves out those about
# several vCPUs on a machine of one (0 here).
line = dict(kv.split("=") for kv in text[1:])
smp = {"shootdowns", "ipis", "shootdown_exits", "exit_ipi", "exit_remote_flush"}
for k, v in d["stats"].items():
    if k in smp and k not in line:
        assert v == 0, (k, v)
    elif k == "overhead_pct":
        assert "%+.1f%%" % v == line["overhead"], (v, line["overhead"])
    else:
        assert v == int(line[k]), (k, v, line[k])
# The exits by reason sum to the exits and their cycles to the exits' cost.
r = d["exit_reasons"]
assert sum(x["exits"] for x in r) == d["stats"]["exits"] > 0
assert abs(sum(x["exits_pct"] for x in r) - 100) < 0.1 and abs(sum(x["cycles_pct"] for x in r) - 100) < 0.1
for x in r:
    assert x["exits"] == d["stats"]["exit_" + x["reason"]], x
    assert abs(x["avg_cycles"] * x["exits"] - x["cycles"]) < 1, x
assert [x["exits"] for x in r] == sorted((x["exits"] for x in r), reverse=True)
PY
check "--stats=json: version, trace, configuration, counters, exits by reason" "$TMP/check_json.py" \
        "$TMP/run.json" "$TMP/run.txt" "$TMP/version" "$(wc -l <"$FW")"

# A compressed trace from a pipe is named <stdin> with its compression.
gzip -c "$FW" | "$S" --quiet --stats=json - >"$TMP/pipe.json"
cat >"$TMP/check_pipe.py" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["trace"]
assert t == {"name": "<stdin>", "lines": int(sys.argv[2]), "format": "v1", "compression": "gzip"}, t
PY
check "--stats=json names a piped gzip trace" "$TMP/check_pipe.py" "$TMP/pipe.json" "$(wc -l <"$FW")"

# ---- CSV --------------------------------------------------------------------
"$S" --quiet $OPTS --stats=csv "$FW" >"$TMP/run.csv"
cat >"$TMP/check_csv.py" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1])))
assert len(rows) == 2 and len(rows[0]) == len(rows[1]), [len(r) for r in rows]
row = dict(zip(*rows))
d = json.load(open(sys.argv[2]))
assert row["version"] == d["version"] and row["lines"] == str(d["trace"]["lines"])
assert row["mode"] == "shadow-oos" and row["pwc"] == "off" and row["pcid"] == "on" and row["cost_exit"] == "1000"
for k, v in d["stats"].items():
    assert row[k] == ("%.1f" % v if k == "overhead_pct" else str(v)), k
# the options, then the counters, in that order
names = rows[0]
assert names.index("mode") < names.index("cost_exit") < names.index("exits") < names.index("overhead_pct")
PY
check "--stats=csv: one header, one row with the same fields" "$TMP/check_csv.py" "$TMP/run.csv" "$TMP/run.json"

# A trace name with a comma and a quote is quoted as RFC 4180 says.
cp "$FW" "$TMP/a,b\"c.txt"
"$S" --quiet --stats=csv "$TMP/a,b\"c.txt" >"$TMP/quoted.csv"
cat >"$TMP/check_quoted.py" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert len(rows[0]) == len(rows[1]) and dict(zip(*rows))["trace"].endswith('a,b"c.txt'), rows[1][:3]
PY
check "--stats=csv quotes a trace name with a comma" "$TMP/check_quoted.py" "$TMP/quoted.csv"

# --compare: once what is common, then each scheme; each equals its single run.
"$S" --compare $OPTS --stats=json "$FW" >"$TMP/cmp.json"
"$S" --compare $OPTS --stats=csv "$FW" >"$TMP/cmp.csv"
for m in native shadow ept; do
        "$S" --quiet $(echo "$OPTS" | sed "s/--mode shadow-oos/--mode $m/") --stats=json "$FW" >"$TMP/single.$m.json"
done
cat >"$TMP/check_cmp.py" <<'PY'
import csv, json, sys
d = json.load(open(sys.argv[1]))
assert "mode" not in d["config"] and d["config"]["tlb_ways"] == 8
assert list(d["schemes"])[0] == "native"
for m in ("native", "shadow", "ept"):
    single = json.load(open(sys.argv[3] + "." + m + ".json"))
    assert d["schemes"][m]["stats"] == single["stats"], m
    assert d["schemes"][m]["exit_reasons"] == single["exit_reasons"], m
table = list(csv.reader(open(sys.argv[2])))
assert table[0] == ["field"] + list(d["schemes"]), table[0]
rows = {r[0]: r[1:] for r in table[1:]}
assert rows["mode"] == list(d["schemes"]) and rows["tlb_ways"] == ["8"] * len(d["schemes"])
assert rows["exits"] == [str(d["schemes"][m]["stats"]["exits"]) for m in d["schemes"]]
PY
check "--compare --stats=json and csv: each scheme equals its single run" "$TMP/check_cmp.py" \
        "$TMP/cmp.json" "$TMP/cmp.csv" "$TMP/single"

# Several vCPUs: the JSON adds each vCPU's counters, which sum to the
# machine's, in a single run and in each scheme of the comparison; with one
# vCPU it has none.
SD=$TRACES/shootdown.txt
"$S" --quiet --vcpus 4 --mode shadow --stats=json "$SD" >"$TMP/vcpus.json"
"$S" --compare --vcpus 4 --stats=json "$SD" >"$TMP/vcpus-cmp.json"
cat >"$TMP/check_vcpus.py" <<'PY'
import json, sys
def sums(res):
    v = res["vcpus"]
    assert [x["cpu"] for x in v] == [0, 1, 2, 3], v
    for k, total in res["stats"].items():
        if k != "overhead_pct":
            assert sum(x["stats"][k] for x in v) == total, k
    assert all(x["stats"]["accesses"] > 0 for x in v)
d = json.load(open(sys.argv[1]))
assert d["config"]["vcpus"] == 4 and d["stats"]["shootdowns"] > 0
sums(d)
for m, res in json.load(open(sys.argv[2]))["schemes"].items():
    sums(res)
assert "vcpus" not in json.load(open(sys.argv[3]))
PY
check "--stats=json with several vCPUs: each vCPU's counters sum to the total" \
        "$TMP/check_vcpus.py" "$TMP/vcpus.json" "$TMP/vcpus-cmp.json" "$TMP/run.json"

# ---- --exits ------------------------------------------------------------------
"$S" --quiet --exits $OPTS "$FW" >"$TMP/exits.txt"
cat >"$TMP/check_exits.py" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
stats = dict(kv.split("=") for kv in lines[0].split()[1:])
assert lines[1] == "" and lines[2] == "VM exits under shadow-oos:", lines[1:3]
assert lines[3].split() == ["VM-EXIT", "Exits", "Exits%", "Cycles", "Cycles%", "Avg", "cycles"]
rows = []
for l in lines[4:]:
    f = l.split()
    if f[0] == "Total":
        total = f
        break
    rows.append(f)
assert rows and all(int(r[1]) == int(stats["exit_" + r[0]]) for r in rows), rows
assert sum(int(r[1]) for r in rows) == int(total[1]) == int(stats["exits"])
assert sum(int(r[3]) for r in rows) == int(total[3])
assert abs(sum(float(r[2].rstrip("%")) for r in rows) - 100) < 0.1
assert [int(r[1]) for r in rows] == sorted((int(r[1]) for r in rows), reverse=True)
assert lines[-1].startswith("Exits took "), lines[-1]
PY
check "--exits: a row per reason, summing to the exits" "$TMP/check_exits.py" "$TMP/exits.txt"
"$S" --compare --exits "$FW" >"$TMP/cmp-exits.txt"
n=$(grep -c '^VM exits under ' "$TMP/cmp-exits.txt")
if [ "$n" -eq "$(sed -n '1s/^counter *//p' "$TMP/cmp-exits.txt" | wc -w)" ]; then
        ok "--compare --exits: one block per scheme"
else
        not_ok "--compare --exits: one block per scheme" "$n blocks"
fi
expect_grep "--compare --exits: native has none" "$TMP/cmp-exits.txt" '^  none$'
expect_status "--exits with --stats json is a usage error" 64 "$S" --exits --stats json "$FW"
expect_status "--exits with --repl is a usage error" 64 "$S" --exits --repl "$FW"

# info exits in the debugger: the same report, at the end of the trace.
"$S" --quiet --exits "$FW" | sed -n '/^VM exits under shadow:/,/^Exits took/p' >"$TMP/batch-exits"
printf 'continue\ninfo exits\n' | "$S" --repl "$FW" | sed -n '/^VM exits under shadow:/,/^Exits took/p' >"$TMP/repl-exits"
if [ -s "$TMP/batch-exits" ] && cmp -s "$TMP/batch-exits" "$TMP/repl-exits"; then
        ok "info exits at the end equals --exits"
else
        not_ok "info exits at the end equals --exits" "$(diff "$TMP/batch-exits" "$TMP/repl-exits" | head -5)"
fi
# ... and mid-trace, the rows of the exits so far.
printf 'goto line 200\ninfo stats\ninfo exits\n' | "$S" --repl "$FW" >"$TMP/mid"
want=$(awk '$1 == "exits" { print $2; exit }' "$TMP/mid")
got=$(sed -n '/^VM exits under shadow:/,/^ *Total/p' "$TMP/mid" | awk '$1 == "Total" { print $2 }')
if [ -n "$want" ] && [ "$want" = "$got" ]; then ok "info exits mid-trace totals the exits so far"; else
        not_ok "info exits mid-trace totals the exits so far" "stats $want, report $got"
fi
