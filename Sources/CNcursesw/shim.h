#ifndef MESHTOP_CNCURSESW_SHIM_H
#define MESHTOP_CNCURSESW_SHIM_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
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

/* Sets the locale from the environment (LANG/LC_*), so ncursesw handles UTF-8. Call before initscr. */
static inline void meshtop_setlocale(void) { setlocale(LC_ALL, ""); }

/* Key reading. Returns -1 when no key arrived before the timeout, 0 for a character (in *out), 1 for a
   function key: then *out is one of the MESHTOP_KEY_* codes below (0 for a key meshtop does not use). */
enum {
    MESHTOP_KEY_NONE = 0, MESHTOP_KEY_UP, MESHTOP_KEY_DOWN, MESHTOP_KEY_LEFT, MESHTOP_KEY_RIGHT,
    MESHTOP_KEY_PPAGE, MESHTOP_KEY_NPAGE, MESHTOP_KEY_HOME, MESHTOP_KEY_END, MESHTOP_KEY_BACKSPACE,
    MESHTOP_KEY_DC, MESHTOP_KEY_BTAB, MESHTOP_KEY_RESIZE, MESHTOP_KEY_ENTER
};

static inline int meshtop_read_key(unsigned int *out) {
    wint_t ch = 0;
    int r = wget_wch(stdscr, &ch);
    if (r == ERR) return -1;
    if (r == KEY_CODE_YES) {
        switch ((int)ch) {
        case KEY_UP: *out = MESHTOP_KEY_UP; break;
        case KEY_DOWN: *out = MESHTOP_KEY_DOWN; break;
        case KEY_LEFT: *out = MESHTOP_KEY_LEFT; break;
        case KEY_RIGHT: *out = MESHTOP_KEY_RIGHT; break;
        case KEY_PPAGE: *out = MESHTOP_KEY_PPAGE; break;
        case KEY_NPAGE: *out = MESHTOP_KEY_NPAGE; break;
        case KEY_HOME: *out = MESHTOP_KEY_HOME; break;
        case KEY_END: *out = MESHTOP_KEY_END; break;
        case KEY_BACKSPACE: *out = MESHTOP_KEY_BACKSPACE; break;
        case KEY_DC: *out = MESHTOP_KEY_DC; break;
        case KEY_BTAB: *out = MESHTOP_KEY_BTAB; break;
        case KEY_RESIZE: *out = MESHTOP_KEY_RESIZE; break;
        case KEY_ENTER: *out = MESHTOP_KEY_ENTER; break;
        default: *out = MESHTOP_KEY_NONE; break;
        }
        return 1;
    }
    *out = (unsigned int)ch;
    return 0;
}

/* Draws one cell: up to 4 wide characters (a base and combining marks), with attributes and a colour pair. */
static inline int meshtop_put_cell(int y, int x, const wchar_t *chars, int count, int attrs, short pair) {
    wchar_t buf[CCHARW_MAX + 1];
    int n = count < CCHARW_MAX ? count : CCHARW_MAX;
    for (int i = 0; i < n; i++) buf[i] = chars[i];
    buf[n] = L'\0';
    cchar_t cc;
    if (setcchar(&cc, buf, (attr_t)attrs, pair, NULL) != OK) return ERR;
    return mvwadd_wch(stdscr, y, x, &cc);
}
#endif
