# plots.gp - draws docs/plots/*.png from the data scripts/plots.sh writes.
# Variables: data (directory of the CSV series and overhead.dat), out.

set terminal pngcairo size 1600,760 font "sans,10" noenhanced
set datafile separator ","
set datafile columnheaders
set key top left
set grid
schemes = "shadow-eager shadow shadow-oos ept"
colors = "#d95f02 #1b9e77 #7570b3 #e7298a"
dashes = "1 1 2 1"

# Cumulative exits against the trace op being applied: one panel per
# scenario, one line per scheme (native never exits); shadow-oos is dashed
# as it often runs on top of shadow.
set output out."/exits.png"
set multiplot layout 2,4 title "Cumulative VM exits over the trace, per scheme (shadow-sim gen SCENARIO, seed 1)"
set xlabel "trace op (thousands)"
set ylabel "VM exits"
do for [sc in "forkwait tlb-stress mmap-churn context-switch boot migration sortmem"] {
        set title (sc eq "sortmem" ? "sortmem (Valgrind lackey trace)" : sc)
        # Curves that level off leave the lower right corner free.
        if (sc eq "tlb-stress" || sc eq "sortmem") { set key bottom right } else { set key top left }
        plot for [i=1:words(schemes)] data."/".sc.".".word(schemes,i).".csv" \
                using (column("op")/1000.0):(column("exits")) with lines lw 2 \
                dt int(word(dashes,i)) lc rgb word(colors,i) title word(schemes,i)
}
unset multiplot

# Cycle overhead against native, per scenario and scheme.
set terminal pngcairo size 1200,640 font "sans,10" noenhanced
set output out."/overhead.png"
set datafile separator whitespace
set title "Cycle overhead against native (cost model), per scenario and scheme"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set yrange [10:*]
set ylabel "overhead over native cycles (%, log scale)"
unset xlabel
set key top right
set xtics nomirror
set xrange [-0.6:6.6]
plot for [i=2:5] data."/overhead.dat" using i:xtic(1) lc rgb word(colors,i-1) title columnhead(i)
