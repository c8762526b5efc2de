/*
 * quote.h - outside text (file names, option values, arguments) as the
 * faces' messages show it: escaped (escape.h), in buffers that last for
 * one message.
 */
#ifndef SHADOW_SIM_QUOTE_H
#define SHADOW_SIM_QUOTE_H

/* s escaped, in one of four buffers used in turn: enough for the
 * arguments of one message. The result lasts until the fourth call after. */
const char *quote(const char *s);

#endif
