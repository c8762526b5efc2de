#!/bin/sh
# The layers of src/ (README, "Source map"): every file includes only
# headers of its own folder and of the folders its layer may use, every
# header lives in exactly one folder, and the faces in ui/ are included by
# nothing in src/. The Makefile's per-folder include paths enforce the same
# rule at compile time; this test says which include broke it.
. "$(dirname "$0")/lib.sh"
top=$TESTS_DIR/..
allowed() {
        case $1 in
        util) echo "util" ;;
        engine) echo "util engine" ;;
        mmu) echo "util engine mmu" ;;
        input) echo "util engine input" ;;
        report) echo "util engine input report" ;;
        debug) echo "util engine input report debug" ;;
        gen) echo "util engine gen" ;;
        *) echo "" ;;
        esac
}
layers="util engine mmu input report debug gen"
bad=""
for layer in $layers; do
        for f in "$top"/src/$layer/*.[ch]; do
                for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
                        home=""
                        for l in $layers; do [ -f "$top/src/$l/$h" ] && home="$home$l"; done
                        case " $(allowed "$layer") " in
                        *" $home "*) ;;
                        *) bad="$bad src/$layer/$(basename "$f") includes $h (${home:-not in src/});" ;;
                        esac
                done
        done
done
if [ -z "$bad" ]; then ok "every src/ file includes only the layers below it"; else
        not_ok "every src/ file includes only the layers below it" "$bad"
fi
loose=$(ls "$top"/src/*.[ch] 2>/dev/null)
if [ -z "$loose" ]; then ok "no source file sits outside a layer folder"; else
        not_ok "no source file sits outside a layer folder" "$loose"
fi
