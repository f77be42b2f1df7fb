/*
 * The floor (target `floor`) of bench/instructions.ts and bench/run.ts: an
 * epoll loop that answers every read with a fixed response chosen by the
 * request path, nothing else (no
 * parsing beyond the path, no headers read, no Date). Not HTTP-correct;
 * it shows what the kernel round trip costs in user space.
 *
 *   floor PORT PATH=FILE...   FILE holds the complete response bytes
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_ROUTES 16
static struct { const char *path; size_t path_len; char *bytes; size_t len; } routes[MAX_ROUTES];
static int route_count;

static void load_route(char *arg) {
  char *eq = strchr(arg, '=');
  if (eq == NULL || route_count == MAX_ROUTES) exit(2);
  *eq = '\0';
  FILE *f = fopen(eq + 1, "rb");
  if (f == NULL) exit(2);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  routes[route_count].bytes = malloc(n);
  if (fread(routes[route_count].bytes, 1, n, f) != (size_t)n) exit(2);
  fclose(f);
  routes[route_count].path = arg;
  routes[route_count].path_len = strlen(arg);
  routes[route_count++].len = n;
}

/* The response for "GET /path HTTP/1.1…": the route whose path follows the method; else the last one. */
static int find_route(const char *req, ssize_t n) {
  const char *sp = memchr(req, ' ', n);
  for (int i = 0; sp != NULL && i < route_count - 1; i++) {
    size_t k = routes[i].path_len;
    if (sp + 1 + k < req + n && memcmp(sp + 1, routes[i].path, k) == 0 && sp[1 + k] == ' ') return i;
  }
  return route_count - 1;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  for (int i = 2; i < argc; i++) load_route(argv[i]);
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 512) != 0) return 1;
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd }, events[64];
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  static char buf[65536];
  for (;;) {
    int n = epoll_wait(ep, events, 64, -1);
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (c < 0) continue;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ev.events = EPOLLIN;
        ev.data.fd = c;
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
        continue;
      }
      ssize_t got = read(fd, buf, sizeof buf);
      if (got <= 0) {
        close(fd);
        continue;
      }
      int r = find_route(buf, got);
      /* Blocking-style loop is fine: responses fit the loopback socket buffer. */
      for (size_t off = 0; off < routes[r].len;) {
        ssize_t w = write(fd, routes[r].bytes + off, routes[r].len - off);
        if (w <= 0) break;
        off += w;
      }
    }
  }
}
