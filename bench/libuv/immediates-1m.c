// libuv twin of immediates-1m.yaml: one million immediates queued by main, kept as Node.js keeps
// them (processImmediate): a FIFO queue of records drained by one uv_check_t, which runs those
// queued before it began; a uv_idle_t keeps the poll from blocking while any wait.
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

typedef struct immediate {
  struct immediate *next;
  void (*cb)(void);
} immediate;

static immediate *head, *tail;
static uv_check_t check;
static uv_idle_t idle;
static int ran;

static void nop(void) { ran++; }
static void on_idle(uv_idle_t *h) { (void)h; }

static void set_immediate(void (*cb)(void)) {
  immediate *im = malloc(sizeof *im);
  im->next = NULL, im->cb = cb;
  if (tail) tail->next = im; else head = im;
  tail = im;
  if (!uv_is_active((uv_handle_t *)&idle)) uv_idle_start(&idle, on_idle);
}

static void on_check(uv_check_t *h) {
  (void)h;
  immediate *im = head;
  head = tail = NULL; // those queued now wait for the next check phase
  while (im) {
    immediate *next = im->next;
    im->cb();
    free(im);
    im = next;
  }
  if (!head) uv_idle_stop(&idle);
}

static void on_done(uv_timer_t *h) { (void)h; printf("done\n"); }

int main(void) {
  const char *s = getenv("LOOPTEST_SCALE");
  int scale = s && atoi(s) > 0 ? atoi(s) : 1;
  int n = 1000000 / scale > 0 ? 1000000 / scale : 1;
  uv_loop_t *loop = uv_default_loop();
  uv_check_init(loop, &check);
  uv_check_start(&check, on_check);
  uv_unref((uv_handle_t *)&check); // as Node's: it does not keep the loop alive
  uv_idle_init(loop, &idle);
  for (int i = 0; i < n; i++) set_immediate(nop);
  uv_timer_t t;
  uv_timer_init(loop, &t);
  uv_timer_start(&t, on_done, 1, 0);
  uv_run(loop, UV_RUN_DEFAULT);
  return ran == n ? 0 : 1;
}
