/*
 * escape.h - text from outside (file names, option values, what was
 * typed) made safe to print in a message.
 *
 * A file may be called $'x\e]0;pwned\a', an option value may hold a
 * newline: printed raw in an error they would retitle or drive the
 * terminal, or fake a line of output. Messages quote such text through
 * escape_text, which writes those bytes as \xHH, as trace content already
 * is, and keeps everything else, UTF-8 names included.
 */
#ifndef SHADOW_SIM_ESCAPE_H
#define SHADOW_SIM_ESCAPE_H

#include <stddef.h>

/* Longest text escape_text keeps before cutting it. */
#define ESCAPE_MAX 1024

/* Room for escaping ESCAPE_MAX bytes: four for each, "..." and the end. */
#define ESCAPE_BUF (4 * ESCAPE_MAX + 4)

/* Writes s into buf (n bytes, at least 8) with every byte that could act
 * on a terminal or end a line written as \xHH: the C0 controls, DEL, and
 * bytes that are not valid UTF-8 or that encode a C1 control (U+0080 to
 * U+009F, which some terminals obey). Printable text, valid UTF-8
 * included, stays. Text that does not fit (or is longer than ESCAPE_MAX
 * bytes) is cut at a character and ends with "...". Returns buf. */
const char *escape_text(const char *s, char *buf, size_t n);

#endif
