/*
 * The console's form for a new case (issue 17): category (Tab completes
 * from the hub's case_categories, as the dispatch prompt completes
 * departments; empty: the dispatch desk's queue), place (a grid code or
 * an address the hub resolves to a grid), description; posted to
 * POST /api/v1/cases with source "console".  The answer says where the
 * case went (its departments, or the queue).
 */
#ifndef CB_TUI_CASE_FORM_H
#define CB_TUI_CASE_FORM_H

struct app;

/* Open the form (after fetching the categories); done called with the
 * new case's id after it is made (may be NULL). */
void case_form_open(
    struct app *app, void (*done)(struct app *, const char *id));

#endif
