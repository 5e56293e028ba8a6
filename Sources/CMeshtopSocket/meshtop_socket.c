#define _GNU_SOURCE
#include "meshtop_socket.h"
#include <sys/eventfd.h>
#include <stddef.h>

_Static_assert(sizeof(meshtop_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");
_Static_assert(offsetof(meshtop_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "mmsghdr layout");

int meshtop_recvmmsg(int fd, meshtop_mmsghdr *messages, unsigned int count, int flags) {
    return recvmmsg(fd, (struct mmsghdr *)messages, count, flags, NULL);
}

int meshtop_eventfd(void) { return eventfd(0, EFD_CLOEXEC); }
