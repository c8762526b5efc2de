# How traces/sortmem.lackey.gz was recorded (from the top of the tree), on
# Debian 12 x86-64 with gcc 12.2.0, glibc 2.36 (static) and Valgrind 3.19.0:
cc -O1 -static -o /tmp/sortmem traces/programs/sortmem.c
valgrind --tool=lackey --trace-mem=yes --log-file=/tmp/sortmem.lackey /tmp/sortmem
gzip -9n < /tmp/sortmem.lackey > traces/sortmem.lackey.gz
# Replay it:
#   zcat traces/sortmem.lackey.gz | ./shadow-sim --quiet --mode ept -
