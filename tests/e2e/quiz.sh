#!/bin/sh
# End-to-end tests of `shadow-sim quiz`: every answer --answers prints is
# what the batch log (and, for an INVLPG, the debugger's TLB) says of its
# line; the answers fed back score N/N and wrong ones 0/N with their
# explanations; seeds, the mix of kinds, end of input, unreadable answers,
# piped and compressed traces, bad usage and bad traces.
. "$(dirname "$0")/lib.sh"
TRACES="$TESTS_DIR/../traces"
SAMPLE="$TRACES/sample_trace.txt"

# records FILE : one "LINE KIND SCHEME ANSWER" per question of --answers
# output in FILE (SCHEME: the one the question names first).
records() {
        awk '/^Question / { line = $6; sub(/,/, "", line); kind = $7; sub(/\):/, "", kind) }
             /\)$/ && !/^(Question| |->)/ { s = substr($0, index($0, "nder ") + 5); sub(/[ ?,.].*/, "", s) }
             /^answer: / { a = $0; sub(/^answer: /, "", a); print line, kind, s, a }' "$1"
}

# line_log TRACE MODE LINE : the batch log lines that line LINE of TRACE
# adds under MODE (the log of its first LINE lines less that of the lines
# before).
line_log() {
        head -n "$(($3 - 1))" "$1" | "$SHADOW_SIM" --mode "$2" - | grep -v '^\[STATS\]' >"$TMP/before"
        head -n "$3" "$1" | "$SHADOW_SIM" --mode "$2" - | grep -v '^\[STATS\]' |
                tail -n +"$(($(wc -l <"$TMP/before") + 1))"
}

# tlb_pages : the pages of an `info tlb` listing on stdin, one a line.
tlb_pages() { awk '$1 ~ /^[0-9]+$/ && $4 ~ /^0x/ { print $4 }' | sort; }

# dropped TRACE MODE LINE : the pages the INVLPG on LINE drops, as the
# debugger's TLB shows them at the end of the line before and right after
# the INVLPG event ("none" when none).
dropped() {
        "$SHADOW_SIM" --mode "$2" --repl -e "goto line $3" -e back -e 'info tlb' \
                -e 'break INVLPG' -e continue -e 'info tlb' "$1" </dev/null >"$TMP/tlb" 2>&1
        awk '/^TLB:/ { n++ } n == 1' "$TMP/tlb" | tlb_pages >"$TMP/tlb.before"
        awk '/^TLB:/ { n++ } n == 2' "$TMP/tlb" | tlb_pages >"$TMP/tlb.after"
        pages=$(comm -23 "$TMP/tlb.before" "$TMP/tlb.after" | tr '\n' ' ' | sed 's/ $//')
        echo "${pages:-none}"
}

# from_log TRACE LINE KIND SCHEME : the answer the logs give.
from_log() {
        case $3 in
        exits)
                a=no b=no
                line_log "$1" shadow "$2" | grep -q VM_EXIT && a=yes
                line_log "$1" ept "$2" | grep -q VM_EXIT && b=yes
                echo "$a $b" ;;
        refs) line_log "$1" "$4" "$2" | sed -n 's/^\[TRACE\] ACCESS .* refs=\([0-9]*\)$/\1/p' ;;
        hpa) line_log "$1" "$4" "$2" | sed -n 's/^\[TRACE\] ACCESS .* hpa=\([^ ]*\) .*/\1/p' ;;
        reason) line_log "$1" "$4" "$2" | awk '$2 == "VM_EXIT" { print $3; exit }' ;;
        fault) if line_log "$1" "$4" "$2" | grep -q GUEST_PF; then echo guest; else echo hidden; fi ;;
        invlpg) dropped "$1" "$4" "$2" ;;
        esac
}

# Every answer of a long quiz on the sample is what the logs say.
"$SHADOW_SIM" quiz --answers --count 40 --seed 2 >"$TMP/answers" 2>"$TMP/err"
records "$TMP/answers" >"$TMP/records"
bad="" n=0
while read -r line kind scheme answer; do
        n=$((n + 1))
        want=$(from_log "$SAMPLE" "$line" "$kind" "$scheme")
        [ "$want" = "$answer" ] || bad="$bad line $line $kind under $scheme: quiz '$answer', log '$want';"
done <"$TMP/records"
kinds=$(awk '{ print $2 }' "$TMP/records" | sort -u | tr '\n' ' ')
if [ -z "$bad" ] && [ "$n" -ge 30 ]; then ok "the $n answers of --answers are what the log says of their lines"; else
        not_ok "the answers of --answers are what the log says of their lines" "$n questions:$bad"
fi
if [ "$kinds" = "exits fault hpa invlpg reason refs " ]; then ok "a long quiz asks every kind"; else
        not_ok "a long quiz asks every kind" "kinds: $kinds"
fi

# Under EPT the INVLPGs drop entries (shadow paging's VMM flushed them
# before): checked against the debugger's TLB.
"$SHADOW_SIM" quiz --answers --count 100 --mode ept >"$TMP/ept"
records "$TMP/ept" | awk '$2 == "invlpg"' >"$TMP/invlpg"
bad=""
while read -r line kind scheme answer; do
        want=$(dropped "$SAMPLE" ept "$line")
        [ "$want" = "$answer" ] || bad="$bad line $line: quiz '$answer', debugger '$want';"
done <"$TMP/invlpg"
if [ -z "$bad" ] && [ "$(wc -l <"$TMP/invlpg")" -ge 2 ] && ! grep -q 'none$' "$TMP/invlpg"; then
        ok "under ept the INVLPG answers are the entries the debugger's TLB loses"
else
        not_ok "under ept the INVLPG answers are the entries the debugger's TLB loses" \
                "$bad" "$(cat "$TMP/invlpg")"
fi

# The printed answers, fed back through a pipe, score N/N; the last line
# is the score.
sed -n 's/^answer: //p' "$TMP/answers" | "$SHADOW_SIM" quiz --count 40 --seed 2 >"$TMP/right" 2>&1
st=$?
if [ "$st" -eq 0 ] && [ "$(tail -n 1 "$TMP/right")" = "score: $n/$n" ] &&
        [ "$(grep -c '^right$' "$TMP/right")" -eq "$n" ]; then
        ok "the answers fed back score $n/$n"
else
        not_ok "the answers fed back score N/N" "exit $st" "$(tail -n 3 "$TMP/right")"
fi

# wrong ANSWER KIND : an answer of the same form that is wrong.
wrong() {
        case $2 in
        exits) echo "$1" | sed 's/yes/X/g; s/no/yes/g; s/X/no/g' ;;
        refs) echo $(($1 + 1)) ;;
        hpa) printf '0x%X\n' $(($1 + 1)) ;;
        reason) if [ "$1" = pt_write ]; then echo cr3; else echo pt_write; fi ;;
        fault) if [ "$1" = guest ]; then echo hidden; else echo guest; fi ;;
        invlpg) if [ "$1" = none ]; then echo 0xDEAD000; else echo none; fi ;;
        esac
}
while read -r line kind scheme answer; do wrong "$answer" "$kind"; done <"$TMP/records" >"$TMP/wrong.in"
"$SHADOW_SIM" quiz --count 40 --seed 2 <"$TMP/wrong.in" >"$TMP/wrong" 2>&1
st=$?
if [ "$st" -eq 0 ] && [ "$(tail -n 1 "$TMP/wrong")" = "score: 0/$n" ] &&
        [ "$(grep -c '^wrong: the answer is ' "$TMP/wrong")" -eq "$n" ] &&
        [ "$(grep -c '^  under [a-z-]*, line [0-9]* logged:$' "$TMP/wrong")" -ge "$n" ]; then
        ok "wrong answers score 0/$n, each followed by the log of its line"
else
        not_ok "wrong answers score 0/N, each followed by the log of its line" "exit $st" \
                "$(tail -n 3 "$TMP/wrong")"
fi
# Each wrong answer's explanation is the explain line of the stepper.
expect_grep "a wrong exit answer says why" "$TMP/wrong" \
        '^  guest wrote a PTE in a write-protected table page -> VM exit #[0-9]+; on this line ept took '

# Same seed, same questions; other seeds, other questions.
"$SHADOW_SIM" quiz --answers --seed 2 --count 40 >"$TMP/again"
if cmp -s "$TMP/answers" "$TMP/again"; then ok "the same seed gives the same quiz"; else
        not_ok "the same seed gives the same quiz" "$(diff "$TMP/answers" "$TMP/again" | head -3)"
fi
"$SHADOW_SIM" quiz --answers --seed 3 >"$TMP/s3"
"$SHADOW_SIM" quiz --answers --seed=4 >"$TMP/s4"
if ! cmp -s "$TMP/s3" "$TMP/s4"; then ok "another seed gives another quiz"; else
        not_ok "another seed gives another quiz"
fi

# A quiz of 12 asks each of the 6 kinds twice, in trace order.
"$SHADOW_SIM" quiz --answers --count 12 --seed 9 >"$TMP/twelve"
mix=$(records "$TMP/twelve" | awk '{ print $2 }' | sort | uniq -c | awk '{ print $1 }' | tr '\n' ' ')
order=$(records "$TMP/twelve" | awk '{ print $1 }' | sort -n -c 2>&1 && echo sorted)
if [ "$mix" = "2 2 2 2 2 2 " ] && [ "$order" = sorted ]; then ok "12 questions: every kind twice, in trace order"; else
        not_ok "12 questions: every kind twice, in trace order" "counts: $mix" "$order"
fi

# Each question shows its line and the lines before it.
expect_grep "a question shows its trace line" "$TMP/twelve" '^-> +[0-9]+  [A-Z_]+'
if [ "$(grep -c '^-> ' "$TMP/twelve")" -ge 12 ] && [ "$(grep -c '^   *[0-9]*  [A-Z_]' "$TMP/twelve")" -ge 24 ]; then
        ok "each question shows a few lines before its own"
else
        not_ok "each question shows a few lines before its own" "$(head -8 "$TMP/twelve")"
fi

# End of input ends the quiz: the score of the questions answered.
printf 'yes no\n' | "$SHADOW_SIM" quiz --count 10 >"$TMP/eof" 2>&1
st=$?
if [ "$st" -eq 0 ] && grep -q '^end of input after 1 of 10 questions$' "$TMP/eof" &&
        tail -n 1 "$TMP/eof" | grep -Eq '^score: [01]/1$' && [ "$(grep -c '^Question' "$TMP/eof")" -eq 2 ]; then
        ok "end of input ends the quiz with the score of the questions answered"
else
        not_ok "end of input ends the quiz with the score of the questions answered" "exit $st" \
                "$(tail -n 3 "$TMP/eof")"
fi
"$SHADOW_SIM" quiz </dev/null >"$TMP/none" 2>&1
if [ $? -eq 0 ] && [ "$(tail -n 1 "$TMP/none")" = "score: 0/0" ]; then ok "no input at all: score 0/0"; else
        not_ok "no input at all: score 0/0" "$(tail -n 2 "$TMP/none")"
fi

# An answer that cannot be read counts as wrong and says what was expected.
first=$(records "$TMP/twelve" | head -1 | cut -d ' ' -f 4-)
printf 'banana\n' | "$SHADOW_SIM" quiz --count 12 --seed 9 >"$TMP/banana" 2>&1
expect_grep "an unreadable answer says what was expected" "$TMP/banana" \
        "^cannot read 'banana': expected .*; counted wrong, the answer is $first\$"
if [ "$(tail -n 1 "$TMP/banana")" = "score: 0/1" ]; then ok "an unreadable answer counts as wrong"; else
        not_ok "an unreadable answer counts as wrong" "$(tail -n 1 "$TMP/banana")"
fi
# Control characters in an answer are shown escaped, and a line too long
# to be an answer is not one.
printf 'x\033]0;owned\007\n%05000d\n' 0 | "$SHADOW_SIM" quiz --count 2 >"$TMP/esc" 2>&1
if grep -q 'x\\x1B\]0;owned\\x07' "$TMP/esc" && ! grep -q "$(printf '\033')" "$TMP/esc" &&
        [ "$(grep -c '^cannot read' "$TMP/esc")" -eq 2 ] && [ "$(tail -n 1 "$TMP/esc")" = "score: 0/2" ]; then
        ok "answers are echoed escaped; an overlong one is unreadable"
else
        not_ok "answers are echoed escaped; an overlong one is unreadable" "$(tail -n 4 "$TMP/esc")"
fi
# Replies in other spellings are right.
records "$TMP/twelve" | while read -r line kind scheme answer; do
        case $kind in
        exits) echo "$answer" | tr 'a-z ' 'A-Z,' | sed 's/YES/y/g; s/NO/N/g' ;;
        refs) printf '0x%x\n' "$answer" ;;
        hpa) printf '%d\n' "$answer" ;;
        reason) echo "$answer" | tr 'a-z_' 'A-Z-' ;;
        fault) echo "${answer%"${answer#?}"} page fault" ;;
        invlpg) echo "$answer" | tr ' ' '\n' | sort -r | tr '\n' ',' | sed 's/,$/\n/' ;;
        esac
done >"$TMP/forms.in"
"$SHADOW_SIM" quiz --count 12 --seed 9 <"$TMP/forms.in" >"$TMP/forms" 2>&1
if [ "$(tail -n 1 "$TMP/forms")" = "score: 12/12" ]; then ok "answers in other spellings are right"; else
        not_ok "answers in other spellings are right" "$(grep -B1 -A1 '^wrong\|^cannot' "$TMP/forms" | head -6)"
fi

# A generated trace through a pipe; a compressed lackey trace.
"$SHADOW_SIM" gen forkwait --iterations 10 >"$TMP/fork.txt"
"$SHADOW_SIM" gen forkwait --iterations 10 | "$SHADOW_SIM" quiz --answers --count 20 - >"$TMP/fork.ans" 2>"$TMP/err"
sed -n 's/^answer: //p' "$TMP/fork.ans" | "$SHADOW_SIM" quiz --count 20 "$TMP/fork.txt" >"$TMP/fork.out" 2>&1
if [ "$(tail -n 1 "$TMP/fork.out")" = "score: 20/20" ]; then ok "gen | quiz --answers -: its answers score 20/20"; else
        not_ok "gen | quiz --answers -: its answers score 20/20" "$(cat "$TMP/err")" "$(tail -n 2 "$TMP/fork.out")"
fi
"$SHADOW_SIM" quiz --answers --mode shadow-oos "$TRACES/sortmem.lackey.gz" >"$TMP/lackey.ans" 2>"$TMP/err"
sed -n 's/^answer: //p' "$TMP/lackey.ans" |
        "$SHADOW_SIM" quiz --mode shadow-oos "$TRACES/sortmem.lackey.gz" >"$TMP/lackey.out" 2>&1
if [ "$(tail -n 1 "$TMP/lackey.out")" = "score: 10/10" ]; then ok "a compressed lackey trace: 10/10"; else
        not_ok "a compressed lackey trace: 10/10" "$(cat "$TMP/err")" "$(tail -n 2 "$TMP/lackey.out")"
fi
# The machine's options apply: without page-walk caches a cold 4+4
# nested walk is 24 references.
"$SHADOW_SIM" quiz --answers --count 100 --mode ept --pwc off >"$TMP/pwc"
expect_grep "--pwc off: the textbook 24 references" "$TMP/pwc" '^answer: 24$'

# The README's quiz block: each line it shows (not the "..." elisions) is
# a line of the real quiz answered "no no", then "0x8A000", then nothing.
printf 'no no\n0x8A000\n' | "$SHADOW_SIM" quiz --count 3 >"$TMP/readme-quiz" 2>&1
sed -n '/^\$ \.\/shadow-sim quiz --count 3$/,/^```$/p' "$TESTS_DIR/../README.md" |
        sed '1d;$d' | grep -v '^\.\.\.$' >"$TMP/readme-block"
missing=$(grep -vxFf "$TMP/readme-quiz" "$TMP/readme-block" || true)
if [ "$(wc -l <"$TMP/readme-block")" -ge 10 ] && [ -z "$missing" ]; then
        ok "README's quiz block is real output"
else
        not_ok "README's quiz block is real output" "${missing:-no block found}"
fi

# Bad usage exits 64, a bad trace 65, a missing one 66.
printf 'ACCESS 0x1000\nBOGUS 1\n' >"$TMP/bad.txt"
printf '# only a comment\n' >"$TMP/empty.txt"
expect_status "quiz --count 0 exits 64" 64 "$SHADOW_SIM" quiz --count 0
expect_grep "--count 0 says the range" "$TMP/err" "^shadow-sim quiz: --count expects 1\.\.1000, not '0'$"
expect_status "quiz --count 1001 exits 64" 64 "$SHADOW_SIM" quiz --count 1001
expect_status "quiz --seed x exits 64" 64 "$SHADOW_SIM" quiz --seed x
expect_status "quiz --seed without a value exits 64" 64 "$SHADOW_SIM" quiz --seed
expect_status "quiz --bogus exits 64" 64 "$SHADOW_SIM" quiz --bogus
expect_status "quiz --mode bogus exits 64" 64 "$SHADOW_SIM" quiz --mode bogus
expect_status "quiz --compare exits 64" 64 "$SHADOW_SIM" quiz --compare
expect_grep "--compare is refused by name" "$TMP/err" '^shadow-sim quiz: --compare is not for the quiz'
expect_status "quiz -i exits 64" 64 "$SHADOW_SIM" quiz -i
expect_status "quiz with two traces exits 64" 64 "$SHADOW_SIM" quiz "$SAMPLE" "$SAMPLE"
expect_status "quiz on a malformed trace exits 65" 65 "$SHADOW_SIM" quiz --answers "$TMP/bad.txt"
expect_grep "the malformed line is named" "$TMP/err" 'bad\.txt:2:1: error: expected a keyword'
expect_status "quiz on a trace without a line exits 65" 65 "$SHADOW_SIM" quiz --answers "$TMP/empty.txt"
expect_grep "a trace without a line says so" "$TMP/err" 'empty\.txt: no trace line to ask about$'
expect_status "quiz on a missing trace exits 66" 66 "$SHADOW_SIM" quiz --answers "$TMP/missing.txt"
expect_status "quiz --help exits 0" 0 "$SHADOW_SIM" quiz --help
expect_grep "quiz --help shows the usage" "$TMP/out" '^Usage: shadow-sim quiz \[--seed N\] \[--count N\] \[--answers\]'
