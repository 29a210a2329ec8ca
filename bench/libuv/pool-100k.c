// libuv twin of pool-100k.yaml: 100,000 pool round trips through uv_queue_work with an empty
// work function: ten from main, whose callbacks submit 9,999 more each; fib(1) stands for the
// encrypt, on the loop thread as looptest's callback runs.
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

static int per, done_trips;
static volatile long sink;

static long fib(int n) {
  long a = 0, b = 1;
  for (int i = 0; i < n; i++) { long c = a + b; a = b; b = c; }
  return a;
}

static void work(uv_work_t *w) { (void)w; }
static void after_leaf(uv_work_t *w, int status) { (void)status; sink = fib(1); done_trips++; free(w); }

static void after_root(uv_work_t *w, int status) {
  (void)status;
  sink = fib(1);
  done_trips++;
  for (int j = 0; j < per; j++) uv_queue_work(w->loop, malloc(sizeof(uv_work_t)), work, after_leaf);
  free(w);
}

static void on_done(uv_timer_t *h) { (void)h; printf("done\n"); }

int main(void) {
  const char *s = getenv("LOOPTEST_SCALE");
  int scale = s && atoi(s) > 0 ? atoi(s) : 1;
  per = 9999 / scale > 0 ? 9999 / scale : 1;
  uv_loop_t *loop = uv_default_loop();
  for (int i = 0; i < 10; i++) uv_queue_work(loop, malloc(sizeof(uv_work_t)), work, after_root);
  uv_timer_t t;
  uv_timer_init(loop, &t);
  uv_timer_start(&t, on_done, 1, 0);
  uv_run(loop, UV_RUN_DEFAULT);
  return done_trips == 10 + 10 * per ? 0 : 1;
}
