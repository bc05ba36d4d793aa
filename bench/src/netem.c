/*
 * remote-help bench: a userspace link emulator between two network namespaces.
 *
 * Opens one TUN device in each namespace (setns + TUNSETIFF) and forwards every IP
 * packet (UDP and TCP alike) from one to the other, applying per direction:
 *   - random loss (probability, before the queue),
 *   - a rate limit (serialization at rate_kbit, FIFO),
 *   - a bounded queue (tail drop when the backlog waiting for the link exceeds
 *     queue_bytes),
 *   - a constant one-way delay (added after serialization).
 * Time is CLOCK_MONOTONIC; waiting is ppoll() with a nanosecond timeout.
 *
 * usage: netem NS_A DEV_A NS_B DEV_B RATE_KBIT DELAY_MS LOSS QUEUE_BYTES SEED
 *   RATE_KBIT 0 = unlimited (then QUEUE_BYTES is ignored).
 * Prints "ready" once both devices exist. SIGUSR1 prints a JSON line of counters;
 * SIGTERM/SIGINT print the counters and exit. Exits by itself after 3600 s.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define RING 16384
#define MAXPKT 2048
#define MAX_LIFETIME_NS (3600ull * 1000000000ull)

typedef struct {
  uint64_t due;
  uint16_t len;
  unsigned char data[MAXPKT];
} pkt_t;

typedef struct {
  pkt_t *ring;
  unsigned head, tail; /* head = next to deliver, tail = next free */
  uint64_t busy_until; /* when the link finishes serializing what is queued */
  uint64_t in_pkts, in_bytes, out_pkts, out_bytes, lost, qdrop, ringdrop, max_backlog;
} dir_t;

static volatile sig_atomic_t want_stats = 0, want_exit = 0;
static void on_usr1(int s) { (void)s; want_stats = 1; }
static void on_term(int s) { (void)s; want_exit = 1; }

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state = 88172645463325252ull;
static double rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

static int open_tun_in(const char *ns, const char *dev) {
  char path[256];
  snprintf(path, sizeof path, "/var/run/netns/%s", ns);
  int nsfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) { perror(path); return -1; }
  if (setns(nsfd, CLONE_NEWNET) < 0) { perror("setns"); close(nsfd); return -1; }
  close(nsfd);
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) { perror("/dev/net/tun"); return -1; }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); close(fd); return -1; }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

static void print_dir(const char *name, dir_t *d, int comma) {
  printf("\"%s\":{\"inPkts\":%llu,\"inBytes\":%llu,\"outPkts\":%llu,\"outBytes\":%llu,\"lost\":%llu,"
         "\"queueDrops\":%llu,\"ringDrops\":%llu,\"maxBacklogBytes\":%llu}%s",
         name, (unsigned long long)d->in_pkts, (unsigned long long)d->in_bytes, (unsigned long long)d->out_pkts,
         (unsigned long long)d->out_bytes, (unsigned long long)d->lost, (unsigned long long)d->qdrop,
         (unsigned long long)d->ringdrop, (unsigned long long)d->max_backlog, comma ? "," : "");
}

static void print_stats(dir_t *ab, dir_t *ba) {
  printf("{\"t\":%.3f,", now_ns() / 1e6);
  print_dir("aToB", ab, 1);
  print_dir("bToA", ba, 0);
  printf("}\n");
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc != 10) {
    fprintf(stderr, "usage: %s NS_A DEV_A NS_B DEV_B RATE_KBIT DELAY_MS LOSS QUEUE_BYTES SEED\n", argv[0]);
    return 2;
  }
  const double rate_kbit = atof(argv[5]);
  const uint64_t delay_ns = (uint64_t)(atof(argv[6]) * 1e6);
  const double loss = atof(argv[7]);
  const uint64_t queue_bytes = strtoull(argv[8], 0, 10);
  rng_state ^= strtoull(argv[9], 0, 10) * 2654435761ull;
  if (!rng_state) rng_state = 1;
  const double ns_per_byte = rate_kbit > 0 ? 8e6 / rate_kbit : 0; /* 8 bits / (kbit/s * 1000) in ns */

  int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int fda = open_tun_in(argv[1], argv[2]);
  int fdb = fda < 0 ? -1 : open_tun_in(argv[3], argv[4]);
  if (self >= 0) { setns(self, CLONE_NEWNET); close(self); }
  if (fda < 0 || fdb < 0) return 1;

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, 0);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, 0);
  sigaction(SIGINT, &sa, 0);
  sigaction(SIGHUP, &sa, 0);

  dir_t dirs[2];
  memset(dirs, 0, sizeof dirs);
  dirs[0].ring = calloc(RING, sizeof(pkt_t));
  dirs[1].ring = calloc(RING, sizeof(pkt_t));
  if (!dirs[0].ring || !dirs[1].ring) return 1;
  int fds[2] = {fda, fdb};
  printf("ready\n");
  fflush(stdout);
  const uint64_t started = now_ns();

  sigset_t empty;
  sigemptyset(&empty);
  while (!want_exit) {
    uint64_t now = now_ns();
    if (now - started > MAX_LIFETIME_NS) break;
    /* deliver everything due */
    uint64_t next_due = UINT64_MAX;
    for (int i = 0; i < 2; i++) {
      dir_t *d = &dirs[i];
      while (d->head != d->tail && d->ring[d->head % RING].due <= now) {
        pkt_t *p = &d->ring[d->head % RING];
        if (write(fds[1 - i], p->data, p->len) == p->len) {
          d->out_pkts++;
          d->out_bytes += p->len;
        }
        d->head++;
      }
      if (d->head != d->tail && d->ring[d->head % RING].due < next_due) next_due = d->ring[d->head % RING].due;
    }
    if (want_stats) {
      want_stats = 0;
      print_stats(&dirs[0], &dirs[1]);
    }
    struct pollfd pfd[2] = {{fda, POLLIN, 0}, {fdb, POLLIN, 0}};
    struct timespec ts, *tsp = 0;
    uint64_t wait = next_due == UINT64_MAX ? 200000000ull : (next_due > now ? next_due - now : 0);
    if (wait > 200000000ull) wait = 200000000ull;
    ts.tv_sec = wait / 1000000000ull;
    ts.tv_nsec = wait % 1000000000ull;
    tsp = &ts;
    int n = ppoll(pfd, 2, tsp, &empty);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("ppoll");
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (!(pfd[i].revents & POLLIN)) continue;
      dir_t *d = &dirs[i];
      for (int k = 0; k < 256; k++) {
        unsigned char buf[MAXPKT];
        ssize_t len = read(fds[i], buf, sizeof buf);
        if (len <= 0) break;
        uint64_t t = now_ns();
        d->in_pkts++;
        d->in_bytes += (uint64_t)len;
        if (loss > 0 && rnd() < loss) { d->lost++; continue; }
        uint64_t depart = t;
        if (ns_per_byte > 0) {
          uint64_t start = d->busy_until > t ? d->busy_until : t;
          uint64_t backlog = (uint64_t)((double)(start - t) / ns_per_byte);
          if (backlog + (uint64_t)len > queue_bytes) { d->qdrop++; continue; }
          if (backlog + (uint64_t)len > d->max_backlog) d->max_backlog = backlog + (uint64_t)len;
          depart = start + (uint64_t)(len * ns_per_byte);
          d->busy_until = depart;
        }
        if (d->tail - d->head >= RING) { d->ringdrop++; continue; }
        pkt_t *p = &d->ring[d->tail % RING];
        p->due = depart + delay_ns;
        p->len = (uint16_t)len;
        memcpy(p->data, buf, (size_t)len);
        d->tail++;
      }
    }
  }
  print_stats(&dirs[0], &dirs[1]);
  return 0;
}
