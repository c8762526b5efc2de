#include "tui.h"
int tui_run(const struct options *opt)
{
        (void)opt;
        return 1;
}
