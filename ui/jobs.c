/*
 * jobs.c - numbered jobs in child processes, outputs back in order (see
 * jobs.h).
 */
#include "jobs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xalloc.h"

struct job {
        pid_t pid;  /* while it runs */
        FILE *out;  /* its standard output, while it runs */
        bool ended; /* its output is in text */
        int status; /* its exit status */
        char *text; /* its output, until handed over */
        size_t len;
};

/* Starts job i in a child process. Returns 0, or -1 with errno set. */
static int start(struct job *j, unsigned i, job_run_fn run, void *ctx)
{
        j->out = tmpfile();
        if (!j->out)
                return -1;
        fflush(NULL); /* nothing buffered is written twice */
        j->pid = fork();
        if (j->pid < 0) {
                int e = errno;
                fclose(j->out);
                errno = e;
                return -1;
        }
        if (j->pid == 0) {
                int status = dup2(fileno(j->out), STDOUT_FILENO) < 0 ? 71 : run(ctx, i);
                fflush(NULL);
                _exit(status);
        }
        return 0;
}

/* Reads what an ended job wrote and closes its file. */
static void collect(struct job *j, int wstatus)
{
        j->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
        rewind(j->out);
        size_t cap = 0, got;
        char buf[4096];
        while ((got = fread(buf, 1, sizeof buf, j->out)) > 0) {
                if (j->len + got > cap) {
                        cap = (j->len + got) * 2;
                        j->text = xrealloc(j->text, cap, 1);
                }
                memcpy(j->text + j->len, buf, got);
                j->len += got;
        }
        fclose(j->out);
        j->out = NULL;
        j->ended = true;
}

/* Waits for one of the running children. Returns false when none is left. */
static bool wait_one(struct job *jobs, unsigned started)
{
        for (;;) {
                int wstatus;
                pid_t pid = waitpid(-1, &wstatus, 0);
                if (pid < 0 && errno == EINTR)
                        continue;
                if (pid < 0)
                        return false;
                for (unsigned i = 0; i < started; i++) {
                        if (!jobs[i].ended && jobs[i].pid == pid) {
                                collect(&jobs[i], wstatus);
                                return true;
                        }
                }
        }
}

int jobs_run(unsigned n, unsigned parallel, job_run_fn run, job_done_fn done, void *ctx)
{
        struct job *jobs = xcalloc(n ? n : 1, sizeof *jobs);
        unsigned started = 0, running = 0, handed = 0;
        int failure = 0;
        bool stopped = false; /* done asked for no more */
        while (handed < n) {
                while (!failure && !stopped && running < parallel && started < n) {
                        if (start(&jobs[started], started, run, ctx) < 0) {
                                failure = errno;
                                break;
                        }
                        started++;
                        running++;
                }
                if (running == 0)
                        break; /* stopped, or a start failed, with nothing left to wait for */
                if (!wait_one(jobs, started)) {
                        failure = errno; /* no child left to wait for: cannot happen */
                        break;
                }
                running--;
                while (handed < started && jobs[handed].ended) {
                        struct job *j = &jobs[handed];
                        stopped = stopped ||
                                  !done(ctx, handed, j->status, j->text ? j->text : "", j->len);
                        free(j->text);
                        j->text = NULL;
                        handed++;
                }
        }
        for (unsigned i = handed; i < n; i++)
                free(jobs[i].text);
        free(jobs);
        if (failure) {
                errno = failure;
                return -1;
        }
        return 0;
}
