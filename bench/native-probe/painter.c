/* The ADR 0028 budget probe (run.sh): the bench's busy workload, 20 random rectangles 20-200 px in random
 * colours every 33 ms, in an override-redirect window over the whole screen, for N seconds. */
#include <X11/Xlib.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 12;
  Display *d = XOpenDisplay(NULL);
  if (!d) return 1;
  int s = DefaultScreen(d);
  Window root = RootWindow(d, s);
  int W = DisplayWidth(d, s), H = DisplayHeight(d, s);
  XSetWindowAttributes a = {0};
  a.override_redirect = True;
  Window w = XCreateWindow(d, root, 0, 0, W, H, 0, CopyFromParent, InputOutput, CopyFromParent, CWOverrideRedirect, &a);
  XMapWindow(d, w);
  GC gc = XCreateGC(d, w, 0, NULL);
  srand(42);
  struct timespec t0, now;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long frame = 0;; frame++) {
    for (int i = 0; i < 20; i++) {
      int rw = 20 + rand() % 181, rh = 20 + rand() % 181;
      XSetForeground(d, gc, (unsigned long)(rand() & 0xffffff));
      XFillRectangle(d, w, gc, rand() % (W - rw), rand() % (H - rh), rw, rh);
    }
    XFlush(d);
    clock_gettime(CLOCK_MONOTONIC, &now);
    double el = (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
    if (el > seconds) break;
    double next = (frame + 1) * 0.033 - el;
    if (next > 0) usleep((useconds_t)(next * 1e6));
  }
  XCloseDisplay(d);
  return 0;
}
