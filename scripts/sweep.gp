# sweep.gp - draws the CSV of `shadow-sim sweep`: a counter against an
# option, one line per value of another column (the scheme by default).
#
#   shadow-sim sweep --mode shadow,shadow-oos,ept --tlb-ways 1,2,4,8,16 t.txt >sweep.csv
#   gnuplot -e "csv='sweep.csv'; xcol='tlb_ways'; ycol='exits'" scripts/sweep.gp
#
# Variables (-e "name='value'; ..."):
#   csv    the sweep's CSV (required)
#   xcol   the column along the x axis (default tlb_ways)
#   ycol   the column drawn (default cycles)
#   by     one line per value of this column (default mode); its values
#          must have no blanks
#   where  only the rows where these columns hold these values, as
#          "column=value column=value" (default: every row)
#   logx   1 for a logarithmic x axis (default 0)
#   out    the PNG written (default sweep.png)
# Rows with the same xcol in one line (other options varying, several
# traces) are averaged: vary only xcol and by, or narrow with where.

if (!exists("csv")) { print "sweep.gp: give the CSV: gnuplot -e \"csv='sweep.csv'\" scripts/sweep.gp"; exit status 1 }
if (!exists("xcol")) xcol = "tlb_ways"
if (!exists("ycol")) ycol = "cycles"
if (!exists("by")) by = "mode"
if (!exists("where")) where = ""
if (!exists("logx")) logx = 0
if (!exists("out")) out = "sweep.png"

# The values of column `by`, in the order they first appear.
groups = system(sprintf("awk -F, -v c='%s' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } k && !seen[$k]++ { printf \"%%s \", $k }' '%s'", by, csv))
if (strlen(groups) == 0) { print sprintf("sweep.gp: %s has no column '%s'", csv, by); exit status 1 }

# The header and the rows of csv whose column by holds g and whose columns
# hold the values of where (awk: cells are split at every comma).
select = "NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; n = split(where, w, \" \"); print; next } " . \
         "$col[by] != g { next } " . \
         "{ for (j = 1; j <= n; j++) { split(w[j], kv, \"=\"); if ($col[kv[1]] != kv[2]) next } print }"
rows(g) = sprintf("< awk -F, -v by='%s' -v g='%s' -v where='%s' '%s' '%s'", by, g, where, select, csv)

set datafile separator ","
set datafile columnheaders
set terminal pngcairo size 900,560 noenhanced font ",10"
set output out
set title sprintf("%s against %s%s", ycol, xcol, words(where) ? " (" . where . ")" : "")
set xlabel xcol
set ylabel ycol
set key outside right top title by
set grid
if (logx) set logscale x 2
plot for [g in groups] rows(g) using (column(xcol)):(column(ycol)) smooth unique with linespoints title g
