/*
 * The hub's one department table (GET /api/v1/departments) as the console
 * keeps it for dispatch prompts: fetched once when a prompt first needs
 * it, then Tab completes department ids and shows their names (name_en in
 * ASCII mode).
 */
#ifndef CB_TUI_DEPTS_H
#define CB_TUI_DEPTS_H

struct app;
struct buf;
struct depts;

/* The (empty) table; owned by the app (depts_free). */
struct depts *depts_new(void);
void depts_free(struct depts *d);

/* Start fetching the table unless it is here or on its way. */
void depts_fetch(struct depts *d, struct app *app);

/* 1 if id is a department, 0 if not, -1 while the table is not here. */
int depts_known(const struct depts *d, const char *id);

/* Complete the last word of a department list ("fire emergency po")
 * in text and show the candidates with their names in the prompt's
 * legend; a prompt_complete_fn for app_prompt_complete. */
void depts_complete(struct app *app, struct buf *text, void *arg);

#endif
