/*
 * cmdline.c - bounded reading of command lines (see cmdline.h).
 */
#include "cmdline.h"

#include <errno.h>
#include <string.h>

#include "run.h"

void cmdline_init(struct cmdline_reader *r, FILE *in)
{
        memset(r, 0, sizeof *r);
        r->in = in;
}

/* Reads to the end of the current line, keeping nothing. Returns false on
 * a read error. */
static bool drop_rest(struct cmdline_reader *r)
{
        int c;
        while ((c = getc(r->in)) != EOF && c != '\n')
                ;
        return !ferror(r->in);
}

enum cmdline_status cmdline_read(struct cmdline_reader *r)
{
        size_t n = 0;
        int c;
        errno = 0;
        if (r->skipping) {
                r->skipping = false;
                if (!drop_rest(r)) {
                        r->err = errno ? errno : EIO;
                        return CMDLINE_ERROR;
                }
        }
        while ((c = getc(r->in)) != EOF && c != '\n') {
                if (c == '\0') {
                        r->line++;
                        r->col = n + 1;
                        return CMDLINE_NUL;
                }
                if (n == CMD_MAX_LINE) {
                        /* Said at once: the rest of a line that never
                         * ends is not waited for. */
                        r->line++;
                        r->skipping = true;
                        return CMDLINE_TOO_LONG;
                }
                r->buf[n++] = (char)c;
        }
        if (c == EOF && ferror(r->in)) {
                r->err = errno ? errno : EIO;
                return CMDLINE_ERROR;
        }
        if (c == EOF && n == 0)
                return CMDLINE_EOF;
        r->buf[n] = '\0';
        r->line++;
        return CMDLINE_OK;
}

int cmdline_report(const struct cmdline_reader *r, enum cmdline_status status, const char *name,
                   FILE *out)
{
        switch (status) {
        case CMDLINE_TOO_LONG:
                fprintf(out,
                        "%s:%lu: error: expected a command line of at most %d characters, found "
                        "a longer one\n",
                        name, r->line, CMD_MAX_LINE);
                return EXIT_DATAERR;
        case CMDLINE_NUL:
                fprintf(out,
                        "%s:%lu:%lu: error: expected a command line of text, found a NUL byte\n",
                        name, r->line, r->col);
                return EXIT_DATAERR;
        case CMDLINE_ERROR:
                fprintf(out, "%s: error: read failed: %s\n", name, strerror(r->err));
                return EXIT_IOERR;
        case CMDLINE_OK:
        case CMDLINE_EOF:
                break;
        }
        return 0;
}
