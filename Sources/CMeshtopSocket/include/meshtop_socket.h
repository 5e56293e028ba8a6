#ifndef MESHTOP_SOCKET_H
#define MESHTOP_SOCKET_H
/* recvmmsg(2) and eventfd(2), which Swift's Glibc module does not import (they need _GNU_SOURCE). */
#include <sys/socket.h>

/* Same layout as struct mmsghdr. */
typedef struct {
    struct msghdr msg_hdr;
    unsigned int msg_len;
} meshtop_mmsghdr;

/* recvmmsg with no timeout; returns the datagrams received, or -1 with errno set. */
int meshtop_recvmmsg(int fd, meshtop_mmsghdr *messages, unsigned int count, int flags);

/* A close-on-exec eventfd with initial value 0, or -1 with errno set. */
int meshtop_eventfd(void);
#endif
