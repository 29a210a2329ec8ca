// libuv twin of timers-1m.yaml: one million timers over 100 delays (0-99 ms), kept as Node.js
// keeps them (lib/internal/timers.js): one uv_timer_t per distinct delay, each with a FIFO list
// of timer records in the order they were armed; a timer's start is the loop time read afresh
// (getLibuvNow), and a list's callback runs its due timers, then rearms for the first not due.
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

typedef struct timer {
  struct timer *next;
  uint64_t start;
  void (*cb)(void);
} timer;

typedef struct {
  uv_timer_t handle;
  uint64_t delay;
  timer *head, *tail;
} list;

static list lists[101];
static int fired;

static void nop(void) { fired++; }

static void on_list(uv_timer_t *h) {
  list *l = (list *)h;
  uint64_t now = uv_now(h->loop);
  while (l->head) {
    timer *t = l->head;
    if (now - t->start < l->delay) {
      uv_timer_start(h, on_list, t->start + l->delay - now, 0);
      return;
    }
    l->head = t->next;
    if (!l->head) l->tail = NULL;
    t->cb();
    free(t);
  }
}

static void set_timeout(uv_loop_t *loop, uint64_t delay, void (*cb)(void)) {
  if (delay < 1) delay = 1; // Node runs a delay below 1 ms as 1 ms
  list *l = &lists[delay];
  uv_update_time(loop);
  timer *t = malloc(sizeof *t);
  t->next = NULL, t->start = uv_now(loop), t->cb = cb;
  if (l->tail) {
    l->tail->next = t;
  } else {
    l->head = t;
    if (!uv_is_active((uv_handle_t *)&l->handle)) uv_timer_start(&l->handle, on_list, delay, 0);
  }
  l->tail = t;
}

static void done(void) { printf("done\n"); }

int main(void) {
  const char *s = getenv("LOOPTEST_SCALE");
  int scale = s && atoi(s) > 0 ? atoi(s) : 1;
  int n = 10000 / scale > 0 ? 10000 / scale : 1;
  uv_loop_t *loop = uv_default_loop();
  for (int d = 1; d <= 100; d++) {
    uv_timer_init(loop, &lists[d].handle);
    lists[d].delay = d;
  }
  for (int k = 0; k < 100; k++)
    for (int i = 0; i < n; i++) set_timeout(loop, k, nop);
  set_timeout(loop, 100, done);
  uv_run(loop, UV_RUN_DEFAULT);
  return fired == 100 * n ? 0 : 1;
}
