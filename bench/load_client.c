/*
 * bench/load_client.c: the C load client of bench/echo_peers.ts (issue #22).
 *
 *   load_client HOST PORT CONNECTIONS BYTES SECONDS [SERVER_PID [MODE]]
 *
 * Single-threaded, epoll, TCP_NODELAY. It connects every client first (one
 * at a time, blocking), then makes the sockets non-blocking and each one
 * sends BYTES bytes ('a'..'z'), waits for the whole echo, records the round
 * trip's latency and sends again, until SECONDS have passed; round trips in
 * flight then finish (for at most 10 s more). It prints one JSON line:
 *
 *   {"requests":N,"seconds":S,"p50_us":X,"p99_us":Y,"errors":E,
 *    "server_cpu_us":C,"server_sys_us":K}
 *
 * server_cpu_us is the utime + stime delta of /proc/SERVER_PID/stat over the
 * measured window, server_sys_us its stime part (both -1 without SERVER_PID,
 * or when it cannot be read). An
 * echo is checked in full on each connection's first round trip (it must be
 * the message upper-cased, or unchanged: the first reply decides which),
 * then by its first and last bytes; each mismatch counts as an error.
 *
 * MODE "hold": connect, make one round trip on each connection (so the
 * server's handler is parked in its next read), print {"connected":N}, then
 * hold the connections open until stdin closes or SECONDS have passed.
 *
 * Build: cc -O2 -o load_client bench/load_client.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  size_t sent;     /* bytes of the current message written */
  size_t got;      /* bytes of its echo read */
  int64_t t0;      /* when the current message started, ns */
  int checked;     /* the first echo was checked in full */
  int want_out;    /* registered for EPOLLOUT */
  int done;        /* no more round trips */
} Conn;

static unsigned char *msg, *upper_msg, *rbuf;
static size_t size;
static int upper_ok = 1, plain_ok = 1; /* which echo the server gives */

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* utime + stime of a process, in µs, and its stime in *sys_us; -1 if it
 * cannot be read. */
static int64_t proc_cpu_us(int pid, int64_t *sys_us) {
  *sys_us = -1;
  if (pid <= 0) return -1;
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *p = strrchr(buf, ')'); /* the command name may hold spaces */
  if (p == NULL) return -1;
  p += 2;
  /* fields after ")": state(3) ... utime(14) stime(15) */
  unsigned long long utime = 0, stime = 0;
  int field = 3;
  char *save = NULL;
  for (char *tok = strtok_r(p, " ", &save); tok != NULL;
       tok = strtok_r(NULL, " ", &save), field++) {
    if (field == 14) utime = strtoull(tok, NULL, 10);
    if (field == 15) {
      stime = strtoull(tok, NULL, 10);
      break;
    }
  }
  unsigned long long hz = (unsigned long long)sysconf(_SC_CLK_TCK);
  *sys_us = (int64_t)(stime * 1000000ULL / hz);
  return (int64_t)((utime + stime) * 1000000ULL / hz);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static void die(const char *what) {
  fprintf(stderr, "load_client: %s: %s\n", what, strerror(errno));
  exit(1);
}

static uint32_t *lat;
static size_t nlat, caplat;

static void record(uint32_t us) {
  if (nlat == caplat) {
    caplat = caplat ? 2 * caplat : 1 << 16;
    lat = realloc(lat, caplat * sizeof *lat);
    if (lat == NULL) die("realloc");
  }
  lat[nlat++] = us;
}

/* Check an echo: in full the first time, by its ends afterwards. */
static int echo_ok(Conn *c) {
  if (!c->checked) {
    c->checked = 1;
    if (memcmp(rbuf, upper_msg, size) != 0) upper_ok = 0;
    if (memcmp(rbuf, msg, size) != 0) plain_ok = 0;
    return upper_ok || plain_ok;
  }
  unsigned char first = rbuf[0], last = rbuf[size - 1];
  return (upper_ok && first == upper_msg[0] && last == upper_msg[size - 1]) ||
         (plain_ok && first == msg[0] && last == msg[size - 1]);
}

static void set_events(int ep, Conn *c, int out) {
  if (c->want_out == out) return;
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0),
                           .data.ptr = c};
  if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl");
  c->want_out = out;
}

/* Write what is left of the message; 0 on success (maybe partial), -1 error */
static int send_some(int ep, Conn *c) {
  while (c->sent < size) {
    ssize_t n = write(c->fd, msg + c->sent, size - c->sent);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        set_events(ep, c, 1);
        return 0;
      }
      if (errno == EINTR) continue;
      return -1;
    }
    c->sent += (size_t)n;
  }
  set_events(ep, c, 0);
  return 0;
}

static int start_request(int ep, Conn *c) {
  c->sent = c->got = 0;
  c->t0 = now_ns();
  return send_some(ep, c);
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr,
            "usage: %s HOST PORT CONNECTIONS BYTES SECONDS [SERVER_PID "
            "[hold]]\n",
            argv[0]);
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  int nconn = atoi(argv[3]);
  size = (size_t)atol(argv[4]);
  double seconds = atof(argv[5]);
  int server_pid = argc > 6 ? atoi(argv[6]) : 0;
  int hold = argc > 7 && strcmp(argv[7], "hold") == 0;
  if (nconn <= 0 || size == 0) {
    fprintf(stderr, "load_client: CONNECTIONS and BYTES must be > 0\n");
    return 2;
  }
  msg = malloc(size);
  upper_msg = malloc(size);
  rbuf = malloc(size);
  for (size_t i = 0; i < size; i++) {
    msg[i] = (unsigned char)('a' + i % 26);
    upper_msg[i] = (unsigned char)('A' + i % 26);
  }
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fprintf(stderr, "load_client: bad IPv4 address %s\n", host);
    return 2;
  }

  Conn *conns = calloc((size_t)nconn, sizeof *conns);
  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  int one = 1;
  for (int i = 0; i < nconn; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
      die("connect");
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    conns[i].fd = fd;
    conns[i].want_out = 0;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  }

  struct epoll_event *events = calloc(1024, sizeof *events);
  long errors = 0;
  int64_t sys0, sys1;
  int64_t cpu0 = proc_cpu_us(server_pid, &sys0);
  int64_t t_start = now_ns();
  int64_t deadline = t_start + (int64_t)(seconds * 1e9);
  int64_t hard_end = deadline + (int64_t)10e9; /* in-flight round trips */
  int active = nconn;
  for (int i = 0; i < nconn; i++) {
    if (start_request(ep, &conns[i]) < 0) {
      errors++;
      conns[i].done = 1;
      active--;
    }
  }
  int64_t t_last = t_start;
  while (active > 0) {
    int64_t t = now_ns();
    if (t > hard_end) break;
    int n = epoll_wait(ep, events, 1024, 100);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int e = 0; e < n; e++) {
      Conn *c = events[e].data.ptr;
      if (c->done) continue;
      if ((events[e].events & EPOLLOUT) && c->sent < size) {
        if (send_some(ep, c) < 0) goto failed;
      }
      if (events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        for (;;) {
          ssize_t r = read(c->fd, rbuf + c->got, size - c->got);
          if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            goto failed;
          }
          if (r == 0) goto failed; /* EOF before the whole echo */
          c->got += (size_t)r;
          if (c->got < size) continue;
          int64_t t1 = now_ns();
          t_last = t1;
          if (!echo_ok(c)) errors++;
          if (hold) {
            c->done = 1;
            active--;
            break;
          }
          record((uint32_t)((t1 - c->t0) / 1000));
          if (t1 >= deadline) {
            c->done = 1;
            active--;
            break;
          }
          if (start_request(ep, c) < 0) goto failed;
          break;
        }
      }
      continue;
    failed:
      errors++;
      c->done = 1;
      active--;
    }
  }
  if (hold) {
    printf("{\"connected\":%d,\"errors\":%ld}\n", nconn, errors);
    fflush(stdout);
    struct pollfd pfd = {.fd = 0, .events = POLLIN};
    int64_t end = now_ns() + (int64_t)(seconds * 1e9);
    char junk[256];
    for (;;) {
      int64_t left_ms = (end - now_ns()) / 1000000;
      if (left_ms <= 0) break;
      int r = poll(&pfd, 1, (int)(left_ms > 1000 ? 1000 : left_ms));
      if (r > 0 && read(0, junk, sizeof junk) <= 0) break; /* stdin closed */
    }
    for (int i = 0; i < nconn; i++) close(conns[i].fd);
    return 0;
  }
  int64_t cpu1 = proc_cpu_us(server_pid, &sys1);
  errors += active; /* round trips that never finished */
  for (int i = 0; i < nconn; i++) close(conns[i].fd);
  double elapsed = (double)(t_last - t_start) / 1e9;
  uint32_t p50 = 0, p99 = 0;
  if (nlat > 0) {
    qsort(lat, nlat, sizeof *lat, cmp_u32);
    p50 = lat[nlat / 2];
    p99 = lat[(size_t)((double)nlat * 0.99) < nlat
                  ? (size_t)((double)nlat * 0.99)
                  : nlat - 1];
  }
  printf("{\"requests\":%zu,\"seconds\":%.4f,\"p50_us\":%u,\"p99_us\":%u,"
         "\"errors\":%ld,\"server_cpu_us\":%lld,\"server_sys_us\":%lld}\n",
         nlat, elapsed, p50, p99, errors,
         (long long)(cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0),
         (long long)(sys0 < 0 || sys1 < 0 ? -1 : sys1 - sys0));
  return 0;
}
