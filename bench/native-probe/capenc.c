/* The ADR 0028 budget probe (run.sh): a throwaway prototype, not the product. DAMAGE + MIT-SHM capture of the
 * damaged bounding box; fills found as the agent's TileSender finds them (from the last drawn rectangle back, one
 * colour where no later fill covers it); changed 64x64 tiles against a shadow, encoded solid/palette/raw; one
 * deflate (zlib level 1) per message; length-prefixed messages on stdout. NOCOPY=1 reads the new pixels straight
 * from the segment (box stride) instead of copying the box into a frame first. Prints its own CPU (getrusage).
 * Its output is not checked against the TypeScript encoder: it measures cost, not correctness. */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/Xdamage.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/resource.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define T 64
static int W, H;
static uint8_t *cur, *shadow, *seg; static int box_x, box_y, box_w, box_h;
/* A row of the new picture: from the segment (box stride) when NOCOPY, else from cur. */
static inline const uint8_t *px(int x, int y) { return seg ? seg + ((size_t)(y - box_y) * box_w + (x - box_x)) * 4 : cur + ((size_t)y * W + x) * 4; }
static uint8_t *msg, *zbuf; static size_t msgLen, msgCap;
static long tilesSent, bytesOut, frames, solids, palettes, raws, fills, tailReads;

static void put(const void *p, size_t n) {
  if (msgLen + n > msgCap) { msgCap = (msgLen + n) * 2; msg = realloc(msg, msgCap); }
  memcpy(msg + msgLen, p, n); msgLen += n;
}
static void encodeTile(int x, int y, int w, int h) {
  uint32_t pal[17]; int np = 0; uint8_t idx[T * T]; uint32_t last = 0xffffffff; int li = 0, n = 0;
  for (int r = 0; r < h && np <= 16; r++) {
    const uint32_t *p = (const uint32_t *)px(x, y + r);
    for (int c = 0; c < w; c++, n++) {
      uint32_t rgb = p[c] & 0xffffff;
      if (rgb != last) {
        last = rgb; li = -1;
        for (int k = 0; k < np; k++) if (pal[k] == rgb) { li = k; break; }
        if (li < 0) { li = np; pal[np++] = rgb; if (np > 16) break; }
      }
      idx[n] = (uint8_t)li;
    }
  }
  uint8_t head[12] = {0}; uint16_t v;
  v = x; memcpy(head, &v, 2); v = y; memcpy(head + 2, &v, 2); v = w; memcpy(head + 4, &v, 2); v = h; memcpy(head + 6, &v, 2);
  if (np == 1) {
    head[8] = 0; put(head, 12); uint8_t c[3] = {pal[0] >> 16, pal[0] >> 8, pal[0]}; put(c, 3); solids++;
  } else if (np <= 16) {
    int bits = np <= 2 ? 1 : np <= 4 ? 2 : 4, per = 8 / bits, rowBytes = (w + per - 1) / per;
    uint8_t packed[T * T]; memset(packed, 0, rowBytes * h);
    for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) packed[r * rowBytes + c / per] |= idx[r * w + c] << (8 - bits - (c % per) * bits);
    head[8] = 1; put(head, 12); uint8_t m = np - 1; put(&m, 1);
    for (int k = 0; k < np; k++) { uint8_t c[3] = {pal[k] >> 16, pal[k] >> 8, pal[k]}; put(c, 3); }
    put(packed, rowBytes * h); palettes++;
  } else {
    head[8] = 2; put(head, 12); uint8_t rgb[T * T * 3]; int o = 0;
    for (int r = 0; r < h; r++) { const uint8_t *p = px(x, y + r); for (int c = 0; c < w; c++, p += 4) { rgb[o++] = p[2]; rgb[o++] = p[1]; rgb[o++] = p[0]; } }
    put(rgb, o); raws++;
  }
  tilesSent++;
}
static void flushMessage(void) {
  if (!msgLen) return;
  uLongf zl = compressBound(msgLen); zbuf = realloc(zbuf, zl);
  compress2(zbuf, &zl, msg, msgLen, 1);
  uint32_t len = 20 + zl; uint8_t head[20] = {1};
  fwrite(&len, 4, 1, stdout); fwrite(head, 1, 20, stdout); fwrite(zbuf, 1, zl, stdout); fflush(stdout);
  bytesOut += 20 + zl; msgLen = 0;
}
int main(int argc, char **argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 10;
  Display *d = XOpenDisplay(NULL); if (!d) return 1;
  int s = DefaultScreen(d); Window root = RootWindow(d, s); W = DisplayWidth(d, s); H = DisplayHeight(d, s);
  int evb, erb; if (!XDamageQueryExtension(d, &evb, &erb) || !XShmQueryExtension(d)) return 2;
  XShmSegmentInfo si; XImage *img = XShmCreateImage(d, DefaultVisual(d, s), DefaultDepth(d, s), ZPixmap, NULL, &si, W, H);
  si.shmid = shmget(IPC_PRIVATE, (size_t)W * H * 4, IPC_CREAT | 0600); si.shmaddr = img->data = shmat(si.shmid, NULL, 0); si.readOnly = False;
  XShmAttach(d, &si); XSync(d, False); shmctl(si.shmid, IPC_RMID, NULL);
  cur = calloc((size_t)W * H, 4); shadow = calloc((size_t)W * H, 4);
  Damage dmg = XDamageCreate(d, root, XDamageReportRawRectangles);
  int gw = (W + T - 1) / T, gh = (H + T - 1) / T; uint8_t *mark = calloc(gw * gh, 1);
  struct rusage ru0, ru1; struct timespec t0, now; int started = 0;
  XRectangle rects[4096]; int nr = 0;
  for (;;) {
    XEvent ev; XNextEvent(d, &ev);
    if (ev.type != evb + XDamageNotify) continue;
    if (!started) { started = 1; getrusage(RUSAGE_SELF, &ru0); clock_gettime(CLOCK_MONOTONIC, &t0); }
    XDamageNotifyEvent *de = (XDamageNotifyEvent *)&ev; if (nr < 4096) rects[nr++] = de->area;
    struct pollfd pf = {ConnectionNumber(d), POLLIN, 0}; poll(&pf, 1, 1); /* settle 1 ms */
    while (XPending(d)) { XNextEvent(d, &ev); if (ev.type == evb + XDamageNotify && nr < 4096) rects[nr++] = ((XDamageNotifyEvent *)&ev)->area; }
    int x0, y0, x1, y1, bw = 0, bh = 0;
    /* Damage that came in with the read's reply is the rest of the same drawn frame: read again, in this frame
     * (the agent's tail reads, at most two). */
    for (int pass = 0; pass < 3; pass++) {
      XDamageSubtract(d, dmg, None, None);
      x0 = W; y0 = H; x1 = 0; y1 = 0;
      for (int i = 0; i < nr; i++) { XRectangle r = rects[i]; if (r.x < x0) x0 = r.x; if (r.y < y0) y0 = r.y; if (r.x + r.width > x1) x1 = r.x + r.width; if (r.y + r.height > y1) y1 = r.y + r.height; }
      x0 = x0 < 0 ? 0 : x0; y0 = y0 < 0 ? 0 : y0; x1 = x1 > W ? W : x1; y1 = y1 > H ? H : y1;
      if (x1 <= x0 || y1 <= y0) break;
      bw = x1 - x0; bh = y1 - y0;
      img->width = bw; img->height = bh; img->bytes_per_line = bw * 4;
      XShmGetImage(d, root, img, x0, y0, AllPlanes);
      int more = 0;
      while (XEventsQueued(d, QueuedAfterReading)) { XNextEvent(d, &ev); if (ev.type == evb + XDamageNotify && nr < 4096) { rects[nr++] = ((XDamageNotifyEvent *)&ev)->area; more = 1; } }
      if (!more) break;
      tailReads++;
    }
    if (x1 <= x0 || y1 <= y0) { nr = 0; continue; }
    if (getenv("NOCOPY")) { box_x = x0; box_y = y0; box_w = bw; box_h = bh; seg = (uint8_t *)img->data; }
    else for (int r = 0; r < bh; r++) memcpy(cur + ((size_t)(y0 + r) * W + x0) * 4, img->data + (size_t)r * bw * 4, bw * 4);
    /* Fills as the agent's TileSender makes them: from the last drawn rectangle back, a rectangle that is one colour
     * where no later fill covers it goes as one record (sent in drawing order); others mark their tiles. */
    static int isFill[4096]; static uint32_t fillColour[4096]; static int later[4096]; int nl = 0;
    memset(mark, 0, gw * gh);
    for (int i = nr - 1; i >= 0; i--) {
      XRectangle r = rects[i]; int rx = r.x < 0 ? 0 : r.x, ry = r.y < 0 ? 0 : r.y;
      int right = r.x + r.width > W ? W : r.x + r.width, bottom = r.y + r.height > H ? H : r.y + r.height;
      isFill[i] = 0;
      if (right <= rx || bottom <= ry) continue;
      int covers[4096], nc = 0;
      for (int k = 0; k < nl; k++) { XRectangle c = rects[later[k]]; if (c.y < bottom && c.y + c.height > ry && c.x < right && c.x + c.width > rx) covers[nc++] = later[k]; }
      uint32_t colour = 0; int found = 0, solid = 1;
      for (int y = ry; y < bottom && solid; y++) {
        const uint32_t *row = (const uint32_t *)px(0, y); int x = rx;
        while (x < right) {
          int end = right, hidden = 0;
          for (int k = 0; k < nc; k++) { XRectangle c = rects[covers[k]]; if (y < c.y || y >= c.y + c.height) continue;
            if (c.x <= x && x < c.x + c.width) { x = c.x + c.width; hidden = 1; break; }
            if (c.x > x && c.x < end) end = c.x; }
          if (hidden) continue;
          int q = x; if (!found) { colour = row[q] & 0xffffff; found = 1; q++; }
          for (; q < end; q++) if ((row[q] & 0xffffff) != colour) { solid = 0; break; }
          if (!solid) break;
          x = end;
        }
      }
      if (!found) continue; /* covered */
      if (!solid) { int tx0 = rx / T, ty0 = ry / T, tx1 = (right - 1) / T, ty1 = (bottom - 1) / T;
        for (int ty = ty0; ty <= ty1; ty++)
          for (int tx = tx0; tx <= tx1; tx++) mark[ty * gw + tx] = 1;
        continue;
      }
      isFill[i] = 1; fillColour[i] = colour; later[nl++] = i;
    }
    for (int i = 0; i < nr; i++) {
      if (!isFill[i]) continue;
      XRectangle r = rects[i]; int rx = r.x < 0 ? 0 : r.x, ry = r.y < 0 ? 0 : r.y;
      int rw = (r.x + r.width > W ? W : r.x + r.width) - rx, rh = (r.y + r.height > H ? H : r.y + r.height) - ry;
      uint32_t c0 = fillColour[i];
      uint8_t rec[15] = {0}; uint16_t v; v = rx; memcpy(rec, &v, 2); v = ry; memcpy(rec + 2, &v, 2); v = rw; memcpy(rec + 4, &v, 2); v = rh; memcpy(rec + 6, &v, 2);
      rec[8] = 3; rec[12] = c0 >> 16; rec[13] = c0 >> 8; rec[14] = c0; put(rec, 15); fills++;
      for (int y = ry; y < ry + rh; y++) { uint32_t *p = (uint32_t *)(shadow + ((size_t)y * W + rx) * 4); for (int x = 0; x < rw; x++) p[x] = c0; }
    }

    nr = 0;
    for (int ty = 0; ty < gh; ty++) for (int tx = 0; tx < gw; tx++) {
      if (!mark[ty * gw + tx]) continue;
      int x = tx * T, y = ty * T, w = x + T > W ? W - x : T, h = y + T > H ? H - y : T, changed = 0;
      if (seg) { /* outside the box nothing changed: the tile's part inside it */
        int ax = x < box_x ? box_x : x, ay = y < box_y ? box_y : y;
        int bx = x + w > box_x + box_w ? box_x + box_w : x + w, by = y + h > box_y + box_h ? box_y + box_h : y + h;
        if (bx <= ax || by <= ay) continue;
        x = ax; y = ay; w = bx - ax; h = by - ay;
      }
      for (int r = 0; r < h && !changed; r++) changed = memcmp(px(x, y + r), shadow + ((size_t)(y + r) * W + x) * 4, w * 4) != 0;
      if (!changed) continue;
      encodeTile(x, y, w, h);
      for (int r = 0; r < h; r++) memcpy(shadow + ((size_t)(y + r) * W + x) * 4, px(x, y + r), w * 4);
      if (msgLen > 60000) flushMessage();
    }
    flushMessage();
    frames++;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 > seconds) break;
  }
  getrusage(RUSAGE_SELF, &ru1);
  double cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 + (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
  fprintf(stderr, "tail reads %ld, fills %ld, frames %ld in %d s, tiles %ld (solid %ld palette %ld raw %ld), %.1f kbit/s, CPU %.2f %% of a core (%.3f ms per frame)\n",
    tailReads, fills, frames, seconds, tilesSent, solids, palettes, raws, bytesOut * 8.0 / 1000 / seconds, 100 * cpu / seconds, 1000 * cpu / frames);
  return 0;
}
