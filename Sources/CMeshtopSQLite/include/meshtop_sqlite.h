#ifndef MESHTOP_SQLITE_H
#define MESHTOP_SQLITE_H
/* sqlite3_config is variadic, which Swift cannot call. */

/* Turns SQLite's memory statistics off (SQLITE_CONFIG_MEMSTATUS 0): every allocation then skips a global mutex
   and two counters. Takes effect only before SQLite's first use in the process; returns the sqlite3_config result
   (SQLITE_MISUSE, 21, when SQLite was already initialized). */
int meshtop_sqlite_memstatus_off(void);
#endif
