#ifndef MESHTOP_CNCURSESW_SHIM_H
#define MESHTOP_CNCURSESW_SHIM_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>

/* Macros Swift cannot import, wrapped as functions. */
static inline int meshtop_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int meshtop_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int meshtop_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline WINDOW *meshtop_stdscr(void) { return stdscr; }
static inline int meshtop_key_resize(void) { return KEY_RESIZE; }
static inline int meshtop_attr_bold(void) { return (int)A_BOLD; }
static inline int meshtop_attr_reverse(void) { return (int)A_REVERSE; }
static inline int meshtop_attr_dim(void) { return (int)A_DIM; }
static inline int meshtop_attr_underline(void) { return (int)A_UNDERLINE; }
static inline int meshtop_colors(void) { return COLORS; }
#endif
